/**
 * Cgroups LIVE on this machine: the mode against coreutils' `stat -f`, and, where this process may create cgroups
 * (root on a v1 or hybrid host), cgroups made for the test under the v1 cpu, cpuacct, memory and pids hierarchies: a
 * busy shell loop under a CPU quota (read back: usage, throttling, the quota, the effective limits) and a python3
 * memory hog under a memory limit (read back: the OOM kill in memory.oom_control). The cgroups are removed after the
 * processes exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cgroupLimits, cgroupMode, cgroupStats, cgroups, createPsutil } from '../../src/index';
import { requireOr, IS_ROOT } from '../helpers/require';
import { cannotMkdirUnder } from '../helpers/cgroups';
import { CgroupDirReader } from '../../src/probes/linux/cgroupdir';
import { cgroupsCollector, type CgroupsData } from '../../src/exporters/collectors/cgroups';

const NAME = `psx-test-${process.pid}`;
const MiB = 1024 * 1024;

function mountOf(ctl: string): string | null {
  const h = cgroups().find((x) => x.version === 1 && x.controllers.includes(ctl));
  return h === undefined ? null : h.mountPoint;
}

/** Why this run cannot create v1 cgroups, or null when it can (tried: mkdir and rmdir of a scratch cgroup). */
function cannotCreate(): string | null {
  if (!IS_ROOT) return 'not root (creating cgroups needs it)';
  const mode = cgroupMode();
  if (mode !== 'hybrid' && mode !== 'legacy') return `cgroup mode is ${String(mode)}, these tests use v1 hierarchies`;
  for (const ctl of ['cpu', 'cpuacct', 'memory', 'pids']) {
    const m = mountOf(ctl);
    if (m === null) return `no v1 ${ctl} hierarchy mounted`;
    const why = cannotMkdirUnder(m, NAME);
    if (why !== null) return why;
  }
  return null;
}

const WHY = cannotCreate();
const live = requireOr(WHY === null, WHY ?? '');

test('cgroupMode agrees with the filesystem types stat -f reports', () => {
  const t = (p: string) => spawnSync('stat', ['-f', '-c', '%T', p], { encoding: 'utf8' }).stdout.trim();
  const root = t('/sys/fs/cgroup');
  const expected =
    root === 'cgroup2fs'
      ? 'unified'
      : fs.existsSync('/sys/fs/cgroup/unified') && t('/sys/fs/cgroup/unified') === 'cgroup2fs'
        ? 'hybrid'
        : 'legacy';
  expect(cgroupMode()).toBe(expected);
});

test('cgroups() lists the cgroup mounts of findmnt, once per hierarchy', () => {
  const r = spawnSync('findmnt', ['-rn', '-t', 'cgroup,cgroup2', '-o', 'TARGET'], { encoding: 'utf8' });
  const targets = new Set(r.stdout.split('\n').filter((l) => l !== ''));
  const ours = cgroups().map((h) => h.mountPoint);
  for (const m of ours) expect(targets.has(m)).toBe(true);
  expect(new Set(ours).size).toBe(ours.length);
});

