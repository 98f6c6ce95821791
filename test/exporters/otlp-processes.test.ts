/**
 * ProcessRecorder keeps a process's executable path and arguments from one pass to the next, by pid, start time and
 * name: a real child that execs another program (same pid and start time, new comm) is read again; one that does not
 * keeps the arguments first read while its counters are read on every pass.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Process } from '../../src/index';
import { processKey, processResource, ProcessRecorder, type ProcessRecord } from '../../src/exporters/otlp-processes';
import { nodeUnderNofile } from '../helpers/children';

const PY = '/usr/bin/python3';
const REPO = path.resolve(__dirname, '..', '..');

function comm(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}

/**
 * python3 running `script` with `args`: prints "ready", then runs `after` once a line arrives on its stdin (a lone
 * child of ours: the test tells it when to move on, after its first pass).
 */
async function stepper(after: string, args: string[] = []): Promise<{ child: ChildProcess; go: () => void }> {
  const script = `import sys; print('ready', flush=True); sys.stdin.readline(); ${after}`;
  const child = spawn(PY, ['-c', script, ...args], { stdio: ['pipe', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('python3 did not start within 20 s')), 20000);
    child.stdout?.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', () => reject(new Error('python3 exited early')));
  });
  return { child, go: () => child.stdin?.write('\n') };
}

async function until(what: string, ok: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One pass of the recorder over a single pid, as the collector's walk visits each process. */
function pass(rec: ProcessRecorder, pid: number): ProcessRecord | undefined {
  const p = new Process(pid);
  p.oneshot(() => rec.visit(p));
  return rec.take().records.find((r) => r.pid === pid);
}

/** A python3 child running `script` (kept in `children`), once it printed its first line (bounded: 20 s); its pid. */
async function startReadyPython(script: string, children: ChildProcess[]): Promise<number> {
  const child = spawn(PY, ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('python3 did not start within 20 s')), 20000);
    child.stdout?.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return child.pid as number;
}

describe('ProcessRecorder: exe and argv kept per (pid, start time, name)', () => {
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) await new Promise((r) => c.once('exit', r));
    }
  });

  test('an exec (same pid and start time, new name) is read again', async () => {
    const { child, go } = await stepper("import os; os.execv('/bin/sleep', ['sleep', '30'])");
    children.push(child);
    const pid = child.pid as number;
    const rec = new ProcessRecorder({ include: null, exclude: null, max: 10 });
    const before = pass(rec, pid);
    expect(before?.argv.slice(0, 2)).toEqual([PY, '-c']);
    expect(before?.exe).toBe(fs.realpathSync(PY));
    go();
    await until('the exec of sleep', () => comm(pid) === 'sleep');
    const after = pass(rec, pid);
    expect(after?.createTime).toBe(before?.createTime);
    expect(after?.name).toBe('sleep');
    expect(after?.argv).toEqual(['sleep', '30']);
    expect(after?.exe).toBe(fs.realpathSync('/bin/sleep'));
  });

  test('the same program keeps the arguments first read (the same array); its counters are read again', async () => {
    // python3 then writes 64 MiB (its resident memory grows) and sleeps.
    const { child, go } = await stepper("import time; x = b'x' * (64 << 20); time.sleep(30)", ['first']);
    children.push(child);
    const pid = child.pid as number;
    const rec = new ProcessRecorder({ include: null, exclude: null, max: 10 });
    const first = pass(rec, pid);
    expect(first?.argv.at(-1)).toBe('first');
    go();
    await until('python3 to grow', () => (new Process(pid).memoryInfo().rss ?? 0) > (first?.rss ?? 0) + 8 * 2 ** 20);
    const second = pass(rec, pid);
    expect(second?.argv).toBe(first?.argv);
    expect(second?.rss).toBeGreaterThan((first?.rss ?? 0) + 8 * 2 ** 20);
  });
});

