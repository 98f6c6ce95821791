/**
 * Linux cgroups backend: the mode (unified, hybrid, legacy), the mounted hierarchies, one cgroup's usage and limits
 * from each controller's own directory (v1: every controller can sit in its own hierarchy, at a different path; v2:
 * one tree), and the effective CPU and memory limits of a process (the tightest over its cgroup and every ancestor:
 * a leaf can be unlimited while the pod or kubepods cgroup limits; psutil #2100, Go #81180). Plain functions taking
 * the ProcFs first. A file a controller does not provide (not enabled in the parent's subtree_control, an older
 * kernel) is null, never an error; a file that reads but holds something else is a ParseError.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import type { ProcFs } from './procfs';
import { toOsError } from './procfs';
import { parseMountinfo } from './parse/mountinfo';
import { parseCgroup, type CgroupEntry } from './parse/cgroup';
import { parsePressure, type PressureRecord } from './parse/pressure';
import {
  parseBlkio,
  parseCpuMax,
  FlatKeys,
  parseFlatKeyed,
  parseFlatKeyedPick,
  parseIoStat,
  parseLimit,
  parseUint,
  parseUsageAll,
  type IoStatDevice,
} from './parse/cgroupfs';
import { OsError } from '../errors';
import type { CgroupDirReader } from './cgroupdir';
import { under, type CgroupHierarchy } from './cgroupwalk';

export type { CgroupHierarchy } from './cgroupwalk';
import { parseCpuList } from './parse/pidstatus';

export type CgroupMode = 'unified' | 'hybrid' | 'legacy';

/** statfs f_type values (linux/magic.h), the test containerd/cgroups Mode() makes. */
const CGROUP2_SUPER_MAGIC = 0x63677270;
const CGROUP_SUPER_MAGIC = 0x27e0eb;

function fsType(p: string): number | null {
  try {
    return nodeFs.statfsSync(p).type;
  } catch (err) {
    const e = toOsError(err, 'statfs', p);
    if (e.osCode === 'ENOENT' || e.osCode === 'ENOTDIR') return null;
    throw e;
  }
}

/**
 * unified: cgroup2 at /sys/fs/cgroup; hybrid: v1 hierarchies there with cgroup2 at /sys/fs/cgroup/unified; legacy: v1
 * only. null when nothing cgroup-like is mounted there (a kernel without cgroups, a container without /sys/fs/cgroup).
 */
export function mode(fs: ProcFs): CgroupMode | null {
  const root = fs.sys('fs/cgroup');
  const t = fsType(root);
  if (t === null) return null;
  if (t === CGROUP2_SUPER_MAGIC) return 'unified';
  if (fsType(path.join(root, 'unified')) === CGROUP2_SUPER_MAGIC) return 'hybrid';
  if (t === CGROUP_SUPER_MAGIC) return 'legacy';
  // The usual legacy layout: a tmpfs holding one cgroup mount per hierarchy.
  for (const name of fs.readdirOrEmpty(root)) {
    if (fsType(path.join(root, name)) === CGROUP_SUPER_MAGIC) return 'legacy';
  }
  return null;
}

/** The controllers the kernel knows (/proc/cgroups), to tell them from mount options such as nsdelegate. */
function knownControllers(fs: ProcFs): Set<string> {
  const text = fs.readTextOrNull(fs.proc('cgroups')) ?? '';
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    out.add(line.split('\t')[0]!);
  }
  return out;
}

/**
 * Where the hierarchies are listed. With the default procfs, this process's own table: what it can reach. With
 * another (a DaemonSet's /host/proc), init's: the host's mounts, reached through the host roots, since `self` there is
 * the agent, whose mount namespace (and private cgroup namespace) shows only its own container's cgroup. init's table
 * when it is absent or not ours to read falls back to our own, as disk.ts mountinfo does.
 */
function mountTable(fs: ProcFs): { text: string; path: string; host: boolean } {
  if (path.resolve(fs.procfs) !== '/proc') {
    const init = fs.initMountinfoOrNull();
    if (init !== null) return { ...init, host: true };
  }
  const self = fs.proc('self/mountinfo');
  return { text: fs.readText(self), path: self, host: false };
}

/**
 * A mount point as this instance reaches it: under /sys -> under the sysfs root; any other point of the host's table
 * (init's) -> under the rootfs root (a cgroup mounted outside /sys); of our own table -> as it is.
 */