live.describe('cgroups created for the test (v1)', () => {
  const made: string[] = [];
  const kids: ChildProcess[] = [];

  function mk(ctl: string, name: string): string {
    const dir = path.join(mountOf(ctl)!, name);
    fs.mkdirSync(dir);
    made.push(dir);
    return dir;
  }
  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => c.once('exit', () => r()));

  async function waitFor(what: string, ok: () => boolean): Promise<void> {
    // Bounded: 200 polls of 50 ms.
    for (let i = 0; i < 200; i++) {
      if (ok()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  afterAll(async () => {
    for (const k of kids) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
    await Promise.all(kids.map(exited));
    for (const d of made.reverse()) fs.rmdirSync(d);
  });

  test('a reader keeps the directory across passes; a cgroup removed and made again is read anew', async () => {
    const name = `${NAME}-remade`;
    const dir = path.join(mountOf('pids')!, name);
    const reader = createPsutil().cgroupReader();
    const pids = () => {
      reader.begin();
      return reader.statsMany([`/${name}`], { pids: true })[0]!.pids;
    };
    try {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'pids.max'), '7');
      expect(pids()).toEqual({ current: 0, max: 7 });
      // Same name, a new cgroup: the kept fd's directory is dead (ENOENT for its files), the path is opened again.
      fs.rmdirSync(dir);
      fs.mkdirSync(dir);
      const kid = spawn('sleep', ['30'], { stdio: 'ignore' });
      kids.push(kid);
      fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(kid.pid));
      expect(pids()).toEqual({ current: 1, max: null });
      fs.writeFileSync(path.join(mountOf('pids')!, 'cgroup.procs'), String(kid.pid));
      kid.kill('SIGKILL');
      await exited(kid);
      fs.rmdirSync(dir);
      expect(pids()).toBeNull();
    } finally {
      reader.close();
      if (fs.existsSync(dir)) fs.rmdirSync(dir);
    }
  });

  test("a reader's walk lists children through its kept directories, anew after a cgroup is removed and made again", () => {
    const name = `${NAME}-walk`;
    const root = path.join(mountOf('pids')!, name);
    const reader = createPsutil().cgroupReader();
    const mine = () => {
      reader.begin();
      return reader.paths().filter((p) => p === `/${name}` || p.startsWith(`/${name}/`));
    };
    try {
      fs.mkdirSync(root);
      expect(mine()).toEqual([`/${name}`]);
      fs.mkdirSync(path.join(root, 'a'));
      expect(mine()).toEqual([`/${name}`, `/${name}/a`]);
      // The kept fd of the removed directory fails ENOENT to getdents64: listed again by path.
      fs.rmdirSync(path.join(root, 'a'));
      fs.rmdirSync(root);
      fs.mkdirSync(root);
      fs.mkdirSync(path.join(root, 'b'));
      expect(mine()).toEqual([`/${name}`, `/${name}/b`]);
      fs.rmdirSync(path.join(root, 'b'));
      fs.rmdirSync(root);
      expect(mine()).toEqual([]);
    } finally {
      reader.close();
      for (const d of [path.join(root, 'a'), path.join(root, 'b'), root]) if (fs.existsSync(d)) fs.rmdirSync(d);
    }
  });

  test('a watched walk keeps a listing while nothing changes, and sees mkdir, rename and rmdir at the next pass', () => {
    const name = `${NAME}-watched`;
    const root = path.join(mountOf('pids')!, name);
    const dirs = new CgroupDirReader({ watch: true });
    const list = () => {
      dirs.begin();
      try {
        return dirs.subdirs(root);
      } finally {
        dirs.done();
      }
    };
    try {
      fs.mkdirSync(root);
      fs.mkdirSync(path.join(root, 'a'));
      const first = list();
      expect(first).toEqual(['a']);
      // No event since: the same listing, not listed again (one inotify read for the pass, no getdents64).
      expect(list()).toBe(first);
      fs.mkdirSync(path.join(root, 'b'));
      expect([...list()!].sort()).toEqual(['a', 'b']);
      fs.renameSync(path.join(root, 'a'), path.join(root, 'c'));
      expect([...list()!].sort()).toEqual(['b', 'c']);
      fs.rmdirSync(path.join(root, 'b'));
      expect(list()).toEqual(['c']);
      // A write to a file of the directory is no change of its children.
      const kept = list();
      fs.writeFileSync(path.join(root, 'pids.max'), '5');
      expect(list()).toBe(kept);
    } finally {
      dirs.close();
      for (const d of ['a', 'b', 'c'].map((x) => path.join(root, x)).concat(root))
        if (fs.existsSync(d)) fs.rmdirSync(d);
    }
  });

  test('a cgroup absent from one hierarchy is read there once it is made, and gone again once removed', () => {
    const name = `${NAME}-partial`;
    const pidsDir = path.join(mountOf('pids')!, name);
    const memDir = path.join(mountOf('memory')!, name);
    const reader = createPsutil().cgroupReader();
    // As the collector: the walk (which keeps the parents and their listings), then the stats.
    const pass = () => {
      reader.begin();
      expect(reader.paths()).toContain(`/${name}`);
      const [s] = reader.statsMany([`/${name}`], { pids: true, memory: true });
      return { pids: s!.pids !== null, memory: s!.memory !== null };
    };
    try {
      fs.mkdirSync(pidsDir);
      expect(pass()).toEqual({ pids: true, memory: false });
      // Known absent from the memory root's kept listing: no open by path, and still right.
      expect(pass()).toEqual({ pids: true, memory: false });
      fs.mkdirSync(memDir);
      expect(pass()).toEqual({ pids: true, memory: true });
      fs.rmdirSync(memDir);
      expect(pass()).toEqual({ pids: true, memory: false });
      expect(pass()).toEqual({ pids: true, memory: false });
    } finally {
      reader.close();
      for (const d of [pidsDir, memDir]) if (fs.existsSync(d)) fs.rmdirSync(d);
    }
  });

  test("a reader's limit generation changes with a write to a file of the cgroup, and the collector shows the new limit at the next pass", () => {
    const name = `${NAME}-limits`;
    const pidsDir = path.join(mountOf('pids')!, name);
    const memDir = path.join(mountOf('memory')!, name);
    // In each hierarchy the limits are read from: one missing leaves the generation unknown (the 30 s rule).
    const cpuDir = path.join(mountOf('cpu')!, name);
    const psutil = createPsutil();
    const reader = psutil.cgroupReader();
    const collect = cgroupsCollector.create(
      { psutil, roots: { procfs: '/proc', sysfs: '/sys', rootfs: '/' } },
      cgroupsCollector.options({ depth: 1, include: '', io: false, pressure: false, pods_log_dir: '' }),
    );
    const gen = () => {
      reader.begin();
      reader.statsMany([`/${name}`], { pids: true, memory: true, cpu: true });
      return reader.limitGenerations([`/${name}`])[0];
    };
    const row = () =>
      (collect({ deadline: Date.now() + 10_000 }) as CgroupsData).rows.find((r) => r.labels.id === `/${name}`)!;
    try {
      for (const d of [pidsDir, memDir, cpuDir]) fs.mkdirSync(d);
      fs.writeFileSync(path.join(pidsDir, 'pids.max'), '7');
      fs.writeFileSync(path.join(memDir, 'memory.limit_in_bytes'), String(64 * MiB));
      const g0 = gen();
      expect(typeof g0).toBe('number');
      expect(gen()).toBe(g0);
      expect(row().stats.pids!.max).toBe(7);
      expect(row().stats.memory!.max).toBe(64 * MiB);
      fs.writeFileSync(path.join(pidsDir, 'pids.max'), '9');
      const g1 = gen();
      expect(g1).not.toBe(g0);
      expect(gen()).toBe(g1);
      // Within the 30 s the limits were kept for before: read again because the file was written.
      expect(row().stats.pids!.max).toBe(9);
      fs.writeFileSync(path.join(memDir, 'memory.limit_in_bytes'), String(32 * MiB));
      expect(gen()).not.toBe(g1);
      expect(row().stats.memory!.max).toBe(32 * MiB);
      expect(row().stats.pids!.max).toBe(9);
    } finally {
      reader.close();
      for (const d of [pidsDir, memDir, cpuDir]) if (fs.existsSync(d)) fs.rmdirSync(d);
    }
  });

  test('a busy loop under a CPU quota: usage, throttling, limits', async () => {
    const cpu = mk('cpu', NAME);
    const acct = mk('cpuacct', NAME);
    const mem = mk('memory', NAME);
    const pids = mk('pids', NAME);
    fs.writeFileSync(path.join(cpu, 'cpu.cfs_period_us'), '100000');
    fs.writeFileSync(path.join(cpu, 'cpu.cfs_quota_us'), '20000');
    fs.writeFileSync(path.join(mem, 'memory.limit_in_bytes'), String(64 * MiB));
    fs.writeFileSync(path.join(pids, 'pids.max'), '5');
    const busy = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
    kids.push(busy);
    const pid = busy.pid!;
    for (const d of [cpu, acct, mem, pids]) fs.writeFileSync(path.join(d, 'cgroup.procs'), String(pid));
    // throttled_time grows when a throttled period ends (unthrottle), so it can lag nr_throttled: wait for both.
    await waitFor('a throttled period and its time', () => {
      const c = cgroupStats(pid).cpu;
      return (c?.throttledPeriods ?? 0) > 0 && (c?.throttledTime ?? 0) > 0;
    });

    const s = cgroupStats(pid);
    expect(s.dirs.cpu).toEqual({ dir: cpu, version: 1 });
    expect(s.dirs.cpuacct).toBe(acct);
    expect(s.cpu!.quota).toBeCloseTo(0.02, 9);
    expect(s.cpu!.period).toBeCloseTo(0.1, 9);
    expect(s.cpu!.periods!).toBeGreaterThanOrEqual(s.cpu!.throttledPeriods!);
    expect(s.cpu!.throttledTime!).toBeGreaterThan(0);
    expect(s.cpu!.usage!).toBeGreaterThan(0);
    expect(s.memory!.max).toBe(64 * MiB);
    // v1 does not move charges with a task (move_charge_at_immigrate 0) and the loop allocates nothing: maybe 0.
    expect(typeof s.memory!.current).toBe('number');
    expect(s.pids).toEqual({ current: 1, max: 5 });
    // The cgroup's own usage as the kernel counts it for the one task in it (cpuacct.usage, ns).
    const acctNs = Number(fs.readFileSync(path.join(acct, 'cpuacct.usage'), 'utf8'));
    expect(cgroupStats(pid).cpu!.usage!).toBeGreaterThanOrEqual(s.cpu!.usage!);
    expect(acctNs / 1e9).toBeGreaterThanOrEqual(s.cpu!.usage!);

    const lim = cgroupLimits(pid);
    expect(lim.cpuQuota).toBeCloseTo(0.2, 9);
    expect(lim.cpuCount).toBeCloseTo(0.2, 9);
    expect(lim.memory).toBe(64 * MiB);

    busy.kill('SIGKILL');
    await exited(busy);
  }, 30_000);

  test('a memory hog over its limit is OOM-killed and counted', async () => {
    const mem = mk('memory', `${NAME}-oom`);
    fs.writeFileSync(path.join(mem, 'memory.limit_in_bytes'), String(32 * MiB));
    // With swap accounting, memsw must be limited too or the hog swaps instead of dying.
    const memsw = path.join(mem, 'memory.memsw.limit_in_bytes');
    if (fs.existsSync(memsw)) fs.writeFileSync(memsw, String(32 * MiB));
    // Waits for a line on stdin (sent once it is in the cgroup), then touches 256 MiB.
    const hog = spawn('/usr/bin/python3', ['-c', "import sys\nsys.stdin.readline()\nb = b'x' * (256 << 20)\n"], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    kids.push(hog);
    fs.writeFileSync(path.join(mem, 'cgroup.procs'), String(hog.pid!));
    hog.stdin.end('go\n');
    await exited(hog);
    expect(hog.signalCode).toBe('SIGKILL');

    const s = cgroupStats(`/${NAME}-oom`);
    expect(s.dirs.memory).toEqual({ dir: mem, version: 1 });
    expect(s.memory!.events.oomKill).toBe(1);
    expect(s.memory!.max).toBe(32 * MiB);
    expect(s.memory!.peak!).toBeGreaterThan(0);
    expect(s.memory!.peak!).toBeLessThanOrEqual(32 * MiB);
    // The other hierarchies have no such cgroup: nothing to read, no error.
    expect(s.pids).toBeNull();
  }, 30_000);
});

