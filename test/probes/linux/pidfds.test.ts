/**
 * PidFdReader (kept /proc/<pid> fds for the agent's per-process OTLP), on live processes, in both modes: its reads
 * give what the ordinary reads by path give; a kept fd of a process that exited answers ESRCH, never the figures of
 * whatever has the pid now (a real pid reuse, forced in a new PID namespace); fds of processes a pass does not visit
 * are closed when it ends; the kept count is bounded by max and by the soft RLIMIT_NOFILE.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OsError } from '../../../src/index';
import { PidFdReader, type PidFdMode } from '../../../src/probes/linux/pidfds';
import { setKeptFdSink } from '../../../src/probes/linux/keptfds';
import { ProcFs } from '../../../src/probes/linux/procfs';
import { handle } from '../../../src/probes/linux/process';
import { parsePidStat } from '../../../src/probes/linux/parse/pidstat';
import { parsePidIo } from '../../../src/probes/linux/parse/pidio';
import { nodeUnderNofile } from '../../helpers/children';

const REPO = path.resolve(__dirname, '..', '..', '..');
const MODES: readonly PidFdMode[] = ['dir', 'files'];
const live = new ProcFs({ procfs: '/proc', sysfs: '/sys', rootfs: '/' });
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const c of children) if (c.exitCode === null && c.signalCode === null) await exited(c);
});

function exited(c: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`pid ${c.pid} did not exit within 10 s`)), 10000);
    c.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** A `sleep 60` child, once it sleeps in sleep (exec and loading done: its files no longer change under the test). */
