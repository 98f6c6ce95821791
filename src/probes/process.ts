/**
 * The process facade (psutil 7.x's Process, Popen, pids, pid_exists, process_iter, wait_procs): argument checks,
 * identity (pid + start ticks) and the PID-reuse guards, the oneshot cache, cpuPercent state, the persistent
 * processIter table, and frozen result objects in psutil's field order. Reading is in linux/process.ts.
 *
 * `Process` (exported from src/index.ts) reads the default roots; `createPsutil({ procfs }).Process` is a subclass
 * bound to other roots, so `instanceof Process` holds for both. Getters are synchronous; only
 * `cpuPercent({ interval > 0 })`, `wait()` and `waitProcs()` return Promises.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { inspect } from 'node:util';
import { createContext, type Context } from './context';
import { rootsFromEnv } from './linux/procfs';
import type { ProcFs } from './linux/procfs';
import type { PidStat } from './linux/parse/pidstat';
import type { LinuxProcess } from './linux/process';
import type { ConnKind, InetAddr } from './linux/net';
import {
  AccessDenied, NoSuchProcess, OsError, TimeoutExpired, UnsupportedOperation, ZombieProcess,
} from './errors';
import {
  IOPRIO_CLASS_IDLE, IOPRIO_CLASS_NONE, RLIMIT_CPU, RLIMIT_RTTIME, STATUS_DEAD, STATUS_DISK_SLEEP, STATUS_IDLE,
  STATUS_PARKED, STATUS_RUNNING, STATUS_SLEEPING, STATUS_STOPPED, STATUS_TRACING_STOP, STATUS_WAKE_KILL,
  STATUS_WAKING, STATUS_ZOMBIE, type ConnectionStatus, type ProcessStatus,
} from './constants';

// ---- result types (psutil's namedtuples, field order kept) ------------------------------------------------------

/** psutil puids / pgids. */
export interface ProcessIds {
  readonly real: number;
  readonly effective: number;
  readonly saved: number;
}

/** psutil pcputimes, seconds. iowait is the delay-accounting block I/O wait (stat field 42). */
export interface ProcessCpuTimes {
  readonly user: number;
  readonly system: number;
  readonly childrenUser: number;
  readonly childrenSystem: number;
  readonly iowait: number;
}

/** psutil 7.x pmem, bytes (lib and dirty are always 0 on Linux 2.6+). */
export interface ProcessMemoryInfo {
  readonly rss: number;
  readonly vms: number;
  readonly shared: number;
  readonly text: number;
  readonly lib: number;
  readonly data: number;
  readonly dirty: number;
}

/**
 * memoryInfoEx(): psutil 8.0's pmem_ex extras from /proc/<pid>/status after psutil 7.x's pmem fields (so lib and
 * dirty stay, as in memoryInfo()): peakRss (VmHWM), peakVms (VmPeak), rssAnon, rssFile, rssShmem, swap (VmSwap),
 * hugetlb (HugetlbPages). Bytes; 0 where the kernel prints no line (kernel threads).
 */
export interface ProcessMemoryInfoEx extends ProcessMemoryInfo {
  readonly peakRss: number;
  readonly peakVms: number;
  readonly rssAnon: number;
  readonly rssFile: number;
  readonly rssShmem: number;
  readonly swap: number;
  readonly hugetlb: number;
}

/** psutil pfullmem: pmem plus uss, pss and swap from smaps_rollup (smaps when the rollup is refused). */
export interface ProcessMemoryFullInfo extends ProcessMemoryInfo {
  readonly uss: number;
  readonly pss: number;
  readonly swap: number;
}

/** psutil pmmap_grouped. */
export interface ProcessMemoryMap {
  readonly path: string;
  readonly rss: number;
  readonly size: number;
  readonly pss: number;
  readonly sharedClean: number;
  readonly sharedDirty: number;
  readonly privateClean: number;
  readonly privateDirty: number;
  readonly referenced: number;
  readonly anonymous: number;
  readonly swap: number;
}

/** psutil pmmap_ext (memoryMaps({ grouped: false })): addr and perms come first in the objects, as in psutil. */
export interface ProcessMemoryMapExt extends ProcessMemoryMap {
  readonly addr: string;
  readonly perms: string;
}

/** psutil pio. */
export interface ProcessIoCounters {
  readonly readCount: number;
  readonly writeCount: number;
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly readChars: number;
  readonly writeChars: number;
}

/** psutil pctxsw. */
export interface ProcessCtxSwitches {
  readonly voluntary: number;
  readonly involuntary: number;
}

/** psutil pthread, seconds. */
export interface ProcessThread {
  readonly id: number;
  readonly userTime: number;
  readonly systemTime: number;
}

/** psutil pionice. */
export interface ProcessIonice {
  readonly ioclass: number;
  readonly value: number;
}

/** psutil 8.0 ppagefaults. */
export interface ProcessPageFaults {
  readonly minor: number;
  readonly major: number;
}

/** psutil popenfile. mode is 'r', 'w', 'a', 'r+' or 'a+'; flags are the open(2) flags. */
export interface ProcessOpenFile {
  readonly path: string;
  readonly fd: number;
  readonly position: number;
  readonly mode: string;
  readonly flags: number;
}

// ---- extensions (not psutil's; documented in README "Processes" and docs/process-groups.md) -------------------

/**
 * sendSignalEx(): how the signal was delivered. 'pidfd': pidfd_send_signal(2) on a pidfd opened before the identity
 * check (no PID-reuse window); 'kill': kill(2) right after the check (a window between the two calls).
 */
export interface SignalSent {
  readonly via: 'pidfd' | 'kill';
}

/** memoryFootprint(): psutil 8.0's pfootprint (uss, pss, swap), plus swapPss (ours), bytes from smaps_rollup. */
export interface ProcessMemoryFootprint {
  readonly uss: number;
  readonly pss: number;
  readonly swap: number;
  /** `SwapPss:`: swapped-out pages shared with other processes counted proportionally (0 before Linux 4.3). */
  readonly swapPss: number;
}

/**
 * memoryUsage() (ours): rss and vms as memoryInfo() gives them and swap as memoryInfoEx() gives it, all three from
 * /proc/<pid>/status (VmRSS, VmSize, VmSwap). Bytes; 0 for a kernel thread or a zombie.
 */
export interface ProcessMemoryUsage {
  readonly rss: number;
  readonly vms: number;
  readonly swap: number;
}

/** One line of /proc/<pid>/cgroup (cgroups(), ours). */
export interface ProcessCgroup {
  /** 0 for the cgroup v2 unified hierarchy. */
  readonly hierarchyId: number;
  /** v1 controllers ('memory', 'name=systemd'); [] for v2. */
  readonly controllers: readonly string[];
  /** The cgroup path, as the kernel prints it ('/system.slice/ssh.service'). */
  readonly path: string;
}

/** One thread (threadsInfo(), ours): what psutil's pthread gives and what process-exporter's -threads reads. */
export interface ProcessThreadInfo {
  readonly id: number;
  /** The thread's comm (pthread_setname_np), at most 15 bytes. */
  readonly name: string;
  readonly status: ProcessStatus;
  /** Epoch seconds; with id, the thread's identity. */
  readonly createTime: number;
  readonly userTime: number;
  readonly systemTime: number;
  readonly minorFaults: number;
  readonly majorFaults: number;
  readonly voluntaryCtxSwitches: number;
  readonly involuntaryCtxSwitches: number;
  /** task/<tid>/io read_bytes / write_bytes; null when not asked or not readable (another user's process). */
  readonly readBytes: number | null;
  readonly writeBytes: number | null;
  /** The kernel function the thread waits in; null when not asked, running, or hidden (see wchan()). */
  readonly wchan: string | null;
}

/** psutil pconn (no pid: it is this process). */
export interface ProcessConnection {
  readonly fd: number;
  readonly family: number;
  readonly type: number;
  readonly laddr: InetAddr | string | null;
  readonly raddr: InetAddr | string | null;
  readonly status: ConnectionStatus;
}

/** What each asDict / processIter attribute holds. */
export interface ProcessAttrTypes {
  cmdline: string[];
  cpuAffinity: readonly number[];
  cpuNum: number;
  cpuPercent: number;
  cpuTimes: ProcessCpuTimes;
  createTime: number;
  cwd: string;
  environ: Readonly<Record<string, string>>;
  exe: string;
  gids: ProcessIds;
  ioCounters: ProcessIoCounters;
  ionice: ProcessIonice;
  memoryFullInfo: ProcessMemoryFullInfo;
  memoryInfo: ProcessMemoryInfo;
  memoryInfoEx: ProcessMemoryInfoEx;
  memoryMaps: readonly ProcessMemoryMap[];
  memoryPercent: number;
  name: string;
  netConnections: readonly ProcessConnection[];
  nice: number;
  numCtxSwitches: ProcessCtxSwitches;
  numFds: number;
  numThreads: number;
  openFiles: readonly ProcessOpenFile[];
  pageFaults: ProcessPageFaults;
  pid: number;
  ppid: number;
  status: ProcessStatus;
  terminal: string | null;
  threads: readonly ProcessThread[];
  uids: ProcessIds;
  username: string;
  // Extensions: accepted by asDict/processIter when named, never part of the default (all) set.
  cgroups: readonly ProcessCgroup[];
  memoryFootprint: ProcessMemoryFootprint;
  memoryUsage: ProcessMemoryUsage;
  threadsInfo: readonly ProcessThreadInfo[];
  wchan: string | null;
}

export type ProcessAttr = keyof ProcessAttrTypes;

