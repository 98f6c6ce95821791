/**
 * WorkerRunner with a stand-in worker script (same protocol): results stream back, a pass stuck past its deadline
 * is abandoned and the thread replaced, a thread that dies fails its pass only, and the next pass gets a new one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SnapshotSource } from '../../src/exporters/snapshot';
import { WorkerRunner } from '../../src/exporters/worker';
import { own } from '../helpers/fixtures';

const SCRIPT = own('worker', 'fake-collector-worker.js');
const plans = [
  { name: 'first', timeoutMs: 100, options: {} },
  { name: 'second', timeoutMs: 100, options: {} },
];

let dir: string;
let modeFile: string;
let runner: WorkerRunner;
let source: SnapshotSource;

function mode(m: string): void {
  fs.writeFileSync(modeFile, m);
}

function threadOf(snap: Awaited<ReturnType<SnapshotSource['get']>>): number | undefined {
  return ((snap.results.find((r) => r.ok) as { data?: unknown } | undefined)?.data as { threadId?: number } | undefined)
    ?.threadId;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-worker-'));
  modeFile = path.join(dir, 'mode');
  // The stand-in reads its mode from a file, passed the way the real worker gets its roots and plans.
  runner = new WorkerRunner(
    { roots: { procfs: '/proc', sysfs: '/sys', rootfs: '/' }, plans, modeFile } as unknown as ConstructorParameters<
      typeof WorkerRunner
    >[0],
    SCRIPT,
  );
  source = new SnapshotSource(runner, { plans, maxAgeMs: 0, timeoutMs: 2000 });
});

afterEach(async () => {
  await source.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a pass streams its results from the worker; the worker is kept between passes', async () => {
  mode('ok');
  const a = await source.get();
  expect(a.results.map((r) => r.ok)).toEqual([true, true]);
  expect(a.bootTime).toBe(42);
  const b = await source.get();
  expect(threadOf(b)).toBe(threadOf(a));
});

test('a worker stuck past the deadline: what it sent is kept, the rest fails, and the next pass runs on a new thread', async () => {
  mode('ok');
  const first = threadOf(await source.get());
  mode('hang');
  const stuck = await source.get();
  expect(stuck.results.map((r) => r.ok)).toEqual([true, false]);
  expect(stuck.results[1]?.error).toMatch(/deadline/);
  mode('ok');
  const next = await source.get();
  expect(next.results.map((r) => r.ok)).toEqual([true, true]);
  expect(threadOf(next)).not.toBe(first);
});

test('a worker that dies fails its pass only', async () => {
  mode('exit');
  const dead = await source.get();
  expect(dead.results.every((r) => !r.ok)).toBe(true);
  expect(dead.results[0]?.error).toMatch(/exited with code 3/);
  mode('ok');
  expect((await source.get()).results.map((r) => r.ok)).toEqual([true, true]);
});

test('a slow pass under the deadline completes', async () => {
  mode('slow:200');
  expect((await source.get()).results.map((r) => r.ok)).toEqual([true, true]);
});

test('a worker slow to get ready (3 s, over the 2 s deadline): its start is in no pass deadline', async () => {
  mode('start:3000');
  expect((await source.get()).results.map((r) => r.ok)).toEqual([true, true]);
});

function optionsOf(snap: Awaited<ReturnType<SnapshotSource['get']>>): unknown {
  const r = snap.results[0];
  return r?.kind === 'data' ? (r.data as { options?: unknown } | undefined)?.options : undefined;
}

test('reconfigure: the live worker takes the new plans between passes, and a replacement starts with them', async () => {
  mode('ok');
  const a = await source.get();
  expect(optionsOf(a)).toEqual({});
  expect(await source.reconfigure([{ name: 'first', timeoutMs: 100, options: { rules: 2 } }])).toEqual([]);
  const b = await source.get();
  expect({ thread: threadOf(b), options: optionsOf(b) }).toEqual({ thread: threadOf(a), options: { rules: 2 } });
  // The thread is replaced (stuck past its deadline): the new one has the last plans, not the ones it started with.
  mode('hang');
  await source.get();
  mode('ok');
  const c = await source.get();
  expect(threadOf(c)).not.toBe(threadOf(a));
  expect(optionsOf(c)).toEqual({ rules: 2 });
});