function reachable(fs: ProcFs, mountPoint: string, host: boolean): string {
  if (mountPoint === '/sys' || mountPoint.startsWith('/sys/')) return fs.sys(mountPoint.slice(5));
  return host ? fs.root(mountPoint) : mountPoint;
}

/**
 * The kernel shows a cgroup mount's root relative to the reader's cgroup namespace (cgroup_show_path): read from a
 * private one (a pod's, `unshare -C`), the host's whole-hierarchy mount shows `/../../..`. Such a root, nothing but
 * `..`, is the hierarchy's root as mounted by init (a sub-tree bind-mounted from outside our namespace would be
 * `/../x`, left as it is): `/`, so paths stay the host's (`/kubepods/...`), as cAdvisor's ids are.
 */
function hostRoot(root: string): string {
  return /^(?:\/\.\.)+\/?$/.test(root) ? '/' : root;
}

/**
 * The mounted cgroup hierarchies, one per superblock (a bind mount of the same hierarchy is not listed twice), from
 * mountTable.
 */
export function hierarchies(fs: ProcFs): CgroupHierarchy[] {
  const table = mountTable(fs);
  const mounts = parseMountinfo(table.text, table.path);
  const known = knownControllers(fs);
  const seen = new Set<string>();
  const out: CgroupHierarchy[] = [];
  for (const m of mounts) {
    if (m.fstype !== 'cgroup' && m.fstype !== 'cgroup2') continue;
    const dev = `${m.major}:${m.minor}`;
    if (seen.has(dev)) continue;
    seen.add(dev);
    const version = m.fstype === 'cgroup2' ? 2 : 1;
    const controllers =
      version === 2 ? [] : m.superOptions.split(',').filter((o) => known.has(o) || o.startsWith('name='));
    out.push(
      Object.freeze({
        version,
        controllers: Object.freeze(controllers),
        mountPoint: reachable(fs, m.mountPoint, table.host),
        root: hostRoot(m.root),
      }),
    );
  }
  return out;
}

/** Where one cgroup's files are, per controller; null where that controller is not mounted. */
export interface CgroupDirs {
  readonly memory: { readonly dir: string; readonly version: 1 | 2 } | null;
  readonly cpu: { readonly dir: string; readonly version: 1 | 2 } | null;
  /** v1 cpuacct (usage); null on v2, where cpu.stat has the usage. */
  readonly cpuacct: string | null;
  readonly pids: { readonly dir: string; readonly version: 1 | 2 } | null;
  readonly io: { readonly dir: string; readonly version: 1 | 2 } | null;
  /** The cpuset controller's directory (v1: its own hierarchy; v2: the unified one). */
  readonly cpuset: { readonly dir: string; readonly version: 1 | 2 } | null;
  /** The cgroup's directory in the unified hierarchy (PSI, core cpu.stat); null without one. */
  readonly unified: string | null;
}

/**
 * The directories of a cgroup: `target` is a hierarchy path (the same path in every hierarchy) or a process's
 * /proc/<pid>/cgroup lines (each hierarchy's own path).
 */
export function dirsOf(hs: readonly CgroupHierarchy[], target: string | readonly CgroupEntry[]): CgroupDirs {
  const pathIn = (h: CgroupHierarchy): string | null => {
    if (typeof target === 'string') return under(h, target);
    const key = h.controllers.join(',');
    const e = target.find((x) => (h.version === 2 ? x.hierarchyId === 0 : x.controllers.join(',') === key));
    return e === undefined ? null : under(h, e.path);
  };
  const v2 = hs.find((h) => h.version === 2);
  const unified = v2 === undefined ? null : pathIn(v2);
  const pick = (ctl: string): { dir: string; version: 1 | 2 } | null => {
    const h1 = hs.find((h) => h.version === 1 && h.controllers.includes(ctl));
    if (h1 !== undefined) {
      const dir = pathIn(h1);
      return dir === null ? null : { dir, version: 1 };
    }
    return unified === null ? null : { dir: unified, version: 2 };
  };
  const acct = hs.find((h) => h.version === 1 && h.controllers.includes('cpuacct'));
  return {
    memory: pick('memory'),
    cpu: pick('cpu'),
    cpuacct: acct === undefined ? null : pathIn(acct),
    pids: pick('pids'),
    io: hs.some((h) => h.version === 1 && h.controllers.includes('blkio')) ? pick('blkio') : pick('io'),
    cpuset: pick('cpuset'),
    unified,
  };
}

