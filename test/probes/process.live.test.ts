/**
 * Process traps on real processes spawned here, one per trap (a zombie, 50 threads, hostile comms set with prctl,
 * a deleted executable, a 1 MiB and a non-UTF-8 cmdline, a setproctitle-style cmdline, a process owned by nobody
 * read by another unprivileged user, a real PID reuse in a new PID namespace), plus setters checked through /proc
 * and signals, waiting and processIter under churn. Every spawned process is killed in afterAll.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Process, Popen } from '../../src/probes/process';
import { createPsutil } from '../../src/probes/psutil';
import { NoSuchProcess, TimeoutExpired, ZombieProcess } from '../../src/probes/errors';
import { fsencode } from '../../src/util/fsencoding';
import {
  IOPRIO_CLASS_BE,
  IOPRIO_CLASS_IDLE,
  RLIMIT_NOFILE,
  STATUS_SLEEPING,
  STATUS_STOPPED,
  STATUS_ZOMBIE,
} from '../../src/probes/constants';
import { pidfdOpens, startReady } from '../helpers/children';
import { REPO } from '../helpers/fixtures';
import { PYTHON, oracleAvailable, py } from '../helpers/oracle';
import { IS_ROOT, requireOr } from '../helpers/require';
import { removeWorldReadableCopies, worldReadableCopy } from '../helpers/world-readable';

const ps = createPsutil();
// setpriv to other users and a new PID namespace need root (the CI machine runs as root).
const asRoot = requireOr(IS_ROOT, 'not root (setpriv to other users, unshare --pid)').test;
const children: ChildProcess[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-proc-'));

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
  removeWorldReadableCopies();
});

/** Starts a process (kept for cleanup) and resolves once it printed its first line (`ready`, or a value). */
const start = (cmd: string, args: string[], opts: SpawnOptions = {}): Promise<{ child: ChildProcess; line: string }> =>
  startReady(children, cmd, args, opts);

function python(
  code: string,
  opts: SpawnOptions & { extraArgs?: string[] } = {},
): Promise<{ child: ChildProcess; line: string }> {
  const { extraArgs = [], ...rest } = opts;
  return start(PYTHON, ['-c', code, ...extraArgs], rest);
}

const SLEEP_READY = "import sys, time\nsys.stdout.write('ready\\n'); sys.stdout.flush()\ntime.sleep(600)\n";

/** Python that sets its comm with prctl(PR_SET_NAME) to the bytes given in hex, then sleeps. */
function prctlName(hex: string): string {
  return `import ctypes, sys, time
libc = ctypes.CDLL(None, use_errno=True)
name = bytes.fromhex('${hex}')
assert libc.prctl(15, ctypes.c_char_p(name), 0, 0, 0) == 0
sys.stdout.write('ready\\n'); sys.stdout.flush()
time.sleep(600)
`;
}

/** The status once the process has gone to sleep (it prints `ready` just before it does). */
async function settledStatus(p: Process): Promise<string> {
  for (let i = 0; i < 200 && p.status() === 'running'; i++) await new Promise((r) => setTimeout(r, 5));
  return p.status();
}

function statOf(pid: number): string {
  return fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
}