/** A dict from asDict(): the attributes asked for, each its value or adValue (AccessDenied, ZombieProcess). */
export type ProcessInfo<K extends ProcessAttr = ProcessAttr, V = null> = { readonly [P in K]: ProcessAttrTypes[P] | V };

/** The attribute names asDict() and processIter() accept (psutil's as_dict names, camelCased). */
export const PROCESS_ATTRS: readonly ProcessAttr[] = Object.freeze([
  'cmdline', 'cpuAffinity', 'cpuNum', 'cpuPercent', 'cpuTimes', 'createTime', 'cwd', 'environ', 'exe', 'gids',
  'ioCounters', 'ionice', 'memoryFullInfo', 'memoryInfo', 'memoryInfoEx', 'memoryMaps', 'memoryPercent', 'name',
  'netConnections', 'nice', 'numCtxSwitches', 'numFds', 'numThreads', 'openFiles', 'pageFaults', 'pid', 'ppid',
  'status', 'terminal', 'threads', 'uids', 'username',
] as const);

/** Our extension attributes: asDict() and processIter() read them only when asked for by name. */
export const PROCESS_EXTENSION_ATTRS: readonly ProcessAttr[] = Object.freeze([
  'cgroups', 'memoryFootprint', 'memoryUsage', 'threadsInfo', 'wchan',
] as const);

const ATTR_SET: ReadonlySet<string> = new Set([...PROCESS_ATTRS, ...PROCESS_EXTENSION_ATTRS]);

export type MemoryType = keyof ProcessMemoryFullInfo;
const PMEM_FIELDS: readonly string[] = ['rss', 'vms', 'shared', 'text', 'lib', 'data', 'dirty'];
const PFULLMEM_FIELDS: readonly string[] = [...PMEM_FIELDS, 'uss', 'pss', 'swap'];

export interface CpuPercentOptions {
  /** Seconds to wait between the two samples; absent, null or 0: compare with the previous call (0.0 the first time). */
  interval?: number | null | undefined;
}
export interface MemoryPercentOptions {
  /** A memoryInfo / memoryFullInfo field (default 'rss'). */
  memtype?: MemoryType | undefined;
}
export interface MemoryMapsOptions {
  /** Sum the mappings of each path (default true). */
  grouped?: boolean | undefined;
}
export interface CmdlineOptions {
  /**
   * Split at NUL only, as the kernel stores the arguments (trailing NULs dropped), without psutil's rule that splits
   * a setproctitle() line ('nginx: master process /usr/sbin/nginx') at spaces. Default false (psutil's split).
   */
  raw?: boolean | undefined;
}
export interface UsernameOptions {
  /** The effective user instead of the real one (they differ for setuid programs). Default false (psutil). */
  effective?: boolean | undefined;
}
export interface ThreadsInfoOptions {
  /** Read task/<tid>/io for readBytes/writeBytes (default true; false: null, one read fewer per thread). */
  io?: boolean | undefined;
  /** Read task/<tid>/wchan (default true; false: null, one read fewer per thread). */
  wchan?: boolean | undefined;
}
export interface ProcessConnectionsOptions {
  /** 'inet' (default), 'inet4', 'inet6', 'tcp', 'tcp4', 'tcp6', 'udp', 'udp4', 'udp6', 'unix' or 'all'. */
  kind?: ConnKind | undefined;
}
export interface ChildrenOptions {
  /** All descendants, not only the direct children (default false). */
  recursive?: boolean | undefined;
}
export interface WaitOptions {
  /** Seconds; absent or null: wait for as long as it takes. TimeoutExpired when it runs out. */
  timeout?: number | null | undefined;
}
export interface AsDictOptions<K extends ProcessAttr, V> {
  /** Which attributes (default: all of PROCESS_ATTRS). */
  attrs?: readonly K[] | null | undefined;
  /** The value for attributes that raise AccessDenied or ZombieProcess (default null). */
  adValue?: V | undefined;
}
export interface ProcessIterOptions<K extends ProcessAttr, V> {
  /** When given, each yielded process gets `info = asDict({ attrs, adValue })` (an empty list means all). */
  attrs?: readonly K[] | null | undefined;
  adValue?: V | undefined;
}
export interface WaitProcsOptions {
  /** Seconds; absent or null: until every process is gone. */
  timeout?: number | null | undefined;
  /** Called with each process as it goes, after its `returncode` is set. */
  callback?: ((proc: Process) => void) | null | undefined;
}

/** A process yielded by processIter({ attrs }): `info` holds the attributes asked for. */
export type IterProcess<K extends ProcessAttr = ProcessAttr, V = null> = Process & { readonly info: ProcessInfo<K, V> };

export interface ProcessIterFn {
  <K extends ProcessAttr = ProcessAttr, V = null>(opts: ProcessIterOptions<K, V> & { attrs: readonly K[] }): Generator<IterProcess<K, V>, void, undefined>;
  (opts?: ProcessIterOptions<ProcessAttr, unknown>): Generator<Process, void, undefined>;
  /** Forgets the Process objects kept between calls (psutil's process_iter.cache_clear()). */
  cacheClear(): void;
}

// ---- helpers -----------------------------------------------------------------------------------------------------

const PROC_STATUSES: Readonly<Record<string, ProcessStatus>> = {
  R: STATUS_RUNNING, S: STATUS_SLEEPING, D: STATUS_DISK_SLEEP, T: STATUS_STOPPED, t: STATUS_TRACING_STOP,
  Z: STATUS_ZOMBIE, X: STATUS_DEAD, x: STATUS_DEAD, K: STATUS_WAKE_KILL, W: STATUS_WAKING, I: STATUS_IDLE,
  P: STATUS_PARKED,
};

/** TASK_COMM_LEN - 1: a comm this long may have been cut. */
const COMM_MAX = 15;

function options<T extends object>(fn: string, opts: unknown, known: readonly string[]): Partial<T> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new TypeError(`${fn}: options must be an object, got ${Array.isArray(opts) ? 'an array' : typeof opts}`);
  }
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw new TypeError(`${fn}: unknown option '${k}' (known: ${known.join(', ')})`);
  }
  return opts;
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

function integerArg(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${fn}: ${name} must be an integer, got ${describeValue(v)}`);
  return v;
}

/** Seconds >= 0, or null for "no limit". */
function secondsArg(fn: string, name: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${fn}: ${name} must be a number of seconds, got ${describeValue(v)}`);
  if (v < 0) throw new RangeError(`${fn}: ${name} must be >= 0, got ${v}`);
  return v;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function nowSeconds(): number {
  return performance.now() / 1000;
}

/** Signal numbers by name (SIGTERM -> 15), from Node's table. */
const SIGNALS = osConstants.signals as Readonly<Record<string, number>>;
const SIGNAL_MAX = 64;

function signalArg(fn: string, sig: unknown): number {
  if (typeof sig === 'string') {
    const n = Object.prototype.hasOwnProperty.call(SIGNALS, sig) ? SIGNALS[sig] : undefined;
    if (n === undefined) throw new RangeError(`${fn}: unknown signal name ${JSON.stringify(sig)}`);
    return n;
  }
  if (typeof sig !== 'number' || !Number.isInteger(sig)) throw new TypeError(`${fn}: sig must be a signal number or name, got ${describeValue(sig)}`);
  if (sig < 0 || sig > SIGNAL_MAX) throw new RangeError(`${fn}: sig must be in 0..${SIGNAL_MAX}, got ${sig}`);
  return sig;
}

/** Node reports a signal death by name; psutil's returncode is then -signum. */
function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return signal !== null ? -(SIGNALS[signal] ?? 0) : 0;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/**
 * The comm is cut at 15 bytes, possibly inside a UTF-8 character (its decoding then ends in U+FFFD): cmdline[0]'s
 * basename extends it when its first bytes are the comm's (psutil's rule, on bytes rather than on decoded text,
 * which psutil gets wrong for such names).
 */
function extendsComm(ext: string, comm: string, commBytes: number): boolean {
  if (ext.startsWith(comm)) return true;
  if (!comm.includes('\uFFFD')) return false;
  const b = Buffer.from(ext, 'utf8');
  return b.length > commBytes && b.toString('utf8', 0, commBytes) === comm;
}

function freezeArray<T>(a: T[]): readonly T[] {
  return Object.freeze(a);
}

/** wchan's text, or null for the kernel's '0' (not waiting, or hidden) and for a file not read. */
function wchanName(text: string | null): string | null {
  return text === null || text === '' || text === '0' ? null : text;
}

// ---- per-context state ------------------------------------------------------------------------------------------

const ENV: unique symbol = Symbol('psutil.process.env');

interface InitData {
  /** A handle already in a oneshot block (processIter), to share its reads. */
  handle?: LinuxProcess;
  /** stat already read (processIter, children): identity without another read. */
  stat?: PidStat;
  /** Popen: a child that already exited is not an error. */
  ignoreNsp?: boolean;
}

/** Handed from a factory to the constructor it calls next (synchronously), so the public signature stays (pid). */
let pendingInit: InitData | null = null;

const BOOT_TIME_TTL_MS = 60_000;
const UID_MISS_TTL_MS = 60_000;
const TTY_REFRESH_MS = 1_000;

