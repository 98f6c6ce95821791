/**
 * The Process extensions (not psutil's) on real processes spawned here: threadsInfo() on named threads against
 * /proc/<pid>/task/*, wchan(), cgroups(), cmdline({ raw: true }) on a setproctitle-style argv, username({ effective })
 * on a process whose effective user differs, memoryFootprint() and memoryUsage() against memoryFullInfo(),
 * memoryInfo() and /proc, numFds() against the fd directory, and what another unprivileged user may read.
 * Every spawned process is killed in afterAll.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import { Process } from '../../src/probes/process';
import { AccessDenied, NoSuchProcess, ZombieProcess } from '../../src/probes/errors';
import { startReady } from '../helpers/children';
import { PYTHON, oracleAvailable, py } from '../helpers/oracle';
import { IS_ROOT, requireOr } from '../helpers/require';
import { removeWorldReadableCopies, worldReadableCopy } from '../helpers/world-readable';

const asRoot = requireOr(IS_ROOT, 'not root (setpriv to other users)').test;
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  removeWorldReadableCopies();
});

const start = (cmd: string, args: string[], opts: SpawnOptions = {}): Promise<{ child: ChildProcess; line: string }> =>
  startReady(children, cmd, args, opts);

const SLEEP_READY = "import sys, time\nsys.stdout.write('ready\\n'); sys.stdout.flush()\ntime.sleep(600)\n";

/** Python with three named worker threads (prctl PR_SET_NAME in each) parked on an Event, one of which read a file. */
const NAMED_THREADS = `import ctypes, sys, threading, time
libc = ctypes.CDLL(None, use_errno=True)
ev = threading.Event()
ready = threading.Barrier(4)
def work(name, read):
    assert libc.prctl(15, ctypes.c_char_p(name), 0, 0, 0) == 0
    if read:
        open('/proc/self/status', 'rb').read()
    ready.wait()
    ev.wait()
for i, (name, read) in enumerate([(b'pgx-reader', True), (b'pgx-idle', False), (b'pgx-idle', False)]):
    threading.Thread(target=work, args=(name, read), daemon=True).start()
ready.wait()
sys.stdout.write('ready\\n'); sys.stdout.flush()
time.sleep(600)
`;

function read(p: string): string {
  return fs.readFileSync(p, 'latin1');
}

function statusLine(text: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
  if (m === null) throw new Error(`no ${key}`);
  return Number(m[1]);
}