describe('traps on real processes', () => {
  test('a zombie: status zombie, is running, unreadable fields raise ZombieProcess, processIter yields it', async () => {
    // The parent reaps its zombie only when told (SIGUSR1), so wait() can be seen waiting and then returning.
    const { child, line } = await python(`import os, signal, sys, time
pid = os.fork()
if pid == 0:
    os._exit(3)
signal.signal(signal.SIGUSR1, lambda s, f: os.waitpid(pid, 0))
sys.stdout.write('%d\\n' % pid); sys.stdout.flush()
time.sleep(600)
`);
    const zpid = Number(line);
    // The child exits at once; wait until the kernel shows it as a zombie.
    for (let i = 0; i < 200 && !/\) Z /.test(statOf(zpid)); i++) await new Promise((r) => setTimeout(r, 10));
    const z = new Process(zpid);
    expect(z.status()).toBe(STATUS_ZOMBIE);
    expect(z.isRunning()).toBe(true);
    expect(z.ppid()).toBe(child.pid);
    expect(ps.pidExists(zpid)).toBe(true);
    for (const fn of [() => z.cmdline(), () => z.exe(), () => z.memoryMaps()]) {
      expect(fn).toThrow(ZombieProcess);
    }
    const err = (() => {
      try {
        z.cmdline();
      } catch (e) {
        return e as ZombieProcess;
      }
      return null;
    })();
    expect(err?.ppid).toBe(child.pid);
    expect(z.asDict({ attrs: ['status', 'cmdline', 'exe'], adValue: 'AD' })).toEqual({
      status: STATUS_ZOMBIE,
      cmdline: 'AD',
      exe: 'AD',
    });
    const seen = [...ps.processIter({ attrs: ['pid', 'status', 'cmdline'] })].find((p) => p.pid === zpid);
    expect(seen?.info).toEqual({ pid: zpid, status: STATUS_ZOMBIE, cmdline: null });
    // wait() on a zombie that is not ours: psutil's wait_pid polls until the pid is gone, so a zombie is waited on
    // (TimeoutExpired) until its parent reaps it; then null, and the pid no longer exists.
    await expect(z.wait({ timeout: 0.3 })).rejects.toBeInstanceOf(TimeoutExpired);
    expect(ps.pidExists(zpid)).toBe(true);
    const waiting = z.wait({ timeout: 20 });
    process.kill(child.pid!, 'SIGUSR1');
    await expect(waiting).resolves.toBeNull();
    expect(ps.pidExists(zpid)).toBe(false);
  });

  test('a process with 50 threads: numThreads, threads() and /proc/<pid>/task agree', async () => {
    const { child } = await python(`import sys, threading, time
ev = threading.Event()
for _ in range(49):
    threading.Thread(target=ev.wait, daemon=True).start()
sys.stdout.write('ready\\n'); sys.stdout.flush()
time.sleep(600)
`);
    const p = new Process(child.pid);
    const tasks = fs
      .readdirSync(`/proc/${child.pid}/task`)
      .map(Number)
      .sort((a, b) => a - b);
    expect(tasks).toHaveLength(50);
    expect(p.numThreads()).toBe(50);
    const th = p.threads();
    expect(th.map((t) => t.id)).toEqual(tasks);
    expect(th[0]!.id).toBe(child.pid);
    for (const t of th) {
      expect(t.userTime).toBeGreaterThanOrEqual(0);
      expect(t.systemTime).toBeGreaterThanOrEqual(0);
    }
    // A thread id is not a pid: not listed, pidExists false, yet Process(tid) works (psutil #687).
    const tid = tasks[tasks.length - 1]!;
    expect(ps.pids()).not.toContain(tid);
    expect(ps.pidExists(tid)).toBe(false);
    expect(new Process(tid).asDict({ attrs: ['pid', 'name'] }).pid).toBe(tid);
  });

  test('comm "x) Z 1 1" set by prctl does not move state or ppid', async () => {
    const { child } = await python(prctlName(Buffer.from('x) Z 1 1').toString('hex')));
    const p = new Process(child.pid);
    expect(p.name()).toBe('x) Z 1 1');
    expect(await settledStatus(p)).toBe(STATUS_SLEEPING);
    expect(p.ppid()).toBe(process.pid);
    expect(p.cpuTimes().user).toBeGreaterThanOrEqual(0);
  });

  test('a comm with a newline: name keeps it, stat parsing is unaffected', async () => {
    const { child } = await python(prctlName(Buffer.from('a\nb\tc').toString('hex')));
    const p = new Process(child.pid);
    expect(p.name()).toBe('a\nb\tc');
    expect(p.ppid()).toBe(process.pid);
    expect(await settledStatus(p)).toBe(STATUS_SLEEPING);
  });

  test('a 15-byte comm cut inside a UTF-8 character: its bytes kept, extended from cmdline[0]', async () => {
    const full = 'inner-job-同步任务';
    const link = path.join(tmp, full);
    fs.symlinkSync(PYTHON, link);
    const { child } = await start(link, ['-c', prctlName(Buffer.from(full).toString('hex'))]);
    const raw = fs.readFileSync(`/proc/${child.pid}/comm`);
    expect(raw.length).toBe(16); // 15 bytes and the newline: the kernel cut it
    const p = new Process(child.pid);
    expect(p.name()).toBe(full);
    // Same comm, but cmdline[0] is python: no extension, the cut name with the cut character's two bytes escaped.
    const { child: other } = await python(prctlName(Buffer.from(full).toString('hex')));
    const cut = new Process(other.pid).name();
    expect(cut.startsWith('inner-job-同')).toBe(true);
    expect(cut.endsWith('\udce6\udcad')).toBe(true);
    expect(fsencode(cut)).toEqual(Buffer.from(full).subarray(0, 15));
    // psutil decodes the comm with surrogateescape: JSON carries its lone surrogates as \udcXX escapes.
    if (oracleAvailable()) expect(py<string>(`out = psutil.Process(${other.pid}).name()`)).toBe(cut);
  });

  test('an executable deleted while running: exe() is its path without " (deleted)"', async () => {
    const exe = path.join(tmp, 'sleep-copy');
    fs.copyFileSync('/bin/sleep', exe);
    fs.chmodSync(exe, 0o755);
    const child = spawn(exe, ['600'], { stdio: 'ignore' });
    children.push(child);
    await new Promise((r) => child.once('spawn', r));
    // Wait for the exec to finish (the link shows the copy, not node).
    for (let i = 0; i < 200 && fs.readlinkSync(`/proc/${child.pid}/exe`) !== exe; i++)
      await new Promise((r) => setTimeout(r, 10));
    fs.unlinkSync(exe);
    expect(fs.readlinkSync(`/proc/${child.pid}/exe`)).toBe(`${exe} (deleted)`);
    expect(new Process(child.pid).exe()).toBe(exe);
    if (oracleAvailable()) expect(py<string>(`out = psutil.Process(${child.pid}).exe()`)).toBe(exe);
  });

  test('a 1 MiB cmdline is read whole', async () => {
    const big = Array.from({ length: 16 }, (_, i) => String.fromCharCode(97 + i).repeat(64 * 1024));
    const { child } = await python(SLEEP_READY, { extraArgs: big });
    const args = new Process(child.pid).cmdline();
    expect(args.slice(3)).toEqual(big);
    expect(args.reduce((n, a) => n + a.length + 1, 0)).toBeGreaterThan(1 << 20);
  });

  test('a non-UTF-8 argument keeps its bytes (escaped, as psutil); the others are intact', async () => {
    // Node passes strings only: python re-execs itself with raw bytes in argv.
    const { child } = await python(`import os
os.execv('${PYTHON}', [b'${PYTHON}', b'-c', b"import sys, time\\nsys.stdout.write('ready\\\\n'); sys.stdout.flush()\\ntime.sleep(600)", b'a\\xffb', b'ok'])
`);
    const args = new Process(child.pid).cmdline();
    expect(args.slice(3)).toEqual(['a\udcffb', 'ok']);
    expect(fsencode(args[3]!)).toEqual(Buffer.from([0x61, 0xff, 0x62]));
    if (oracleAvailable()) expect(py<string[]>(`out = psutil.Process(${child.pid}).cmdline()`)).toEqual(args);
  });

  test('a setproctitle-style cmdline (spaces, one trailing NUL) is split like psutil', async () => {
    const { child } = await python(`import sys, time
stat = open('/proc/self/stat', 'rb').read()
f = stat[stat.rindex(b')') + 2:].split()
start, end = int(f[45]), int(f[46])
head = b'nginx: worker process '
title = head + b'x' * (end - start - 1 - len(head)) + b'\\0'
with open('/proc/self/mem', 'r+b', buffering=0) as m:
    m.seek(start); m.write(title)
sys.stdout.write('ready\\n'); sys.stdout.flush()
time.sleep(600)
`);
    const args = new Process(child.pid).cmdline();
    expect(args.slice(0, 3)).toEqual(['nginx:', 'worker', 'process']);
    expect(args).toHaveLength(4);
    if (oracleAvailable()) expect(py<string[]>(`out = psutil.Process(${child.pid}).cmdline()`)).toEqual(args);
  });

  asRoot(
    'a process owned by nobody, read by another unprivileged user: AccessDenied exactly where psutil raises it',
    async () => {
      const { child } = await start('setpriv', [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        PYTHON,
        '-c',
        SLEEP_READY,
      ]);
      const target = child.pid!;
      const methods = [
        'name',
        'exe',
        'cmdline',
        'environ',
        'cwd',
        'status',
        'uids',
        'gids',
        'username',
        'terminal',
        'nice',
        'ionice',
        'rlimit',
        'cpuAffinity',
        'numThreads',
        'numFds',
        'threads',
        'memoryInfo',
        'memoryFullInfo',
        'memoryMaps',
        'cpuTimes',
        'ioCounters',
        'openFiles',
        'numCtxSwitches',
        'cpuNum',
        'createTime',
        'ppid',
        'netConnections',
        'niceSet',
        'signal0',
      ];
      // Run from a world-readable copy: user 65533 cannot read the checkout when it sits in a 0700 directory.
      const probe = worldReadableCopy('test/helpers/process-probe.js', [String(target), methods.join(',')]);
      const reader = spawnSync(
        'setpriv',
        [
          '--reuid=65533',
          '--regid=65533',
          '--clear-groups',
          process.execPath,
          probe,
          String(target),
          methods.join(','),
        ],
        { encoding: 'utf8' },
      );
      expect(reader.stderr).toBe('');
      const ours = JSON.parse(reader.stdout) as Record<string, string>;
      for (const m of methods) expect(['ok', 'AccessDenied']).toContain(ours[m]);
      // Whatever psutil says, these need ptrace rights over another user's process.
      for (const m of ['environ', 'cwd', 'numFds', 'openFiles', 'ioCounters', 'memoryMaps', 'niceSet', 'signal0'])
        expect(ours[m]).toBe('AccessDenied');
      if (oracleAvailable()) {
        const theirs = JSON.parse(
          spawnSync(
            'setpriv',
            [
              '--reuid=65533',
              '--regid=65533',
              '--clear-groups',
              PYTHON,
              '-c',
              `
import json, psutil, re
p = psutil.Process(${target})
out = {}
for m in ${JSON.stringify(methods)}:
    try:
        if m == 'rlimit': p.rlimit(psutil.RLIMIT_NOFILE)
        elif m == 'niceSet': p.nice(p.nice())
        elif m == 'signal0': p.send_signal(0)
        elif m == 'netConnections': p.connections()
        else: getattr(p, re.sub('[A-Z]', lambda c: '_' + c.group(0).lower(), m))()
        out[m] = 'ok'
    except psutil.AccessDenied:
        out[m] = 'AccessDenied'
print(json.dumps(out))
`,
            ],
            { encoding: 'utf8' },
          ).stdout,
        ) as Record<string, string>;
        expect(ours).toEqual(theirs);
      }
    },
  );

  asRoot('a real PID reuse in a new PID namespace: the stale Process cannot signal or change the newcomer', () => {
    const r = spawnSync(
      'unshare',
      ['--pid', '--fork', '--mount-proc', process.execPath, path.join(REPO, 'test', 'helpers', 'pid-reuse.js')],
      {
        encoding: 'utf8',
        timeout: 60000,
      },
    );
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out['reused']).toBe(true);
    expect(out['startsDiffer']).toBe(true);
    expect(out['isRunning']).toBe(false);
    for (const k of [
      'sendSignal',
      'terminate',
      'kill',
      'suspend',
      'resume',
      'nice',
      'rlimit',
      'cpuAffinity',
      'ionice',
      'ppid',
      'parent',
      'children',
    ]) {
      expect([k, out[k]]).toEqual([k, 'NoSuchProcess']);
    }
    expect(out['freshIsRunning']).toBe(true);
    // The canary counted every SIGUSR1/SIGTERM/SIGHUP/SIGINT/SIGCONT it got: none.
    expect(out['canaryReceived']).toBe(0);
  });
});

