/**
 * Per-process OTLP (otlp.processes): one resource per process with the OpenTelemetry Collector hostmetrics receiver's
 * `process` scraper attributes and metrics (receiver/hostmetricsreceiver/internal/scraper/processscraper/metadata.yaml,
 * opentelemetry-collector-contrib commit 047dee5, sem_conv_version 1.9.0). The records are read in the
 * process_groups collector's own walk of /proc (one oneshot block per process), never in a second walk.
 */
import type { OtlpProcessFilter } from '../config/defaults';
import type { Process } from '../index';
import { AccessDenied, NoSuchProcess, UnsupportedOperation, ZombieProcess } from '../index';
import type { OtlpAttributes, OtlpMetric } from './catalog';
import { unpackOtlp, type PackedOtlp } from './otlp-pack';
import { encodeResourceAttributes } from './otlp-process-encode';
import { PidFdReader, type PidFdMode } from '../probes/linux/pidfds';
import type { LinuxProcess } from '../probes/linux/process';
import {
  IO,
  IO_SIZE,
  ioFields,
  SS,
  SS_SIZE,
  ST,
  ST_SIZE,
  statFields,
  statusFields,
} from '../probes/linux/parse/pidfields';
import { clockTicks } from '../probes/linux/sysconf';
import { fsencode } from '../util/fsencoding';

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
  /**
   * processKey() and processResource() of this record, where the recorder keeps them for the process (quick()): made
   * once per process, and once more when its ppid or owner changes, instead of once per pass.
   */
  readonly key?: string;
  readonly resource?: Readonly<Record<string, string | number>>;
}

/** The options the agent hands the process_groups collector (`otlp_processes`) when otlp.processes is on. */
export interface OtlpProcessOptions {
  readonly include: OtlpProcessFilter | null;
  readonly exclude: OtlpProcessFilter | null;
  readonly max: number;
  /** otlp.processes.kept_fds: what the walk keeps open per exported process (unset: 'dir'). */
  readonly keptFds?: PidFdMode;
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
 * What cannot change while a process runs the same program: read once per (pid, start time, comm) and kept from one
 * pass to the next. The comm (stat's, as the kernel has it) is part of the key because execve(2) keeps the pid and
 * start time but sets a new comm: a shell's `exec java ...` is seen as a new program. The name (the comm extended
 * from argv[0] as psutil does, which reads cmdline for a 15-byte comm) is made once per key too. What this cache
 * does not see: a process that rewrites its own argv (setproctitle) keeps the name and command line it had when
 * first seen, and an execve of a program with the same comm keeps the old one's path and arguments.
 */
interface StaticFacts {
  readonly start: number | null;
  readonly comm: string;
  readonly name: string;
  /** Whether include/exclude keep the name (decided once). */
  readonly keep: boolean;
  /** Read on the first pass that exports the process (a process never kept is never read past its name). */
  exe?: string;
  argv?: readonly string[];
  /** The comm's bytes as stat prints them (made on the first quick read), to compare without decoding. */
  commRaw?: Buffer;
  /** The real uid of the last pass and its user's name (not kept for a uid without a passwd entry). */
  uid?: number;
  owner?: string | undefined;
  /** processKey() of the process; its resource attributes and the ppid and owner they were made with. */
  key?: string;
  resource?: { readonly ppid: number; readonly owner: string | null; readonly attrs: Record<string, string | number> };
}

const EACCES = 13;
const EPERM = 1;
const Z = 0x5a;

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
 *
 * On a real procfs, an exported process's files are read through fds kept from pass to pass (pidfds.ts: a
 * PidFdReader the recorder owns, lent to the process's LinuxProcess for its visit only): a kept fd names the process
 * it was opened on, so a pid taken over by another process never reads as the old one. At most `max` processes'
 * fds are kept; those of processes not visited in a pass are closed when it ends (take()), all of them by close().
 */
export class ProcessRecorder {
  private readonly keep: (name: string) => boolean;
  /** No include or exclude: every process is kept, so none needs its name read to be counted. */
  private readonly all: boolean;
  private records: ProcessRecord[] = [];
  private dropped = 0;
  /** Facts of the processes seen in the last pass, by pid; those of this pass (only the live ones carry over). */
  private facts = new Map<number, StaticFacts>();
  private nextFacts = new Map<number, StaticFacts>();
  /** Made on the first visit of a process of a real procfs (undefined: not yet; null: fixture tree, none). */
  private reader: PidFdReader | null | undefined = undefined;
  private passOpen = false;
  /** The quick read's fields (pidfields.ts), reused for every process. */
  private readonly st = new Float64Array(ST_SIZE);
  private readonly ss = new Float64Array(SS_SIZE);
  private readonly iof = new Float64Array(IO_SIZE);
  /** Records of this pass made by quick(); of the last pass taken. */
  private quickNow = 0;
  private quickLast = 0;

