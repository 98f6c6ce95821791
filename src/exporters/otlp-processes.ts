/**
 * Per-process OTLP (otlp.processes): one resource per process with the OpenTelemetry Collector hostmetrics receiver's
 * `process` scraper attributes and metrics (receiver/hostmetricsreceiver/internal/scraper/processscraper/metadata.yaml,
 * opentelemetry-collector-contrib commit 047dee5, sem_conv_version 1.9.0). The records are read in the
 * process_groups collector's own walk of /proc (one oneshot block per process), never in a second walk.
 */
import type { OtlpProcessFilter } from '../config/defaults';
import type { Process } from '../index';
import { AccessDenied, NoSuchProcess, UnsupportedOperation, ZombieProcess } from '../index';
import type { OtlpMetric } from './catalog';

/** What the receiver's attributes and metrics need of one process, read in one oneshot block. */
export interface ProcessRecord {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
  readonly exe: string;
  readonly argv: readonly string[];
  readonly owner: string | null;
  readonly createTime: number;
  readonly cpuUser: number;
  readonly cpuSystem: number;
  readonly cpuWait: number;
  readonly rss: number;
  readonly vms: number;
  /** null: /proc/<pid>/io is not readable (another user's process). */
  readonly io: {
    readonly readBytes: number;
    readonly writeBytes: number;
    readonly readCount: number;
    readonly writeCount: number;
  } | null;
  readonly minorFaults: number;
  readonly majorFaults: number;
  /** Distinct signals pending for the process (ShdPnd of status); null where status has no such line. */
  readonly signalsPending: number | null;
  readonly threads: number;
  readonly fds: number | null;
  readonly ctxVoluntary: number;
  readonly ctxInvoluntary: number;
}

/** The options the agent hands the process_groups collector (`otlp_processes`) when otlp.processes is on. */
export interface OtlpProcessOptions {
  readonly include: OtlpProcessFilter | null;
  readonly exclude: OtlpProcessFilter | null;
  readonly max: number;
}

function isProcessError(e: unknown): boolean {
  return e instanceof NoSuchProcess || e instanceof AccessDenied || e instanceof ZombieProcess;
}

/** fn's value, or null where this process denies it or is a zombie (the receiver's mute_process_*_error). */
function optional<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (e) {
    if (isProcessError(e)) return null;
    throw e;
  }
}

/** The process's pending signals, or null on a kernel whose status has no ShdPnd line (the metric is left out). */
function signalsPending(p: Process): number | null {
  try {
    return p.signalsPending();
  } catch (e) {
    if (e instanceof UnsupportedOperation) return null;
    throw e;
  }
}

type NameTest = (name: string) => boolean;

function compileFilter(f: OtlpProcessFilter | null): NameTest | null {
  if (f === null) return null;
  if (f.matchType === 'strict') {
    const set = new Set(f.names);
    return (n) => set.has(n);
  }
  const res = f.names.map((n) => new RegExp(n));
  return (n) => res.some((r) => r.test(n));
}

/** include/exclude on the executable name, as the receiver filters (no include: every process). */
export function processSelector(o: OtlpProcessOptions): (name: string) => boolean {
  const inc = compileFilter(o.include);
  const exc = compileFilter(o.exclude);
  return (n) => (inc === null || inc(n)) && (exc === null || !exc(n));
}

/**
 * What cannot change while a process runs the same program: read once per (pid, start time, name) and kept from one
 * pass to the next. The name (stat's comm, extended from argv[0] as psutil does) is part of the key because execve(2)
 * keeps the pid and start time but sets a new comm: a shell's `exec java ...` is seen as a new program. What this
 * cache does not see: a process that rewrites its own argv (setproctitle) keeps the command line it had when first
 * exported, and an execve of a program with the same comm keeps the old one's path and arguments.
 */
interface StaticFacts {
  readonly start: number | null;
  readonly name: string;
  /** Whether include/exclude keep the name (decided once). */
  readonly keep: boolean;
  /** Read on the first pass that exports the process (a process never kept is never read past its name). */
  exe?: string;
  argv?: readonly string[];
}

/**
 * Inside the caller's oneshot block: one process's record, or null when it is gone or the basics (stat, status) are
 * denied. The name is Process.name() (the receiver's Name of status, extended from argv[0] as psutil does). `facts`
 * gives exe and argv already read for this process (by pid, start time and name); they are read and stored there
 * otherwise. Every other value comes from the stat, status, io and fd reads of this pass (the owner too: a process
 * may change its uid, as sshd's privilege-separated children do, and status is read anyway).
 */