describe('setters, checked through /proc', () => {
  test('nice: field 19 of stat', async () => {
    const { child } = await python(SLEEP_READY);
    const p = new Process(child.pid);
    p.nice(7);
    const fields = statOf(child.pid!)
      .slice(statOf(child.pid!).lastIndexOf(')') + 2)
      .split(' ');
    expect(Number(fields[16])).toBe(7);
    expect(p.nice()).toBe(7);
  });

  test('cpuAffinity: Cpus_allowed_list of status; [] means all CPUs', async () => {
    const { child } = await python(SLEEP_READY);
    const p = new Process(child.pid);
    const allowed = (): string =>
      /Cpus_allowed_list:\s*(\S+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'latin1'))![1]!;
    const all = p.cpuAffinity();
    p.cpuAffinity([0]);
    expect(allowed()).toBe('0');
    expect(p.cpuAffinity()).toEqual([0]);
    p.cpuAffinity([]);
    expect(p.cpuAffinity()).toEqual(all);
    expect(() => p.cpuAffinity([4096])).toThrow(RangeError);
  });

  test('rlimit: /proc/<pid>/limits; RLIM_INFINITY round-trips as -1', async () => {
    const { child } = await python(SLEEP_READY);
    const p = new Process(child.pid);
    p.rlimit(RLIMIT_NOFILE, [123, 456]);
    expect(fs.readFileSync(`/proc/${child.pid}/limits`, 'latin1')).toMatch(/Max open files\s+123\s+456\s+files/);
    expect(p.rlimit(RLIMIT_NOFILE)).toEqual([123, 456]);
    // RLIMIT_CORE to unlimited and back: -1 is RLIM_INFINITY exactly.
    p.rlimit(4, [-1, -1]);
    expect(p.rlimit(4)).toEqual([-1, -1]);
    expect(fs.readFileSync(`/proc/${child.pid}/limits`, 'latin1')).toMatch(
      /Max core file size\s+unlimited\s+unlimited/,
    );
    expect(() => p.rlimit(RLIMIT_NOFILE, [10, 5])).toThrow(RangeError);
  });

  test('ionice: set and read back (and psutil agrees)', async () => {
    const { child } = await python(SLEEP_READY);
    const p = new Process(child.pid);
    p.ionice(IOPRIO_CLASS_BE, 6);
    expect(p.ionice()).toEqual({ ioclass: IOPRIO_CLASS_BE, value: 6 });
    p.ionice(IOPRIO_CLASS_IDLE);
    expect(p.ionice()).toEqual({ ioclass: IOPRIO_CLASS_IDLE, value: 0 });
    if (oracleAvailable())
      expect(py<number[]>(`out = list(psutil.Process(${child.pid}).ionice())`)).toEqual([IOPRIO_CLASS_IDLE, 0]);
  });
});