  constructor(
    private readonly o: OtlpProcessOptions,
    private readonly fdMode: PidFdMode = 'dir',
  ) {
    this.keep = processSelector(o);
    this.all = o.include === null && o.exclude === null;
  }

  /** The kept-fd reader for processes of `h`'s procfs, its pass begun; null on a fixture tree. */
  private readerFor(h: LinuxProcess): PidFdReader | null {
    if (this.reader === undefined) {
      // A fixture tree's files can be replaced under the same name: only a real procfs's are kept open.
      this.reader = h.fs.isKernelPath(h.dir) ? new PidFdReader(h.fs.procfs, this.o.max, this.fdMode) : null;
    }
    if (this.reader !== null && !this.passOpen) {
      this.reader.begin();
      this.passOpen = true;
    }
    return this.reader;
  }

  /** Called for every process of the walk, inside its oneshot block. */
  visit(p: Process): void {
    const h = p._handle;
    const start = p.startTicks;
    let f = this.facts.get(p.pid);
    const reader = this.readerFor(h);
    const full = this.records.length >= this.o.max;
    // Past max with no filter: every process counts as dropped, and nothing of it is read (pids ascend).
    if (full && this.all) {
      this.dropped++;
      return;
    }
    // A process exported last pass: every read of this visit, the comm's stat too, goes through its kept fds, or by
    // path past the fd budget (read the quick way all the same).
    if (reader !== null && f !== undefined && f.keep && f.start === start && !full) {
      const kept = reader.open(p.pid, start);
      if (kept === 'reused') return this.stale(p);
      const r = this.quick(kept ?? reader.openPath(p.pid), p, f);
      if (r !== null) {
        this.quickNow++;
        this.nextFacts.set(p.pid, f);
        this.records.push(r);
        reader.release();
        return;
      }
      h.files = kept;
    }
    try {
      const comm = optional(() => p._kernelComm());
      if (comm === null) return;
      // hidepid (no start time): nothing identifies the process across passes, so nothing is kept.
      if (f === undefined || start === null || f.start !== start || f.comm !== comm) {
        const name = optional(() => p.name());
        if (name === null) return;
        f = { start, comm, name, keep: this.keep(name) };
      }
      if (start !== null) this.nextFacts.set(p.pid, f);
      if (!f.keep) return;
      // /proc lists pids in ascending order: past max, only the count is kept (no reads for a dropped process).
      if (full) {
        this.dropped++;
        return;
      }
      if (h.files === null && reader !== null) {
        // First exported pass (or a new name): its fds are opened now, for the reads below and the next passes.
        const kept = reader.open(p.pid, start);
        if (kept === 'reused') return this.stale(p);
        h.files = kept;
      }
      const r = readProcessRecord(p, f.name, f);
      if (r !== null) this.records.push(r);
    } finally {
      h.files = null;
      reader?.release();
    }
  }