/** A process's cgroup lines, for dirsOf. */
export function pidCgroup(fs: ProcFs, pid: number | 'self'): CgroupEntry[] {
  const p = fs.proc(`${pid}/cgroup`);
  return parseCgroup(fs.readText(p), p);
}

/** How stats() reads a cgroup's files: through ProcFs, or a CgroupDirReader's kept directories on a real cgroupfs. */
interface Io {
  exists(dir: string): boolean;
  read(dir: string, file: string): Buffer | string | null;
}

function fsIo(fs: ProcFs): Io {
  return {
    exists: (dir) => fs.exists(dir),
    read: (dir, file) => fs.readTextOrNull(path.join(dir, file)),
  };
}

/**
 * Per reader and ProcFs, its Io: made once, not per stats() call (hundreds of cgroups a pass). `kernel`: the reader's
 * own, for a cgroup whose every directory is on the kernel's filesystems (the question asked once per dirs object,
 * not at each of a dozen reads).
 */
const readerIos = new WeakMap<
  CgroupDirReader,
  { fs: ProcFs; io: Io; kernel: Io; allKernel: WeakMap<CgroupDirs, boolean>; isKernel: (dir: string) => boolean }
>();

/**
 * The reader's kept directories where a path is on the kernel's filesystems; ProcFs elsewhere (fixture trees). Which
 * a directory is, is remembered (a dozen reads of each directory a pass, the same directories pass after pass), for
 * at most 65,536 directories and as many before them.
 */
function readerIo(fs: ProcFs, reader: CgroupDirReader | null, dirs: CgroupDirs): Io {
  if (reader === null) return fsIo(fs);
  let known = readerIos.get(reader);
  if (known === undefined || known.fs !== fs) known = makeReaderIo(fs, reader);
  let all = known.allKernel.get(dirs);
  if (all === undefined) {
    const k = known.isKernel;
    const on = (x: { dir: string } | string | null) => x === null || k(typeof x === 'string' ? x : x.dir);
    // cpuset: not read by stats() with a reader.
    all = on(dirs.memory) && on(dirs.cpu) && on(dirs.cpuacct) && on(dirs.pids) && on(dirs.io) && on(dirs.unified);
    known.allKernel.set(dirs, all);
  }
  return all ? known.kernel : known.io;
}

function makeReaderIo(
  fs: ProcFs,
  reader: CgroupDirReader,
): { fs: ProcFs; io: Io; kernel: Io; allKernel: WeakMap<CgroupDirs, boolean>; isKernel: (dir: string) => boolean } {
  const plain = fsIo(fs);
  let kernel = new Map<string, boolean>();
  let before = new Map<string, boolean>();
  const isKernel = (dir: string): boolean => {
    let k = kernel.get(dir);
    if (k === undefined) {
      k = before.get(dir) ?? fs.isKernelPath(dir);
      kernel.set(dir, k);
      if (kernel.size > 65536) {
        // Bounded: the older half dropped at once when a host's cgroups churn past it.
        before = kernel;
        kernel = new Map();
      }
    }
    return k;
  };
  const io: Io = {
    exists: (dir) => (isKernel(dir) ? reader.exists(dir) : plain.exists(dir)),
    read: (dir, file) => (isKernel(dir) ? reader.read(dir, file) : plain.read(dir, file)),
  };
  const kernelIo: Io = {
    exists: (dir) => reader.exists(dir),
    read: (dir, file) => reader.read(dir, file),
  };
  const made = { fs, io, kernel: kernelIo, allKernel: new WeakMap<CgroupDirs, boolean>(), isKernel };
  readerIos.set(reader, made);
  return made;
}

function readText<T>(fs: ProcFs, dir: string, file: string, parse: (t: string, p: string) => T): T | null {
  const p = path.join(dir, file);
  const t = fs.readTextOrNull(p);
  return t === null ? null : parse(t, p);
}

function read<T>(io: Io, dir: string, file: string, parse: (t: Buffer | string, p: string) => T): T | null {
  const t = io.read(dir, file);
  return t === null ? null : parse(t, dir + '/' + file);
}

