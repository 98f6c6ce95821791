/**
 * A ProcSource over the library's public API (src/index.ts): what the process_groups collector reads /proc through.
 *
 * Where the public API does not give process-exporter's exact view, this file says so and uses the closest value:
 * - comm: Process.name() extends a 15-byte comm from argv[0] (psutil); cutting the name back to 15 bytes gives the
 *   kernel's comm again (the extension only ever starts with the comm's bytes);
 * - argv: Process.cmdline() splits a one-argument, space-separated command line at spaces (psutil #1179); process-
 *   exporter keeps it whole, which changes argv[0] (ExeBase, ExeFull, exe:) for setproctitle() processes;
 * - username: Process.username() names the real user; process-exporter names the effective one (they differ only for
 *   setuid programs, where the uid is given instead);
 * - cgroups, per-thread state/context switches/wchan, SwapPss: not in the public API (empty / absent).
 */
import { AccessDenied, NoSuchProcess, type Process } from '../index';
import type { MetricNeeds, Prefetch, ProcIdentity, ProcMetrics, ProcSource } from './types';
import { decodeLossy } from './text';

/** The parts of the library this source uses (a Psutil instance bound to the configured roots). */
export interface ProcessLibrary {
  bootTime(): number;
  processIter(): Iterable<Process>;
  readonly RLIMIT_NOFILE?: number;
}

const RLIMIT_NOFILE = 7;
const COMM_MAX = 15;

/** psutil status strings back to the kernel's letters (process-exporter's states are on letters). */
const STATE_LETTER: Readonly<Record<string, string>> = {
  running: 'R', sleeping: 'S', 'disk-sleep': 'D', zombie: 'Z', stopped: 'T', 'tracing-stop': 't', dead: 'X',
  'wake-kill': 'K', waking: 'W', idle: 'I', parked: 'P',
};

function kernelComm(name: string): string {
  const b = Buffer.from(name, 'utf8');
  return b.length <= COMM_MAX ? name : decodeLossy(b.subarray(0, COMM_MAX));
}

/** Errors that mean "not readable now" for one process: it went away, it is a zombie, or we may not read it. */
function isProcessError(e: unknown): boolean {
  return e instanceof NoSuchProcess || e instanceof AccessDenied;
}

export class PsutilSource implements ProcSource {
  readonly bootTime: number;
  readonly clockTicks: number;
  private procs = new Map<number, Process>();
  /** Metrics read during list(), by pid, for the metrics() call that follows in the same cycle. */
  private readonly prefetched = new Map<number, ProcMetrics>();

  constructor(private readonly lib: ProcessLibrary) {
    this.bootTime = lib.bootTime();
    this.clockTicks = 100;
  }

  list(prefetch?: Prefetch): ProcIdentity[] {
    const out: ProcIdentity[] = [];
    const next = new Map<number, Process>();
    this.prefetched.clear();
    for (const p of this.lib.processIter()) {
      const start = p.startTicks;
      if (start === null) continue; // hidepid: no identity, no grouping
      try {
        // One oneshot block: the stat read for the identity also serves the metrics of a grouped process.
        const id = p.oneshot(() => {
          const ident = { pid: p.pid, ppid: p.ppid(), startTime: start, comm: kernelComm(p.name()) };
          if (prefetch?.wanted(p.pid, start)) {
            const m = optional(() => this.readMetrics(p, prefetch.needs));
            if (m !== null) this.prefetched.set(p.pid, m);
          }
          return ident;
        });
        out.push(id);
        next.set(p.pid, p);
      } catch (e) {
        if (!isProcessError(e)) throw e;
      }
    }
    this.procs = next;
    return out;
  }

  private get(p: ProcIdentity): Process | undefined {
    const proc = this.procs.get(p.pid);
    return proc !== undefined && proc.startTicks === p.startTime ? proc : undefined;
  }

  private read<T>(p: ProcIdentity, fn: (proc: Process) => T): T | null {
    const proc = this.get(p);
    if (proc === undefined) return null;
    try {
      return fn(proc);
    } catch (e) {
      if (isProcessError(e)) return null;
      throw e;
    }
  }

  cmdline(p: ProcIdentity): readonly string[] | null {
    return this.read(p, (proc) => proc.cmdline());
  }

  username(p: ProcIdentity): string | null {
    return this.read(p, (proc) => {
      const ids = proc.uids();
      return ids.effective === ids.real ? proc.username() : String(ids.effective);
    });
  }

  cgroups(_p: ProcIdentity): string | null {
    return '';
  }

  cwd(p: ProcIdentity): string | null {
    return this.read(p, (proc) => proc.cwd());
  }

  metrics(p: ProcIdentity, needs: MetricNeeds): ProcMetrics | null {
    const pre = this.prefetched.get(p.pid);
    if (pre !== undefined) {
      this.prefetched.delete(p.pid);
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

  /**
   * Inside a oneshot block. Throws NoSuchProcess/AccessDenied when even the basics (stat, status) cannot be read;
   * io, fds and smaps that cannot be read are null (process-exporter's partial errors).
   */
  private readMetrics(proc: Process, needs: MetricNeeds): ProcMetrics {
    const t = proc.cpuTimes();
    const pf = proc.pageFaults();
    const status = proc.status();
    let ctx = { voluntary: 0, involuntary: 0 };
    let mem: { rss: number; vms: number; swap?: number };
    if (needs.status) {
      ctx = proc.numCtxSwitches();
      mem = proc.memoryInfoEx();
    } else {
      mem = proc.memoryInfo();
    }
    const io = needs.io ? optional(() => proc.ioCounters()) : null;
    const numFds = needs.fds ? optional(() => proc.numFds()) : null;
    const limit = needs.fds ? optional(() => proc.rlimit(this.lib.RLIMIT_NOFILE ?? RLIMIT_NOFILE)[0]) : null;
    const pss = needs.smaps ? optional(() => proc.memoryFullInfo().pss) : null;
    return {
      state: STATE_LETTER[status] ?? '?',
      cpuUser: t.user,
      cpuSystem: t.system,
      readBytes: io?.readBytes ?? null,
      writeBytes: io?.writeBytes ?? null,
      minorFaults: pf.minor,
      majorFaults: pf.major,
      ctxVoluntary: ctx.voluntary,
      ctxInvoluntary: ctx.involuntary,
      rss: mem.rss,
      vms: mem.vms,
      swap: mem.swap ?? 0,
      pss,
      // SwapPss is not in the public API (psutil has no such field).
      swapPss: pss === null ? null : 0,
      numFds,
      // RLIM_INFINITY (-1): no ratio to report.
      fdLimit: limit !== null && limit > 0 ? limit : null,
      numThreads: proc.numThreads(),
    };
  }
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