/** Why this run cannot make a v1 cpuset cgroup, or null when it can. */
function cannotCpuset(): string | null {
  if (!IS_ROOT) return 'not root (creating cgroups needs it)';
  const m = mountOf('cpuset');
  if (m === null) return 'no v1 cpuset hierarchy mounted (a unified host: the cpuset case is on the fixture tree)';
  return cannotMkdirUnder(m, NAME);
}

const WHY_CPUSET = cannotCpuset();
const liveCpuset = requireOr(WHY_CPUSET === null, WHY_CPUSET ?? '');

liveCpuset.describe('a cpuset cgroup created for the test (v1)', () => {
  let dir: string | null = null;
  const kids: ChildProcess[] = [];
  afterAll(async () => {
    for (const k of kids) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
    for (const c of kids) {
      if (c.exitCode === null && c.signalCode === null) await new Promise<void>((r) => c.once('exit', () => r()));
    }
    if (dir !== null) fs.rmdirSync(dir);
  });

  /** The child's stdout line by line (one reader: two lines can come in one chunk), each within 40 s. */
  function lines(c: ChildProcess): () => Promise<string> {
    let buf = '';
    let err = '';
    let wake: (() => void) | null = null;
    c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    c.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      wake?.();
    });
    return async () => {
      const deadline = Date.now() + 40_000;
      while (!buf.includes('\n')) {
        if (Date.now() > deadline)
          throw new Error(`no line from the child within 40 s (got ${JSON.stringify(buf)}, stderr ${err})`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 500);
        });
        wake = null;
      }
      const i = buf.indexOf('\n');
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      return l;
    };
  }

  test('a process pinned to CPU 0 by its cpuset: cgroupLimits().cpuCount 1, as nproc and cpuCount({ cgroup: true }) inside it', async () => {
    const root = mountOf('cpuset')!;
    dir = path.join(root, `${NAME}-cpuset`);
    fs.mkdirSync(dir);
    // A v1 cpuset takes no task before both its cpus and mems are set; mems as the root's (NUMA node list).
    fs.writeFileSync(path.join(dir, 'cpuset.cpus'), '0');
    fs.writeFileSync(path.join(dir, 'cpuset.mems'), fs.readFileSync(path.join(root, 'cpuset.mems'), 'utf8').trim());
    // The child waits until it is in the cgroup, then asks nproc (sched_getaffinity) and the library (built: dist/).
    const lib = path.resolve(__dirname, '..', '..', 'dist', 'index.js');
    const js = `const p = require(${JSON.stringify(lib)}); process.stdout.write(String(p.cpuCount({ cgroup: true })) + ' ' + String(p.cpuCount()) + '\\n');`;
    // node and the script as sh's $0 and $1: no quoting of the script into the command line.
    const child = spawn('sh', ['-c', 'read go; nproc; "$0" -e "$1"; read done', process.execPath, js], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    kids.push(child);
    const line = lines(child);
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(child.pid!));

    const lim = cgroupLimits(child.pid);
    expect(lim.cpuset).toEqual([0]);
    expect(lim.cpuCount).toBe(1);
    // The same cgroup by its path, as the process groups read it.
    expect(cgroupLimits(`/${NAME}-cpuset`).cpuset).toEqual([0]);

    child.stdin.write('go\n');
    const nproc = await line();
    expect(nproc).toBe('1');
    const [bounded, plain] = (await line()).split(' ');
    expect(bounded).toBe('1');
    // Outside the cgroup's bound: the logical CPUs of the host, as getconf _NPROCESSORS_ONLN counts them.
    expect(plain).toBe(spawnSync('getconf', ['_NPROCESSORS_ONLN'], { encoding: 'utf8' }).stdout.trim());
    child.stdin.end('done\n');
    await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
  }, 120_000);
});
