/**
 * The built agent under a small fd limit (issue 11 #14): started under `ulimit -n 64`, it serves; connections held
 * open until the fds run short get 503 (not a reset), the shedding is logged once, and once the connections go it
 * serves 200 again and counts what it shed. Before the fix the kept /proc fds took every fd left under such a limit,
 * and libuv closed each accepted connection at once with nothing logged (the statuses here were socket errors).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { CLI, freePort, request, waitFor } from './agent-process';

/** Small enough that a few dozen connections use up what is free, large enough for the agent's own budget. */
const LIMIT = 64;
/** More connections than LIMIT: whatever the agent holds, the fds run short before the last. */
const CONNECTIONS = LIMIT;

let proc: ChildProcess | null = null;
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  const p = proc;
  proc = null;
  if (p !== null && p.exitCode === null && p.signalCode === null) {
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGKILL');
    await exited;
  }
});

/**
 * One connection kept open after its answer (keep-alive): the status line's code, or the socket error's code (a
 * reset, a close without an answer) as a string.
 */
function holdOne(port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    sockets.push(s);
    let got = '';
    const t = setTimeout(() => resolve('timeout'), 10000);
    const done = (v: number | string): void => {
      clearTimeout(t);
      resolve(v);
    };
    s.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(got);
      if (m) done(Number(m[1]));
    });
    s.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    s.on('close', () => done('closed without an answer'));
    s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  });
}

test(`under ulimit -n ${LIMIT}: 503 when fds run short, logged once, 200 again after`, async () => {
  const port = await freePort();
  // bash sets the limit, then becomes the agent (exec): the child is the agent itself, started under the limit.
  const p = spawn(
    'bash',
    ['-c', `ulimit -n ${LIMIT} && exec "$0" "$@"`, process.execPath, CLI, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  proc = p;
  let err = '';
  p.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'the agent to be ready',
    async () => {
      if (p.exitCode !== null) throw new Error(`agent exited with ${p.exitCode}: ${err}`);
      return (await request(`${url}/readyz`, { timeoutMs: 2000 })).status === 200;
    },
    60000,
  );
  expect((await request(`${url}/metrics`)).status).toBe(200);

  const statuses: Array<number | string> = [];
  for (let i = 0; i < CONNECTIONS; i++) statuses.push(await holdOne(port));
  // Every connection got an HTTP answer: served while fds were free, 503 once they ran short. None was reset.
  expect(statuses.filter((x) => typeof x !== 'number')).toEqual([]);
  expect(statuses).toContain(200);
  expect(statuses).toContain(503);
  const shed = statuses.filter((x) => x === 503).length;
  const logged = err.split('\n').filter((l) => l.includes('file descriptors nearly exhausted'));
  expect(logged).toHaveLength(1);
  expect(JSON.parse(logged[0]!)).toMatchObject({ level: 'error', limit: LIMIT });

  for (const s of sockets.splice(0)) s.destroy();
  const text = await waitFor('a 200 scrape that counts the shed connections', async () => {
    const r = await request(`${url}/metrics`);
    if (r.status !== 200) return null;
    const t = r.body.toString();
    const m = /^psutil_exporter_http_connections_shed_total (\d+)$/m.exec(t);
    return m !== null && Number(m[1]) >= shed ? t : null;
  });
  expect(text).toMatch(/^psutil_exporter_http_accept_errors_total 0$/m);
  // The connections never took the fds the collection needs: no read failed for want of one.
  expect(err).not.toMatch(/EMFILE|ENFILE/);
});