export function readProcessRecord(
  p: Process,
  name: string,
  facts: { exe?: string; argv?: readonly string[] } = {},
): ProcessRecord | null {
  try {
    const t = p.cpuTimes();
    const mem = p.memoryUsage();
    const pf = p.pageFaults();
    const ctx = p.numCtxSwitches();
    const io = optional(() => p.ioCounters());
    facts.exe ??= optional(() => p.exe()) ?? '';
    facts.argv ??= optional(() => p.cmdline()) ?? [];
    return {
      pid: p.pid,
      ppid: p.ppid(),
      name,
      exe: facts.exe,
      argv: facts.argv,
      owner: optional(() => p.username()),
      createTime: p.createTime(),
      cpuUser: t.user,
      cpuSystem: t.system,
      cpuWait: t.iowait,
      rss: mem.rss,
      vms: mem.vms,
      io:
        io === null
          ? null
          : { readBytes: io.readBytes, writeBytes: io.writeBytes, readCount: io.readCount, writeCount: io.writeCount },
      minorFaults: pf.minor,
      majorFaults: pf.major,
      signalsPending: signalsPending(p),
      threads: p.numThreads(),
      fds: optional(() => p.numFds()),
      ctxVoluntary: ctx.voluntary,
      ctxInvoluntary: ctx.involuntary,
    };
  } catch (e) {
    if (isProcessError(e)) return null;
    throw e;
  }
}

/**
 * Collects records during a walk: filtered by name, bounded by max (lowest pids kept), the rest counted. What cannot
 * change for a (pid, start time, name) is kept between passes (StaticFacts), so a pass reads stat, status, io and the
 * fd count of each exported process, and only stat (the walk's own read) of a process the filters leave out.
 */
export class ProcessRecorder {
  private readonly keep: (name: string) => boolean;
  private records: ProcessRecord[] = [];
  private dropped = 0;
  /** Facts of the processes seen in the last pass, by pid; those of this pass (only the live ones carry over). */
  private facts = new Map<number, StaticFacts>();
  private nextFacts = new Map<number, StaticFacts>();

  constructor(private readonly o: OtlpProcessOptions) {
    this.keep = processSelector(o);
  }

  /** Called for every process of the walk, inside its oneshot block. */
  visit(p: Process): void {
    const name = optional(() => p.name());
    if (name === null) return;
    const start = p.startTicks;
    let f = this.facts.get(p.pid);
    // hidepid (no start time): nothing identifies the process across passes, so nothing is kept.
    if (f === undefined || start === null || f.start !== start || f.name !== name) {
      f = { start, name, keep: this.keep(name) };
    }
    if (start !== null) this.nextFacts.set(p.pid, f);
    if (!f.keep) return;
    // /proc lists pids in ascending order: past max, only the count is kept (no reads for a dropped process).
    if (this.records.length >= this.o.max) {
      this.dropped++;
      return;
    }
    const r = readProcessRecord(p, name, f);
    if (r !== null) this.records.push(r);
  }

  take(): { records: ProcessRecord[]; dropped: number } {
    const out = { records: this.records, dropped: this.dropped };
    this.records = [];
    this.dropped = 0;
    // Facts of processes gone since the last pass are dropped here.
    this.facts = this.nextFacts;
    this.nextFacts = new Map();
    return out;
  }
}

/** CPU seconds of a process at a time, by pid and create time, for process.cpu.utilization's next export. */
export interface CpuSample {
  readonly at: number;
  readonly user: number;
  readonly system: number;
  readonly wait: number;
}

export function processKey(r: Pick<ProcessRecord, 'pid' | 'createTime'>): string {
  return `${r.pid}/${r.createTime}`;
}

/** The receiver's resource attributes (process.command_line is argv joined by spaces, as gopsutil's Cmdline). */
export function processResource(r: ProcessRecord): Record<string, string | number> {
  const attrs: Record<string, string | number> = {
    'process.pid': r.pid,
    'process.parent_pid': r.ppid,
    'process.executable.name': r.name,
    'process.executable.path': r.exe,
    'process.command': r.argv[0] ?? '',
    'process.command_line': r.argv.join(' '),
  };
  if (r.owner !== null) attrs['process.owner'] = r.owner;
  return attrs;
}

/**
 * The points' attribute sets, one frozen object each for every process: the worker's message to the main thread
 * (structured clone) writes a shared object once, and the protobuf encoder encodes each set once per export.
 */
const A = {
  none: Object.freeze({}),
  user: Object.freeze({ state: 'user' }),
  system: Object.freeze({ state: 'system' }),
  wait: Object.freeze({ state: 'wait' }),
  read: Object.freeze({ direction: 'read' }),
  write: Object.freeze({ direction: 'write' }),
  major: Object.freeze({ type: 'major' }),
  minor: Object.freeze({ type: 'minor' }),
  involuntary: Object.freeze({ type: 'involuntary' }),
  voluntary: Object.freeze({ type: 'voluntary' }),
} as const;

