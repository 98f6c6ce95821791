/**
 * The process area's result and option types: psutil's namedtuples as frozen objects with psutil's field order, our
 * extensions' results (marked "ours"), and what each asDict / processIter attribute holds. Types only.
 */
import type { ConnKind, InetAddr } from '../linux/net';
import type { ConnectionStatus, ProcessStatus } from '../constants';

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

export type MemoryType = keyof ProcessMemoryFullInfo;

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

// ---- the process table (ours: docs/library-extensions.md) ----------------------------------------------------------

export interface KernelLimits {
  /** /proc/sys/kernel/pid_max. */
  readonly pidMax: number | null;
  /** /proc/sys/kernel/threads-max. */
  readonly threadsMax: number | null;
}

/** Counts of one walk of /proc (node_exporter's processes collector). */
export interface ProcessSummary {
  readonly pids: number;
  /** Sum of num_threads over the processes. */
  readonly threads: number;
  /** Processes per state letter (R, S, D, Z, T, t, X, I, ...). */
  readonly states: Readonly<Record<string, number>>;
  /** Threads per state letter, from every task/<tid>/stat; null unless `threads` was asked for. */
  readonly threadStates: Readonly<Record<string, number>> | null;
  /** Processes or threads that exited (or were unreadable) during the walk. */
  readonly skipped: number;
}

export interface ProcessSummaryOptions {
  /** Also read every thread's state (default false: one stat read per process only). */
  threads?: boolean;
}