test('procfsSelfPid (ours): the live /proc numbers us as getpid(2) does', () => {
  expect(ps.procfsSelfPid()).toBe(process.pid);
});

describe('signals, waiting, Popen', () => {
  test('suspend / resume / terminate on a child, seen in stat', async () => {
    const { child } = await python(SLEEP_READY);
    const p = new Process(child.pid);
    p.suspend();
    for (let i = 0; i < 100 && p.status() !== STATUS_STOPPED; i++) await new Promise((r) => setTimeout(r, 10));
    expect(p.status()).toBe(STATUS_STOPPED);
    p.resume();
    for (let i = 0; i < 100 && p.status() === STATUS_STOPPED; i++) await new Promise((r) => setTimeout(r, 10));
    expect(p.status()).not.toBe(STATUS_STOPPED);
    const exited = new Promise((r) => child.once('exit', (_c, sig) => r(sig)));
    p.terminate();
    expect(await exited).toBe('SIGTERM');
    await expect(p.wait({ timeout: 5 })).resolves.toBeNull();
    expect(p.isRunning()).toBe(false);
    expect(() => p.sendSignal(0)).toThrow(NoSuchProcess);
  });

  test('sendSignalEx (ours): via pidfd where pidfd_open takes the pid, the signal arrives', async () => {
    const { child } = await python(SLEEP_READY);
    const pid = child.pid!;
    const exited = new Promise((r) => child.once('exit', (_c, sig) => r(sig)));
    // Python's os.pidfd_open on the target tells whether the kernel has pidfd_open (5.3+).
    const want = pidfdOpens(pid) ? 'pidfd' : 'kill';
    const sent = new Process(pid).sendSignalEx('SIGTERM');
    expect(sent).toEqual({ via: want });
    expect(Object.isFrozen(sent)).toBe(true);
    expect(await exited).toBe('SIGTERM');
  });

  test('sendSignalEx (ours): a thread id goes through kill(2) (pidfd_open refuses it) and signals the process', async () => {
    const { child, line } = await python(`import sys, threading, time
t = threading.Thread(target=lambda: time.sleep(600), daemon=True)
t.start()
sys.stdout.write(f'{t.native_id}\\n'); sys.stdout.flush()
time.sleep(600)
`);
    const tid = Number(line);
    expect(tid).not.toBe(child.pid);
    expect(fs.readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'latin1')).toMatch(new RegExp(`^${tid} `));
    const exited = new Promise((r) => child.once('exit', (_c, sig) => r(sig)));
    const p = new Process(tid);
    expect(() => p.sendSignalEx('SIGNOPE' as NodeJS.Signals)).toThrow(RangeError);
    const want = pidfdOpens(tid) ? 'pidfd' : 'kill';
    expect(p.sendSignalEx('SIGTERM')).toEqual({ via: want });
    // kill(2) on a thread id is process-directed: the whole process gets SIGTERM.
    expect(await exited).toBe('SIGTERM');
  });

  test('Popen: a child that is also a Process; wait() gives the exit code, -N after signal N', async () => {
    const a = new Popen(PYTHON, ['-c', 'import sys; sys.exit(3)']);
    children.push(a.child);
    expect(a).toBeInstanceOf(Process);
    expect(a.pid).toBe(a.child.pid);
    await expect(a.wait({ timeout: 10 })).resolves.toBe(3);
    expect(a.returncode).toBe(3);
    const b = new Popen(PYTHON, ['-c', SLEEP_READY], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(b.child);
    await new Promise((r) => b.stdout!.once('data', r));
    expect(b.name()).toMatch(/^python/);
    await expect(b.wait({ timeout: 0.05 })).rejects.toBeInstanceOf(TimeoutExpired);
    b.kill();
    await expect(b.wait()).resolves.toBe(-9);
    expect(() => new Popen('/nonexistent/binary')).toThrow(/cannot start/);
  });

  test('waitProcs: gone and alive, returncode, callback', async () => {
    const quick = new Popen(PYTHON, ['-c', 'pass']);
    const slow = new Popen(PYTHON, ['-c', SLEEP_READY], { stdio: 'ignore' });
    children.push(quick.child, slow.child);
    const called: number[] = [];
    const [gone, alive] = await ps.waitProcs([quick, slow], { timeout: 3, callback: (p) => called.push(p.pid) });
    expect(gone).toEqual([quick]);
    expect(alive).toEqual([slow]);
    expect(quick.returncode).toBe(0);
    expect(called).toEqual([quick.pid]);
    slow.terminate();
    const [gone2, alive2] = await ps.waitProcs([slow], { timeout: 10 });
    expect(gone2).toEqual([slow]);
    expect(alive2).toEqual([]);
    expect(slow.returncode).toBe(-15);
    await expect(ps.waitProcs([slow], { timeout: -1 })).rejects.toBeInstanceOf(RangeError);
  });
});