describe('ProcessRecorder: the quick read through kept fds', () => {
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) await new Promise((r) => c.once('exit', r));
    }
  });

  test('gives the record the general read gives (first pass), a pending signal and the fd count included', async () => {
    // A sleeper with SIGUSR1 blocked and sent to itself (one signal in ShdPnd) and 5 more fds open, idle after that:
    // its counters stand still between the two passes.
    const script =
      'import os, signal, sys, time; signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1]); ' +
      "os.kill(os.getpid(), signal.SIGUSR1); fds = [os.open('/dev/null', os.O_RDONLY) for _ in range(5)]; " +
      "print('ready', flush=True); time.sleep(60)";
    const pid = await startReadyPython(script, children);
    // Settled: two general reads a moment apart agree (the interpreter may still be finishing its start-up).
    const rec = new ProcessRecorder({ include: null, exclude: null, max: 10 });
    let first = pass(rec, pid);
    await until('python3 to be idle', () => {
      const again = pass(new ProcessRecorder({ include: null, exclude: null, max: 10 }), pid);
      const same = JSON.stringify(again) === JSON.stringify(first);
      first = again;
      return same;
    });
    expect(rec.keptFds().processes).toBe(1);
    // The quick read between two general reads that agree: a late write of the interpreter's (its io counters) moved
    // between them once; then the trio is read again (bounded).
    const fresh = (): ProcessRecord | undefined =>
      pass(new ProcessRecorder({ include: null, exclude: null, max: 10 }), pid);
    let general = fresh();
    let quick = pass(rec, pid);
    for (let i = 0; JSON.stringify(fresh()) !== JSON.stringify(general); i++) {
      if (i === 50) throw new Error('python3 kept changing between two general reads');
      await new Promise((r) => setTimeout(r, 20));
      general = fresh();
      quick = pass(rec, pid);
    }
    expect(rec.quickRecords()).toBe(1);
    // The quick record carries its key and resource attributes, made once for the process and kept.
    const { key, resource, ...values } = quick as ProcessRecord;
    expect(values).toEqual(general);
    expect(key).toBe(processKey(general as ProcessRecord));
    expect(resource).toEqual(processResource(general as ProcessRecord));
    expect(pass(rec, pid)?.resource).toBe(resource);
    expect(quick?.signalsPending).toBe(1);
    expect(quick?.fds).toBe(fs.readdirSync(`/proc/${pid}/fd`).length);
    expect(quick?.owner).toBe(general?.owner);
  });

  // Only root can run a child as another uid.
  (process.geteuid?.() === 0 ? test : test.skip)(
    'a uid without a passwd entry: the owner is the uid, on the quick path too',
    async () => {
      const uid = 4242;
      // No such user here: the test is about a uid that getpwuid does not know.
      expect(spawnSync('getent', ['passwd', String(uid)]).status).not.toBe(0);
      const script = `import os, time; os.setuid(${uid}); print('ready', flush=True); time.sleep(60)`;
      const pid = await startReadyPython(script, children);
      const rec = new ProcessRecorder({ include: null, exclude: null, max: 10 });
      expect(pass(rec, pid)?.owner).toBe(String(uid));
      for (let i = 0; i < 2; i++) {
        expect(pass(rec, pid)?.owner).toBe(String(uid));
        expect(rec.quickRecords()).toBe(1);
      }
    },
  );
});

test('past the fd budget a process is read the quick way by path, with the record the general read gives', () => {
  // 30 sleepers under a node child whose soft fd limit is 96: the fds of 24 (dir) or 6 (files) of them are kept, the
  // others are read by path on the second pass; a fresh recorder's first pass is the general read of each.
  const script = `
    require(${JSON.stringify(path.join(REPO, 'test', 'helpers', 'ts-require.js'))});
    const { spawn } = require('node:child_process');
    const fs = require('node:fs');
    const { Process } = require(${JSON.stringify(path.join(REPO, 'src', 'index.ts'))});
    const { ProcessRecorder } = require(${JSON.stringify(path.join(REPO, 'src', 'exporters', 'otlp-processes.ts'))});
    const kids = [];
    for (let i = 0; i < 30; i++) kids.push(spawn('/bin/sleep', ['30'], { stdio: 'ignore' }));
    const settled = (pid) => /^\\d+ \\(sleep\\) S /.test(fs.readFileSync('/proc/' + pid + '/stat', 'latin1'));
    const end = Date.now() + 20000;
    while (!kids.every((k) => settled(k.pid))) if (Date.now() > end) throw new Error('sleepers not asleep in 20 s');
    const pass = (rec) => {
      for (const k of kids) {
        const p = new Process(k.pid);
        p.oneshot(() => rec.visit(p));
      }
      return rec.take().records.map(({ key, resource, ...values }) => values);
    };
    const out = {};
    for (const mode of ['dir', 'files']) {
      const rec = new ProcessRecorder({ include: null, exclude: null, max: 1000 }, mode);
      pass(rec);
      const quick = pass(rec);
      const general = pass(new ProcessRecorder({ include: null, exclude: null, max: 1000 }, mode));
      out[mode] = { kept: rec.keptFds().processes, quick: rec.quickRecords(), same: JSON.stringify(quick) === JSON.stringify(general), n: quick.length };
      rec.close();
    }
    for (const k of kids) k.kill('SIGKILL');
    process.stdout.write(JSON.stringify(out));
  `;
  expect(nodeUnderNofile(script, 96)).toEqual({
    dir: { kept: 12, quick: 30, same: true, n: 30 },
    files: { kept: 6, quick: 30, same: true, n: 30 },
  });
});
