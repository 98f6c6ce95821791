/**
 * PsutilSource on the live /proc: the identity of a process whose name runs past the kernel's 15 bytes carries the
 * kernel's comm (what process-exporter's {{.Comm}} groups on), read from the stat that gives the identity, while the
 * library's name() extends it from argv[0].
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPsutil } from '../../src/index';
import { PsutilSource } from '../../src/rules/source';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-src-'));
const LONG = 'sourcecommabcdefghij'; // 20 bytes: the kernel keeps "sourcecommabcde"
let child: ChildProcess;

beforeAll(async () => {
  const link = path.join(tmp, LONG);
  fs.symlinkSync('/bin/sleep', link);
  child = spawn(link, ['60'], { stdio: 'ignore' });
  // Until the exec is done: the comm is the link's name from then on.
  const end = Date.now() + 10000;
  while (Date.now() < end) {
    const comm = fs.readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim();
    if (comm !== 'node') break;
    await new Promise((r) => setTimeout(r, 20));
  }
});

afterAll(() => {
  child.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a name past 15 bytes: the identity has the kernel comm, name() the extended one', () => {
  const ps = createPsutil();
  const id = [...new PsutilSource(ps).list()].find((p) => p.pid === child.pid);
  const kernel = fs.readFileSync(`/proc/${child.pid}/comm`, 'utf8').replace(/\n$/, '');
  expect(kernel.length).toBe(15);
  expect(id?.comm).toBe(kernel);
  expect(new ps.Process(child.pid as number).name()).toBe(LONG);
});