describe('processIter, oneshot and cpuPercent on the live system', () => {
  test('processIter never throws while processes come and go; results sorted by pid', async () => {
    const churn: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      churn.push(
        new Promise((resolve) => {
          const c = spawn('/bin/true');
          c.once('exit', resolve);
          c.once('error', resolve);
        }),
      );
    }
    for (let round = 0; round < 5; round++) {
      const got = [
        ...ps.processIter({
          attrs: ['pid', 'name', 'cmdline', 'exe', 'cwd', 'username', 'memoryFullInfo', 'openFiles', 'numFds'],
        }),
      ];
      const ids = got.map((p) => p.pid);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(churn);
  });

  test('oneshot reads stat, status and statm at most once per block', () => {
    const p = new ps.Process(process.pid);
    const h = (p as unknown as { _handle: { fs: { readView: (...a: unknown[]) => Buffer } } })._handle;
    const spy = jest.spyOn(h.fs, 'readView');
    try {
      p.oneshot(() => {
        p.name();
        p.status();
        p.cpuTimes();
        p.ppid();
        p.cpuNum();
        p.pageFaults();
        p.terminal();
        p.nice();
        p.uids();
        p.gids();
        p.username();
        p.numThreads();
        p.numCtxSwitches();
        p.memoryInfoEx();
        p.memoryInfo();
        p.memoryPercent();
        p.asDict({ attrs: ['name', 'status', 'uids', 'memoryInfo', 'cpuTimes'] });
      });
      const files = spy.mock.calls.map((c) => path.basename(String(c[0])));
      for (const f of ['stat', 'status']) expect(files.filter((x) => x === f)).toHaveLength(1);
      // memoryInfo in a block that already holds status takes statm's figures from it (node maps shared libraries,
      // so VmLib > 0 proves them): no statm read at all.
      expect(files.filter((x) => x === 'statm')).toHaveLength(0);
      // Without status in the block, memoryInfo reads statm and no status.
      spy.mockClear();
      p.oneshot(() => p.memoryInfo());
      expect(spy.mock.calls.map((c) => path.basename(String(c[0])))).toEqual(['statm']);
      spy.mockClear();
      p.name();
      p.name();
      expect(spy.mock.calls.filter((c) => String(c[0]).endsWith('/stat'))).toHaveLength(2);
    } finally {
      spy.mockRestore();
    }
  });

  test('cpuPercent works across processIter calls (objects are kept) for a busy process', async () => {
    const { child } = await python("import sys\nsys.stdout.write('ready\\n'); sys.stdout.flush()\nwhile True: pass\n");
    const api = createPsutil();
    const pick = (): number => {
      for (const p of api.processIter({ attrs: ['cpuPercent'] }))
        if (p.pid === child.pid) return (p.info as { cpuPercent: number }).cpuPercent;
      return -1;
    };
    expect(pick()).toBe(0);
    // On a loaded machine the spinning child may get little CPU in any one interval: poll until a call shows it busy
    // (bounded), each call measuring since the one before through the kept Process object.
    let seen = 0;
    for (let i = 0; i < 100 && seen <= 10; i++) {
      await new Promise((r) => setTimeout(r, 200));
      seen = pick();
    }
    expect(seen).toBeGreaterThan(10);
    const p = new Process(child.pid);
    let own = 0;
    for (let i = 0; i < 50 && own <= 10; i++) own = await p.cpuPercent({ interval: 0.2 });
    expect(own).toBeGreaterThan(10);
  });

  test('a Process whose process has exited and been reaped: every read is NoSuchProcess, never anything else', async () => {
    let checked = 0;
    for (let i = 0; i < 20; i++) {
      const c = spawn('/bin/true');
      const exited = new Promise((r) => c.once('exit', r));
      const pid = await new Promise<number>((r) => c.once('spawn', () => r(c.pid!)));
      let p: Process;
      try {
        p = new Process(pid);
      } catch (err) {
        expect(err).toBeInstanceOf(NoSuchProcess);
        await exited;
        continue;
      }
      // Node reaps the child before 'exit': the pid is free from here on.
      await exited;
      // A pid handed to another process this soon (pid_max wrapped) would answer for the newcomer: not this case.
      if (fs.existsSync(`/proc/${pid}`)) continue;
      for (const [name, fn] of [
        ['name', () => p.name()],
        ['cmdline', () => p.cmdline()],
        ['memoryInfo', () => p.memoryInfo()],
        ['numFds', () => p.numFds()],
        ['exe', () => p.exe()],
        ['openFiles', () => p.openFiles()],
        ['threads', () => p.threads()],
        ['uids', () => p.uids()],
      ] as const) {
        let err: unknown = null;
        try {
          fn();
        } catch (e) {
          err = e;
        }
        expect([name, err instanceof NoSuchProcess ? 'NoSuchProcess' : err]).toEqual([name, 'NoSuchProcess']);
      }
      checked++;
    }
    // The loop must have checked a vanished process, not only skipped past them.
    expect(checked).toBeGreaterThan(0);
  });
});