export interface CgroupCpuRaw {
  /** Total, user and system CPU time in seconds (v2 cpu.stat usage_usec; v1 cpuacct.usage*, in ns). */
  readonly usage: number | null;
  readonly user: number | null;
  readonly system: number | null;
  /** CFS bandwidth: periods elapsed while runnable, periods throttled, time throttled in seconds. */
  readonly periods: number | null;
  readonly throttledPeriods: number | null;
  readonly throttledTime: number | null;
  /** The quota and period in seconds; quota null when unlimited. */
  readonly quota: number | null;
  readonly period: number | null;
  /** v2 cpu.weight (1..10000); null on v1. */
  readonly weight: number | null;
  /** v1 cpu.shares; null on v2. */
  readonly shares: number | null;
}

export interface CgroupMemoryRaw {
  /** Bytes in use (v2 memory.current; v1 memory.usage_in_bytes, which the kernel fuzzes). */
  readonly current: number | null;
  /** The high-water mark (v2 memory.peak, 5.19+; v1 memory.max_usage_in_bytes). */
  readonly peak: number | null;
  /** Limits in bytes; null when unlimited or not provided. v1: max = limit_in_bytes, low = soft_limit_in_bytes. */
  readonly max: number | null;
  readonly high: number | null;
  readonly low: number | null;
  readonly min: number | null;
  /** Swap in use and its limit (v2 memory.swap.*; v1 memsw minus memory, when swap accounting is on). */
  readonly swapCurrent: number | null;
  readonly swapMax: number | null;
  /** v2 memory.events counts; on v1 only oomKill (memory.oom_control) is known. */
  readonly events: {
    readonly low: number | null;
    readonly high: number | null;
    readonly max: number | null;
    readonly oom: number | null;
    readonly oomKill: number | null;
  };
  /** v1 memory.failcnt (times usage hit the limit); null on v2, which has no equivalent (memory.events max is close). */
  readonly failcnt: number | null;
  /** memory.stat as the kernel prints it (v1: the hierarchical total_* keys under their plain names). */
  readonly stat: Readonly<Record<string, number>>;
  /** current − inactive_file, at least 0 (cAdvisor's and the kubelet's working set). */
  readonly workingSet: number | null;
}

export interface CgroupIoDevice {
  readonly major: number;
  readonly minor: number;
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly readOps: number;
  readonly writeOps: number;
}

export interface CgroupStatsRaw {
  readonly dirs: CgroupDirs;
  readonly cpu: CgroupCpuRaw | null;
  readonly memory: CgroupMemoryRaw | null;
  readonly io: readonly CgroupIoDevice[] | null;
  readonly pids: { readonly current: number | null; readonly max: number | null } | null;
  readonly pressure: {
    readonly cpu: PressureRecord | null;
    readonly memory: PressureRecord | null;
    readonly io: PressureRecord | null;
  } | null;
}