/** Everything one context's Process classes share: roots, caches, the processIter table. */
class ProcessEnv {
  readonly ctx: Context;
  readonly fs: ProcFs;
  Process!: typeof Process;
  Popen!: typeof Popen;
  /** processIter's pid -> Process table, kept between calls. */
  pmap = new Map<number, Process>();
  /** PIDs isRunning() found reused: processIter replaces their objects on its next call. */
  readonly reused = new Set<number>();
  lowestPid: number | null = null;
  private nativeFlag: boolean | null = null;
  private readonly users = new Map<number, { name: string; until: number }>();
  private ttys: Map<number, string> | null = null;
  private ttysAt = 0;
  private boot: { value: number; at: number } | null = null;
  private memTotalBytes: number | null = null;

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.fs = ctx.fs;
  }

  get os() {
    return this.ctx.os.process;
  }

  /** Whether pids of this procfs are ours to signal, renice and prlimit (the same PID namespace). */
  get native(): boolean {
    if (this.nativeFlag === null) this.nativeFlag = this.os.isNativeProcfs(this.fs);
    return this.nativeFlag;
  }

  private self: number | null = null;

  /** This process's pid in the procfs's PID namespace (process.pid when the root has no self link). */
  selfPid(): number {
    if (this.self === null) this.self = this.os.selfPid(this.fs) ?? process.pid;
    return this.self;
  }

  requireNative(what: string): void {
    if (!this.native) {
      throw new UnsupportedOperation(`${what} on a procfs root outside this PID namespace (${this.fs.procfs})`);
    }
  }

  pids(): number[] {
    const out = this.os.pids(this.fs);
    this.lowestPid = out.length > 0 ? out[0]! : null;
    return out;
  }

  /** uid -> name through getpwuid (NSS), cached; a uid without an entry reads as its number (psutil). */
  userName(uid: number): string {
    const hit = this.users.get(uid);
    if (hit !== undefined && (hit.until === 0 || hit.until > Date.now())) return hit.name;
    const name = this.os.userName(uid);
    // Names are stable; a missing entry may appear later (a user added), so misses expire.
    this.users.set(uid, name !== null ? { name, until: 0 } : { name: String(uid), until: Date.now() + UID_MISS_TTL_MS });
    return name ?? String(uid);
  }

  /** CLK_TCK (sysconf, cached by the backend). */
  ticks(): number {
    return this.ctx.os.sysconf.clockTicks();
  }

  pageSize(): number {
    return this.ctx.os.sysconf.pageSizeBytes();
  }

  /** tty_nr -> /dev path; the map is rebuilt on a miss at most once a second (new ptys appear, psutil 8 #2830). */
  terminal(ttyNr: number): string | null {
    if (ttyNr === 0) return null;
    if (this.ttys === null) {
      this.ttys = this.os.terminalMap(this.fs);
      this.ttysAt = Date.now();
    }
    let path = this.ttys.get(ttyNr);
    if (path === undefined && Date.now() - this.ttysAt >= TTY_REFRESH_MS) {
      this.ttys = this.os.terminalMap(this.fs);
      this.ttysAt = Date.now();
      path = this.ttys.get(ttyNr);
    }
    return path ?? null;
  }

  /** btime, kept a minute: createTime() of 1,000 processes must not read /proc/stat 1,000 times. */
  bootTime(): number {
    const now = Date.now();
    if (this.boot === null || now - this.boot.at > BOOT_TIME_TTL_MS) {
      this.boot = { value: this.ctx.os.host.bootTime(this.fs), at: now };
    }
    return this.boot.value;
  }

  /** MemTotal in bytes, read once (psutil's _TOTAL_PHYMEM). */
  memTotal(): number {
    if (this.memTotalBytes === null) {
      const total = this.ctx.os.memory.readMeminfo(this.fs)['MemTotal'];
      if (total === undefined || !(total > 0)) throw new OsError('EINVAL', 22, 'read', this.fs.proc('meminfo'), "can't determine total physical memory (MemTotal)");
      this.memTotalBytes = total;
    }
    return this.memTotalBytes;
  }

  /** CPU numbers of the CPUs /proc/stat lists (psutil's range(len(per_cpu_times()))). */
  allCpus(): number[] {
    const n = this.ctx.os.cpu.readStat(this.fs).cpus.length;
    return Array.from({ length: n }, (_, i) => i);
  }

  /** A Process of this context built from data the caller already has. */
  make(pid: number, init: InitData): Process {
    pendingInit = init;
    try {
      return new this.Process(pid);
    } finally {
      pendingInit = null;
    }
  }
}

let defaultEnvValue: ProcessEnv | null = null;

/** The env of the base classes: the default roots (HOST_PROC, HOST_SYS, HOST_ROOT or /proc, /sys, /). */
function defaultEnv(): ProcessEnv {
  if (defaultEnvValue === null) {
    const roots = rootsFromEnv();
    const env = new ProcessEnv(createContext({
      procfs: roots.procfs.replace(/\/+$/, '') || '/',
      sysfs: roots.sysfs.replace(/\/+$/, '') || '/',
      rootfs: roots.rootfs,
    }));
    env.Process = Process;
    env.Popen = Popen;
    defaultEnvValue = env;
  }
  return defaultEnvValue;
}

function envOf(cls: unknown): ProcessEnv {
  return (cls as { [ENV]?: ProcessEnv })[ENV] ?? defaultEnv();
}

// ---- Process ------------------------------------------------------------------------------------------------------

type Getter = (p: Process) => unknown;

const GETTERS: Readonly<Record<ProcessAttr, Getter>> = {
  cmdline: (p) => p.cmdline(),
  cpuAffinity: (p) => p.cpuAffinity(),
  cpuNum: (p) => p.cpuNum(),
  cpuPercent: (p) => p.cpuPercent(),
  cpuTimes: (p) => p.cpuTimes(),
  createTime: (p) => p.createTime(),
  cwd: (p) => p.cwd(),
  environ: (p) => p.environ(),
  exe: (p) => p.exe(),
  gids: (p) => p.gids(),
  ioCounters: (p) => p.ioCounters(),
  ionice: (p) => p.ionice(),
  memoryFullInfo: (p) => p.memoryFullInfo(),
  memoryInfo: (p) => p.memoryInfo(),
  memoryInfoEx: (p) => p.memoryInfoEx(),
  memoryMaps: (p) => p.memoryMaps(),
  memoryPercent: (p) => p.memoryPercent(),
  name: (p) => p.name(),
  netConnections: (p) => p.netConnections(),
  nice: (p) => p.nice(),
  numCtxSwitches: (p) => p.numCtxSwitches(),
  numFds: (p) => p.numFds(),
  numThreads: (p) => p.numThreads(),
  openFiles: (p) => p.openFiles(),
  pageFaults: (p) => p.pageFaults(),
  pid: (p) => p.pid,
  ppid: (p) => p.ppid(),
  status: (p) => p.status(),
  terminal: (p) => p.terminal(),
  threads: (p) => p.threads(),
  uids: (p) => p.uids(),
  username: (p) => p.username(),
  cgroups: (p) => p.cgroups(),
  memoryFootprint: (p) => p.memoryFootprint(),
  memoryUsage: (p) => p.memoryUsage(),
  threadsInfo: (p) => p.threadsInfo(),
  wchan: (p) => p.wchan(),
};

/** Validates an attrs list once: the distinct names in the order given (all of them for null/undefined/[]). */
function resolveAttrs(fn: string, attrs: unknown): { names: readonly ProcessAttr[]; explicit: boolean } {
  if (attrs === undefined || attrs === null) return { names: PROCESS_ATTRS, explicit: false };
  if (!Array.isArray(attrs) && !(attrs instanceof Set)) throw new TypeError(`${fn}: attrs must be an array of attribute names, got ${describeValue(attrs)}`);
  const names: ProcessAttr[] = [];
  const bad: string[] = [];
  for (const a of attrs as Iterable<unknown>) {
    if (typeof a === 'string' && ATTR_SET.has(a)) {
      if (!names.includes(a as ProcessAttr)) names.push(a as ProcessAttr);
    } else {
      bad.push(describeValue(a));
    }
  }
  if (bad.length > 0) throw new RangeError(`${fn}: invalid attr name${bad.length > 1 ? 's' : ''} ${bad.join(', ')}`);
  if (names.length === 0) return { names: PROCESS_ATTRS, explicit: false };
  return { names, explicit: true };
}

let connectionsWarned = false;

/**
 * A process, identified by its pid and its start time in clock ticks. `new Process()` is the current process (as
 * the procfs numbers it).
 * Getters read /proc afresh on every call unless inside `oneshot()`; `createTime()` and `exe()` are kept for the
 * object's lifetime (psutil). Setters, signals, `ppid()`, `parent()` and `children()` first check that the pid
 * still belongs to the same process and throw NoSuchProcess if it was reused.
 */
export class Process {
  /** The names asDict() and processIter() accept (psutil 8.0's Process.attrs). */
  static readonly attrs: readonly ProcessAttr[] = PROCESS_ATTRS;

  /** Set by processIter({ attrs }): the attributes asked for (psutil 7.x's `info`). */
  info?: Readonly<Record<string, unknown>>;
  /** Set by waitProcs() on the processes that went (psutil's returncode attribute); Popen sets it on exit. */
  returncode: number | null = null;

  private readonly _env: ProcessEnv;
  private readonly _pid: number;
  private readonly _h: LinuxProcess;
  /** Start time in clock ticks since boot (the identity); null when it could not be read. */
  private readonly _start: number | null;
  private _createTime: number | null = null;
  private _exe: string | null = null;
  private _gone = false;
  private _reused = false;
  private _lastWall: number | null = null;
  private _lastCpu: number | null = null;
  private _exitcode: number | null | undefined = undefined;