  /**
   * The record of a process exported last pass, read through its kept fds (or by path: PidFdReader.openPath) with
   * only the fields it needs parsed from the bytes (pidfields.ts): stat, status, io and the fd count, no PidStat, no
   * status string, no object but the record. stat is read last: by path, its start time being the process's says
   * that every read before it was of the process too (a pid goes to another process only once its own is reaped).
   * null for anything but the ordinary case (a zombie, a new comm, another uid, a read that failed, a file not in the
   * kernel's layout, an fd count that needs fd/ listed): visit() then reads the process through Process, which
   * reports each of those as readProcessRecord does. The values are those readProcessRecord would give.
   */
  private quick(kept: PidFdReader, p: Process, f: StaticFacts): ProcessRecord | null {
    if (kept.statPending || f.exe === undefined || f.argv === undefined) return null;
    const st = this.st;
    const ss = this.ss;
    let n = kept.readRaw('status');
    if (n < 0 || !statusFields(kept.buffer, n, ss)) return null;
    const uid = ss[SS.uid]!;
    n = kept.readRaw('io');
    let io: ProcessRecord['io'] = null;
    if (n >= 0) {
      const v = this.iof;
      if (!ioFields(kept.buffer, n, v)) return null;
      io = {
        readBytes: v[IO.readBytes]!,
        writeBytes: v[IO.writeBytes]!,
        readCount: v[IO.syscr]!,
        writeCount: v[IO.syscw]!,
      };
    } else if (n !== -EACCES && n !== -EPERM) return null;
    const fds = kept.fdCount();
    if (fds < 0) return null;
    n = kept.readRaw('stat');
    if (n < 0 || !statFields(kept.buffer, n, st)) return null;
    if (st[ST.state] === Z || st[ST.starttime] !== f.start) return null;
    const raw = (f.commRaw ??= fsencode(f.comm));
    const cs = st[ST.commStart]!;
    if (st[ST.commEnd]! - cs !== raw.length) return null;
    const b = kept.buffer;
    for (let i = 0; i < raw.length; i++) if (b[cs + i] !== raw[i]) return null;
    let owner: string | null;
    if (f.uid === uid && f.owner !== undefined) owner = f.owner;
    else {
      // A uid not seen for this process: its name as Process.username() gives it (through the kept fds, or by path).
      const h = p._handle;
      h.files = kept.byPath ? null : kept;
      try {
        owner = optional(() => p.username());
      } finally {
        h.files = null;
      }
      f.uid = uid;
      // A uid without a passwd entry is asked again next pass: Process.username() lets such a miss expire.
      f.owner = owner !== null && owner !== String(uid) ? owner : undefined;
    }
    const t = clockTicks();
    const ppid = st[ST.ppid]!;
    const createTime = p.createTime();
    const key = (f.key ??= `${p.pid}/${createTime}`);
    let res = f.resource;
    if (res === undefined || res.ppid !== ppid || res.owner !== owner) {
      const attrs = processResource({ pid: p.pid, ppid, name: f.name, exe: f.exe, argv: f.argv, owner });
      f.resource = res = { ppid, owner, attrs };
    }
    return {
      pid: p.pid,
      ppid,
      name: f.name,
      exe: f.exe,
      argv: f.argv,
      owner,
      createTime,
      cpuUser: st[ST.utime]! / t,
      cpuSystem: st[ST.stime]! / t,
      cpuWait: st[ST.blkio]! / t,
      rss: ss[SS.vmRss]!,
      vms: ss[SS.vmSize]!,
      io,
      minorFaults: st[ST.minflt]!,
      majorFaults: st[ST.majflt]!,
      signalsPending: ss[SS.shdPnd]! < 0 ? null : ss[SS.shdPnd]!,
      threads: ss[SS.threads]!,
      fds,
      ctxVoluntary: ss[SS.voluntary]!,
      ctxInvoluntary: ss[SS.nonvoluntary]!,
      key,
      resource: res.attrs,
    };
  }

  /**
   * `p` names a process that had its pid before (processIter keeps Process objects by pid): nothing is reported for
   * it, and isRunning() marks it reused, so that the next walk makes a Process of the process the pid names now.
   */
  private stale(p: Process): void {
    p._handle.files = null;
    p.isRunning();
  }