function cpuStats(io: Io, d: CgroupDirs, limits: boolean, throttling: boolean): CgroupCpuRaw | null {
  if (d.cpu === null && d.cpuacct === null && d.unified === null) return null;
  let usage: number | null = null;
  let user: number | null = null;
  let system: number | null = null;
  let periods: number | null = null;
  let throttledPeriods: number | null = null;
  let throttledTime: number | null = null;
  let quota: number | null = null;
  let period: number | null = null;
  let weight: number | null = null;
  let shares: number | null = null;
  // v2 cpu.stat holds the usage too: read once where the cpu controller's directory is the unified one.
  let v2stat: Record<string, number> | null = null;
  if (d.cpu !== null && d.cpu.version === 1) {
    const st = throttling ? read(io, d.cpu.dir, 'cpu.stat', parseFlatKeyed) : null;
    if (st !== null) {
      periods = st['nr_periods'] ?? null;
      throttledPeriods = st['nr_throttled'] ?? null;
      // v1 throttled_time is in nanoseconds (sched-bwc.rst).
      throttledTime = st['throttled_time'] === undefined ? null : st['throttled_time'] / 1e9;
    }
    // cfs_quota_us is -1 when unlimited (parseLimit's null).
    if (limits) {
      const q = read(io, d.cpu.dir, 'cpu.cfs_quota_us', parseLimit);
      const per = read(io, d.cpu.dir, 'cpu.cfs_period_us', parseUint);
      period = per === null ? null : per / 1e6;
      quota = q === null ? null : q / 1e6;
      shares = read(io, d.cpu.dir, 'cpu.shares', parseUint);
    }
  } else if (d.cpu !== null) {
    const st = read(io, d.cpu.dir, 'cpu.stat', parseFlatKeyed);
    if (d.cpu.dir === d.unified) v2stat = st;
    if (st !== null && throttling) {
      periods = st['nr_periods'] ?? null;
      throttledPeriods = st['nr_throttled'] ?? null;
      throttledTime = st['throttled_usec'] === undefined ? null : st['throttled_usec'] / 1e6;
    }
    const max = limits ? read(io, d.cpu.dir, 'cpu.max', parseCpuMax) : null;
    if (max !== null) {
      quota = max.quotaUs === null ? null : max.quotaUs / 1e6;
      period = max.periodUs / 1e6;
    }
    if (limits) weight = read(io, d.cpu.dir, 'cpu.weight', parseUint);
  }
  if (d.cpuacct !== null) {
    const ns = (f: string) => {
      const v = read(io, d.cpuacct!, f, parseUint);
      return v === null ? null : v / 1e9;
    };
    usage = ns('cpuacct.usage');
    // usage_all has both per CPU (the same sums as usage_user and usage_sys: one file instead of two). Not usage
    // itself: since 5.15 the kernel counts it from the scheduler's runtime, user and system from ticks.
    const all = read(io, d.cpuacct, 'cpuacct.usage_all', parseUsageAll);
    if (all !== null) {
      user = all.user / 1e9;
      system = all.system / 1e9;
    } else {
      user = ns('cpuacct.usage_user');
      system = ns('cpuacct.usage_sys');
    }
  }
  if (usage === null && d.unified !== null) {
    // cpu.stat's usage keys exist in every v2 cgroup, controller enabled or not (cgroup-v2.rst): a hybrid host's
    // unified tree gives the usage even where cpuacct is not mounted.
    const st = v2stat ?? read(io, d.unified, 'cpu.stat', parseFlatKeyed);
    if (st !== null) {
      const us = (k: string) => (st[k] === undefined ? null : st[k] / 1e6);
      usage = us('usage_usec');
      user = us('user_usec');
      system = us('system_usec');
    }
  }
  return Object.freeze({
    usage,
    user,
    system,
    periods,
    throttledPeriods,
    throttledTime,
    quota,
    period,
    weight,
    shares,
  });
}

/** The memory.stat keys to parse for CgroupParts.statKeys, by version (v1: each key and its total_ form too). */
/** memory.oom_control's one key read: oom_kill (the others, oom_kill_disable and under_oom, are checked only). */
const OOM_KILL = new FlatKeys(['oom_kill']);

interface StatPicker {
  readonly v1: FlatKeys;
  readonly v2: FlatKeys;
  /** `total_` and each of v2's names, in its order. */
  readonly totals: readonly string[];
  /** Whether no name asked for starts with `total_` itself (then memoryStats' loops, which strip that prefix). */
  readonly plain: boolean;
}

const statPickers = new WeakMap<readonly string[], StatPicker>();

function statPicker(keys: readonly string[]): StatPicker {
  let p = statPickers.get(keys);
  if (p === undefined) {
    // inactive_file for the working set, whatever the caller asked for.
    const v2 = [...new Set([...keys, 'inactive_file'])];
    const totals = v2.map((k) => 'total_' + k);
    const plain = v2.every((k) => !k.startsWith('total_'));
    p = { v1: new FlatKeys([...v2, ...totals]), v2: new FlatKeys(v2), totals, plain };
    statPickers.set(keys, p);
  }
  return p;
}

