/**
 * A refused config ends the agent with exit 1, never a crash. The running agent starts its collection thread while
 * the config thread checks the file (cli.ts, worker.startEarly); a refusal used to end the process while that thread
 * could still be inside koffi's native load, and stopping a thread there aborts the whole process (FATAL ERROR ...
 * napi_throw, SIGABRT): about one start in twenty under load on the 2-core machine, which made
 * webconfig.test.ts fail in CI. Twenty-four refusals at once beside four busy loops; each must exit 1 with its message.
 * The race is timing-bound: on the old code this caught it only in some runs (a shell loop of 80 loaded starts did
 * every time, in the commit's body); a guard, with settleEarly's rule stated in worker.ts.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, freePort } from './agent-process';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'refused-exit-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const t = setTimeout(() => proc.kill('SIGKILL'), 60000);
    proc.once('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, err });
    });
  });
}

test('24 agents refused at once (bad web config, bad config key) each exit 1 with the line, none aborts', async () => {
  const web = path.join(dir, 'web.yml');
  fs.writeFileSync(web, 'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_typ: NoClientCert\n');
  const badWeb = path.join(dir, 'agent-web.yml');
  fs.writeFileSync(badWeb, `web:\n  config_file: ${web}\n`);
  const badKey = path.join(dir, 'agent-key.yml');
  fs.writeFileSync(badKey, 'collectors:\n  nosuch: {}\n');
  // Busy loops beside them: the abort needs a thread stopped mid-load, which a loaded CPU makes likely.
  const busy = [0, 1, 2, 3].map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  const runs = [];
  for (let i = 0; i < 24; i++) {
    const port = await freePort();
    const cfg = i % 2 === 0 ? badWeb : badKey;
    runs.push(run([`--config.file=${cfg}`, `--web.listen-address=127.0.0.1:${port}`]));
  }
  const out = await Promise.all(runs).finally(() => busy.forEach((b) => b.kill('SIGKILL')));
  for (const [i, r] of out.entries()) {
    expect({ i, code: r.code, signal: r.signal, aborted: r.err.includes('FATAL ERROR') }).toEqual({
      i,
      code: 1,
      signal: null,
      aborted: false,
    });
    expect(r.err).toContain(i % 2 === 0 ? `${web}:4:3:` : `${badKey}:2:3:`);
  }
}, 120000);