/**
 * The receiver's process.* metrics for each record, each carrying its process's resource. `prev` holds the CPU
 * seconds of the last pass (utilization has no point on a process's first pass, as in the receiver); `now` is epoch
 * seconds; `memTotal` bytes (0: no utilization).
 */
export function processRecordMetrics(
  records: readonly ProcessRecord[],
  prev: ReadonlyMap<string, CpuSample>,
  now: number,
  cpus: number,
  memTotal: number,
): OtlpMetric[] {
  const out: OtlpMetric[] = [];
  for (const r of records) {
    const resource = processResource(r);
    const m = (
      name: string,
      unit: string,
      kind: OtlpMetric['kind'],
      valueType: OtlpMetric['valueType'],
      description: string,
      points: OtlpMetric['points'],
    ): void => {
      out.push({ name, unit, kind, valueType, description, points, resource });
    };
    m('process.cpu.time', 's', 'counter', 'double', 'Total CPU seconds broken down by different states.', [
      { attributes: A.user, value: r.cpuUser },
      { attributes: A.system, value: r.cpuSystem },
      { attributes: A.wait, value: r.cpuWait },
    ]);
    const p = prev.get(processKey(r));
    const span = p === undefined ? 0 : (now - p.at) * Math.max(1, cpus);
    if (p !== undefined && span > 0) {
      const frac = (v: number): number => Math.min(1, Math.max(0, v / span));
      m(
        'process.cpu.utilization',
        '1',
        'gauge',
        'double',
        'Percentage of total CPU time used by the process since last scrape, expressed as a value between 0 and 1.',
        [
          { attributes: A.user, value: frac(r.cpuUser - p.user) },
          { attributes: A.system, value: frac(r.cpuSystem - p.system) },
          { attributes: A.wait, value: frac(r.cpuWait - p.wait) },
        ],
      );
    }
    m('process.memory.usage', 'By', 'updowncounter', 'int', 'The amount of physical memory in use.', [
      { attributes: A.none, value: r.rss },
    ]);
    m('process.memory.virtual', 'By', 'updowncounter', 'int', 'Virtual memory size.', [
      { attributes: A.none, value: r.vms },
    ]);
    if (memTotal > 0) {
      m(
        'process.memory.utilization',
        '1',
        'gauge',
        'double',
        'Percentage of total physical memory that is used by the process.',
        [{ attributes: A.none, value: r.rss / memTotal }],
      );
    }
    if (r.io !== null) {
      m('process.disk.io', 'By', 'counter', 'int', 'Disk bytes transferred.', [
        { attributes: A.read, value: r.io.readBytes },
        { attributes: A.write, value: r.io.writeBytes },
      ]);
      m(
        'process.disk.operations',
        '{operations}',
        'counter',
        'int',
        'Number of disk operations performed by the process.',
        [
          { attributes: A.read, value: r.io.readCount },
          { attributes: A.write, value: r.io.writeCount },
        ],
      );
    }
    m('process.paging.faults', '{faults}', 'counter', 'int', 'Number of page faults the process has made.', [
      { attributes: A.major, value: r.majorFaults },
      { attributes: A.minor, value: r.minorFaults },
    ]);
    if (r.signalsPending !== null) {
      // The receiver (gopsutil's RlimitUsage, RLIMIT_SIGPENDING's Used) sends the ShdPnd mask itself as a number
      // (SIGUSR1 pending: 512); the count of signals set in it is what the metric's description says.
      m('process.signals_pending', '{signals}', 'updowncounter', 'int', 'Number of pending signals for the process.', [
        { attributes: A.none, value: r.signalsPending },
      ]);
    }
    m('process.threads', '{threads}', 'updowncounter', 'int', 'Process threads count.', [
      { attributes: A.none, value: r.threads },
    ]);
    if (r.fds !== null) {
      m(
        'process.open_file_descriptors',
        '{count}',
        'updowncounter',
        'int',
        'Number of file descriptors in use by the process.',
        [{ attributes: A.none, value: r.fds }],
      );
    }
    m(
      'process.context_switches',
      '{count}',
      'counter',
      'int',
      'Number of times the process has been context switched.',
      [
        { attributes: A.involuntary, value: r.ctxInvoluntary },
        { attributes: A.voluntary, value: r.ctxVoluntary },
      ],
    );
    m('process.uptime', 's', 'gauge', 'double', 'The time the process has been running.', [
      { attributes: A.none, value: Math.max(0, now - r.createTime) },
    ]);
  }
  return out;
}
