/**
 * psutil's errors only, on every process of this machine (issue 12 #1): no public Process method lets an OsError
 * escape, processIter never aborts for one process, and a kernel thread's environ is {} (Linux 6.x answers ESRCH
 * for the address-space files of a live kernel thread; psutil 7 turns that into NoSuchProcess and drops the process).
 */
import * as fs from 'node:fs';
import { Process, processIter, pids } from '../../src/index';
import { AccessDenied, NoSuchProcess, OsError, PsutilError, UnsupportedOperation } from '../../src/probes/errors';

const PSUTIL_CLASSES = [NoSuchProcess, AccessDenied, UnsupportedOperation];

/** Kernel threads as the kernel lists them: PF_KTHREAD (0x00200000) in field 9 of stat. */
function kernelThreads(): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = fs.readFileSync(`/proc/${e}/stat`, 'latin1');
      const flags = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[6]);
      if ((flags & 0x00200000) !== 0) out.push(Number(e));
    } catch {
      // gone while listed
    }
  }
  return out;
}

test('a live kernel thread: environ() is {} and the process stays listed by processIter', () => {
  const kthreads = kernelThreads();
  expect(kthreads.length).toBeGreaterThan(0);
  const k = new Process(kthreads[0]);
  expect(k.isKernelThread()).toBe(true);
  expect(k.environ()).toEqual({});
  const listed = [...processIter({ attrs: ['pid', 'environ'] })].map((p) => p.pid);
  for (const pid of kthreads) if (fs.existsSync(`/proc/${pid}`)) expect(listed).toContain(pid);
});

test('processIter with every attribute (attrs: []) and with environ does not abort, and lists kernel threads', () => {
  for (const attrs of [[], ['environ'], ['pid', 'name', 'memoryFullInfo', 'openFiles', 'netConnections']] as const) {
    const seen = [...processIter({ attrs: [...attrs] })];
    expect(seen.length).toBeGreaterThan(10);
  }
});

test('asDict() and every attribute of every process: values or psutil errors, never an OsError', () => {
  const stray: string[] = [];
  let read = 0;
  for (const pid of pids()) {
    let p: Process;
    try {
      p = new Process(pid);
    } catch (e) {
      if (e instanceof NoSuchProcess) continue;
      throw e;
    }
    try {
      p.asDict();
      read++;
    } catch (e) {
      if (!(e instanceof NoSuchProcess)) stray.push(`${pid} asDict: ${String(e)}`);
    }
    for (const attr of Process.attrs) {
      const fn = (p as unknown as Record<string, unknown>)[attr];
      if (typeof fn !== 'function') continue; // pid is a getter
      try {
        (fn as () => unknown).call(p);
      } catch (e) {
        const ok = PSUTIL_CLASSES.some((c) => e instanceof c) && !(e instanceof OsError);
        if (!ok)
          stray.push(`${pid} ${attr}: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
        else expect(e).toBeInstanceOf(PsutilError);
      }
    }
  }
  expect(read).toBeGreaterThan(10);
  expect(stray).toEqual([]);
});