function memoryStats(
  io: Io,
  d: CgroupDirs,
  limits: boolean,
  statKeys: readonly string[] | undefined,
): CgroupMemoryRaw | null {
  const m = d.memory;
  if (m === null) return null;
  let stat: Record<string, number>;
  let picked: StatPicker | null = null;
  if (statKeys === undefined) stat = read(io, m.dir, 'memory.stat', parseFlatKeyed) ?? {};
  else {
    picked = statPicker(statKeys);
    const keys = m.version === 1 ? picked.v1 : picked.v2;
    stat = read(io, m.dir, 'memory.stat', (t, p) => parseFlatKeyedPick(t, keys, p)) ?? {};
  }
  const lim = <T>(file: string, parse: (t: Buffer | string, p: string) => T): T | null =>
    limits ? read(io, m.dir, file, parse) : null;
  if (m.version === 2) {
    const current = read(io, m.dir, 'memory.current', parseUint);
    const ev = read(io, m.dir, 'memory.events', parseFlatKeyed);
    const evk = (k: string) => (ev === null ? null : (ev[k] ?? null));
    const inactive = stat['inactive_file'];
    return Object.freeze({
      current,
      peak: read(io, m.dir, 'memory.peak', parseUint),
      max: lim('memory.max', parseLimit),
      high: lim('memory.high', parseLimit),
      low: lim('memory.low', parseUint),
      min: lim('memory.min', parseUint),
      swapCurrent: read(io, m.dir, 'memory.swap.current', parseUint),
      swapMax: lim('memory.swap.max', parseLimit),
      failcnt: null,
      events: Object.freeze({
        low: evk('low'),
        high: evk('high'),
        max: evk('max'),
        oom: evk('oom'),
        oomKill: evk('oom_kill'),
      }),
      stat: Object.freeze(stat),
      workingSet: current === null ? null : Math.max(0, current - (inactive ?? 0)),
    });
  }
  // v1: the total_* keys count the whole subtree (with use_hierarchy, the only mode since 5.x); prefer them.
  const flat: Record<string, number> = {};
  if (picked !== null && picked.plain) {
    // Only the picked keys can be there: each once, its total_ value where the file has one (as the loops below).
    const names = picked.v2.names;
    for (let i = 0; i < names.length; i++) {
      const v = stat[picked.totals[i]!] ?? stat[names[i]!];
      if (v !== undefined) flat[names[i]!] = v;
    }
  } else {
    for (const k in stat) if (!k.startsWith('total_')) flat[k] = stat[k]!;
    for (const k in stat) if (k.startsWith('total_')) flat[k.slice(6)] = stat[k]!;
  }
  const current = read(io, m.dir, 'memory.usage_in_bytes', parseUint);
  const memsw = read(io, m.dir, 'memory.memsw.usage_in_bytes', parseUint);
  const memswMax = lim('memory.memsw.limit_in_bytes', parseLimit);
  const max = lim('memory.limit_in_bytes', parseLimit);
  const oom = read(io, m.dir, 'memory.oom_control', (t, p) => parseFlatKeyedPick(t, OOM_KILL, p));
  return Object.freeze({
    current,
    peak: read(io, m.dir, 'memory.max_usage_in_bytes', parseUint),
    max,
    high: null,
    low: lim('memory.soft_limit_in_bytes', parseLimit),
    min: null,
    swapCurrent: memsw === null || current === null ? null : Math.max(0, memsw - current),
    swapMax: memswMax === null || max === null ? null : Math.max(0, memswMax - max),
    failcnt: read(io, m.dir, 'memory.failcnt', parseUint),
    events: Object.freeze({ low: null, high: null, max: null, oom: null, oomKill: oom?.['oom_kill'] ?? null }),
    stat: Object.freeze(flat),
    workingSet: current === null ? null : Math.max(0, current - (flat['inactive_file'] ?? 0)),
  });
}

function ioStats(io: Io, d: CgroupDirs, ops: boolean): CgroupIoDevice[] | null {
  const dev = d.io;
  if (dev === null) return null;
  if (dev.version === 2) {
    const st = read(io, dev.dir, 'io.stat', parseIoStat);
    return st === null
      ? null
      : st.map((x: IoStatDevice) =>
          Object.freeze({
            major: x.major,
            minor: x.minor,
            readBytes: x.rbytes,
            writeBytes: x.wbytes,
            readOps: x.rios,
            writeOps: x.wios,
          }),
        );
  }
  const bytes = read(io, dev.dir, 'blkio.throttle.io_service_bytes_recursive', parseBlkio);
  const serviced = ops ? read(io, dev.dir, 'blkio.throttle.io_serviced_recursive', parseBlkio) : null;
  if (bytes === null && serviced === null) return null;
  const out = new Map<
    string,
    { major: number; minor: number; readBytes: number; writeBytes: number; readOps: number; writeOps: number }
  >();
  const get = (major: number, minor: number) => {
    const k = `${major}:${minor}`;
    let e = out.get(k);
    if (e === undefined) out.set(k, (e = { major, minor, readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0 }));
    return e;
  };
  // Plain assignments, not Object.assign of a literal (a generic property copy in V8, a microsecond each).
  for (const b of bytes ?? []) {
    const e = get(b.major, b.minor);
    e.readBytes = b.read;
    e.writeBytes = b.write;
  }
  for (const o of serviced ?? []) {
    const e = get(o.major, o.minor);
    e.readOps = o.read;
    e.writeOps = o.write;
  }
  return [...out.values()].map((e) => Object.freeze(e));
}

