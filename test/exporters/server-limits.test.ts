/**
 * The agent's listener under slow clients (hardening #14): a client that trickles its headers is cut off at
 * headersTimeout (10 s), not at Node's 30 s connections check. And the fd limit it sheds by, read from /proc/self
 * (the shedding itself: test/e2e/fd-limit.test.ts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { createLogger } from '../../src/exporters/log';
import { CONTENT_TYPE } from '../../src/exporters/prometheus';
import { AgentServer, procSelfFds, softFdLimit } from '../../src/exporters/server';

let server: AgentServer;
let port: number;

beforeAll(async () => {
  server = new AgentServer({
    telemetryPath: '/metrics',
    maxRequests: 10,
    contentType: CONTENT_TYPE,
    metrics: () => Promise.resolve({ id: 1, text: 'up 1\n' }),
    ready: () => true,
    indexHtml: () => '<html></html>',
    log: createLogger('error', () => undefined),
  });
  ({ port } = await server.listen('127.0.0.1', 0));
});
afterAll(() => server.close(1000));

test('a client trickling header bytes is answered 408 and closed by headersTimeout, well before 30 s', async () => {
  const started = Date.now();
  const { answer, closedAfterMs } = await new Promise<{ answer: string; closedAfterMs: number }>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let tick: NodeJS.Timeout | undefined;
    // A safety net far above the bound under test, below Node's default 30 s check.
    const guard = setTimeout(() => {
      s.destroy();
      reject(new Error('still open after 25 s'));
    }, 25_000);
    s.on('connect', () => {
      s.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
      // One header byte a second keeps the socket busy: only headersTimeout can end it.
      tick = setInterval(() => {
        if (s.writable) s.write('X');
      }, 1000);
    });
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(guard);
      if (tick) clearInterval(tick);
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), closedAfterMs: Date.now() - started });
    });
  });
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
  // headersTimeout is 10 s and the check runs each second; Node's default check would have let it live ~30 s.
  expect(closedAfterMs).toBeLessThan(20_000);
}, 40_000);

test("the fd limit the listener reads is the shell's `ulimit -n` in a process started under it", () => {
  // A child under a limit of its own, printing both: the limit as bash sets it and as /proc/self/limits says it.
  const code = "process.stdout.write(require('fs').readFileSync('/proc/self/limits', 'latin1'))";
  const r = spawnSync('bash', ['-c', `ulimit -n 77 && ulimit -n && exec "$0" -e "$1"`, process.execPath, code], {
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  const [shell, ...limits] = r.stdout.split('\n');
  expect(softFdLimit(limits.join('\n'))).toBe(Number(shell));
  expect(softFdLimit('Limit  Soft Limit  Hard Limit  Units\nMax open files  unlimited  unlimited  files\n')).toBeNull();
  expect(procSelfFds.open()).toBe(fs.readdirSync('/proc/self/fd').length - 1);
});