async function sleeper(): Promise<{ child: ChildProcess; pid: number; start: number }> {
  const child = spawn('/bin/sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  const pid = child.pid as number;
  const end = Date.now() + 10000;
  for (;;) {
    const st = parsePidStat(fs.readFileSync(`/proc/${pid}/stat`), 'stat');
    if (st.comm === 'sleep' && st.state === 'S') break;
    if (Date.now() > end) throw new Error(`pid ${pid} did not exec sleep within 10 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return { child, pid, start: parsePidStat(fs.readFileSync(`/proc/${pid}/stat`), 'stat').starttime };
}

/** Our fds on /proc/<pid> or a file under it (a kept directory fd of a reaped process reads `/proc/<pid> (deleted)`). */
function fdsOn(pid: number): number {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    let t: string;
    try {
      t = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // the listing's own fd
      throw e;
    }
    if (t === `/proc/${pid}` || t.startsWith(`/proc/${pid}/`) || t.startsWith(`/proc/${pid} `)) n++;
  }
  return n;
}

function osCode(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof OsError) return e.osCode;
    throw e;
  }
}

describe.each(MODES)('PidFdReader, mode %s', (mode) => {
  test('reads what the ordinary reads by path give, pass after pass', async () => {
    const { pid, start } = await sleeper();
    const r = new PidFdReader('/proc', 10, mode);
    try {
      for (let pass = 0; pass < 3; pass++) {
        r.begin();
        expect(r.open(pid, start)).toBe(r);
        const st = r.stat();
        expect([st.pid, st.comm, st.starttime, st.ppid]).toEqual([pid, 'sleep', start, process.pid]);
        // SigQ counts the signals queued to every process of the user: other processes move it between the reads.
        const sigq = (t: string): string => t.replace(/^SigQ:.*$/m, 'SigQ:');
        const status = r.read('status').toString('latin1');
        expect(sigq(status)).toBe(sigq(fs.readFileSync(`/proc/${pid}/status`, 'latin1')));
        const io = parsePidIo(r.read('io'), 'io');
        expect(io.syscr).toBe(parsePidIo(fs.readFileSync(`/proc/${pid}/io`), 'io').syscr);
        // sleep's stdio: /dev/null three times.
        expect(r.fdDir().size).toBe(fs.readdirSync(`/proc/${pid}/fd`).length);
        expect(r.fdDir().uid).toBe(fs.statSync(`/proc/${pid}/fd`).uid);
        expect(r.euid).toBe(process.geteuid?.());
        r.release();
        r.end();
        expect(r.size).toBe(1);
        expect(fdsOn(pid)).toBe(mode === 'dir' ? 2 : 4);
      }
    } finally {
      r.close();
    }
    expect(fdsOn(pid)).toBe(0);
  });

  test('a kept fd of a process that exited answers ESRCH; its fds are closed', async () => {
    const { child, pid, start } = await sleeper();
    const r = new PidFdReader('/proc', 10, mode);
    try {
      r.begin();
      expect(r.open(pid, start)).toBe(r);
      // The stat read when the entry was opened is served to the visit's first stat(): it is taken here.
      expect(r.stat().starttime).toBe(start);
      r.read('status');
      child.kill('SIGKILL');
      await exited(child);
      // Reaped (Node waited for it): the visit's reads all answer ESRCH, whatever has the pid now.
      expect(osCode(() => r.stat())).toBe('ESRCH');
      expect(osCode(() => r.read('status'))).toBe('ESRCH');
      expect(osCode(() => r.read('io'))).toBe('ESRCH');
      expect(osCode(() => r.fdDir())).toBe('ESRCH');
      r.release();
      expect(r.size).toBe(0);
      expect(fdsOn(pid)).toBe(0);
      r.end();
    } finally {
      r.close();
    }
  });

  test("LinuxProcess reads through a lent reader: an exited process is NoSuchProcess, not the pid's new owner", async () => {
    const { child, pid, start } = await sleeper();
    const r = new PidFdReader('/proc', 10, mode);
    const h = handle(live, pid);
    try {
      r.begin();
      expect(r.open(pid, start)).toBe(r);
      h.files = r;
      expect(h.stat().starttime).toBe(start);
      expect(h.fdCount()).toBe(fs.readdirSync(`/proc/${pid}/fd`).length);
      child.kill('SIGKILL');
      await exited(child);
      expect(() => h.status()).toThrow(expect.objectContaining({ name: 'NoSuchProcess' }) as Error);
      expect(() => h.io()).toThrow(expect.objectContaining({ name: 'NoSuchProcess' }) as Error);
      expect(() => h.fdCount()).toThrow(expect.objectContaining({ name: 'NoSuchProcess' }) as Error);
    } finally {
      h.files = null;
      r.release();
      r.close();
    }
  });

  test('a pass closes the fds of the processes it did not visit; close() closes the rest', async () => {
    const a = await sleeper();
    const b = await sleeper();
    const r = new PidFdReader('/proc', 10, mode);
    r.begin();
    for (const p of [a, b]) {
      expect(r.open(p.pid, p.start)).toBe(r);
      r.stat();
      r.release();
    }
    r.end();
    expect([r.size, fdsOn(a.pid) > 0, fdsOn(b.pid) > 0]).toEqual([2, true, true]);
    r.begin();
    expect(r.open(a.pid, a.start)).toBe(r);
    r.release();
    r.end();
    expect([r.size, fdsOn(a.pid) > 0, fdsOn(b.pid)]).toEqual([1, true, 0]);
    r.close();
    expect([r.size, fdsOn(a.pid)]).toEqual([0, 0]);
  });

  test('with a kept-fd sink, the shared table names exactly the fds kept; dropped ones leave it', async () => {
    const a = await sleeper();
    const b = await sleeper();
    const tables: Int32Array[] = [];
    setKeptFdSink((t) => tables.push(t));
    let r: PidFdReader;
    try {
      r = new PidFdReader('/proc', 10, mode);
    } finally {
      setKeptFdSink(null);
    }
    const named = (): string[] =>
      tables
        .flatMap((t) => [...t])
        .filter((fd) => fd >= 0)
        .map((fd) => fs.readlinkSync(`/proc/self/fd/${fd}`))
        .sort();
    r.begin();
    for (const p of [a, b]) {
      expect(r.open(p.pid, p.start)).toBe(r);
      r.stat();
      r.read('status');
      r.read('io');
      r.release();
    }
    const files = mode === 'files' ? ['stat', 'status', 'io'] : ['stat'];
    const want = (pid: number): string[] => [`/proc/${pid}`, ...files.map((f) => `/proc/${pid}/${f}`)];
    // Mode dir, before the pass ends: the files read whole whose closes wait for the batch are in the table too (a
    // terminated worker's are closed with the rest); b's only, as opening b's directory closed a's first.
    const waiting = mode === 'dir' ? ['status', 'io'].map((f) => `/proc/${b.pid}/${f}`) : [];
    expect(named()).toEqual([...want(a.pid), ...want(b.pid), ...waiting].sort());
    expect(fdsOn(a.pid) + fdsOn(b.pid)).toBe(named().length);
    r.end();
    expect(tables).toHaveLength(1);
    expect(named()).toEqual([...want(a.pid), ...want(b.pid)].sort());
    expect(fdsOn(a.pid) + fdsOn(b.pid)).toBe(named().length);
    r.begin();
    expect(r.open(a.pid, a.start)).toBe(r);
    r.release();
    r.end();
    expect(named()).toEqual(want(a.pid).sort());
    r.close();
    expect(named()).toEqual([]);
  });

  test('at most max processes are kept; past it open() answers null (the ordinary reads)', async () => {
    const ps = [await sleeper(), await sleeper(), await sleeper()];
    const r = new PidFdReader('/proc', 2, mode);
    try {
      r.begin();
      const got = ps.map((p) => {
        const o = r.open(p.pid, p.start);
        r.release();
        return o === r;
      });
      expect(got).toEqual([true, true, false]);
      expect(r.size).toBe(2);
      expect(fdsOn(ps[2]!.pid)).toBe(0);
    } finally {
      r.close();
    }
  });

  test('at max, entries a pass has walked past without using are closed for a process taking their place', async () => {
    const [a, b, c] = [await sleeper(), await sleeper(), await sleeper()].sort((x, y) => x.pid - y.pid);
    const r = new PidFdReader('/proc', 2, mode);
    try {
      r.begin();
      for (const p of [a!, b!]) {
        expect(r.open(p.pid, p.start)).toBe(r);
        r.release();
      }
      r.end();
      // The next pass does not visit b (gone, or no longer exported): c, past b, is kept at once, and b closed.
      r.begin();
      for (const p of [a!, c!]) {
        expect(r.open(p.pid, p.start)).toBe(r);
        r.release();
      }
      expect([r.size, fdsOn(b!.pid), fdsOn(c!.pid) > 0]).toEqual([2, 0, true]);
      r.end();
    } finally {
      r.close();
    }
  });

  test("a start time other than the kept process's is 'reused' (the caller's Process is stale)", async () => {
    const { pid, start } = await sleeper();
    const r = new PidFdReader('/proc', 10, mode);
    try {
      r.begin();
      expect(r.open(pid, start - 1)).toBe('reused');
      // The entry is kept for the process the pid names: the right start time reads it.
      expect(r.open(pid, start)).toBe(r);
      expect(r.stat().starttime).toBe(start);
      r.release();
      expect(r.open(pid, null)).toBeNull();
    } finally {
      r.close();
    }
  });
});

test('the fd budget is a quarter of the soft RLIMIT_NOFILE (a child under prlimit --nofile=96)', () => {
  // 40 sleepers under a node child whose soft limit is 96: 24 fds: 12 processes (dir), 6 (files).
  const script = `
    require(${JSON.stringify(path.join(REPO, 'test', 'helpers', 'ts-require.js'))});
    const { spawn } = require('node:child_process');
    const { PidFdReader } = require(${JSON.stringify(path.join(REPO, 'src', 'probes', 'linux', 'pidfds.ts'))});
    const { parsePidStat } = require(${JSON.stringify(path.join(REPO, 'src', 'probes', 'linux', 'parse', 'pidstat.ts'))});
    const fs = require('node:fs');
    const kids = [];
    for (let i = 0; i < 40; i++) kids.push(spawn('/bin/sleep', ['30'], { stdio: 'ignore' }));
    const out = {};
    for (const mode of ['dir', 'files']) {
      const r = new PidFdReader('/proc', 1000, mode);
      r.begin();
      let opened = 0;
      for (const k of kids) {
        const start = parsePidStat(fs.readFileSync('/proc/' + k.pid + '/stat'), 'stat').starttime;
        if (r.open(k.pid, start) === r) opened++;
        r.release();
      }
      out[mode] = { opened, size: r.size, fds: r.fds };
      r.close();
    }
    for (const k of kids) k.kill('SIGKILL');
    process.stdout.write(JSON.stringify(out));
  `;
  const out = nodeUnderNofile(script, 96) as Record<string, { opened: number; size: number; fds: number }>;
  // Budgeted at 2 fds each (directory and stat), both opened at the open.
  expect(out['dir']).toEqual({ opened: 12, size: 12, fds: 12 * 2 });
  // Budgeted at 4 fds each; opened are the directory and the stat read at the open (status and io when first read).
  expect(out['files']).toEqual({ opened: 6, size: 6, fds: 6 * 2 });
});

const asRoot = process.geteuid?.() === 0 && spawnSync('unshare', ['--version']).status === 0 ? test : test.skip;

asRoot(
  'a real PID reuse in a new PID namespace: kept fds and the recorder never report the newcomer as the old process',
  () => {
    const r = spawnSync(
      'unshare',
      ['--pid', '--fork', '--mount-proc', process.execPath, path.join(REPO, 'test', 'helpers', 'pidfds-reuse.js')],
      { encoding: 'utf8', timeout: 60000 },
    );
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(out.map((o) => o['mode'])).toEqual(['dir', 'files']);
    for (const o of out) {
      const mode = o['mode'] as string;
      expect([mode, o['reused'], o['startsDiffer']]).toEqual([mode, true, true]);
      expect([mode, o['opened'], o['startMatches'], o['firstRecordStart'], o['secondRecord']]).toEqual([
        mode,
        true,
        true,
        true,
        true,
      ]);
      // The reader, its pass not ended, holds 3 fds: directory, stat, status (kept, but for status in mode dir: read
      // whole, its close deferred to the batch's or the pass's end); the recorder, its pass ended, 2 (dir) or 4.
      expect([mode, o['keptBefore']]).toEqual([mode, mode === 'dir' ? 5 : 7]);
      // The old process's kept fds, read after the newcomer took its pid: ESRCH, never the newcomer's figures.
      for (const k of ['oldStat', 'oldStatus', 'oldFdDir']) {
        expect([mode, k, o[k]]).toEqual([mode, k, { error: 'OsError', code: 'ESRCH' }]);
      }
      expect([mode, o['readerSizeAfterFailure'], o['staleOpen'], o['freshOpen'], o['freshStartMatches']]).toEqual([
        mode,
        0,
        'reused',
        true,
        true,
      ]);
      // The recorder: no record for the stale Process (marked not running), the newcomer's own for a fresh one.
      expect([mode, o['staleRecord'], o['staleRunning']]).toEqual([mode, null, false]);
      expect([mode, o['freshRecordIsFresh'], o['freshCreateTimeDiffers']]).toEqual([mode, true, true]);
      expect([mode, o['fdsAfterClose']]).toEqual([mode, 0]);
    }
  },
);
