/**
 * A ProcSource over the library's public API (src/index.ts): what the process_groups collector reads /proc through,
 * with process-exporter's view of each fact:
 * - comm: the kernel's comm from the stat read that gives the identity (Process._kernelComm(): name() would extend a
 *   15-byte comm from argv[0], reading cmdline every pass only for the grouper to cut it back);
 * - argv: cmdline({ raw: true }), split at NUL only as prometheus/procfs does (a setproctitle() line stays whole);
 * - username: username({ effective: true }), process-exporter's effective user;
 * - cgroups: Process.cgroups(), read only when a rule or template uses them (the grouper asks for facts lazily);
 * - pod and container names: the kubelet's log directories through the reader given (rules/podnames.ts), at most once
 *   per list() and only when asked;
 * - metrics: one oneshot block per process, in which stat (state, CPU, faults) and status (rss, vms, swap, context
 *   switches, threads) are read once each; io, the fd count (one stat(2) on Linux 6.2+), RLIMIT_NOFILE (prlimit),
 *   smaps_rollup (memoryFootprint(): Pss and SwapPss, no statm) only for the families left in;
 * - threads (threads: true): the process's wchan, and for multi-threaded processes threadsInfo() (per thread stat,
 *   status, io when the byte families are in, wchan), as process-exporter's -threads reads them.
 */
import { OsError } from '../probes/errors';
import {
  AccessDenied,
  NoSuchProcess,
  ZombieProcess,
  type Process,
  type ProcessCgroup,
  type ProcessThreadInfo,
} from '../index';
import type { MetricNeeds, PodNames, Prefetch, ProcIdentity, ProcMetrics, ProcSource, ThreadMetrics } from './types';

/** The parts of the library this source uses (a Psutil instance bound to the configured roots). */
export interface ProcessLibrary {
  bootTime(): number;
  processIter(): Iterable<Process>;
  readonly RLIMIT_NOFILE?: number;
  /** The library's cgroupLimits, for the groups' memory limits (absent: no limits are reported). */
  cgroupLimits?(target: string): { readonly memory: number | null };
}

const RLIMIT_NOFILE = 7;
const NO_ARGS: readonly string[] = Object.freeze([]);

/** psutil status strings back to the kernel's letters (process-exporter's states are on letters). */
const STATE_LETTER: Readonly<Record<string, string>> = {
  running: 'R',
  sleeping: 'S',
  'disk-sleep': 'D',
  zombie: 'Z',
  stopped: 'T',
  'tracing-stop': 't',
  dead: 'X',
  'wake-kill': 'K',
  waking: 'W',
  idle: 'I',
  parked: 'P',
};

/** Errors that mean "not readable now" for one process: it went away, it is a zombie, or we may not read it. */
function isProcessError(e: unknown): boolean {
  return e instanceof NoSuchProcess || e instanceof AccessDenied;
}

export class PsutilSource implements ProcSource {
  readonly bootTime: number;
  readonly clockTicks: number;
  /**
   * The listed processes by pid, kept from pass to pass and updated in place: a pass over 2,000 unchanged processes
   * then allocates no identity, entry or map of its own (each would live through the pass, be promoted by the
   * scavenges a pass triggers and leave old-space garbage behind).
   */
  private readonly entries = new Map<number, Entry>();
  private pass = 0;
  /**
   * Called for every listed process inside its oneshot block (per-process OTLP): what it reads shares the walk's
   * stat and status reads, so /proc is walked once for both.
   */
  visit: ((p: Process) => void) | null = null;
  /** The pass's pod name index: undefined until asked for after list() (podnames.ts reads the kubelet's logs). */
  private names: PodNames | null | undefined;
  private readonly readNames: (() => PodNames | null) | null;
  /** Memory limits by cgroup path, for this pass. */
  private readonly limits = new Map<string, number | null>();

  constructor(
    private readonly lib: ProcessLibrary,
    opts: { readonly podNames?: () => PodNames | null } = {},
  ) {
    this.bootTime = lib.bootTime();
    this.clockTicks = 100;
    this.readNames = opts.podNames ?? null;
  }