/** A PSI file, null when absent or switched off (EOPNOTSUPP: psi=0, cgroup.pressure 0). */
function pressure(io: Io, dir: string, file: string): PressureRecord | null {
  try {
    return read(io, dir, file, parsePressure);
  } catch (err) {
    if (err instanceof OsError && err.osCode === 'EOPNOTSUPP') return null;
    throw err;
  }
}

/**
 * The dirs without those that do not exist: a path given by name need not be in every hierarchy. With a reader
 * (`cpuset` false) the cpuset directory, which stats() does not read, is left unchecked.
 */
function existing(io: Io, d: CgroupDirs, cpuset = true): CgroupDirs {
  const has = <T extends { dir: string } | string>(x: T | null): T | null =>
    x === null ? null : io.exists(typeof x === 'string' ? x : x.dir) ? x : null;
  return Object.freeze({
    memory: has(d.memory),
    cpu: has(d.cpu),
    cpuacct: has(d.cpuacct),
    pids: has(d.pids),
    io: has(d.io),
    cpuset: cpuset ? has(d.cpuset) : d.cpuset,
    unified: has(d.unified),
  });
}

/** Which parts stats() reads (all by default): a caller that exports only some reads only their files. */
export interface CgroupParts {
  readonly cpu?: boolean;
  readonly memory?: boolean;
  readonly io?: boolean;
  readonly pids?: boolean;
  readonly pressure?: boolean;
  /**
   * false: the limits and weights (quota, period, shares/weight, memory max/high/low/min/swap max, pids.max) are not
   * read and are null, for a caller that keeps them from an earlier read (they change far less often than usage).
   */
  readonly limits?: boolean;
  /**
   * false: the CFS counters (periods, throttled periods and time) are not read and are null, for a caller that
   * exports them only where a quota is set (cAdvisor) and knows there is none: on v1 cpu.stat is not read at all.
   */
  readonly throttling?: boolean;
  /**
   * Only these memory.stat keys (v1: their hierarchical total_ values where the file has them, as `stat` gives them),
   * and inactive_file for the working set: for a caller that exports a few of the 40 to 70. Default: every key.
   */
  readonly statKeys?: readonly string[];
  /**
   * false: on v1 the operation counts (blkio.throttle.io_serviced_recursive) are not read and are 0, for a caller that
   * exports only the bytes (cAdvisor's container_blkio_device_usage_total): one file fewer per cgroup. v2's io.stat has
   * both in one file, read whole either way.
   */
  readonly ioOps?: boolean;
}

const ALL_PARTS: CgroupParts = Object.freeze({ cpu: true, memory: true, io: true, pids: true, pressure: true });

export function stats(
  fs: ProcFs,
  dirs: CgroupDirs,
  parts: CgroupParts = ALL_PARTS,
  reader: CgroupDirReader | null = null,
): CgroupStatsRaw {
  const io = readerIo(fs, reader, dirs);
  const d = existing(io, dirs, reader === null);
  const pids =
    d.pids === null || parts.pids !== true
      ? null
      : Object.freeze({
          current: read(io, d.pids.dir, 'pids.current', parseUint),
          max: parts.limits === false ? null : read(io, d.pids.dir, 'pids.max', parseLimit),
        });
  const pr =
    d.unified === null || parts.pressure !== true
      ? null
      : Object.freeze({
          cpu: pressure(io, d.unified, 'cpu.pressure'),
          memory: pressure(io, d.unified, 'memory.pressure'),
          io: pressure(io, d.unified, 'io.pressure'),
        });
  const cpu = parts.cpu === true ? cpuStats(io, d, parts.limits !== false, parts.throttling !== false) : null;
  const memory = parts.memory === true ? memoryStats(io, d, parts.limits !== false, parts.statKeys) : null;
  const blk = parts.io === true ? ioStats(io, d, parts.ioOps !== false) : null;
  if (reader === null) return Object.freeze({ dirs: d, cpu, memory, io: blk, pids, pressure: pr });
  // A kept directory found removed during the reads: its parts null, as existing() makes them for an absent one.
  const gone = (x: { dir: string } | string | null) => x !== null && reader.gone(typeof x === 'string' ? x : x.dir);
  const cpuGone = [d.cpu, d.cpuacct, d.unified].every((x) => x === null || gone(x));
  return Object.freeze({
    dirs: d,
    cpu: cpuGone ? null : cpu,
    memory: gone(d.memory) ? null : memory,
    io: gone(d.io) ? null : blk,
    pids: gone(d.pids) ? null : pids,
    pressure: gone(d.unified) ? null : pr,
  });
}

