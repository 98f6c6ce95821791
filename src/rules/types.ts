import type { ProcessCgroup } from '../index';

/**
 * What the grouper reads about processes, as plain records, so that it runs the same on a fixture table in a test and
 * on /proc through the library in the agent. The grouper asks a ProcSource for each fact only when a rule or an enabled
 * family needs it, and only for the processes that need it: static facts once per (pid, start time), metrics only
 * for processes that belong to a group.
 */

/** One process as listed every cycle (everything here comes from /proc/<pid>/stat). */
export interface ProcIdentity {
  readonly pid: number;
  readonly ppid: number;
  /** Start time in clock ticks since boot (stat field 22): with pid, the process identity. */
  readonly startTime: number;
  /** /proc/<pid>/stat comm (at most 15 bytes, lossily decoded). */
  readonly comm: string;
}

/** One thread of a multi-threaded process (/proc/<pid>/task/<tid>/...). */
export interface ThreadMetrics {
  readonly tid: number;
  /** With tid, the thread's identity (any unit that stays the same for the thread's life). */
  readonly startTime: number;
  /** The thread's comm: process-exporter's `threadname`. */
  readonly name: string;
  /** The one-letter state of stat field 3. */
  readonly state: string;
  readonly cpuUser: number;
  readonly cpuSystem: number;
  /** null when /proc/<pid>/task/<tid>/io is not readable. */
  readonly readBytes: number | null;
  readonly writeBytes: number | null;
  readonly minorFaults: number;
  readonly majorFaults: number;
  readonly ctxVoluntary: number;
  readonly ctxInvoluntary: number;
  /** Kernel function the thread sleeps in ("" or "0" when running). */
  readonly wchan: string;
}

/** The metric values of one process for one cycle. Units: seconds and bytes. */
export interface ProcMetrics {
  /** One-letter state of stat field 3 (R, S, D, Z, T, t, X, I, ...). */
  readonly state: string;
  readonly cpuUser: number;
  readonly cpuSystem: number;
  /** /proc/<pid>/io read_bytes / write_bytes; null when not read or not readable (other users' processes). */
  readonly readBytes: number | null;
  readonly writeBytes: number | null;
  readonly minorFaults: number;
  readonly majorFaults: number;
  /** /proc/<pid>/status voluntary_ctxt_switches / nonvoluntary_ctxt_switches (main thread only). */
  readonly ctxVoluntary: number;
  readonly ctxInvoluntary: number;
  /** status VmRSS, VmSize and VmSwap (the values of statm's resident and size, and of psutil's swap). */
  readonly rss: number;
  readonly vms: number;
  readonly swap: number;
  /** smaps_rollup Pss / SwapPss; null when not asked or not readable. */
  readonly pss: number | null;
  readonly swapPss: number | null;
  /** Entries of /proc/<pid>/fd and the RLIMIT_NOFILE soft limit; null when not asked or not readable. */
  readonly numFds: number | null;
  readonly fdLimit: number | null;
  readonly numThreads: number;
  /** /proc/<pid>/wchan, when threads are asked for. */
  readonly wchan?: string | undefined;
  /** Threads of a multi-threaded process, when asked for; absent or shorter than 2 otherwise. */
  readonly threads?: readonly ThreadMetrics[] | undefined;
}

/** Which metric files a source must read for a process in a group. */
export interface MetricNeeds {
  /** /proc/<pid>/status (context switches, VmSwap). */
  readonly status: boolean;
  /** /proc/<pid>/io. */
  readonly io: boolean;
  /** /proc/<pid>/fd and limits. */
  readonly fds: boolean;
  /** /proc/<pid>/smaps_rollup. */
  readonly smaps: boolean;
  /** /proc/<pid>/task/* and wchan, only for processes with more than one thread. */
  readonly threads: boolean;
}

/** Processes whose metrics the grouper will ask for (those already in a group), and what to read. */
export interface Prefetch {
  wanted(pid: number, startTime: number): boolean;
  readonly needs: MetricNeeds;
}

/** Which static facts the rules read; each is read once per process identity and cached. */
export interface FactNeeds {
  readonly cmdline: boolean;
  readonly username: boolean;
  readonly cgroups: boolean;
  readonly cwd: boolean;
  /** The pod and container names of the kubelet's log directories (ProcSource.podNames). */
  readonly podNames: boolean;
}

/**
 * Pod and container names without the Kubernetes API: the kubelet's log directories (/var/log/pods/<namespace>_<pod>_
 * <uid>/, /var/log/containers/<pod>_<namespace>_<container>-<id>.log) as one index, read at most once per pass.
 */
export interface PodNames {
  /** The pod with this UID (dashes, lowercase), or null when no log directory names it. */
  pod(uid: string): { readonly namespace: string; readonly name: string } | null;
  /** The name of the container with this 64-hex-digit id, or null when no log link names it. */
  container(id: string): string | null;
}

/**
 * Where the grouper gets processes. Every method may return null: the process is gone or the fact is not readable;
 * the grouper then leaves the process undecided for this cycle (a static fact) or skips it (metrics).
 */
export interface ProcSource {
  /** /proc/stat btime, whole seconds since the epoch. */
  readonly bootTime: number;
  /** USER_HZ (sysconf(_SC_CLK_TCK)), 100 on Linux. */
  readonly clockTicks: number;
  /**
   * Every process now visible. With `prefetch`, the source may read the metrics of the processes it names during the
   * same pass (one stat read serves both) and hand them to the next metrics() call for that process.
   */
  list(prefetch?: Prefetch): Iterable<ProcIdentity>;
  /** argv split at NUL with trailing NULs trimmed (see argvFromRaw); [] for kernel threads and zombies. */
  cmdline(p: ProcIdentity): readonly string[] | null;
  /** The effective user's name, or the uid as a string when it has no name (process-exporter's rule). */
  username(p: ProcIdentity): string | null;
  /** /proc/<pid>/cgroup's lines in file order, as Process.cgroups() gives them (the library's one parser). */
  cgroups(p: ProcIdentity): readonly ProcessCgroup[] | null;
  /** readlink /proc/<pid>/cwd. */
  cwd(p: ProcIdentity): string | null;
  /**
   * The pod and container names for this pass: read when first asked after list(), kept until the next list(); null
   * when the kubelet's log directory is not there (or the source has none).
   */
  podNames?(): PodNames | null;
  /**
   * The memory limit of the cgroup at this path of the memory controller's hierarchy: the tightest over it and its
   * ancestors, in bytes; null when none limits or it cannot be read. Called once per group and pass at most; the
   * source may keep answers for the pass.
   */
  memoryLimit?(cgroupPath: string): number | null;
  metrics(p: ProcIdentity, needs: MetricNeeds): ProcMetrics | null;
}
