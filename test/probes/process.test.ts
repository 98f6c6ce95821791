/**
 * The process facade on a fixture procfs (test/fixtures/process, made by its make.py): every getter's shape and
 * psutil semantics, identity, family, asDict/processIter and argument checks. No live process is involved; the
 * fixture's self link is not ours, so the libc-backed calls are refused rather than aimed at real pids.
 */
import { createPsutil } from '../../src/probes/psutil';
import { Process, Popen, PROCESS_EXTENSION_ATTRS } from '../../src/probes/process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NoSuchProcess, OsError, UnsupportedOperation, ZombieProcess } from '../../src/probes/errors';
import { RLIMIT_NOFILE, RLIMIT_STACK, STATUS_SLEEPING, STATUS_ZOMBIE } from '../../src/probes/constants';
import { clockTicks, pageSizeBytes } from '../../src/probes/linux/sysconf';
import { own } from '../helpers/fixtures';

const ps = createPsutil({ procfs: own('process', 'proc'), rootfs: own('process', 'root') });
const BTIME = 1700000000;

describe('Process on a fixture procfs', () => {
  test('a subclass of the exported Process and Popen', () => {
    const p = new ps.Process(1);
    expect(p).toBeInstanceOf(Process);
    expect(p).toBeInstanceOf(ps.Process);
    expect(ps.Popen.prototype).toBeInstanceOf(Process);
    expect(Object.getPrototypeOf(ps.Popen)).toBe(Popen);
    expect(String(p)).toBe("psutil.Process(pid=1, name='systemd', status='sleeping')");
    // No pid: this process as the procfs numbers it (the fixture's self link says 1).
    expect(new ps.Process().pid).toBe(1);
  });

  test("the constructor takes a pid only: a second argument that is not the area's own init data is ignored", () => {
    // Factories of the area (children, processIter, Popen) hand over what they read as { [INIT]: data }, under a
    // symbol the package does not export: no other value, a look-alike symbol included, can pose as it.
    expect(() => new ps.Process(99999, { ignoreNsp: true } as never)).toThrow(NoSuchProcess);
    expect(() => new ps.Process(99999, { [Symbol('psutil.process.init')]: { ignoreNsp: true } } as never)).toThrow(
      NoSuchProcess,
    );
    expect(new ps.Process(1, 'junk' as never).equals(new ps.Process(1))).toBe(true);
    // What children() handed over gives the same objects as a lookup by pid, of the instance's class.
    const kids = new ps.Process(1).children();
    expect(kids.length).toBeGreaterThan(0);
    for (const k of kids) {
      expect(k).toBeInstanceOf(ps.Process);
      expect(k.equals(new ps.Process(k.pid))).toBe(true);
    }
  });

  test('the stat group: ppid, name, status, times, createTime, cpuNum, pageFaults, nice', () => {
    const p = new ps.Process(1);
    const t = clockTicks();
    expect(p.pid).toBe(1);
    expect(p.ppid()).toBe(0);
    expect(p.name()).toBe('systemd');
    expect(p.status()).toBe(STATUS_SLEEPING);
    expect(p.cpuTimes()).toEqual({
      user: 250 / t,
      system: 150 / t,
      childrenUser: 1000 / t,
      childrenSystem: 500 / t,
      iowait: 12 / t,
    });
    expect(Object.isFrozen(p.cpuTimes())).toBe(true);
    expect(Object.keys(p.cpuTimes())).toEqual(['user', 'system', 'childrenUser', 'childrenSystem', 'iowait']);
    expect(p.createTime()).toBeCloseTo(5 / t + BTIME, 6);
    expect(p.cpuNum()).toBe(1);
    expect(p.pageFaults()).toEqual({ minor: 9000, major: 80 });
    expect(p.nice()).toBe(0);
    expect(new ps.Process(100).nice()).toBe(5);
  });

  test('the status group: uids, gids, username, numThreads, numCtxSwitches, memoryInfoEx', () => {
    const p = new ps.Process(100);
    expect(p.uids()).toEqual({ real: 1000, effective: 1000, saved: 1000 });
    expect(p.gids()).toEqual({ real: 1000, effective: 1000, saved: 1000 });
    expect(new ps.Process(1).username()).toBe('root');
    // A uid without a passwd entry reads as its number (psutil).
    expect(new ps.Process(106).username()).toBe('424242');
    expect(p.numThreads()).toBe(3);
    expect(p.numCtxSwitches()).toEqual({ voluntary: 150, involuntary: 7 });
    const ex = new ps.Process(1).memoryInfoEx();
    expect(Object.keys(ex)).toEqual([
      'rss',
      'vms',
      'shared',
      'text',
      'lib',
      'data',
      'dirty',
      'peakRss',
      'peakVms',
      'rssAnon',
      'rssFile',
      'rssShmem',
      'swap',
      'hugetlb',
    ]);
    expect(ex).toMatchObject({
      peakRss: 5000 * 1024,
      peakVms: 20000 * 1024,
      rssAnon: 1000 * 1024,
      rssFile: 2800 * 1024,
      rssShmem: 200 * 1024,
      swap: 12 * 1024,
      hugetlb: 0,
    });
    // A kernel thread has no Vm lines: zeros, not NaN.
    expect(new ps.Process(2).memoryInfoEx()).toMatchObject({ peakRss: 0, rssAnon: 0, swap: 0, rss: 0 });
  });

  test('memoryInfo from statm pages, memoryFullInfo from smaps_rollup, memoryPercent', () => {
    const ps1 = new ps.Process(1);
    const pg = pageSizeBytes();
    expect(ps1.memoryInfo()).toEqual({
      rss: 1000 * pg,
      vms: 4000 * pg,
      shared: 750 * pg,
      text: 25 * pg,
      lib: 0,
      data: 800 * pg,
      dirty: 0,
    });
    expect(Object.keys(ps1.memoryInfo())).toEqual(['rss', 'vms', 'shared', 'text', 'lib', 'data', 'dirty']);
    const full = ps1.memoryFullInfo();
    expect(full).toMatchObject({ rss: 1000 * pg, uss: 2000 * 1024, pss: 3000 * 1024, swap: 12 * 1024 });
    expect(Object.keys(full).slice(-3)).toEqual(['uss', 'pss', 'swap']);
    expect(ps1.memoryPercent()).toBeCloseTo(((1000 * pg) / (8000000 * 1024)) * 100, 10);
    expect(ps1.memoryPercent({ memtype: 'uss' })).toBeCloseTo(((2000 * 1024) / (8000000 * 1024)) * 100, 10);
    expect(() => ps1.memoryPercent({ memtype: 'bogus' as 'rss' })).toThrow(RangeError);
  });

  test('memoryFullInfo falls back to smaps when smaps_rollup is missing', () => {
    // 100 has neither: smaps missing is an OsError for a live process (a kernel without it), not a psutil error.
    expect(() => new ps.Process(100).memoryFullInfo()).toThrow(/smaps/);
  });

  test('memoryMaps: grouped by path, [anon], (deleted) stripped when absent; ungrouped with addr and perms', () => {
    const p = new ps.Process(1);
    const g = p.memoryMaps();
    expect(g.map((m) => m.path)).toEqual(['/lib/systemd/systemd', '[anon]', '/nonexistent/lib.so']);
    expect(g[0]).toEqual({
      path: '/lib/systemd/systemd',
      rss: 68 * 1024,
      size: 128 * 1024,
      pss: 38 * 1024,
      sharedClean: 60 * 1024,
      sharedDirty: 0,
      privateClean: 4 * 1024,
      privateDirty: 4 * 1024,
      referenced: 68 * 1024,
      anonymous: 4 * 1024,
      swap: 0,
    });
    const u = p.memoryMaps({ grouped: false });
    expect(u).toHaveLength(4);
    expect(u[0]).toMatchObject({
      addr: '55550000-55560000',
      perms: 'r-xp',
      path: '/lib/systemd/systemd',
      rss: 60 * 1024,
    });
    expect(Object.keys(u[0]!).slice(0, 3)).toEqual(['addr', 'perms', 'path']);
  });

  test('name(): a 15-byte comm extended from basename(cmdline[0]), also when cut inside a UTF-8 character', () => {
    expect(new ps.Process(100).name()).toBe('gnome-keyring-daemon');
    expect(new ps.Process(103).name()).toBe('inner-job-同步任务');
    // Kernel threads have no cmdline: the comm stands (and a long kworker name is not cut here).
    expect(new ps.Process(102).name()).toBe('kworker/0:1-events');
  });

  test('a comm injecting fields keeps state and ppid; a space-separated cmdline is split', () => {
    const p = new ps.Process(104);
    expect(p.name()).toBe('x) Z 1 1');
    expect(p.status()).toBe(STATUS_SLEEPING);
    expect(p.ppid()).toBe(1);
    expect(p.cmdline()).toEqual(['nginx:', 'worker', 'process']);
  });

  test('exe, cwd and cmdline; kernel threads give empty values; (deleted) is stripped when the path is gone', () => {
    const init = new ps.Process(1);
    expect(init.exe()).toBe('/lib/systemd/systemd');
    expect(init.cwd()).toBe('/');
    expect(init.cmdline()).toEqual(['/sbin/init', 'splash']);
    const kt = new ps.Process(102);
    expect(kt.exe()).toBe('');
    expect(kt.cmdline()).toEqual([]);
    expect(kt.cwd()).toBe('');
    expect(new ps.Process(106).exe()).toBe('/nonexistent/bin/grandchild');
  });

  test('a zombie: stat readable, unreadable fields raise ZombieProcess, asDict gives adValue', () => {
    const z = new ps.Process(101);
    expect(z.status()).toBe(STATUS_ZOMBIE);
    expect(z.isRunning()).toBe(true);
    expect(() => z.cmdline()).toThrow(ZombieProcess);
    expect(() => z.exe()).toThrow(ZombieProcess);
    expect(() => z.memoryMaps()).toThrow(ZombieProcess);
    const err = (() => {
      try {
        z.exe();
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(NoSuchProcess);
    expect((err as ZombieProcess).ppid).toBe(100);
    const d = z.asDict({ attrs: ['pid', 'status', 'cmdline', 'exe'], adValue: 'n/a' });
    expect(d).toEqual({ pid: 101, status: STATUS_ZOMBIE, cmdline: 'n/a', exe: 'n/a' });
  });

  test('environ, ioCounters, threads, numFds, openFiles', () => {
    const p = new ps.Process(1);
    expect({ ...p.environ() }).toEqual({ HOME: '/', TERM: 'linux' });
    expect(p.ioCounters()).toEqual({
      readCount: 30,
      writeCount: 40,
      readBytes: 4096,
      writeBytes: 8192,
      readChars: 1000,
      writeChars: 2000,
    });
    const t = clockTicks();
    expect(new ps.Process(100).threads()).toEqual([
      { id: 100, userTime: 6 / t, systemTime: 3 / t },
      { id: 107, userTime: 3 / t, systemTime: 1 / t },
      { id: 108, userTime: 1 / t, systemTime: 1 / t },
    ]);
    expect(p.numFds()).toBe(5);
    // Only absolute paths of regular files (under the rootfs): not /dev/null, sockets or pipes. Directory order.
    expect([...p.openFiles()].sort((x, y) => x.fd - y.fd)).toEqual([
      { path: '/var/log/app.log', fd: 3, position: 4096, mode: 'a', flags: 0o2102001 },
      { path: '/var/log/app.log', fd: 6, position: 10, mode: 'r', flags: 0o100000 },
    ]);
  });

  test('rlimit and cpuAffinity read /proc where the syscalls cannot reach (another PID namespace)', () => {
    const p = new ps.Process(1);
    expect(p.rlimit(RLIMIT_NOFILE)).toEqual([2048, 4096]);
    expect(p.rlimit(RLIMIT_STACK)).toEqual([8388608, -1]);
    expect(p.cpuAffinity()).toEqual([0, 1]);
    expect(new ps.Process(100).cpuAffinity()).toEqual([1]);
    expect(() => p.ionice()).toThrow(UnsupportedOperation);
  });

  test('setters and signals are refused on a foreign procfs (its pids are not ours to signal)', () => {
    const p = new ps.Process(100);
    expect(() => p.nice(5)).toThrow(UnsupportedOperation);
    expect(() => p.cpuAffinity([0])).toThrow(UnsupportedOperation);
    expect(() => p.rlimit(RLIMIT_NOFILE, [10, 20])).toThrow(UnsupportedOperation);
    expect(() => p.ionice(2, 4)).toThrow(UnsupportedOperation);
    expect(() => p.sendSignal(0)).toThrow(UnsupportedOperation);
    expect(() => p.kill()).toThrow(UnsupportedOperation);
  });

  test('terminal: null without a matching /dev entry', () => {
    expect(new ps.Process(1).terminal()).toBeNull();
    expect(new ps.Process(100).terminal()).toBeNull();
  });

  test('parent, parents, children (a child older than its parent holds a reused pid: excluded)', () => {
    const p = new ps.Process(100);
    expect(p.parent()?.pid).toBe(1);
    expect(p.parents().map((x) => x.pid)).toEqual([1]);
    expect(new ps.Process(1).parent()).toBeNull();
    expect(p.children().map((c) => c.pid)).toEqual([101, 103]);
    expect(
      p
        .children({ recursive: true })
        .map((c) => c.pid)
        .sort((a, b) => a - b),
    ).toEqual([101, 103, 106]);
    expect(new ps.Process(106).parents().map((x) => x.pid)).toEqual([103, 100, 1]);
    for (const c of p.children()) expect(c).toBeInstanceOf(ps.Process);
  });

  test('pids, pidExists, processIter sorted by pid with info', () => {
    expect(ps.pids()).toEqual([1, 2, 100, 101, 102, 103, 104, 105, 106]);
    expect(ps.pidExists(100)).toBe(true);
    expect(ps.pidExists(99)).toBe(false);
    expect(ps.pidExists(0)).toBe(false);
    expect(ps.pidExists(-1)).toBe(false);
    const seen = [...ps.processIter({ attrs: ['pid', 'name', 'username', 'cmdline'] })];
    expect(seen.map((p) => p.pid)).toEqual(ps.pids());
    expect(Object.keys(seen[2]!.info)).toEqual(['pid', 'name', 'username', 'cmdline']);
    expect(seen[2]!.info).toMatchObject({
      pid: 100,
      name: 'gnome-keyring-daemon',
      cmdline: ['/usr/bin/gnome-keyring-daemon', '--start'],
    });
    const zombie = seen.find((p) => p.pid === 101)!;
    expect(zombie.info.cmdline).toBeNull();
    // The same objects come back on the next call (cpuPercent state survives).
    const again = [...ps.processIter()];
    expect(again[2]).toBe(seen[2]);
    ps.processIter.cacheClear();
    expect([...ps.processIter()][2]).not.toBe(seen[2]);
  });

  test('processIter stopped early keeps the objects of the pids it did not reach (psutil _pmap copy)', () => {
    ps.processIter.cacheClear();
    const first = [...ps.processIter()];
    expect(first.length).toBeGreaterThan(3);
    const partial: Process[] = [];
    for (const p of ps.processIter()) {
      partial.push(p);
      if (partial.length === 2) break;
    }
    expect(partial).toEqual(first.slice(0, 2));
    const after = [...ps.processIter()];
    expect(after.map((p) => p.pid)).toEqual(first.map((p) => p.pid));
    after.forEach((p, i) => expect(p).toBe(first[i]));
  });

  test('processIter without attrs sets no info; asDict with no attrs gives every attribute it can', () => {
    ps.processIter.cacheClear();
    for (const p of ps.processIter()) expect(p.info).toBeUndefined();
    const d = new ps.Process(1).asDict();
    // ionice needs the syscall (unsupported here) and is left out; every other name is present.
    expect(Object.keys(d).sort()).toEqual(Process.attrs.filter((a) => a !== 'ionice').sort());
  });

  test("netConnections: this process's sockets from /proc/net, without a pid field", () => {
    expect(new ps.Process(1).netConnections()).toEqual([
      { fd: 4, family: 2, type: 1, laddr: { ip: '127.0.0.1', port: 8080 }, raddr: null, status: 'LISTEN' },
    ]);
    expect(new ps.Process(1).netConnections({ kind: 'udp' })).toEqual([]);
    expect(new ps.Process(1).netConnections({ kind: 'all' })).toHaveLength(1);
  });

  test('oneshot caches the group reads for its block only; asDict runs inside it', () => {
    const p = new ps.Process(1);
    const r = p.oneshot(() => [p.name(), p.cpuTimes().user, p.oneshot(() => p.ppid())]);
    expect(r).toEqual(['systemd', 250 / clockTicks(), 0]);
    expect(() => p.oneshot(5 as unknown as () => void)).toThrow(TypeError);
  });

  test('cpuPercent: 0.0 on the first call, a number after', () => {
    const p = new ps.Process(1);
    expect(p.cpuPercent()).toBe(0);
    expect(p.cpuPercent()).toBe(0);
    expect(() => p.cpuPercent({ interval: -1 })).toThrow(RangeError);
  });
});

describe("extensions (not psutil's): cgroups, wchan, threadsInfo, raw argv, effective user, footprint, memoryUsage", () => {
  test('isKernelThread(): PF_KTHREAD in stat flags (kthreadd 2 and kworker 102), not a user process or a zombie', () => {
    expect(new ps.Process(2).isKernelThread()).toBe(true);
    expect(new ps.Process(102).isKernelThread()).toBe(true);
    for (const pid of [1, 100, 101, 103]) expect(new ps.Process(pid).isKernelThread()).toBe(false);
  });

  test('cgroups(): every line of /proc/<pid>/cgroup in order, frozen; v1 controllers split; a path keeps its colons', () => {
    const cg = new ps.Process(1).cgroups();
    expect(cg).toEqual([
      { hierarchyId: 12, controllers: ['name=systemd'], path: '/init.scope' },
      { hierarchyId: 4, controllers: ['cpu', 'cpuacct'], path: '/' },
      { hierarchyId: 0, controllers: [], path: '/init.scope:odd' },
    ]);
    expect(Object.isFrozen(cg)).toBe(true);
    expect(Object.isFrozen(cg[0])).toBe(true);
    expect(Object.isFrozen(cg[0]!.controllers)).toBe(true);
    expect(Object.keys(cg[0]!)).toEqual(['hierarchyId', 'controllers', 'path']);
    expect(new ps.Process(100).cgroups()).toEqual([
      {
        hierarchyId: 0,
        controllers: [],
        path: '/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope',
      },
    ]);
  });

  test("wchan(): the function name, null for the kernel's 0", () => {
    expect(new ps.Process(1).wchan()).toBe('ep_poll');
    expect(new ps.Process(100).wchan()).toBeNull();
  });

  test('threadsInfo(): per thread stat, status, io and wchan; io or wchan that cannot be read is null', () => {
    const t = clockTicks();
    const th = new ps.Process(100).threadsInfo();
    expect(th.map((x) => x.id)).toEqual([100, 107, 108]);
    // 107 has no io file (a kernel without it, or a thread that exited between its status and io reads).
    expect(th[1]).toMatchObject({ id: 107, readBytes: null, writeBytes: null, wchan: 'futex_wait_queue' });
    expect(th[0]).toEqual({
      id: 100,
      name: 'gnome-keyring-d',
      status: STATUS_SLEEPING,
      createTime: 1000 / t + BTIME,
      userTime: 6 / t,
      systemTime: 3 / t,
      minorFaults: 100,
      majorFaults: 2,
      voluntaryCtxSwitches: 200,
      involuntaryCtxSwitches: 0,
      readBytes: 100 * 4096,
      writeBytes: 100 * 512,
      wchan: 'do_poll.constprop.0',
    });
    expect(th[2]).toMatchObject({
      id: 108,
      name: 'gdbus',
      status: 'running',
      voluntaryCtxSwitches: 216,
      involuntaryCtxSwitches: 3,
      wchan: null,
    });
    expect(Object.isFrozen(th) && Object.isFrozen(th[0])).toBe(true);
    // io and wchan not asked are null.
    const lean = new ps.Process(100).threadsInfo({ io: false, wchan: false });
    expect(lean.map((x) => x.id)).toEqual([100, 107, 108]);
    expect(lean.every((x) => x.readBytes === null && x.writeBytes === null && x.wchan === null)).toBe(true);
    expect(lean[1]).toMatchObject({ name: 'gdbus', createTime: 1007 / t + BTIME, minorFaults: 107, majorFaults: 2 });
    // The same user and system times as psutil's threads().
    expect(lean.map((x) => [x.id, x.userTime, x.systemTime])).toEqual(
      new ps.Process(100).threads().map((x) => [x.id, x.userTime, x.systemTime]),
    );
    expect(() => new ps.Process(100).threadsInfo({ io: 1 as unknown as boolean })).toThrow(TypeError);
    expect(() => new ps.Process(100).threadsInfo({ bogus: true } as never)).toThrow(TypeError);
  });

  test('cmdline({ raw: true }): split at NUL only, a setproctitle() line stays whole', () => {
    expect(new ps.Process(104).cmdline({ raw: true })).toEqual(['nginx: worker process']);
    expect(new ps.Process(104).cmdline({ raw: false })).toEqual(['nginx:', 'worker', 'process']);
    expect(new ps.Process(1).cmdline({ raw: true })).toEqual(['/sbin/init', 'splash']);
    expect(new ps.Process(102).cmdline({ raw: true })).toEqual([]);
    expect(() => new ps.Process(101).cmdline({ raw: true })).toThrow(ZombieProcess);
    // One read serves both splits in a oneshot block, and each caller gets its own array.
    const p = new ps.Process(104);
    const [a, b, c] = p.oneshot(() => [p.cmdline({ raw: true }), p.cmdline(), p.cmdline({ raw: true })]);
    expect([a, b]).toEqual([['nginx: worker process'], ['nginx:', 'worker', 'process']]);
    expect(c).toEqual(a);
    expect(c).not.toBe(a);
    expect(() => p.cmdline({ raw: 'yes' as unknown as boolean })).toThrow(TypeError);
  });

  test('username({ effective: true }): the effective user (a setuid process differs from the real one)', () => {
    const p = new ps.Process(105);
    expect(p.uids()).toEqual({ real: 1000, effective: 0, saved: 0 });
    expect(p.username({ effective: true })).toBe('root');
    expect(p.username()).not.toBe('root');
    expect(new ps.Process(106).username({ effective: true })).toBe('424242');
    expect(() => p.username({ effective: 1 as unknown as boolean })).toThrow(TypeError);
  });

  test('memoryFootprint(): uss, pss, swap as memoryFullInfo gives them, plus swapPss; memoryUsage(): rss, vms, swap from status', () => {
    const p = new ps.Process(1);
    const f = p.memoryFootprint();
    expect(f).toEqual({ uss: 2000 * 1024, pss: 3000 * 1024, swap: 12 * 1024, swapPss: 12 * 1024 });
    expect(Object.keys(f)).toEqual(['uss', 'pss', 'swap', 'swapPss']);
    const full = p.memoryFullInfo();
    expect([full.uss, full.pss, full.swap]).toEqual([f.uss, f.pss, f.swap]);
    // status: VmRSS 4000 kB, VmSize 16000 kB, VmSwap 12 kB.
    expect(p.memoryUsage()).toEqual({ rss: 4000 * 1024, vms: 16000 * 1024, swap: 12 * 1024 });
    expect(Object.isFrozen(p.memoryUsage())).toBe(true);
    expect(new ps.Process(2).memoryUsage()).toEqual({ rss: 0, vms: 0, swap: 0 });
    expect(() => new ps.Process(101).memoryFootprint()).toThrow(ZombieProcess);
  });

  test('numThreads(): from stat in a oneshot block that read stat and not status, the same count', () => {
    const p = new ps.Process(100);
    expect(p.numThreads()).toBe(3);
    expect(p.oneshot(() => [p.status(), p.numThreads()])).toEqual([STATUS_SLEEPING, 3]);
  });

  test('asDict/processIter take the extension attributes by name only', () => {
    const d = new ps.Process(1).asDict({
      attrs: ['pid', 'cgroups', 'wchan', 'memoryFootprint', 'memoryUsage', 'threadsInfo'],
    });
    expect(Object.keys(d)).toEqual(['pid', 'cgroups', 'wchan', 'memoryFootprint', 'memoryUsage', 'threadsInfo']);
    expect(d.wchan).toBe('ep_poll');
    expect(d.threadsInfo?.map((x) => x.id)).toEqual([1]);
    expect(Object.keys(new ps.Process(1).asDict())).not.toContain('cgroups');
    const z = new ps.Process(101).asDict({
      attrs: ['cgroups', 'wchan', 'memoryUsage', 'memoryFootprint'],
      adValue: 'n/a',
    });
    // A zombie's cgroup and status read fine (the kernel keeps them until the parent reaps it); smaps is gone.
    expect(z).toEqual({
      cgroups: [{ hierarchyId: 0, controllers: [], path: '/user.slice' }],
      wchan: null,
      memoryUsage: { rss: 0, vms: 0, swap: 0 },
      memoryFootprint: 'n/a',
    });
    // A process without a cgroup file (a kernel without cgroups) has none.
    const cg = new Map([...ps.processIter({ attrs: ['pid', 'cgroups'] })].map((p) => [p.pid, p.info.cgroups]));
    expect(cg.get(1)).toHaveLength(3);
    expect(cg.get(2)).toEqual([]);
    expect(PROCESS_EXTENSION_ATTRS).toEqual(['cgroups', 'memoryFootprint', 'memoryUsage', 'threadsInfo', 'wchan']);
  });

  test("asDict calls a subclass's getters (psutil's getattr), its errors translated as the guard does", () => {
    class Renamed extends ps.Process {
      override name(): string {
        return `renamed-${super.name()}`;
      }
      override cwd(): string {
        throw new OsError('EACCES', 13, 'readlink', '/x', 'denied here');
      }
    }
    const d = new Renamed(1).asDict({ attrs: ['pid', 'name', 'cwd'], adValue: 'n/a' });
    expect(d).toEqual({ pid: 1, name: `renamed-${new ps.Process(1).name()}`, cwd: 'n/a' });
  });
});

describe("procfsSelfPid (ours): the self link of the instance's procfs", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-self-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test.each([
    ['4242', 4242],
    ['1', 1],
    ['0', null],
    ['-3', null],
    ['abc', null],
    ['12x', null],
    ['', null],
  ])('self -> %p gives %p', (target, want) => {
    if (target === '')
      fs.mkdirSync(path.join(tmp, 'self')); // a directory, not a link (EINVAL)
    else fs.symlinkSync(target, path.join(tmp, 'self'));
    expect(createPsutil({ procfs: tmp }).procfsSelfPid()).toBe(want);
  });

  test('no self at all: null; read afresh on each call', () => {
    const inst = createPsutil({ procfs: tmp });
    expect(inst.procfsSelfPid()).toBeNull();
    fs.symlinkSync('77', path.join(tmp, 'self'));
    expect(inst.procfsSelfPid()).toBe(77);
  });

  test("the fixture tree's self names pid 1, not us: the setters refuse that procfs", () => {
    expect(ps.procfsSelfPid()).toBe(1);
    expect(() => new ps.Process(100).nice(5)).toThrow(UnsupportedOperation);
  });
});

describe('a process that vanishes after it was looked up', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-gone-'));
    fs.cpSync(own('process'), tmp, { recursive: true, verbatimSymlinks: true });
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test.each([1, 100, 101, 102, 106])('pid %i: every getter raises NoSuchProcess, isRunning is false', (pid) => {
    const gone = createPsutil({ procfs: path.join(tmp, 'proc'), rootfs: path.join(tmp, 'root') });
    const p = new gone.Process(pid);
    fs.rmSync(path.join(tmp, 'proc', String(pid)), { recursive: true });
    for (const attr of [...Process.attrs, ...PROCESS_EXTENSION_ATTRS]) {
      if (attr === 'pid' || attr === 'ionice') continue; // no /proc read: the pid itself, and a syscall refused here
      let err: unknown = null;
      try {
        (p as unknown as Record<string, () => unknown>)[attr]!();
      } catch (e) {
        err = e;
      }
      // createTime needs only the identity read at construction and the boot time.
      if (attr === 'createTime') continue;
      expect([attr, err instanceof NoSuchProcess && !(err instanceof ZombieProcess)]).toEqual([attr, true]);
    }
    expect(p.isRunning()).toBe(false);
    expect(p.asDict({ attrs: ['pid'] })).toEqual({ pid });
    expect(() => p.asDict({ attrs: ['name'] })).toThrow(NoSuchProcess);
    expect([...gone.processIter({ attrs: ['name'] })].map((q) => q.pid)).not.toContain(pid);
  });

  test('stat gone but the directory left: NoSuchProcess too (psutil #2418)', () => {
    const gone = createPsutil({ procfs: path.join(tmp, 'proc'), rootfs: path.join(tmp, 'root') });
    const p = new gone.Process(1);
    fs.rmSync(path.join(tmp, 'proc', '1', 'stat'));
    fs.rmSync(path.join(tmp, 'proc', '1', 'status'));
    expect(() => p.uids()).toThrow(NoSuchProcess);
    expect(() => p.name()).toThrow(NoSuchProcess);
  });

  test('a file missing while stat is there is a kernel without that file: UnsupportedOperation, never an OsError', () => {
    const gone = createPsutil({ procfs: path.join(tmp, 'proc'), rootfs: path.join(tmp, 'root') });
    fs.rmSync(path.join(tmp, 'proc', '1', 'io'));
    const err = (() => {
      try {
        new gone.Process(1).ioCounters();
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(UnsupportedOperation);
    expect(err).not.toBeInstanceOf(OsError);
    expect(String((err as Error).message)).toContain('/1/io');
    expect((err as Error).cause).toBeInstanceOf(OsError);
    // asDict naming it throws (psutil's explicit attrs); processIter gives that process adValue and goes on.
    expect(() => new gone.Process(1).asDict({ attrs: ['ioCounters'] })).toThrow(UnsupportedOperation);
    const listed = [...gone.processIter({ attrs: ['pid', 'ioCounters'], adValue: 'n/a' })];
    expect(listed.find((q) => q.pid === 1)?.info).toEqual({ pid: 1, ioCounters: 'n/a' });
  });
});

describe('argument checks', () => {
  test('pid: integer (TypeError), not negative (RangeError), pid_t range (NoSuchProcess), must exist', () => {
    expect(() => new ps.Process(' -1 ' as unknown as number)).toThrow(TypeError);
    expect(() => new ps.Process(1.5)).toThrow(TypeError);
    expect(() => new ps.Process(-1)).toThrow(RangeError);
    expect(() => new ps.Process(2 ** 31)).toThrow(NoSuchProcess);
    expect(() => new ps.Process(4242)).toThrow(NoSuchProcess);
    expect(() => new ps.Process(4242)).toThrow(/process PID not found/);
    expect(() => ps.pidExists('1' as unknown as number)).toThrow(TypeError);
  });

  test('pid 0 is never signalled: kill(0, sig) would hit our own process group', () => {
    // A procfs that has a /proc/0 (Linux has none): the refusal comes before anything else.
    const zero = createPsutil({ procfs: own('process-pid0', 'proc') });
    const p = new zero.Process(0);
    expect(() => p.sendSignal(0)).toThrow(RangeError);
    expect(() => p.kill()).toThrow(/PID 0/);
  });

  test('asDict and processIter reject unknown attribute names and options', () => {
    const p = new ps.Process(1);
    expect(() => p.asDict({ attrs: ['name', 'bogus' as 'name'] })).toThrow(RangeError);
    expect(() => p.asDict({ attrs: 'name' as unknown as ['name'] })).toThrow(TypeError);
    expect(() => p.asDict({ bogus: 1 } as never)).toThrow(TypeError);
    expect(() => ps.processIter({ attrs: ['nope' as 'name'] })).toThrow(RangeError);
  });

  test('setter arguments are checked before anything else', () => {
    const p = new ps.Process(1);
    expect(() => p.nice(1.5)).toThrow(TypeError);
    expect(() => p.nice(40)).toThrow(RangeError);
    expect(() => p.rlimit(99)).toThrow(RangeError);
    // psutil's ValueError for a value of the right type (RangeError here), TypeError for the wrong type.
    expect(() => p.rlimit(RLIMIT_NOFILE, [1] as unknown as [number, number])).toThrow(RangeError);
    expect(() => p.rlimit(RLIMIT_NOFILE, [5, 5, 5] as unknown as [number, number])).toThrow(RangeError);
    expect(() => p.rlimit(RLIMIT_NOFILE, 5 as unknown as [number, number])).toThrow(TypeError);
    expect(() => p.rlimit(RLIMIT_NOFILE, [-2, 5])).toThrow(RangeError);
    expect(() => p.rlimit(RLIMIT_NOFILE, [10, 5])).toThrow(RangeError);
    expect(() => p.cpuAffinity(['0'] as unknown as number[])).toThrow(TypeError);
    expect(() => p.cpuAffinity([-1])).toThrow(RangeError);
    expect(() => p.ionice(9)).toThrow(RangeError);
    expect(() => p.ionice(3, 2)).toThrow(RangeError);
    expect(() => p.ionice(3, 2)).toThrow("can't specify value with IOPRIO_CLASS_IDLE");
    expect(() => p.ionice(0, 1)).toThrow("can't specify value with IOPRIO_CLASS_NONE");
    expect(() => p.ionice(2, 8)).toThrow(RangeError);
    expect(() => p.ionice(undefined as unknown as number, 3)).toThrow("'ioclass' argument must be specified");
    expect(() => p.ionice(undefined as unknown as number, 3)).toThrow(RangeError);
    expect(() => p.sendSignal('SIGNOPE' as NodeJS.Signals)).toThrow(RangeError);
    expect(() => p.sendSignal(9.5)).toThrow(TypeError);
    expect(() => p.sendSignal(65)).toThrow(RangeError);
    expect(() => p.children({ recursive: 'yes' as unknown as boolean })).toThrow(TypeError);
    expect(() => p.netConnections({ kind: 'bogus' as 'tcp' })).toThrow(RangeError);
    expect(() => p.netConnections({ kind: 4 as unknown as 'tcp' })).toThrow(TypeError);
    expect(() => p.wait({ timeout: -1 })).toThrow(RangeError);
  });
});