  constructor(pid?: number) {
    const init = pendingInit;
    pendingInit = null;
    const env = envOf(new.target);
    // psutil uses os.getpid(); the procfs's own numbering is the same here and right for a host's /proc as well.
    if (pid === undefined || pid === null) pid = env.selfPid();
    if (typeof pid !== 'number' || !Number.isInteger(pid)) {
      throw new TypeError(`pid must be an integer, got ${describeValue(pid)}`);
    }
    if (pid < 0) throw new RangeError(`pid must be a positive integer (got ${pid})`);
    if (pid > env.os.PID_MAX) throw new NoSuchProcess(pid, null, 'process PID out of range');
    this._env = env;
    this._pid = pid;
    this._h = init?.handle ?? env.os.handle(env.fs, pid);
    let start: number | null = null;
    if (init?.stat !== undefined) {
      start = init.stat.starttime;
      this._h.seedStat(init.stat);
    } else {
      try {
        start = this._h.stat().starttime;
      } catch (err) {
        if (err instanceof AccessDenied) {
          // hidepid=1 hides stat but not the directory: a process without a known start time (psutil does the same).
        } else if (err instanceof NoSuchProcess) {
          if (init?.ignoreNsp !== true) throw new NoSuchProcess(pid, null, 'process PID not found', err);
          this._gone = true;
        } else {
          throw err;
        }
      }
    }
    this._start = start;
  }

  /** @internal an error leaving a public method, as psutil's classes (guardPublicMethods). */
  _publicError(err: unknown): unknown {
    return err instanceof OsError ? this._h.publicError(err) : err;
  }

  /** The process id. */
  get pid(): number {
    return this._pid;
  }

  /** @internal the start time in clock ticks (identity), for the agent's admin checks. */
  get startTicks(): number | null {
    return this._start;
  }

  // ---- identity ----------------------------------------------------------------------------------------------

  /** Same pid and start time (psutil's __eq__). */
  equals(other: unknown): boolean {
    return other instanceof Process && other._pid === this._pid && other._start === this._start;
  }

  /**
   * Whether the process still runs as the same process: false when it is gone or its pid now belongs to another
   * (start time changed). A zombie is running (psutil).
   */
  isRunning(): boolean {
    if (this._gone || this._reused) return false;
    let st: PidStat;
    try {
      st = this._h.stat();
    } catch (err) {
      if (err instanceof ZombieProcess) return true;
      if (err instanceof NoSuchProcess) {
        this._gone = true;
        return false;
      }
      throw err;
    }
    if (this._start === null || st.starttime !== this._start) {
      this._reused = true;
      this._gone = true;
      this._env.reused.add(this._pid);
      return false;
    }
    return true;
  }

  /** psutil's _raise_if_pid_reused: NoSuchProcess when the pid now names another process. */
  private _raiseIfReused(): void {
    if (this._reused || (!this.isRunning() && this._reused)) {
      throw this._h.noSuchProcess('process no longer exists and its PID has been reused');
    }
  }

  // ---- oneshot / asDict ----------------------------------------------------------------------------------------