  memoryLimit(cgroupPath: string): number | null {
    const lib = this.lib;
    if (lib.cgroupLimits === undefined) return null;
    let v = this.limits.get(cgroupPath);
    if (v === undefined) {
      try {
        v = lib.cgroupLimits(cgroupPath).memory;
      } catch (e) {
        // No cgroup mounts visible (mountinfo unreadable, a bare chroot): no limit to report, the groups stay.
        if (!(e instanceof OsError)) throw e;
        v = null;
      }
      this.limits.set(cgroupPath, v);
    }
    return v;
  }

  podNames(): PodNames | null {
    if (this.names === undefined) this.names = this.readNames === null ? null : this.readNames();
    return this.names;
  }

  list(prefetch?: Prefetch): ProcIdentity[] {
    const out: ProcIdentity[] = [];
    const pass = ++this.pass;
    const entries = this.entries;
    this.names = undefined; // read again, if asked, in this pass
    this.limits.clear();
    for (const p of this.lib.processIter()) {
      const start = p.startTicks;
      if (start === null) continue; // hidepid: no identity, no grouping
      try {
        // One oneshot block: the stat read for the identity also serves the metrics of a grouped process.
        p.oneshot(() => {
          const pid = p.pid;
          const ppid = p.ppid();
          // The comm from the stat just read: name() would also read cmdline for a 15-byte comm, to cut it back.
          const comm = p._kernelComm();
          let e = entries.get(pid);
          if (e === undefined) {
            e = { proc: p, id: { pid, ppid, startTime: start, comm }, pass: 0, metrics: null };
            entries.set(pid, e);
          } else {
            const id = e.id;
            // The same identity object while nothing in it changed (a reparent or a new comm makes a new one).
            if (id.startTime !== start || id.ppid !== ppid || id.comm !== comm)
              e.id = { pid, ppid, startTime: start, comm };
            e.proc = p;
            e.metrics = null;
          }
          if (prefetch?.wanted(pid, start)) e.metrics = this.readOptional(p, prefetch.needs);
          this.visit?.(p);
          // Listed only once everything above went through (a process gone meanwhile is dropped below).
          e.pass = pass;
          out.push(e.id);
        });
      } catch (e) {
        if (!isProcessError(e)) throw e;
      }
    }
    for (const e of entries.values()) if (e.pass !== pass) entries.delete(e.id.pid);
    return out;
  }

  private get(p: ProcIdentity): Process | undefined {
    const e = this.entries.get(p.pid);
    return e !== undefined && e.pass === this.pass && e.proc.startTicks === p.startTime ? e.proc : undefined;
  }

  /** fn's value; null when the process is gone or denies it; `zombie` (when given) for a zombie. */
  private read<T>(p: ProcIdentity, fn: (proc: Process) => T, zombie?: T): T | null {
    const proc = this.get(p);
    if (proc === undefined) return null;
    try {
      return fn(proc);
    } catch (e) {
      if (zombie !== undefined && e instanceof ZombieProcess) return zombie;
      if (isProcessError(e)) return null;
      throw e;
    }
  }

  cmdline(p: ProcIdentity): readonly string[] | null {
    // A zombie's cmdline file is empty: process-exporter matches it as [] (and its children rule puts it in its
    // parent's group), where psutil raises. null would leave it undecided, never counted (states{Zombie} stays 0).
    return this.read(p, (proc) => proc.cmdline({ raw: true }), NO_ARGS);
  }

  username(p: ProcIdentity): string | null {
    return this.read(p, (proc) => proc.username({ effective: true }));
  }

  cgroups(p: ProcIdentity): readonly ProcessCgroup[] | null {
    return this.read(p, (proc) => proc.cgroups());
  }

  cwd(p: ProcIdentity): string | null {
    // A zombie has no cwd link left: '' as for a vanished directory, so that it can still be grouped.
    return this.read(p, (proc) => proc.cwd(), '');
  }

  metrics(p: ProcIdentity, needs: MetricNeeds): ProcMetrics | null {
    const e = this.entries.get(p.pid);
    if (e !== undefined && e.metrics !== null && e.pass === this.pass && e.id.startTime === p.startTime) {
      const pre = e.metrics;
      e.metrics = null;
      return pre;
    }
    const proc = this.get(p);
    if (proc === undefined) return null;
    try {
      return proc.oneshot(() => this.readMetrics(proc, needs));
    } catch (e) {
      if (isProcessError(e)) return null;
      throw e;
    }
  }