/** Waits until every task of pid is asleep (so that its counters and wchan hold still while both sides read). */
async function settled(pid: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const states = fs
      .readdirSync(`/proc/${pid}/task`)
      .map(
        (t) =>
          / ([A-Za-z]) /.exec(
            read(`/proc/${pid}/task/${t}/stat`).slice(read(`/proc/${pid}/task/${t}/stat`).lastIndexOf(')')),
          )?.[1],
      );
    if (states.every((s) => s === 'S')) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Process extensions on live processes', () => {
  test('threadsInfo(): ids, names, states, times, faults, context switches, io and wchan as /proc/<pid>/task/* says', async () => {
    const { child } = await start(PYTHON, ['-c', NAMED_THREADS]);
    const pid = child.pid!;
    await settled(pid);
    const p = new Process(pid);
    const th = p.threadsInfo();
    const tasks = fs
      .readdirSync(`/proc/${pid}/task`)
      .map(Number)
      .sort((a, b) => a - b);
    expect(th.map((t) => t.id)).toEqual(tasks);
    expect(th.map((t) => t.name).sort()).toEqual(['pgx-idle', 'pgx-idle', 'pgx-reader', 'python3']);
    const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim());
    for (const t of th) {
      const base = `/proc/${pid}/task/${t.id}/`;
      const stat = read(base + 'stat');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const status = read(base + 'status');
      const io = read(base + 'io');
      expect({ id: t.id, name: t.name }).toEqual({
        id: t.id,
        name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      });
      expect(t.status).toBe('sleeping');
      // Asleep on the Event: nothing moves between the two reads.
      expect([t.minorFaults, t.majorFaults]).toEqual([Number(f[7]), Number(f[9])]);
      expect([t.userTime, t.systemTime]).toEqual([Number(f[11]) / ticks, Number(f[12]) / ticks]);
      expect([t.voluntaryCtxSwitches, t.involuntaryCtxSwitches]).toEqual([
        statusLine(status, 'voluntary_ctxt_switches'),
        statusLine(status, 'nonvoluntary_ctxt_switches'),
      ]);
      expect([t.readBytes, t.writeBytes]).toEqual([statusLine(io, 'read_bytes'), statusLine(io, 'write_bytes')]);
      const w = read(base + 'wchan').trim();
      expect(t.wchan).toBe(w === '0' ? null : w);
      expect(Math.abs(t.createTime - p.createTime())).toBeLessThan(60);
    }
    // The main thread's wchan is the process's.
    expect(p.wchan()).toBe(th.find((t) => t.id === pid)!.wchan);
    // psutil's threads() gives the same ids and times.
    expect(p.threads().map((t) => [t.id, t.userTime, t.systemTime])).toEqual(
      th.map((t) => [t.id, t.userTime, t.systemTime]),
    );
    expect(p.numThreads()).toBe(th.length);
  });

  test('a zombie: cgroups, wchan (null), threadsInfo and memoryUsage (zeros) read; memoryFootprint and raw argv are ZombieProcess', async () => {
    const { line } = await start(PYTHON, [
      '-c',
      `import os, sys, time
pid = os.fork()
if pid == 0:
    os._exit(0)
sys.stdout.write('%d\\n' % pid); sys.stdout.flush()
time.sleep(600)
`,
    ]);
    const zpid = Number(line);
    for (let i = 0; i < 200 && !/\) Z /.test(read(`/proc/${zpid}/stat`)); i++)
      await new Promise((r) => setTimeout(r, 10));
    const z = new Process(zpid);
    expect(z.status()).toBe('zombie');
    // Readable; what it says may differ from the parent's (an exited task leaves v1 memory cgroups for the root).
    expect(
      z
        .cgroups()
        .map((c) => `${c.hierarchyId}:${c.controllers.join(',')}:${c.path}\n`)
        .join(''),
    ).toBe(read(`/proc/${zpid}/cgroup`));
    expect(z.wchan()).toBeNull();
    expect(z.threadsInfo().map((t) => [t.id, t.status])).toEqual([[zpid, 'zombie']]);
    expect(z.memoryUsage()).toEqual({ rss: 0, vms: 0, swap: 0 });
    expect(() => z.memoryFootprint()).toThrow(ZombieProcess);
    expect(() => z.cmdline({ raw: true })).toThrow(ZombieProcess);
  });

  test('wchan(): a sleeping child waits in a kernel function; our own running thread has none', async () => {
    const { child } = await start(PYTHON, ['-c', SLEEP_READY]);
    await settled(child.pid!);
    // Until two reads agree: right after start-up the child can still pass through another wait on its way to sleep().
    let w: string | null = null;
    let file = '';
    for (let i = 0; i < 100; i++) {
      w = new Process(child.pid).wchan();
      file = read(`/proc/${child.pid}/wchan`).trim();
      if (w === file) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(w).toBe(file);
    expect(w).toMatch(/^[A-Za-z_][\w.]*$/);
    // Running (we are reading): the kernel says 0.
    expect(new Process().wchan()).toBeNull();
  });

  // kthreadd is pid 2 in the initial PID namespace; in another one there are no kernel threads to see.
  const kthreaddVisible = fs.existsSync('/proc/2/comm') && fs.readFileSync('/proc/2/comm', 'utf8') === 'kthreadd\n';
  requireOr(kthreaddVisible, 'kthreadd not visible (not the initial PID namespace)').test(
    'isKernelThread(): kthreadd and its children (ps --ppid 2, a kworker among them), no one else',
    async () => {
      const { child } = await start(PYTHON, ['-c', SLEEP_READY]);
      expect(new Process(2).isKernelThread()).toBe(true);
      const ps = (args: string[]): Array<{ pid: number; ppid: number; comm: string }> =>
        spawnSync('ps', ['-o', 'pid=,ppid=,comm=', ...args], { encoding: 'utf8' })
          .stdout.trim()
          .split('\n')
          .map((l) => {
            const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l);
            if (m === null) throw new Error(`ps line ${JSON.stringify(l)}`);
            return { pid: Number(m[1]), ppid: Number(m[2]), comm: m[3]! };
          });
      const kthreads = ps(['--ppid', '2']);
      expect(kthreads.some((k) => k.comm.startsWith('kworker'))).toBe(true);
      let checked = 0;
      for (const k of ps(['-e'])) {
        let p: Process;
        try {
          p = new Process(k.pid);
        } catch (err) {
          if (err instanceof NoSuchProcess) continue; // ps's own children exit while we look
          throw err;
        }
        try {
          expect([k.pid, p.isKernelThread()]).toEqual([k.pid, k.pid === 2 || k.ppid === 2]);
          checked++;
        } catch (err) {
          if (err instanceof NoSuchProcess) continue;
          throw err;
        }
      }
      expect(checked).toBeGreaterThan(kthreads.length);
      expect(new Process().isKernelThread()).toBe(false);
      expect(new Process(child.pid).isKernelThread()).toBe(false);
    },
  );

  test('cgroups(): the lines of /proc/<pid>/cgroup, for us, a child and a kernel thread', async () => {
    const { child } = await start(PYTHON, ['-c', SLEEP_READY]);
    for (const pid of [process.pid, child.pid!, 2]) {
      const want = read(`/proc/${pid}/cgroup`)
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [id, ctl] = l.split(':', 2) as [string, string];
          return {
            hierarchyId: Number(id),
            controllers: ctl === '' ? [] : ctl.split(','),
            path: l.slice(id.length + ctl.length + 2),
          };
        });
      expect(new Process(pid).cgroups()).toEqual(want);
    }
    // A child starts in its parent's cgroups.
    expect(new Process(child.pid).cgroups()).toEqual(new Process().cgroups());
  });

  test("cmdline({ raw: true }) keeps a setproctitle-style argv[0] whole where psutil's split cuts it", async () => {
    // exec -a gives the process the single argument "nginx: worker process" (cat then waits on its stdin pipe).
    const child = spawn('bash', ['-c', 'exec -a "nginx: worker process" cat'], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    children.push(child);
    const p = await (async () => {
      for (let i = 0; i < 400; i++) {
        if (read(`/proc/${child.pid}/cmdline`).startsWith('nginx')) return new Process(child.pid);
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('cat did not exec');
    })();
    expect(p.cmdline({ raw: true })).toEqual(['nginx: worker process']);
    expect(p.cmdline()).toEqual(['nginx:', 'worker', 'process']);
    if (oracleAvailable()) expect(py<string[]>(`out = psutil.Process(${child.pid}).cmdline()`)).toEqual(p.cmdline());
    // Ordinary arguments: both splits agree.
    expect(new Process().cmdline({ raw: true })).toEqual(new Process().cmdline());
  });

  asRoot('username({ effective: true }): the effective user of a process started with another euid', async () => {
    const { child } = await start('setpriv', ['--euid=65534', PYTHON, '-c', SLEEP_READY]);
    const p = new Process(child.pid);
    expect(p.uids()).toMatchObject({ real: 0, effective: 65534 });
    const nobody = spawnSync('id', ['-nu', '65534'], { encoding: 'utf8' }).stdout.trim() || '65534';
    expect(p.username({ effective: true })).toBe(nobody);
    expect(p.username()).toBe(spawnSync('id', ['-nu', '0'], { encoding: 'utf8' }).stdout.trim());
  });

  test('memoryFootprint() agrees with memoryFullInfo() and smaps_rollup; memoryUsage() with memoryInfo() and memoryInfoEx()', async () => {
    const { child } = await start(PYTHON, ['-c', SLEEP_READY]);
    await settled(child.pid!);
    const p = new Process(child.pid);
    // PSS and USS move whenever another process maps or unmaps the same files (other tests start python3 too): read
    // until nothing moved between the reads.
    const sample = () => {
      const [f, full, usage, info, ex] = p.oneshot(
        () => [p.memoryFootprint(), p.memoryFullInfo(), p.memoryUsage(), p.memoryInfo(), p.memoryInfoEx()] as const,
      );
      return { f, full, usage, info, ex, rollup: read(`/proc/${child.pid}/smaps_rollup`) };
    };
    let s = sample();
    for (
      let i = 0;
      i < 100 && !(s.f.pss === s.full.pss && s.f.uss === s.full.uss && s.f.pss === statusLine(s.rollup, 'Pss') * 1024);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
      s = sample();
    }
    const { f, full, usage, info, ex, rollup } = s;
    expect([f.uss, f.pss, f.swap]).toEqual([full.uss, full.pss, full.swap]);
    expect(f.pss).toBe(statusLine(rollup, 'Pss') * 1024);
    expect(f.swapPss).toBe(/^SwapPss:/m.test(rollup) ? statusLine(rollup, 'SwapPss') * 1024 : 0);
    expect(usage).toEqual({ rss: info.rss, vms: info.vms, swap: ex.swap });
    // No psutil comparison: the oracle's own python3 shares the child's pages while it runs, which moves uss and pss.
  });

  test('numFds() counts what the fd directory lists (from its size on Linux 6.2+)', async () => {
    const { child } = await start(PYTHON, [
      '-c',
      `import os, sys, time
fds = [os.open('/dev/null', os.O_RDONLY) for _ in range(40)]
sys.stdout.write('ready\\n'); sys.stdout.flush()
time.sleep(600)
`,
    ]);
    const n = new Process(child.pid).numFds();
    expect(n).toBe(fs.readdirSync(`/proc/${child.pid}/fd`).length);
    expect(n).toBeGreaterThanOrEqual(43);
    if (oracleAvailable()) expect(py<number>(`out = psutil.Process(${child.pid}).num_fds()`)).toBe(n);
  });

  asRoot(
    'another unprivileged user: cgroups, wchan, threadsInfo and memoryUsage read; memoryFootprint and numFds are AccessDenied',
    async () => {
      const { child } = await start('setpriv', [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        PYTHON,
        '-c',
        SLEEP_READY,
      ]);
      const methods = ['cgroups', 'wchan', 'threadsInfo', 'memoryUsage', 'memoryFootprint', 'numFds'];
      // Run from a world-readable copy: user 65533 cannot read the checkout when it sits in a 0700 directory.
      const probe = worldReadableCopy('test/helpers/process-probe.js', [String(child.pid), methods.join(',')]);
      const reader = spawnSync(
        'setpriv',
        [
          '--reuid=65533',
          '--regid=65533',
          '--clear-groups',
          process.execPath,
          probe,
          String(child.pid),
          methods.join(','),
        ],
        { encoding: 'utf8' },
      );
      expect(reader.stderr).toBe('');
      expect(JSON.parse(reader.stdout)).toEqual({
        cgroups: 'ok',
        wchan: 'ok',
        threadsInfo: 'ok',
        memoryUsage: 'ok',
        memoryFootprint: AccessDenied.name,
        numFds: AccessDenied.name,
      });
    },
  );
});