  /**
   * Runs `fn` with the per-process reads cached: stat, status, statm, cmdline and smaps are read at most once in
   * the block, whatever getters `fn` calls (psutil's oneshot()). Re-entrant. `fn` must be synchronous: the cache is
   * dropped when it returns.
   */
  oneshot<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw new TypeError(`oneshot: fn must be a function, got ${describeValue(fn)}`);
    this._h.enter();
    try {
      return fn();
    } finally {
      this._h.exit();
    }
  }

  /**
   * The attributes as one object, read inside oneshot(): AccessDenied and ZombieProcess become `adValue`; an
   * attribute this system cannot give (UnsupportedOperation) is left out unless asked for by name.
   */
  asDict<K extends ProcessAttr = ProcessAttr, V = null>(opts?: AsDictOptions<K, V>): ProcessInfo<K, V> {
    const o = options<AsDictOptions<K, V>>('asDict', opts, ['attrs', 'adValue']);
    const { names, explicit } = resolveAttrs('asDict', o.attrs);
    return this._dict(names, explicit, o.adValue ?? null) as ProcessInfo<K, V>;
  }

  /** @internal asDict without argument checks: processIter validates once for every process. */
  _dict(names: readonly ProcessAttr[], explicit: boolean, adValue: unknown): Readonly<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    this._h.enter();
    try {
      for (const name of names) {
        let v: unknown;
        try {
          v = GETTERS[name](this);
        } catch (err) {
          if (err instanceof AccessDenied || err instanceof ZombieProcess) v = adValue;
          else if (err instanceof UnsupportedOperation && !explicit) continue;
          else throw err;
        }
        out[name] = v;
      }
    } finally {
      this._h.exit();
    }
    return Object.freeze(out);
  }

  // ---- the stat group ------------------------------------------------------------------------------------------

  /** The parent's pid (not cached: a process is re-parented when its parent exits). */
  ppid(): number {
    this._raiseIfReused();
    return this._h.stat().ppid;
  }

  /**
   * The name: the kernel's comm (15 bytes at most), extended to basename(cmdline[0]) when that begins with it
   * (psutil; "gnome-keyring-d" -> "gnome-keyring-daemon"). Not cached: a process may rename itself.
   */
  name(): string {
    const st = this._h.stat();
    let name = st.comm;
    if (st.commBytes >= COMM_MAX) {
      let args: readonly string[] = [];
      try {
        args = this._h.cmdline();
      } catch (err) {
        // psutil: without a readable cmdline the cut name stands.
        if (!(err instanceof AccessDenied || err instanceof ZombieProcess)) throw err;
      }
      if (args.length > 0) {
        const ext = basename(args[0]!);
        if (extendsComm(ext, name, st.commBytes)) name = ext;
      }
    }
    this._h.name = name;
    return name;
  }

  /** psutil STATUS_* string ('?' for a letter it does not know). */
  status(): ProcessStatus {
    return PROC_STATUSES[this._h.stat().state] ?? '?';
  }

  /** Epoch seconds: start ticks / CLK_TCK + boot time; kept for the object's lifetime. */
  createTime(): number {
    if (this._createTime === null) {
      const start = this._start ?? this._h.stat().starttime;
      this._createTime = start / this._env.ticks() + this._env.bootTime();
    }
    return this._createTime;
  }

  /** Seconds of CPU: user, system, those of waited-for children, and block I/O delay (iowait). */
  cpuTimes(): ProcessCpuTimes {
    const st = this._h.stat();
    const t = this._env.ticks();
    return Object.freeze({
      user: st.utime / t,
      system: st.stime / t,
      childrenUser: st.cutime / t,
      childrenSystem: st.cstime / t,
      iowait: st.blkioTicks / t,
    });
  }

  /**
   * CPU use in percent of one CPU since the previous call (0.0 on the first), or over `interval` seconds (then a
   * Promise). Can exceed 100 for a multi-threaded process (top's convention). Keep the object between calls:
   * processIter() does.
   */
  cpuPercent(opts?: { interval?: null | undefined }): number;
  cpuPercent(opts: CpuPercentOptions): number | Promise<number>;
  cpuPercent(opts?: CpuPercentOptions): number | Promise<number> {
    const o = options<CpuPercentOptions>('cpuPercent', opts, ['interval']);
    const interval = secondsArg('cpuPercent', 'interval', o.interval);
    const busy = (): number => {
      const st = this._h.stat();
      return (st.utime + st.stime) / this._env.ticks();
    };
    const percent = (wall1: number, cpu1: number, wall2: number, cpu2: number): number => {
      const dt = wall2 - wall1;
      if (dt <= 0) return 0;
      return Math.round(((cpu2 - cpu1) / dt) * 100 * 10) / 10;
    };
    if (interval !== null && interval > 0) {
      const wall1 = nowSeconds();
      const cpu1 = busy();
      return sleep(interval * 1000).then(() => {
        const wall2 = nowSeconds();
        const cpu2 = busy();
        this._lastWall = wall2;
        this._lastCpu = cpu2;
        return percent(wall1, cpu1, wall2, cpu2);
      });
    }
    const wall2 = nowSeconds();
    const cpu2 = busy();
    const wall1 = this._lastWall;
    const cpu1 = this._lastCpu;
    this._lastWall = wall2;
    this._lastCpu = cpu2;
    if (wall1 === null || cpu1 === null) return 0;
    return percent(wall1, cpu1, wall2, cpu2);
  }

  /** The CPU the process last ran on. */
  cpuNum(): number {
    return this._h.stat().processor;
  }

  /** Minor and major page faults (psutil 8.0). */
  pageFaults(): ProcessPageFaults {
    const st = this._h.stat();
    return Object.freeze({ minor: st.minflt, major: st.majflt });
  }

  /** The controlling terminal's /dev path, or null. */
  terminal(): string | null {
    return this._env.terminal(this._h.stat().ttyNr);
  }

  /**
   * Without a value: the nice value (-20..19). With one: sets it (setpriority(2), the main thread only,
   * as psutil; other threads keep theirs).
   */
  nice(): number;
  nice(value: number): void;
  nice(value?: number): number | void {
    if (value === undefined || value === null) {
      // getpriority(2) as psutil, a syscall instead of a 1 KiB read; stat's field where the syscall cannot reach the
      // pid (another PID namespace's procfs) or where a oneshot block already holds stat.
      if (this._h.cached || !this._env.native) return this._h.stat().nice;
      return this._h.getNice();
    }
    integerArg('nice', 'value', value);
    if (value < -20 || value > 19) throw new RangeError(`nice: value must be in -20..19, got ${value}`);
    this._env.requireNative('nice(value)');
    this._raiseIfReused();
    this._h.setNice(value);
  }

  // ---- the status group ------------------------------------------------------------------------------------------

  private _ids(key: 'Uid' | 'Gid'): ProcessIds {
    const [real, effective, saved] = this._h.ids(key);
    return Object.freeze({ real, effective, saved });
  }

  /** Real, effective and saved user ids. */
  uids(): ProcessIds {
    return this._ids('Uid');
  }

  /** Real, effective and saved group ids. */
  gids(): ProcessIds {
    return this._ids('Gid');
  }

  /**
   * The name of the real user (getpwuid, cached); the uid as a string when it has no entry (psutil). With
   * `{ effective: true }` (ours), the effective user's, as process-exporter's {{.Username}}.
   */
  username(opts?: UsernameOptions): string {
    const o = options<UsernameOptions>('username', opts, ['effective']);
    if (o.effective !== undefined && typeof o.effective !== 'boolean') throw new TypeError(`username: effective must be a boolean, got ${describeValue(o.effective)}`);
    return this._env.userName(this._h.ids('Uid')[o.effective === true ? 1 : 0]);
  }

  numThreads(): number {
    // Stat's num_threads is the same kernel count as status's Threads: in a oneshot block that read stat and not
    // status, no status read for it.
    if (this._h.statWithoutStatus) return this._h.stat().numThreads;
    const n = this._h.statusNumber('Threads');
    if (n === null) throw new UnsupportedOperation(`numThreads (no Threads line in ${this._h.dir}status)`);
    return n;
  }

  /** Voluntary and involuntary context switches. */
  numCtxSwitches(): ProcessCtxSwitches {
    const voluntary = this._h.statusNumber('voluntary_ctxt_switches');
    const involuntary = this._h.statusNumber('nonvoluntary_ctxt_switches');
    if (voluntary === null || involuntary === null) {
      throw new UnsupportedOperation(`numCtxSwitches (no ctxt_switches lines in ${this._h.dir}status; kernel older than 2.6.23)`);
    }
    return Object.freeze({ voluntary, involuntary });
  }

  // ---- memory -------------------------------------------------------------------------------------------------

  /** Bytes from /proc/<pid>/statm: rss, vms, shared, text, lib (0), data (data + stack), dirty (0). */
  memoryInfo(): ProcessMemoryInfo {
    const m = this._h.statm();
    const ps = this._env.pageSize();
    return Object.freeze({
      rss: m.resident * ps,
      vms: m.size * ps,
      shared: m.shared * ps,
      text: m.text * ps,
      lib: m.lib * ps,
      data: m.data * ps,
      dirty: m.dirty * ps,
    });
  }

  /** memoryInfo() plus psutil 8.0's extras from status (see ProcessMemoryInfoEx). */
  memoryInfoEx(): ProcessMemoryInfoEx {
    const base = this.memoryInfo();
    const h = this._h;
    return Object.freeze({
      ...base,
      peakRss: h.statusBytes('VmHWM'),
      peakVms: h.statusBytes('VmPeak'),
      rssAnon: h.statusBytes('RssAnon'),
      rssFile: h.statusBytes('RssFile'),
      rssShmem: h.statusBytes('RssShmem'),
      swap: h.statusBytes('VmSwap'),
      hugetlb: h.statusBytes('HugetlbPages'),
    });
  }

  /** memoryInfo() plus uss (private pages), pss and swap from smaps_rollup (or smaps). Slower: reads page tables. */
  memoryFullInfo(): ProcessMemoryFullInfo {
    const totals = this._h.smapsTotals();
    return Object.freeze({ ...this.memoryInfo(), uss: totals.uss, pss: totals.pss, swap: totals.swap });
  }

  /**
   * psutil 8.0's memory_footprint(): uss, pss and swap from smaps_rollup (or smaps), without memoryFullInfo()'s statm
   * read; plus swapPss (ours). Slower than memoryInfo(): the kernel walks the page tables. AccessDenied for another
   * user's process without CAP_SYS_PTRACE.
   */
  memoryFootprint(): ProcessMemoryFootprint {
    const t = this._h.smapsTotals();
    return Object.freeze({ uss: t.uss, pss: t.pss, swap: t.swap, swapPss: t.swapPss });
  }

  /**
   * (ours) rss, vms and swap in one read of /proc/<pid>/status, which numCtxSwitches(), uids() and numThreads() share
   * in a oneshot block: memoryInfo()'s rss and vms without its statm read. The kernel computes VmRSS and VmSize from
   * the same counters as statm (stat's rss is not used: since Linux 6.16 it is a per-CPU approximation that can be
   * off by hundreds of KiB, where status and statm sum the counters exactly).
   */
  memoryUsage(): ProcessMemoryUsage {
    const h = this._h;
    return Object.freeze({ rss: h.statusBytes('VmRSS'), vms: h.statusBytes('VmSize'), swap: h.statusBytes('VmSwap') });
  }

  /** A memory field as a percentage of MemTotal (default rss). */
  memoryPercent(opts?: MemoryPercentOptions): number {
    const o = options<MemoryPercentOptions>('memoryPercent', opts, ['memtype']);
    const memtype: unknown = o.memtype ?? 'rss';
    if (typeof memtype !== 'string' || !PFULLMEM_FIELDS.includes(memtype)) {
      throw new RangeError(`memoryPercent: invalid memtype ${describeValue(memtype)}; valid types are ${PFULLMEM_FIELDS.map((f) => `'${f}'`).join(', ')}`);
    }
    const metrics: Readonly<Record<string, number>> = PMEM_FIELDS.includes(memtype)
      ? (this.memoryInfo() as unknown as Record<string, number>)
      : (this.memoryFullInfo() as unknown as Record<string, number>);
    return (metrics[memtype]! / this._env.memTotal()) * 100;
  }

  /** The mappings from /proc/<pid>/smaps, summed by path (default) or one by one with addr and perms. */
  memoryMaps(opts?: MemoryMapsOptions & { grouped?: true }): readonly ProcessMemoryMap[];
  memoryMaps(opts: MemoryMapsOptions & { grouped: false }): readonly ProcessMemoryMapExt[];
  memoryMaps(opts?: MemoryMapsOptions): readonly ProcessMemoryMap[] | readonly ProcessMemoryMapExt[];
  memoryMaps(opts?: MemoryMapsOptions): readonly ProcessMemoryMap[] | readonly ProcessMemoryMapExt[] {
    const o = options<MemoryMapsOptions>('memoryMaps', opts, ['grouped']);
    if (o.grouped !== undefined && typeof o.grouped !== 'boolean') throw new TypeError(`memoryMaps: grouped must be a boolean, got ${describeValue(o.grouped)}`);
    const blocks = this._h.smapsBlocks();
    if (o.grouped === false) {
      return freezeArray(blocks.map((b) => Object.freeze({
        addr: b.addr, perms: b.perms, path: b.path, rss: b.rss, size: b.size, pss: b.pss, sharedClean: b.sharedClean,
        sharedDirty: b.sharedDirty, privateClean: b.privateClean, privateDirty: b.privateDirty,
        referenced: b.referenced, anonymous: b.anonymous, swap: b.swap,
      })));
    }
    const groups = new Map<string, number[]>();
    for (const b of blocks) {
      const nums = [b.rss, b.size, b.pss, b.sharedClean, b.sharedDirty, b.privateClean, b.privateDirty, b.referenced, b.anonymous, b.swap];
      const g = groups.get(b.path);
      if (g === undefined) groups.set(b.path, nums);
      else for (let i = 0; i < nums.length; i++) g[i]! += nums[i]!;
    }
    const out: ProcessMemoryMap[] = [];
    for (const [path, n] of groups) {
      out.push(Object.freeze({
        path, rss: n[0]!, size: n[1]!, pss: n[2]!, sharedClean: n[3]!, sharedDirty: n[4]!, privateClean: n[5]!,
        privateDirty: n[6]!, referenced: n[7]!, anonymous: n[8]!, swap: n[9]!,
      }));
    }
    return freezeArray(out);
  }

  // ---- other files ---------------------------------------------------------------------------------------------

  /** The executable's path ('' for kernel threads), guessed from an absolute cmdline[0] when exe is denied (psutil). */
  exe(): string {
    if (this._exe !== null) return this._exe;
    let exe: string;
    try {
      exe = this._h.exe();
    } catch (err) {
      if (err instanceof AccessDenied) return this._guessExe(err);
      throw err;
    }
    if (exe === '') {
      try {
        exe = this._guessExe('');
      } catch (err) {
        if (!(err instanceof AccessDenied)) throw err;
        // psutil: an empty exe stays empty when the cmdline is denied as well.
      }
    }
    this._exe = exe;
    return exe;
  }

  private _guessExe(fallback: string | AccessDenied): string {
    const args = this.cmdline();
    const first = args[0];
    // Only an absolute path is safe: the process may have changed its cwd since.
    if (first !== undefined && first.startsWith('/') && this._env.os.isExecutableFile(this._env.fs, first)) return first;
    if (fallback instanceof AccessDenied) throw fallback;
    return fallback;
  }

  /**
   * The arguments ([] for kernel threads; ZombieProcess for a zombie). A setproctitle() line with spaces and no NUL is
   * split at spaces (psutil); `{ raw: true }` (ours) splits at NUL only, keeping such a line whole.
   */
  cmdline(opts?: CmdlineOptions): string[] {
    const o = options<CmdlineOptions>('cmdline', opts, ['raw']);
    if (o.raw !== undefined && typeof o.raw !== 'boolean') throw new TypeError(`cmdline: raw must be a boolean, got ${describeValue(o.raw)}`);
    return (o.raw === true ? this._h.argv() : this._h.cmdline()).slice();
  }

  /** The environment the process was started with (not later changes). */
  environ(): Readonly<Record<string, string>> {
    return Object.freeze(this._h.environ());
  }

  /** The working directory. */
  cwd(): string {
    return this._h.cwd();
  }

  /** Read and write syscalls, bytes from storage, and bytes passed through read/write (rchar, wchar). */
  ioCounters(): ProcessIoCounters {
    const io = this._h.io();
    return Object.freeze({
      readCount: io.syscr,
      writeCount: io.syscw,
      readBytes: io.readBytes,
      writeBytes: io.writeBytes,
      readChars: io.rchar,
      writeChars: io.wchar,
    });
  }

  /** Open file descriptors (from the size of /proc/<pid>/fd on Linux 6.2+, by listing it before). */
  numFds(): number {
    return this._h.fdCount();
  }

  /** Per thread: id and seconds of user and system CPU, by thread id. */
  threads(): readonly ProcessThread[] {
    const t = this._env.ticks();
    return freezeArray(this._h.threads().map((th) => Object.freeze({ id: th.id, userTime: th.utime / t, systemTime: th.stime / t })));
  }

  /**
   * (ours) Per thread, ascending by id: name, status, create time, CPU seconds, page faults and context switches
   * (task/<tid>/stat and status), and by default read/write bytes (task/<tid>/io) and wchan. Threads that exit
   * meanwhile are left out.
   */
  threadsInfo(opts?: ThreadsInfoOptions): readonly ProcessThreadInfo[] {
    const o = options<ThreadsInfoOptions>('threadsInfo', opts, ['io', 'wchan']);
    for (const k of ['io', 'wchan'] as const) {
      if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new TypeError(`threadsInfo: ${k} must be a boolean, got ${describeValue(o[k])}`);
    }
    const t = this._env.ticks();
    const boot = this._env.bootTime();
    const raw = this._h.threadsInfo({ io: o.io !== false, wchan: o.wchan !== false });
    return freezeArray(raw.map((th) => Object.freeze({
      id: th.id,
      name: th.stat.comm,
      status: PROC_STATUSES[th.stat.state] ?? '?',
      createTime: th.stat.starttime / t + boot,
      userTime: th.stat.utime / t,
      systemTime: th.stat.stime / t,
      minorFaults: th.stat.minflt,
      majorFaults: th.stat.majflt,
      voluntaryCtxSwitches: th.voluntaryCtxSwitches,
      involuntaryCtxSwitches: th.involuntaryCtxSwitches,
      readBytes: th.io?.readBytes ?? null,
      writeBytes: th.io?.writeBytes ?? null,
      wchan: wchanName(th.wchan),
    })));
  }

  /**
   * (ours) Whether this is a kernel thread: PF_KTHREAD in the flags of /proc/<pid>/stat (field 9). Kernel threads
   * have no user space (empty cmdline and exe, psutil's only hint); this is the kernel's own answer, true for
   * kthreadd and every kworker, false for a zombie of a user process.
   */
  isKernelThread(): boolean {
    return this._h.stat().kernelThread;
  }

  /**
   * (ours) The kernel function the process's main thread waits in (/proc/<pid>/wchan), or null when it is not
   * waiting (running, a zombie) or the kernel hides it (no ptrace access): the kernel prints 0 for all of these.
   */
  wchan(): string | null {
    return wchanName(this._h.wchan());
  }

  /**
   * (ours) The cgroups of the process, one per hierarchy, in /proc/<pid>/cgroup's order: { hierarchyId,
   * controllers, path }. On a cgroup v2 host, one entry { hierarchyId: 0, controllers: [], path }.
   */
  cgroups(): readonly ProcessCgroup[] {
    return freezeArray(this._h.cgroup().map((c) => Object.freeze({
      hierarchyId: c.hierarchyId, controllers: freezeArray([...c.controllers]), path: c.path,
    })));
  }

  /** Regular files opened with an absolute path: path, fd, position, mode ('r', 'w', 'a', 'r+', 'a+') and flags. */
  openFiles(): readonly ProcessOpenFile[] {
    return freezeArray(this._h.openFiles().map((f) => Object.freeze({
      path: f.path, fd: f.fd, position: f.info.pos, mode: f.mode, flags: f.info.flags,
    })));
  }

  /** This process's sockets, from /proc/net/* filtered by its socket inodes. */
  netConnections(opts?: ProcessConnectionsOptions): readonly ProcessConnection[] {
    const o = options<ProcessConnectionsOptions>('netConnections', opts, ['kind']);
    const kind: unknown = o.kind === undefined ? 'inet' : o.kind;
    const net = this._env.ctx.os.net;
    if (!net.isConnKind(kind)) {
      // psutil's ValueError for a string it does not know; a non-string is the wrong type.
      const E = typeof kind === 'string' ? RangeError : TypeError;
      throw new E(`netConnections: invalid kind ${describeValue(kind)}; choose between ${net.CONN_KINDS.map((k) => `'${k}'`).join(', ')}`);
    }
    let conns;
    try {
      conns = net.connections(this._env.fs, kind, this._pid);
    } catch (err) {
      throw this._h.translate(err);
    }
    this._h.assertAlive();
    return freezeArray(conns.map((c) => Object.freeze({
      fd: c.fd, family: c.family, type: c.type, laddr: c.laddr, raddr: c.raddr, status: c.status,
    })));
  }

  /** Deprecated alias of netConnections() (psutil 6.0 renamed it). */
  connections(opts?: ProcessConnectionsOptions): readonly ProcessConnection[] {
    if (!connectionsWarned) {
      connectionsWarned = true;
      process.emitWarning('Process.connections() is deprecated; use netConnections()', 'DeprecationWarning');
    }
    return this.netConnections(opts);
  }

  // ---- libc getters and setters ------------------------------------------------------------------------------

  /**
   * Without arguments: the I/O scheduling class and level. With an ioclass (IOPRIO_CLASS_*): sets them; value
   * 0..7 for RT and BE, none for IDLE and NONE.
   */
  ionice(): ProcessIonice;
  ionice(ioclass: number, value?: number | null): void;
  ionice(ioclass?: number | null, value?: number | null): ProcessIonice | void {
    if (ioclass === undefined || ioclass === null) {
      if (value !== undefined && value !== null) throw new RangeError("'ioclass' argument must be specified");
      this._env.requireNative('ionice()');
      const [cls, v] = this._h.ioprioGet();
      return Object.freeze({ ioclass: cls, value: v });
    }
    integerArg('ionice', 'ioclass', ioclass);
    if (ioclass < IOPRIO_CLASS_NONE || ioclass > IOPRIO_CLASS_IDLE) throw new RangeError(`ionice: ioclass must be one of IOPRIO_CLASS_* (0..3), got ${ioclass}`);
    const v = value === undefined || value === null ? 0 : integerArg('ionice', 'value', value);
    // psutil's wording, which its users match on.
    if (v !== 0 && ioclass === IOPRIO_CLASS_NONE) throw new RangeError("can't specify value with IOPRIO_CLASS_NONE");
    if (v !== 0 && ioclass === IOPRIO_CLASS_IDLE) throw new RangeError("can't specify value with IOPRIO_CLASS_IDLE");
    if (v < 0 || v > 7) throw new RangeError('ionice: value not in 0-7 range');
    this._env.requireNative('ionice(ioclass)');
    this._raiseIfReused();
    this._h.ioprioSet(ioclass, v);
  }

  /**
   * getrlimit/setrlimit for this process (prlimit(2)): `rlimit(RLIMIT_NOFILE)` -> [soft, hard];
   * `rlimit(RLIMIT_NOFILE, [soft, hard])` sets them. RLIM_INFINITY is -1 both ways.
   */
  rlimit(resource: number): [number, number];
  rlimit(resource: number, limits: readonly [number, number]): void;
  rlimit(resource: number, limits?: readonly [number, number] | null): [number, number] | void {
    integerArg('rlimit', 'resource', resource);
    if (resource < RLIMIT_CPU || resource > RLIMIT_RTTIME) throw new RangeError(`rlimit: resource must be one of RLIMIT_* (0..15), got ${resource}`);
    if (limits === undefined || limits === null) {
      if (!this._env.native) return [...this._h.limitsFile(resource)];
      return this._h.rlimit(resource);
    }
    if (!Array.isArray(limits)) throw new TypeError(`rlimit: limits must be a [soft, hard] pair, got ${describeValue(limits)}`);
    // psutil: ValueError("second argument must be a (soft, hard) tuple") for a sequence of another length.
    if (limits.length !== 2) throw new RangeError(`rlimit: second argument must be a [soft, hard] pair, got ${(limits as unknown[]).length} values`);
    for (const v of limits as unknown[]) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new TypeError(`rlimit: limits must hold integers, got ${describeValue(v)}`);
      if (v < -1) throw new RangeError(`rlimit: limits must be >= 0 or RLIM_INFINITY (-1), got ${v}`);
    }
    const [soft, hard] = limits;
    if (hard !== -1 && (soft === -1 || soft > hard)) throw new RangeError(`rlimit: soft limit ${soft} exceeds hard limit ${hard}`);
    this._env.requireNative('rlimit(resource, limits)');
    this._raiseIfReused();
    try {
      this._h.rlimit(resource, [soft, hard]);
    } catch (err) {
      if (this._env.os.isInvalidArgument(err)) throw new RangeError(`rlimit: invalid limits [${soft}, ${hard}] for resource ${resource}`);
      throw err;
    }
  }

  /** Without arguments: the CPUs the process may run on, ascending. With a list: restricts it ([] means all CPUs). */
  cpuAffinity(): number[];
  cpuAffinity(cpus: readonly number[]): void;
  cpuAffinity(cpus?: readonly number[] | null): number[] | void {
    if (cpus === undefined || cpus === null) {
      if (!this._env.native) {
        const cpus = this._h.cpusAllowed();
        if (cpus === null) throw new UnsupportedOperation(`cpuAffinity (no Cpus_allowed_list in ${this._h.dir}status)`);
        return cpus;
      }
      return this._h.affinityGet().sort((a, b) => a - b);
    }
    if (!Array.isArray(cpus)) throw new TypeError(`cpuAffinity: cpus must be an array of CPU numbers, got ${describeValue(cpus)}`);
    for (const c of cpus as unknown[]) {
      if (typeof c !== 'number' || !Number.isInteger(c)) throw new TypeError(`cpuAffinity: CPU numbers must be integers, got ${describeValue(c)}`);
      if (c < 0 || c >= 1 << 16) throw new RangeError(`cpuAffinity: invalid CPU number ${c}`);
    }
    this._env.requireNative('cpuAffinity(cpus)');
    const all = this._env.allCpus();
    // Array.isArray leaves the elements `any`; the loop above checked each is an integer CPU number.
    const wanted = cpus.length === 0 ? all : [...new Set(cpus as readonly number[])];
    this._raiseIfReused();
    try {
      this._h.affinitySet(wanted);
    } catch (err) {
      if (this._env.os.isInvalidArgument(err)) {
        for (const c of wanted) {
          if (!all.includes(c)) throw new RangeError(`cpuAffinity: invalid CPU number ${c}; choose between ${JSON.stringify(all)}`);
        }
        throw new RangeError(`cpuAffinity: CPUs ${JSON.stringify(wanted)} are not eligible (cpuset); choose between ${JSON.stringify(all)}`);
      }
      throw err;
    }
  }

  // ---- family -------------------------------------------------------------------------------------------------

  /** The parent Process, or null (for the lowest pid, or when the parent is gone or younger: its pid was reused). */
  parent(): Process | null {
    const lowest = this._env.lowestPid ?? this._env.pids()[0];
    if (this._pid === lowest) return null;
    const ppid = this.ppid();
    const mine = this._start ?? this._h.stat().starttime;
    let parent: Process;
    try {
      parent = new this._env.Process(ppid);
    } catch (err) {
      if (err instanceof NoSuchProcess) return null;
      throw err;
    }
    return parent._start !== null && parent._start <= mine ? parent : null;
  }

  /** The ancestors, nearest first. */
  parents(): Process[] {
    const out: Process[] = [];
    for (let p = this.parent(); p !== null; p = p.parent()) out.push(p);
    return out;
  }

  /**
   * The children (all descendants with `recursive`), from one pass over /proc/<pid>/stat; a child that started
   * before this process holds a reused pid and is left out (psutil).
   */
  children(opts?: ChildrenOptions): Process[] {
    const o = options<ChildrenOptions>('children', opts, ['recursive']);
    if (o.recursive !== undefined && typeof o.recursive !== 'boolean') throw new TypeError(`children: recursive must be a boolean, got ${describeValue(o.recursive)}`);
    this._raiseIfReused();
    const mine = this._start ?? this._h.stat().starttime;
    const map = this._env.os.ppidMap(this._env.fs);
    const make = (pid: number, stat: PidStat): Process | null => {
      if (stat.starttime < mine) return null;
      return this._env.make(pid, { stat });
    };
    const out: Process[] = [];
    if (o.recursive !== true) {
      for (const [pid, e] of map) {
        if (e.ppid !== this._pid) continue;
        const child = make(pid, e.stat);
        if (child !== null) out.push(child);
      }
      return out;
    }
    const byParent = new Map<number, number[]>();
    for (const [pid, e] of map) {
      const list = byParent.get(e.ppid);
      if (list === undefined) byParent.set(e.ppid, [pid]);
      else list.push(pid);
    }
    const seen = new Set<number>();
    const stack = [this._pid];
    while (stack.length > 0) {
      const pid = stack.pop()!;
      // A pid reused while the map was built can make a cycle.
      if (seen.has(pid)) continue;
      seen.add(pid);
      for (const c of byParent.get(pid) ?? []) {
        const child = make(c, map.get(c)!.stat);
        if (child !== null) {
          out.push(child);
          stack.push(c);
        }
      }
    }
    return out;
  }

  // ---- signals and waiting -------------------------------------------------------------------------------------

  /**
   * Sends a signal (a number or a name such as 'SIGUSR1'), only to this very process: the pid is pinned with a
   * pidfd and its start time checked before pidfd_send_signal, so a reused pid is never signalled.
   */
  sendSignal(sig: number | NodeJS.Signals): void {
    this._signal('sendSignal', signalArg('sendSignal', sig));
  }

  /**
   * (ours) sendSignal() that says how the signal went: `via: 'pidfd'` when the process was pinned with a pidfd
   * (pidfd_open(2), Linux 5.3+) before the identity check, so the check and the delivery are atomic; `via: 'kill'`
   * when the library fell back to kill(2) right after the check (no pidfd_open: ENOSYS; or the pid is a thread id,
   * which pidfd_open refuses with EINVAL and kill(2) signals the whole process for), leaving a reuse window of the
   * time between the two calls. Same checks and errors as sendSignal().
   */
  sendSignalEx(sig: number | NodeJS.Signals): SignalSent {
    return Object.freeze({ via: this._signal('sendSignalEx', signalArg('sendSignalEx', sig)) });
  }

  private _signal(fn: string, sig: number): 'pidfd' | 'kill' {
    if (this._pid === 0) {
      throw new RangeError(`${fn}: preventing sending signal to process with PID 0 as it would affect every process in the process group of the calling process (${process.pid}) instead of PID 0`);
    }
    this._env.requireNative(fn);
    this._raiseIfReused();
    if (this._start === null) throw this._h.noSuchProcess();
    try {
      return this._h.signal(sig, this._start);
    } catch (err) {
      if (err instanceof NoSuchProcess && !(err instanceof ZombieProcess)) this._gone = true;
      throw err;
    }
  }

  /** SIGSTOP. */
  suspend(): void {
    this._signal('suspend', SIGNALS['SIGSTOP']!);
  }

  /** SIGCONT. */
  resume(): void {
    this._signal('resume', SIGNALS['SIGCONT']!);
  }

  /** SIGTERM. */
  terminate(): void {
    this._signal('terminate', SIGNALS['SIGTERM']!);
  }

  /** SIGKILL. */
  kill(): void {
    this._signal('kill', SIGNALS['SIGKILL']!);
  }

  /**
   * Resolves when the process is gone: with its exit code for a Popen, with null for any other process (only its
   * parent can collect the code). A zombie is not gone: as psutil's wait_pid polls pid_exists, the wait goes on until
   * its parent reaps it (or the pid names another process). Rejects with TimeoutExpired after `timeout` seconds. The
   * result is kept: later calls resolve at once.
   */
  wait(opts?: WaitOptions): Promise<number | null> {
    const o = options<WaitOptions>('wait', opts, ['timeout']);
    const timeout = secondsArg('wait', 'timeout', o.timeout);
    if (this._exitcode !== undefined) return Promise.resolve(this._exitcode);
    return this._pollGone(timeout).then(() => {
      this._exitcode = null;
      return null;
    });
  }

  /** Whether the process this object names has ended: gone (reaped) or its pid reused. A zombie has not. */
  private _ended(): boolean {
    if (this._gone) return true;
    try {
      const st = this._h.freshStat();
      return this._start !== null && st.starttime !== this._start;
    } catch (err) {
      if (err instanceof NoSuchProcess) return true;
      if (err instanceof AccessDenied) return false;
      throw err;
    }
  }

  /** Polls with psutil's backoff (doubling, capped at 40 ms) until _ended(); TimeoutExpired at the deadline. */
  private async _pollGone(timeout: number | null): Promise<void> {
    const deadline = timeout === null ? Infinity : nowSeconds() + timeout;
    let delay = 1;
    for (;;) {
      if (this._ended()) return;
      const left = deadline - nowSeconds();
      if (left <= 0) throw new TimeoutExpired(timeout ?? 0, this._pid, this._h.name);
      await sleep(Math.min(delay, left * 1000));
      delay = Math.min(delay * 2, 40);
    }
  }

  // ---- presentation ------------------------------------------------------------------------------------------

  /** psutil's repr: `psutil.Process(pid=1, name='systemd', status='sleeping', started='10:00:00')`. */
  toString(): string {
    const parts = [`pid=${this._pid}`];
    try {
      this.oneshot(() => {
        parts.push(`name='${this.name()}'`);
        parts.push(`status='${this.status()}'`);
      });
    } catch (err) {
      if (err instanceof ZombieProcess) parts.push("status='zombie'");
      else if (err instanceof NoSuchProcess) parts.push("status='terminated'");
      else if (!(err instanceof AccessDenied)) throw err;
    }
    if (this._exitcode !== undefined && this._exitcode !== null) parts.push(`exitcode=${this._exitcode}`);
    if (this._createTime !== null) parts.push(`started='${new Date(this._createTime * 1000).toTimeString().slice(0, 8)}'`);
    return `psutil.${this.constructor.name}(${parts.join(', ')})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  // ---- internal hooks for processIter ----------------------------------------------------------------------------

  /** @internal */
  get _handle(): LinuxProcess {
    return this._h;
  }
}

// ---- Popen --------------------------------------------------------------------------------------------------------

/**
 * A child started like child_process.spawn(command, args, options) that is also a Process (psutil.Popen).
 * `wait()` resolves with the exit code (-N for a death by signal N), `returncode` holds it once known.
 */
export class Popen extends Process {
  /** The ChildProcess, for its events and stdio. */
  readonly child: ChildProcess;
  readonly args: readonly string[];
  private readonly _exited: Promise<number>;

  constructor(command: string, args: readonly string[] = [], options: SpawnOptions = {}) {
    if (typeof command !== 'string' || command === '') throw new TypeError(`Popen: command must be a non-empty string, got ${describeValue(command)}`);
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new TypeError('Popen: args must be an array of strings');
    if (options === null || typeof options !== 'object') throw new TypeError('Popen: options must be an object');
    const child = spawn(command, args, options);
    if (child.pid === undefined) {
      // spawn reports ENOENT/EACCES/EAGAIN on a later tick: it is thrown here instead, so listen to keep it quiet.
      child.once('error', () => undefined);
      throw new Error(`Popen: cannot start ${JSON.stringify(command)} (not found, not executable, or no resources)`);
    }
    pendingInit = { ignoreNsp: true };
    super(child.pid);
    this.child = child;
    this.args = Object.freeze([command, ...args]);
    this._exited = new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => {
        const rc = exitCode(code, signal);
        this.returncode = rc;
        resolve(rc);
      });
    });
  }

  get stdin(): Writable | null {
    return this.child.stdin;
  }

  get stdout(): Readable | null {
    return this.child.stdout;
  }

  get stderr(): Readable | null {
    return this.child.stderr;
  }

  /** The exit code if the child has exited, else null (subprocess.Popen.poll). */
  poll(): number | null {
    return this.returncode;
  }

  /** Resolves with the exit code (-N after signal N); TimeoutExpired after `timeout` seconds. */
  override wait(opts?: WaitOptions): Promise<number> {
    const o = options<WaitOptions>('wait', opts, ['timeout']);
    const timeout = secondsArg('wait', 'timeout', o.timeout);
    if (this.returncode !== null) return Promise.resolve(this.returncode);
    if (timeout === null) return this._exited;
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutExpired(timeout, this.pid, this._handle.name)), timeout * 1000);
      this._exited.then((rc) => {
        clearTimeout(timer);
        resolve(rc);
      }, reject);
    });
  }
}

// No OsError leaves a public Process method (psutil's errors, TypeError and RangeError only): each method's error, thrown
// or rejected, gets the handle's last translation. Wrapped once here, so every class made per context inherits it.
function guardPublicMethods(proto: object): void {
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === 'constructor' || key.startsWith('_')) continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (d === undefined || typeof d.value !== 'function') continue;
    const fn = d.value as (this: Process, ...a: unknown[]) => unknown;
    const guarded = function (this: Process, ...args: unknown[]): unknown {
      try {
        const r = fn.apply(this, args);
        return r instanceof Promise ? r.catch((e: unknown) => { throw this._publicError(e); }) : r;
      } catch (e) {
        throw this._publicError(e);
      }
    };
    Object.defineProperty(guarded, 'name', { value: key });
    Object.defineProperty(proto, key, { ...d, value: guarded });
  }
}
guardPublicMethods(Process.prototype);
guardPublicMethods(Popen.prototype);

// ---- the per-context API --------------------------------------------------------------------------------------------

function makeEnv(ctx: Context): ProcessEnv {
  const env = new ProcessEnv(ctx);
  // Class expressions named like the base (for toString and stack traces) must extend it through an alias.
  const P = class Process extends ProcessBase {
    static readonly [ENV] = env;
  };
  const Q = class Popen extends PopenBase {
    static readonly [ENV] = env;
  };
  env.Process = P;
  env.Popen = Q;
  return env;
}

const ProcessBase = Process;
const PopenBase = Popen;

export function processApi(ctx: Context) {
  const env = ctx.slot('process', () => makeEnv(ctx));

  function processIterImpl(opts?: ProcessIterOptions<ProcessAttr, unknown>): Generator<Process, void, undefined> {
    const o = options<ProcessIterOptions<ProcessAttr, unknown>>('processIter', opts, ['attrs', 'adValue']);
    const withInfo = o.attrs !== undefined && o.attrs !== null;
    const { names, explicit } = resolveAttrs('processIter', o.attrs);
    const adValue = o.adValue ?? null;
    return iterate(withInfo, names, explicit, adValue);
  }

  function* iterate(withInfo: boolean, names: readonly ProcessAttr[], explicit: boolean, adValue: unknown): Generator<Process, void, undefined> {
    const old = env.pmap;
    const next = new Map<number, Process>();
    const dropped = new Set<number>(env.reused);
    env.reused.clear();
    const current = env.pids();
    let reached = 0;
    try {
      for (const pid of current) {
        reached++;
        let proc = dropped.has(pid) ? undefined : old.get(pid);
        try {
          if (proc === undefined) {
            // A new pid: its stat is read once, for identity and for the attributes.
            const h = env.os.handle(env.fs, pid);
            h.enter();
            try {
              proc = env.make(pid, { handle: h });
              if (withInfo) proc.info = proc._dict(names, explicit, adValue);
            } finally {
              h.exit();
            }
          } else if (withInfo) {
            proc.info = proc._dict(names, explicit, adValue);
          }
        } catch (err) {
          // Gone meanwhile: dropped and skipped (psutil). Anything else is a real error.
          if (err instanceof NoSuchProcess) {
            dropped.add(pid);
            continue;
          }
          throw err;
        }
        next.set(pid, proc);
        yield proc;
      }
    } finally {
      // The caller may stop early: the objects of pids not reached yet stay for the next call (psutil's _pmap copy).
      for (let i = reached; i < current.length; i++) {
        const pid = current[i]!;
        const p = old.get(pid);
        if (p !== undefined && !dropped.has(pid)) next.set(pid, p);
      }
      env.pmap = next;
    }
  }

  const processIter = Object.assign(processIterImpl, {
    cacheClear(): void {
      env.pmap = new Map();
    },
  }) as ProcessIterFn;

  return {
    /** Process bound to this instance's roots (a subclass of the exported Process). */
    Process: env.Process,
    /** Popen bound to this instance's roots. */
    Popen: env.Popen,
    /** The pids in the procfs root, ascending (thread ids are not listed). */
    pids(): number[] {
      return env.pids();
    },
    /**
     * (ours) This process's pid as the instance's procfs numbers it (its `self` link, resolved in that procfs's PID
     * namespace), read afresh; null when the root has no usable `self` (a procfs of a PID namespace this process is
     * not in, a tree without the link). It equals `process.pid` exactly when the procfs shows our own PID namespace,
     * so that its pids are the ones kill(2), setpriority(2) and prlimit(2) reach (setters and signals require it).
     */
    procfsSelfPid(): number | null {
      return env.os.selfPid(env.fs);
    },
    /** Whether a process (not a thread) with this pid exists. */
    pidExists(pid: number): boolean {
      if (typeof pid !== 'number' || !Number.isInteger(pid)) throw new TypeError(`pidExists: pid must be an integer, got ${describeValue(pid)}`);
      if (pid < 0 || pid > env.os.PID_MAX) return false;
      // kill(0, 0) would signal our own process group: pid 0 is looked up in the list (none on Linux).
      if (pid === 0) return env.pids().includes(0);
      return env.os.pidExists(env.fs, pid, env.native);
    },
    /**
     * Every process, ascending by pid, as Process objects kept between calls (so cpuPercent() works across
     * calls). With `attrs`, each gets `info` (asDict inside oneshot: only the files those attributes need are
     * read). Processes that vanish are skipped; AccessDenied and ZombieProcess values become `adValue`.
     */
    processIter,
    /**
     * Waits for processes to end: resolves [gone, alive] when all are gone or `timeout` seconds pass. Each gone
     * process gets `returncode` (null unless it is a Popen) and is passed to `callback`.
     */
    async waitProcs(procs: Iterable<Process>, opts?: WaitProcsOptions): Promise<[Process[], Process[]]> {
      if (procs === null || typeof procs !== 'object' || typeof procs[Symbol.iterator] !== 'function') {
        throw new TypeError(`waitProcs: procs must be an iterable of Process, got ${describeValue(procs)}`);
      }
      const list = [...procs];
      for (const p of list) if (!(p instanceof Process)) throw new TypeError(`waitProcs: procs must hold Process objects, got ${describeValue(p)}`);
      const o = options<WaitProcsOptions>('waitProcs', opts, ['timeout', 'callback']);
      const timeout = secondsArg('waitProcs', 'timeout', o.timeout);
      const callback = o.callback ?? null;
      if (callback !== null && typeof callback !== 'function') throw new TypeError(`waitProcs: callback must be a function, got ${describeValue(callback)}`);
      const deadline = timeout === null ? null : nowSeconds() + timeout;
      const gone: Process[] = [];
      await Promise.all(list.map(async (p) => {
        let rc: number | null;
        try {
          rc = await p.wait(deadline === null ? undefined : { timeout: Math.max(0, deadline - nowSeconds()) });
        } catch (err) {
          if (err instanceof TimeoutExpired) return;
          throw err;
        }
        if (rc !== null || !p.isRunning()) {
          p.returncode = rc;
          gone.push(p);
          if (callback !== null) callback(p);
        }
      }));
      return [gone, list.filter((p) => !gone.includes(p))];
    },
  };
}