/** The directory and its ancestors up to the mount point, leaf first. */
function ancestors(dir: string, mountPoint: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = path.posix.dirname(d)) {
    out.push(d);
    if (d === mountPoint || d === '/' || !d.startsWith(mountPoint)) break;
  }
  return out;
}

export interface EffectiveLimitsRaw {
  /** The tightest quota/period over the cgroup and its ancestors, in CPUs; null when none limits. */
  readonly cpuQuota: number | null;
  /** The tightest memory limit over the cgroup and its ancestors, in bytes; null when none limits. */
  readonly memory: number | null;
  /** The CPUs the cgroup may run on (cpuset), sorted; null where no cpuset file is found. */
  readonly cpuset: readonly number[] | null;
}

/**
 * The CPUs of a cgroup's cpuset. v2: cpuset.cpus.effective, which exists only where the cpuset controller is enabled;
 * elsewhere the nearest ancestor's applies (the kernel computes effective sets top down, so the nearest one is the
 * answer, no minimum to take). v1: every cgroup of the cpuset hierarchy has its own cpuset.cpus (a task cannot join
 * one without); cpuset.effective_cpus, where the kernel has it, also reflects hot-unplugged CPUs.
 */
function cpusetOf(
  fs: ProcFs,
  d: { readonly dir: string; readonly version: 1 | 2 },
  mountPoint: string,
): number[] | null {
  const files = d.version === 2 ? ['cpuset.cpus.effective'] : ['cpuset.effective_cpus', 'cpuset.cpus'];
  const dirs = d.version === 2 ? ancestors(d.dir, mountPoint) : [d.dir];
  for (const dir of dirs) {
    for (const f of files) {
      const cpus = readText(fs, dir, f, parseCpuList);
      // An empty effective set is a cpuset being configured (v1 before cpuset.cpus is written): no answer there.
      if (cpus !== null && cpus.length > 0) return cpus;
    }
  }
  return null;
}

/** The tightest CPU quota and memory limit over the cgroup and every ancestor up to its hierarchy's root. */
export function effectiveLimits(fs: ProcFs, hs: readonly CgroupHierarchy[], d: CgroupDirs): EffectiveLimitsRaw {
  const mountOf = (dir: string) =>
    hs.find((h) => dir === h.mountPoint || dir.startsWith(h.mountPoint + '/'))!.mountPoint;
  let cpuQuota: number | null = null;
  if (d.cpu !== null) {
    for (const dir of ancestors(d.cpu.dir, mountOf(d.cpu.dir))) {
      let q: number | null = null;
      if (d.cpu.version === 2) {
        const m = readText(fs, dir, 'cpu.max', parseCpuMax);
        if (m !== null && m.quotaUs !== null && m.periodUs > 0) q = m.quotaUs / m.periodUs;
      } else {
        const quota = readText(fs, dir, 'cpu.cfs_quota_us', parseLimit);
        const per = readText(fs, dir, 'cpu.cfs_period_us', parseUint);
        if (quota !== null && quota > 0 && per !== null && per > 0) q = quota / per;
      }
      if (q !== null && (cpuQuota === null || q < cpuQuota)) cpuQuota = q;
    }
  }
  let memory: number | null = null;
  if (d.memory !== null) {
    const file = d.memory.version === 2 ? 'memory.max' : 'memory.limit_in_bytes';
    for (const dir of ancestors(d.memory.dir, mountOf(d.memory.dir))) {
      const v = readText(fs, dir, file, parseLimit);
      if (v !== null && (memory === null || v < memory)) memory = v;
    }
  }
  const cpuset = d.cpuset === null ? null : cpusetOf(fs, d.cpuset, mountOf(d.cpuset.dir));
  return Object.freeze({ cpuQuota, memory, cpuset: cpuset === null ? null : Object.freeze(cpuset) });
}

export { walk } from './cgroupwalk';