  take(): { records: ProcessRecord[]; dropped: number } {
    const out = { records: this.records, dropped: this.dropped };
    this.records = [];
    this.dropped = 0;
    this.quickLast = this.quickNow;
    this.quickNow = 0;
    // Facts of processes gone since the last pass are dropped here, and the kept fds of processes not visited.
    this.facts = this.nextFacts;
    this.nextFacts = new Map();
    if (this.passOpen) this.reader?.end();
    this.passOpen = false;
    return out;
  }

  /** Closes the kept fds (a recorder no longer used; otherwise they are closed when it is garbage-collected). */
  close(): void {
    this.reader?.close();
    this.reader = undefined;
    this.passOpen = false;
  }

  /** How many records of the last pass taken were read the quick way (quick(); for tests). */
  quickRecords(): number {
    return this.quickLast;
  }

  /** Processes whose fds are kept now, and those fds (for tests). */
  keptFds(): { processes: number; fds: number } {
    return { processes: this.reader?.size ?? 0, fds: this.reader?.fds ?? 0 };
  }
}

/** CPU seconds of a process at a time, by pid and create time, for process.cpu.utilization's next export. */
export interface CpuSample {
  readonly at: number;
  readonly user: number;
  readonly system: number;
  readonly wait: number;
}

export function processKey(r: Pick<ProcessRecord, 'pid' | 'createTime' | 'key'>): string {
  return r.key ?? `${r.pid}/${r.createTime}`;
}

/** The receiver's resource attributes (process.command_line is argv joined by spaces, as gopsutil's Cmdline). */
export function processResource(
  r: Pick<ProcessRecord, 'pid' | 'ppid' | 'name' | 'exe' | 'argv' | 'owner'>,
): Record<string, string | number> {
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
 * seconds; `memTotal` bytes (0: no utilization). The objects of processRecordPack's pack, which the agent sends.
 */
export function processRecordMetrics(
  records: readonly ProcessRecord[],
  prev: ReadonlyMap<string, CpuSample>,
  now: number,
  cpus: number,
  memTotal: number,
): OtlpMetric[] {
  const packed = processRecordPack(records, prev, now, cpus, memTotal);
  return packed === undefined ? [] : unpackOtlp(packed);
}

type Descriptor = PackedOtlp['descriptors'][number];

/** processRecordMetrics' descriptors, by slot (D below), as packOtlp would list them. */
function descriptor(
  name: string,
  unit: string,
  kind: OtlpMetric['kind'],
  valueType: OtlpMetric['valueType'],
  description: string,
): Descriptor {
  return { name, description, unit, kind, valueType };
}

const DESCRIPTORS: readonly Descriptor[] = [
  descriptor('process.cpu.time', 's', 'counter', 'double', 'Total CPU seconds broken down by different states.'),
  descriptor(
    'process.cpu.utilization',
    '1',
    'gauge',
    'double',
    'Percentage of total CPU time used by the process since last scrape, expressed as a value between 0 and 1.',
  ),
  descriptor('process.memory.usage', 'By', 'updowncounter', 'int', 'The amount of physical memory in use.'),
  descriptor('process.memory.virtual', 'By', 'updowncounter', 'int', 'Virtual memory size.'),
  descriptor(
    'process.memory.utilization',
    '1',
    'gauge',
    'double',
    'Percentage of total physical memory that is used by the process.',
  ),
  descriptor('process.disk.io', 'By', 'counter', 'int', 'Disk bytes transferred.'),
  descriptor(
    'process.disk.operations',
    '{operations}',
    'counter',
    'int',
    'Number of disk operations performed by the process.',
  ),
  descriptor('process.paging.faults', '{faults}', 'counter', 'int', 'Number of page faults the process has made.'),
  descriptor(
    'process.signals_pending',
    '{signals}',
    'updowncounter',
    'int',
    'Number of pending signals for the process.',
  ),
  descriptor('process.threads', '{threads}', 'updowncounter', 'int', 'Process threads count.'),
  descriptor(
    'process.open_file_descriptors',
    '{count}',
    'updowncounter',
    'int',
    'Number of file descriptors in use by the process.',
  ),
  descriptor(
    'process.context_switches',
    '{count}',
    'counter',
    'int',
    'Number of times the process has been context switched.',
  ),
  descriptor('process.uptime', 's', 'gauge', 'double', 'The time the process has been running.'),
];
/** The attribute sets, by slot (S below). */
const SETS: readonly OtlpAttributes[] = [
  A.none,
  A.user,
  A.system,
  A.wait,
  A.read,
  A.write,
  A.major,
  A.minor,
  A.involuntary,
  A.voluntary,
];
const S = { none: 0, user: 1, system: 2, wait: 3, read: 4, write: 5, major: 6, minor: 7, involuntary: 8, voluntary: 9 };

/** The resource last made for a process's argv (kept as long as the facts are), reused while pid, ppid and owner stay. */
const resources = new WeakMap<readonly string[], { r: ProcessRecord; attrs: Record<string, string | number> }>();

function resourceOf(r: ProcessRecord): Readonly<Record<string, string | number>> {
  if (r.resource !== undefined) return r.resource;
  const c = resources.get(r.argv);
  if (
    c !== undefined &&
    c.r.pid === r.pid &&
    c.r.ppid === r.ppid &&
    c.r.owner === r.owner &&
    c.r.name === r.name &&
    c.r.exe === r.exe
  )
    return c.attrs;
  const attrs = processResource(r);
  resources.set(r.argv, { r, attrs });
  return attrs;
}

/** A resource's encoded attributes (encodeResourceAttributes) and its keys, in order. */
interface EncodedResource {
  readonly bytes: Uint8Array;
  readonly keys: readonly string[];
}

/** Encoded resources by resource object (kept as long as the object is: a process's, made once per ppid and owner). */
const encodedResources = new WeakMap<object, EncodedResource | null>();
/** One array per list of keys (a resource kind's: few), so that the pack lists each once. */
const keyLists = new Map<string, readonly string[]>();

function encodedResource(attrs: Readonly<Record<string, string | number>>): EncodedResource | null {
  let e = encodedResources.get(attrs);
  if (e === undefined) {
    const bytes = encodeResourceAttributes(attrs);
    if (bytes === null) e = null;
    else {
      const list = Object.keys(attrs);
      const id = list.join('\0');
      let keys = keyLists.get(id);
      if (keys === undefined) {
        keys = Object.freeze(list);
        if (keyLists.size < 64) keyLists.set(id, keys);
      }
      e = { bytes, keys };
    }
    encodedResources.set(attrs, e);
  }
  return e;
}

/**
 * processRecordMetrics packed (otlp-pack.ts) without making the metrics: the same pack as
 * packOtlp(processRecordMetrics(...)).packed, value for value, in the same order. For 1,000 processes the 15,000
 * metric and 25,000 point objects, then packOtlp's lookups over them, were ~20 ms of an export's CPU with their GC.
 * undefined when there is no record.
 */
export function processRecordPack(
  records: readonly ProcessRecord[],
  prev: ReadonlyMap<string, CpuSample>,
  now: number,
  cpus: number,
  memTotal: number,
): PackedOtlp | undefined {
  if (records.length === 0) return undefined;
  // At most 13 metrics (4 index slots each) and 25 points (one slot and one value each) per process.
  const index = new Int32Array(records.length * (13 * 4 + 25));
  const values = new Float64Array(records.length * 25);
  const descriptors: Descriptor[] = [];
  const attributeSets: OtlpAttributes[] = [];
  // Each resource as its bytes, encoded once per process (the object where the bytes would not give it back).
  const resourceList: Array<Readonly<Record<string, string | number>> | null> = [];
  const encodedList: Array<EncodedResource | null> = [];
  const keySets: Array<readonly string[]> = [];
  const keySetIndex = new Map<readonly string[], number>();
  let encodedBytes = 0;
  // Slot -> index in the pack's lists, in first-use order (as packOtlp numbers them).
  const dIdx = new Int32Array(DESCRIPTORS.length).fill(-1);
  const sIdx = new Int32Array(SETS.length).fill(-1);
  let i = 0;
  let v = 0;
  let res = 0;
  const metric = (d: number, n: number): void => {
    let di = dIdx[d] as number;
    if (di < 0) dIdx[d] = di = descriptors.push(DESCRIPTORS[d] as Descriptor) - 1;
    index[i++] = res;
    index[i++] = di;
    index[i++] = n;
    index[i++] = v;
  };
  const point = (set: number, value: number): void => {
    let si = sIdx[set] as number;
    if (si < 0) sIdx[set] = si = attributeSets.push(SETS[set] as OtlpAttributes) - 1;
    index[i++] = si;
    values[v++] = value;
  };
  for (const r of records) {
    const attrs = resourceOf(r);
    const e = encodedResource(attrs);
    res = resourceList.push(e === null ? attrs : null) - 1;
    encodedList.push(e);
    if (e !== null) encodedBytes += e.bytes.length;
    metric(0, 3);
    point(S.user, r.cpuUser);
    point(S.system, r.cpuSystem);
    point(S.wait, r.cpuWait);
    const p = prev.get(processKey(r));
    const span = p === undefined ? 0 : (now - p.at) * Math.max(1, cpus);
    if (p !== undefined && span > 0) {
      metric(1, 3);
      point(S.user, Math.min(1, Math.max(0, (r.cpuUser - p.user) / span)));
      point(S.system, Math.min(1, Math.max(0, (r.cpuSystem - p.system) / span)));
      point(S.wait, Math.min(1, Math.max(0, (r.cpuWait - p.wait) / span)));
    }
    metric(2, 1);
    point(S.none, r.rss);
    metric(3, 1);
    point(S.none, r.vms);
    if (memTotal > 0) {
      metric(4, 1);
      point(S.none, r.rss / memTotal);
    }
    if (r.io !== null) {
      metric(5, 2);
      point(S.read, r.io.readBytes);
      point(S.write, r.io.writeBytes);
      metric(6, 2);
      point(S.read, r.io.readCount);
      point(S.write, r.io.writeCount);
    }
    metric(7, 2);
    point(S.major, r.majorFaults);
    point(S.minor, r.minorFaults);
    if (r.signalsPending !== null) {
      metric(8, 1);
      point(S.none, r.signalsPending);
    }
    metric(9, 1);
    point(S.none, r.threads);
    if (r.fds !== null) {
      metric(10, 1);
      point(S.none, r.fds);
    }
    metric(11, 2);
    point(S.involuntary, r.ctxInvoluntary);
    point(S.voluntary, r.ctxVoluntary);
    metric(12, 1);
    point(S.none, Math.max(0, now - r.createTime));
  }
  const bytes = new Uint8Array(encodedBytes);
  const spans = new Int32Array(2 * encodedList.length).fill(-1);
  const keySetOf = new Int32Array(encodedList.length).fill(-1);
  let at = 0;
  for (let k = 0; k < encodedList.length; k++) {
    const e = encodedList[k];
    if (e === null || e === undefined) continue;
    bytes.set(e.bytes, at);
    spans[2 * k] = at;
    spans[2 * k + 1] = at += e.bytes.length;
    let ks = keySetIndex.get(e.keys);
    if (ks === undefined) keySetIndex.set(e.keys, (ks = keySets.push(e.keys) - 1));
    keySetOf[k] = ks;
  }
  // Copies of the used part: a structured clone sends a view's whole buffer.
  return {
    descriptors,
    attributeSets,
    resources: resourceList,
    encoded: { bytes, spans, keySets, keySetOf },
    index: index.slice(0, i),
    values: values.slice(0, v),
  };
}