  /** readMetrics, or null when the process went away or denies its basics. */
  private readOptional(proc: Process, needs: MetricNeeds): ProcMetrics | null {
    try {
      return this.readMetrics(proc, needs);
    } catch (e) {
      if (isProcessError(e)) return null;
      throw e;
    }
  }

  /**
   * Inside a oneshot block. Throws NoSuchProcess/AccessDenied when even the basics (stat, status) cannot be read;
   * io, fds and smaps that cannot be read are null (process-exporter's partial errors). Written without closures
   * and with every field always present: one object of one shape per process and pass.
   */
  private readMetrics(proc: Process, needs: MetricNeeds): ProcMetrics {
    // stat: one read for these three (and for the identity, in list()).
    const t = proc.cpuTimes();
    const pf = proc.pageFaults();
    const status = proc.status();
    // status: one read for memory, context switches and the thread count.
    const mem = proc.memoryUsage();
    const ctx = proc.numCtxSwitches();
    const numThreads = proc.numThreads();
    let readBytes: number | null = null;
    let writeBytes: number | null = null;
    let numFds: number | null = null;
    let limit: number | null = null;
    let pss: number | null = null;
    let swapPss: number | null = null;
    if (needs.io) {
      try {
        const io = proc.ioCounters();
        readBytes = io.readBytes;
        writeBytes = io.writeBytes;
      } catch (e) {
        if (!isProcessError(e)) throw e; // unreadable (another user's process): a partial error, null
      }
    }
    if (needs.fds) {
      try {
        numFds = proc.numFds();
      } catch (e) {
        if (!isProcessError(e)) throw e;
      }
      try {
        limit = proc.rlimit(this.lib.RLIMIT_NOFILE ?? RLIMIT_NOFILE)[0];
      } catch (e) {
        if (!isProcessError(e)) throw e;
      }
    }
    if (needs.smaps) {
      try {
        const fp = proc.memoryFootprint();
        pss = fp.pss;
        swapPss = fp.swapPss;
      } catch (e) {
        if (!isProcessError(e)) throw e;
      }
    }
    let wchan: string | undefined;
    let threads: ThreadMetrics[] | undefined;
    if (needs.threads) {
      // '' when the process is not waiting or the kernel hides it: process-exporter counts no wchan then.
      wchan = optional(() => proc.wchan()) ?? '';
      // As process-exporter: threads are read (and reported) only for processes with more than one.
      if (numThreads > 1) {
        const list = optional(() => proc.threadsInfo({ io: needs.io, wchan: true }));
        if (list !== null) threads = list.map(threadMetrics);
      }
    }
    return {
      state: STATE_LETTER[status] ?? '?',
      cpuUser: t.user,
      cpuSystem: t.system,
      readBytes,
      writeBytes,
      minorFaults: pf.minor,
      majorFaults: pf.major,
      ctxVoluntary: ctx.voluntary,
      ctxInvoluntary: ctx.involuntary,
      rss: mem.rss,
      vms: mem.vms,
      swap: mem.swap,
      pss,
      swapPss,
      numFds,
      // RLIM_INFINITY (-1): no ratio to report.
      fdLimit: limit !== null && limit > 0 ? limit : null,
      numThreads,
      wchan,
      threads,
    };
  }
}

/** A thread as the grouper counts it; its create time (seconds) stands in for the start ticks as its identity. */
function threadMetrics(th: ProcessThreadInfo): ThreadMetrics {
  return {
    tid: th.id,
    startTime: th.createTime,
    name: th.name,
    state: STATE_LETTER[th.status] ?? '?',
    cpuUser: th.userTime,
    cpuSystem: th.systemTime,
    readBytes: th.readBytes,
    writeBytes: th.writeBytes,
    minorFaults: th.minorFaults,
    majorFaults: th.majorFaults,
    ctxVoluntary: th.voluntaryCtxSwitches,
    ctxInvoluntary: th.involuntaryCtxSwitches,
    wchan: th.wchan ?? '',
  };
}

/** A listed process, kept from pass to pass (PsutilSource.entries). */
interface Entry {
  proc: Process;
  id: ProcIdentity;
  /** The list() call that last listed it. */
  pass: number;
  /** Metrics read during list() for the metrics() call of the same pass; null once taken or when not read. */
  metrics: ProcMetrics | null;
}

/** A value that may be unreadable for this process (permission, zombie): null then. */
function optional<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (e) {
    if (isProcessError(e)) return null;
    throw e;
  }
}
