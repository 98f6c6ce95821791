/**
 * CPU facade: cpuTimes, cpuPercent, cpuTimesPercent, cpuCount, cpuStats, cpuFreq, getloadavg (psutil 7.x semantics),
 * plus raw readers the agent needs for node_exporter's cpu/stat/loadavg/cpufreq families without touching /proc
 * itself, ours (docs/library-extensions.md): procStat, procLoadavg, cpuInfo, cpuFreqDetails, schedstat, procInterrupts,
 * cpuThermalThrottles, isolatedCpus, cpuVulnerabilities, procSoftirqs.
 *
 * Percent state is per instance (psutil keeps it per thread): cpuPercent and cpuTimesPercent each remember their own
 * last total and per-CPU samples, primed when the instance is created, as psutil primes them at import, so the first
 * non-blocking call measures from the instance's creation rather than returning a meaningless 0.0.
 */
import type { Context } from './context';
import { OsError, PsutilError } from './errors';
import { limitsOf } from './cgroups';
import { CPU_TIME_FIELDS, type SoftirqVector, type StatCpuLine } from './linux/parse/stat';
import type { CpuinfoBlock } from './linux/parse/cpuinfo';
import type { CpuFreqProbe, CpuThrottles, CpuVulnerability, Softirqs } from './linux/cpu';
export type { CpuVulnerability, SoftirqLine, Softirqs } from './linux/cpu';
import type { InterruptLine, SchedstatCpu } from './linux/kstat';
export type { InterruptLine, SchedstatCpu } from './linux/kstat';

// ---- result types ----

/** psutil's scputimes, psutil 7.x field order; every field is always present (0 where the kernel has none). */
export interface CpuTimes {
  readonly user: number;
  readonly nice: number;
  readonly system: number;
  readonly idle: number;
  readonly iowait: number;
  readonly irq: number;
  readonly softirq: number;
  readonly steal: number;
  readonly guest: number;
  readonly guestNice: number;
}

/** psutil's scpustats. `syscalls` is always 0 on Linux. */
export interface CpuStats {
  readonly ctxSwitches: number;
  readonly interrupts: number;
  readonly softInterrupts: number;
  readonly syscalls: number;
}

/** psutil's scpufreq, in MHz. min and max are 0 where only /proc/cpuinfo knows the frequency. */
export interface CpuFreq {
  readonly current: number;
  readonly min: number;
  readonly max: number;
}

/** One /proc/stat cpuN line, in seconds. */
export interface ProcStatCpu extends CpuTimes {
  readonly cpu: number;
}

/** The whole of /proc/stat (not a psutil function): for node_exporter's cpu and stat collectors. */
export interface ProcStat {
  /** The aggregate `cpu` line, in seconds (user and nice include guest and guestNice, as the kernel counts them). */
  readonly cpuTotal: CpuTimes;
  /** The `cpuN` lines, in seconds, with N (offline CPUs have no line, so N is not the array index). */
  readonly cpus: readonly ProcStatCpu[];
  /** How many time fields the kernel printed per cpu line (7..10); fields past it read 0. */
  readonly cpuFieldCount: number;
  /** Context switches since boot (`ctxt`). */
  readonly ctxt: number | null;
  /** Boot time, epoch seconds (`btime`). */
  readonly btime: number | null;
  /** All interrupts since boot (first number of `intr`). */
  readonly intr: number | null;
  /** All softirqs since boot (first number of `softirq`). */
  readonly softirq: number | null;
  /** Softirqs per vector (hi, timer, net_tx, net_rx, block, block_iopoll, tasklet, sched, hrtimer, rcu). */
  readonly softirqs: Readonly<Partial<Record<SoftirqVector, number>>> | null;
  /** Forks since boot (`processes`). */
  readonly processes: number | null;
  readonly procsRunning: number | null;
  readonly procsBlocked: number | null;
}

/** /proc/loadavg (not a psutil function). */
export interface ProcLoadavg {
  readonly load1: number;
  readonly load5: number;
  readonly load15: number;
  /** Runnable scheduling entities (the numerator of the 4th field). */
  readonly runnable: number;
  /** All scheduling entities (the denominator of the 4th field). */
  readonly total: number;
  readonly lastPid: number;
}

/**
 * One /proc/cpuinfo processor record (not a psutil function): the fields node_cpu_info, node_cpu_flag_info,
 * node_cpu_bug_info and node_cpu_frequency_hertz use, as strings where node_exporter uses them as labels ('' when
 * absent), plus every line under `fields` with the kernel's keys.
 */
export interface CpuInfo {
  readonly processor: number;
  readonly vendorId: string;
  readonly cpuFamily: string;
  readonly model: string;
  readonly modelName: string;
  readonly stepping: string;
  readonly microcode: string;
  readonly cacheSize: string;
  readonly physicalId: string;
  readonly coreId: string;
  readonly siblings: number | null;
  readonly cpuCores: number | null;
  /** `cpu MHz`, null where the architecture does not print it. */
  readonly mhz: number | null;
  readonly flags: readonly string[];
  readonly bugs: readonly string[];
  readonly fields: Readonly<Record<string, string>>;
}

/** Thermal throttle counts per package and per (package, core) from sysfs (not a psutil function). */
export interface CpuThermalThrottles {
  readonly packages: readonly { readonly package: number; readonly throttles: number }[];
  readonly cores: readonly { readonly package: number; readonly core: number; readonly throttles: number }[];
}

/** Per-CPU sysfs cpufreq values in Hz (not a psutil function): node_exporter's cpufreq collector. */
export interface CpuFreqDetails {
  readonly cpu: number;
  /** cpuinfo_cur_freq: what the hardware reports. */
  readonly currentHz: number | null;
  readonly minHz: number | null;
  readonly maxHz: number | null;
  /** scaling_cur_freq: what the governor last set (or the driver's estimate). */
  readonly scalingCurrentHz: number | null;
  readonly scalingMinHz: number | null;
  readonly scalingMaxHz: number | null;
  readonly governor: string | null;
  readonly availableGovernors: readonly string[];
  readonly driver: string | null;
}

export interface PercpuOption {
  percpu?: boolean | undefined;
}
export interface PercentOptions {
  /** Seconds to wait between the two samples; null, undefined or 0 compares with the previous call. */
  interval?: number | null | undefined;
  percpu?: boolean | undefined;
}
export interface CpuCountOptions {
  logical?: boolean | undefined;
  /**
   * ours: the CPUs this process's cgroups let it use (psutil #2100): the logical count bounded by the CFS quota over
   * its cgroup and ancestors and by its cpuset, rounded down, at least 1 (what os.availableParallelism() does for a
   * quota since libuv 1.49). Only with the logical count.
   */
  cgroup?: boolean | undefined;
}

// ---- argument checks (TypeError/RangeError naming the argument) ----

function options<T extends object>(fn: string, opts: unknown, allowed: readonly string[]): Partial<T> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts))
    throw new TypeError(`${fn}: options must be an object, got ${typeof opts}`);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new TypeError(`${fn}: unknown option '${k}' (expected ${allowed.join(', ')})`);
  }
  return opts;
}

/**
 * This process's cgroup-bounded CPU count; undefined where the process has no cgroup file (a kernel without cgroups,
 * a procfs without /proc/self/cgroup): the plain count is the answer there.
 */
function cgroupCpuCount(ctx: Context): number | null | undefined {
  try {
    return limitsOf(ctx).cpuCount;
  } catch (err) {
    if (err instanceof OsError && (err.osCode === 'ENOENT' || err.osCode === 'ENOTDIR')) return undefined;
    throw err;
  }
}

function bool(fn: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new TypeError(`${fn}: ${name} must be a boolean, got ${typeof v}`);
  return v;
}

/** null for a non-blocking call, else seconds > 0. */
function intervalArg(fn: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number') throw new TypeError(`${fn}: interval must be a number or null, got ${typeof v}`);
  if (Number.isNaN(v) || v < 0) throw new RangeError(`${fn}: interval is not positive (got ${v})`);
  if (!Number.isFinite(v)) throw new RangeError(`${fn}: interval must be finite (got ${v})`);
  return v > 0 ? v : null;
}

// ---- warnings ----

/** psutil's warnings.warn(msg, RuntimeWarning), shown once per instance and message (Python's default filter). */
export function runtimeWarning(ctx: Context, msg: string): void {
  const seen = ctx.slot('warnings.seen', () => new Set<string>());
  if (seen.has(msg)) return;
  seen.add(msg);
  process.emitWarning(msg, 'RuntimeWarning');
}

// ---- percent arithmetic (on integer ticks, so deltas are exact) ----

const GUEST = CPU_TIME_FIELDS.indexOf('guest');
const GUEST_NICE = CPU_TIME_FIELDS.indexOf('guestNice');
const IDLE = CPU_TIME_FIELDS.indexOf('idle');
const IOWAIT = CPU_TIME_FIELDS.indexOf('iowait');

/** Per-field deltas, negatives clamped to 0: steal and iowait can go backwards (psutil #392, #645, #1210; top does this). */
function deltas(t1: readonly number[], t2: readonly number[]): number[] {
  const out = new Array<number>(t2.length);
  for (let i = 0; i < t2.length; i++) {
    const d = (t2[i] ?? 0) - (t1[i] ?? 0);
    out[i] = d > 0 ? d : 0;
  }
  return out;
}

/** Total time: guest and guest_nice are already counted in user and nice (psutil #1210), so they come off. */
function totalOf(d: readonly number[]): number {
  let sum = 0;
  for (const v of d) sum += v;
  return sum - (d[GUEST] ?? 0) - (d[GUEST_NICE] ?? 0);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function clampPct(x: number): number {
  return x < 0 ? 0 : x > 100 ? 100 : x;
}

function busyPercent(t1: readonly number[], t2: readonly number[]): number {
  const d = deltas(t1, t2);
  const all = totalOf(d);
  if (all <= 0) return 0; // no tick elapsed (#645): psutil's ZeroDivisionError path
  // iowait is idle time too: the CPU waits for I/O and does nothing (htop does the same).
  const busy = all - (d[IDLE] ?? 0) - (d[IOWAIT] ?? 0);
  return clampPct(round1((busy / all) * 100));
}

function fieldPercents(t1: readonly number[], t2: readonly number[]): CpuTimes {
  const d = deltas(t1, t2);
  const all = totalOf(d);
  // Ticks are integers: a non-zero total is at least 1 tick. psutil's max(1, all) works on seconds and so
  // under-scales intervals shorter than a second; on ticks it is what was meant.
  const scale = all > 0 ? 100 / all : 0;
  return timesObject(d.map((v) => clampPct(round1(v * scale))));
}

function timesObject(v: readonly number[]): CpuTimes {
  return Object.freeze({
    user: v[0] ?? 0,
    nice: v[1] ?? 0,
    system: v[2] ?? 0,
    idle: v[3] ?? 0,
    iowait: v[4] ?? 0,
    irq: v[5] ?? 0,
    softirq: v[6] ?? 0,
    steal: v[7] ?? 0,
    guest: v[8] ?? 0,
    guestNice: v[9] ?? 0,
  });
}

function secondsOf(ticks: readonly number[], hz: number): number[] {
  return ticks.map((t) => t / hz);
}

type PerCpu = readonly StatCpuLine[];

/** Pairs per-CPU samples by CPU number, not position: a CPU going offline must not shift the others. */
function perCpuPercents<R>(prev: PerCpu, now: PerCpu, calc: (a: readonly number[], b: readonly number[]) => R): R[] {
  const byCpu = new Map<number, readonly number[]>();
  for (const c of prev) byCpu.set(c.cpu, c.ticks);
  // A CPU with no previous sample (just onlined) compares with itself: 0 for this call.
  return now.map((c) => calc(byCpu.get(c.cpu) ?? c.ticks, c.ticks));
}

interface PercentSlots {
  total: readonly number[] | null;
  per: PerCpu | null;
}

interface PercentState {
  cpuPercent: PercentSlots;
  cpuTimesPercent: PercentSlots;
  /** Why priming failed (no /proc/stat under this root, another platform): the first call then samples twice. */
  primeError: PsutilError | null;
}

function primeState(ctx: Context): PercentState {
  try {
    const st = ctx.os.cpu.readStat(ctx.fs);
    return {
      cpuPercent: { total: st.total.ticks, per: st.cpus },
      cpuTimesPercent: { total: st.total.ticks, per: st.cpus },
      primeError: null,
    };
  } catch (err) {
    // Not fatal at creation (a fixture root for another area, a platform without /proc): kept, and the first
    // percent call reads /proc/stat itself, raising this same error if it still applies.
    if (!(err instanceof PsutilError)) throw err;
    return { cpuPercent: { total: null, per: null }, cpuTimesPercent: { total: null, per: null }, primeError: err };
  }
}

function sleep(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

function cpuInfoRecord(b: CpuinfoBlock): CpuInfo {
  const s = (k: string) => b[k] ?? '';
  const n = (k: string) => {
    const v = b[k];
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
  };
  const mhzText = b['cpu MHz'];
  const mhz = mhzText !== undefined && mhzText !== '' && Number.isFinite(Number(mhzText)) ? Number(mhzText) : null;
  const list = (k: string) => Object.freeze((b[k] ?? '').split(/\s+/).filter((x) => x !== ''));
  return Object.freeze({
    processor: Number(b['processor']),
    vendorId: s('vendor_id'),
    cpuFamily: s('cpu family'),
    model: s('model'),
    modelName: s('model name'),
    stepping: s('stepping'),
    microcode: s('microcode'),
    cacheSize: s('cache size'),
    physicalId: s('physical id'),
    coreId: s('core id'),
    siblings: n('siblings'),
    cpuCores: n('cpu cores'),
    mhz,
    flags: list('flags'),
    bugs: list('bugs'),
    fields: b,
  });
}

export function cpuApi(ctx: Context) {
  const state = ctx.slot<PercentState>('cpu.percent', () => primeState(ctx));
  const loadState = ctx.slot<{ last: readonly [number, number, number] | null }>('cpu.getloadavg', () => ({
    last: null,
  }));
  const hz = () => ctx.os.sysconf.clockTicks();

  /** Takes a sample for `slots` (total or per-CPU), returns the previous one (or the new one if there was none). */
  function swapTotal(slots: PercentSlots): { prev: readonly number[]; now: readonly number[] } {
    const now = ctx.os.cpu.readStatTotal(ctx.fs).ticks;
    const prev = slots.total ?? now;
    slots.total = now;
    return { prev, now };
  }
  function swapPer(slots: PercentSlots): { prev: PerCpu; now: PerCpu } {
    const now = ctx.os.cpu.readStat(ctx.fs).cpus;
    const prev = slots.per ?? now;
    slots.per = now;
    return { prev, now };
  }

  function percentCall<R>(
    fn: string,
    slots: PercentSlots,
    opts: PercentOptions | undefined,
    calc: (a: readonly number[], b: readonly number[]) => R,
  ): R | R[] | Promise<R | R[]> {
    const o = options<PercentOptions>(fn, opts, ['interval', 'percpu']);
    const interval = intervalArg(fn, o.interval);
    const percpu = bool(fn, 'percpu', o.percpu, false);
    if (interval === null) {
      if (percpu) {
        const { prev, now } = swapPer(slots);
        return perCpuPercents(prev, now, calc);
      }
      const { prev, now } = swapTotal(slots);
      return calc(prev, now);
    }
    // Blocking form: its own two samples, `interval` seconds apart; the second also becomes the "last" sample.
    if (percpu) {
      const first = ctx.os.cpu.readStat(ctx.fs).cpus;
      return sleep(interval).then(() => {
        const { now } = swapPer(slots);
        return perCpuPercents(first, now, calc);
      });
    }
    const first = ctx.os.cpu.readStatTotal(ctx.fs).ticks;
    return sleep(interval).then(() => {
      const { now } = swapTotal(slots);
      return calc(first, now);
    });
  }

  function cpuTimes(opts?: { percpu?: false | undefined }): CpuTimes;
  function cpuTimes(opts: { percpu: true }): CpuTimes[];
  function cpuTimes(opts?: PercpuOption): CpuTimes | CpuTimes[];
  function cpuTimes(opts?: PercpuOption): CpuTimes | CpuTimes[] {
    const o = options<PercpuOption>('cpuTimes', opts, ['percpu']);
    const h = hz();
    if (bool('cpuTimes', 'percpu', o.percpu, false)) {
      return ctx.os.cpu.readStat(ctx.fs).cpus.map((c) => timesObject(secondsOf(c.ticks, h)));
    }
    return timesObject(secondsOf(ctx.os.cpu.readStatTotal(ctx.fs).ticks, h));
  }

  function cpuPercent(opts?: { interval?: 0 | null | undefined; percpu?: false | undefined }): number;
  function cpuPercent(opts: { interval?: 0 | null | undefined; percpu: true }): number[];
  function cpuPercent(opts: { interval: number; percpu?: false | undefined }): number | Promise<number>;
  function cpuPercent(opts: { interval: number; percpu: true }): number[] | Promise<number[]>;
  function cpuPercent(opts?: PercentOptions): number | number[] | Promise<number | number[]>;
  function cpuPercent(opts?: PercentOptions): number | number[] | Promise<number | number[]> {
    return percentCall('cpuPercent', state.cpuPercent, opts, busyPercent);
  }

  function cpuTimesPercent(opts?: { interval?: 0 | null | undefined; percpu?: false | undefined }): CpuTimes;
  function cpuTimesPercent(opts: { interval?: 0 | null | undefined; percpu: true }): CpuTimes[];
  function cpuTimesPercent(opts: { interval: number; percpu?: false | undefined }): CpuTimes | Promise<CpuTimes>;
  function cpuTimesPercent(opts: { interval: number; percpu: true }): CpuTimes[] | Promise<CpuTimes[]>;
  function cpuTimesPercent(opts?: PercentOptions): CpuTimes | CpuTimes[] | Promise<CpuTimes | CpuTimes[]>;
  function cpuTimesPercent(opts?: PercentOptions): CpuTimes | CpuTimes[] | Promise<CpuTimes | CpuTimes[]> {
    return percentCall('cpuTimesPercent', state.cpuTimesPercent, opts, fieldPercents);
  }

  function cpuFreq(opts?: { percpu?: false | undefined }): CpuFreq | null;
  function cpuFreq(opts: { percpu: true }): CpuFreq[];
  function cpuFreq(opts?: PercpuOption): CpuFreq | CpuFreq[] | null;
  function cpuFreq(opts?: PercpuOption): CpuFreq | CpuFreq[] | null {
    const o = options<PercpuOption>('cpuFreq', opts, ['percpu']);
    const percpu = bool('cpuFreq', 'percpu', o.percpu, false);
    // The sysfs layout found by the previous call is reused (see CpuFreqProbe: it is looked at again when it changes).
    const probe = ctx.slot<{ last: CpuFreqProbe | null }>('cpu.freqProbe', () => ({ last: null }));
    const { entries, unknownCurrent, probe: now } = ctx.os.cpu.cpuFreq(ctx.fs, probe.last);
    probe.last = now;
    if (unknownCurrent.length > 0) {
      runtimeWarning(ctx, `can't find current frequency file for cpu ${unknownCurrent.join(', ')}; current set to 0`);
    }
    const list = entries.map((e) => Object.freeze({ current: e.current, min: e.min, max: e.max }));
    if (percpu) return list;
    if (list.length === 0) return null;
    if (list.length === 1) return list[0] as CpuFreq;
    let cur = 0;
    let min = 0;
    let max = 0;
    for (const e of list) {
      cur += e.current;
      min += e.min;
      max += e.max;
    }
    return Object.freeze({ current: cur / list.length, min: min / list.length, max: max / list.length });
  }

  return {
    /**
     * System-wide CPU times in seconds (psutil cpu_times); `{ percpu: true }` gives one entry per `cpuN` line.
     * All ten fields are always there, 0 where the kernel has none (psutil 8 style, in psutil 7.x's order).
     */
    cpuTimes,
    /**
     * Busy percentage 0-100 since the previous non-blocking call (or since this instance was created), or over
     * `interval` seconds (then a Promise). psutil cpu_percent.
     */
    cpuPercent,
    /** Per-field percentages, with state separate from cpuPercent's. psutil cpu_times_percent. */
    cpuTimesPercent,
    /**
     * Logical CPUs (default) or physical cores (`{ logical: false }`); null when unknown. Not cgroup-aware unless
     * `{ cgroup: true }` (ours): then bounded by this process's CPU quota and cpuset (cgroupLimits().cpuCount, whole).
     */
    cpuCount(opts?: CpuCountOptions): number | null {
      const o = options<CpuCountOptions>('cpuCount', opts, ['logical', 'cgroup']);
      const logical = bool('cpuCount', 'logical', o.logical, true);
      if (bool('cpuCount', 'cgroup', o.cgroup, false)) {
        if (!logical)
          throw new TypeError('cpuCount: cgroup bounds the logical count; it cannot go with logical: false');
        const limit = cgroupCpuCount(ctx);
        if (limit !== undefined) return limit === null ? null : Math.max(1, Math.floor(limit));
      }
      const n = logical ? ctx.os.cpu.cpuCountLogical(ctx.fs) : ctx.os.cpu.cpuCountCores(ctx.fs);
      return n !== null && n >= 1 ? n : null;
    },
    /** Context switches, interrupts and softirqs since boot (psutil cpu_stats); syscalls is 0 on Linux. */
    cpuStats(): CpuStats {
      const st = ctx.os.cpu.readStat(ctx.fs);
      const missing: string[] = [];
      const get = (v: number | null, name: string) => {
        if (v === null) missing.push(name);
        return v ?? 0;
      };
      const out: CpuStats = Object.freeze({
        ctxSwitches: get(st.ctxt, 'ctx_switches'),
        interrupts: get(st.intr, 'interrupts'),
        softInterrupts: get(st.softirq, 'soft_interrupts'),
        syscalls: 0,
      });
      if (missing.length > 0) {
        runtimeWarning(
          ctx,
          `${missing.join(', ')} cpu stats couldn't be determined and ${missing.length === 1 ? 'was' : 'were'} set to 0`,
        );
      }
      return out;
    },
    /** Current/min/max frequency in MHz, averaged over CPUs unless `{ percpu: true }`; null when unknown. */
    cpuFreq,
    /**
     * [1, 5, 15]-minute load averages (psutil getloadavg): sysinfo(2) as glibc's getloadavg(3) on the real /proc,
     * else this instance's <procfs>/loadavg.
     */
    getloadavg(): readonly [number, number, number] {
      const l = ctx.os.cpu.loadavg(ctx.fs);
      // The kernel updates the averages every 5 s: while they are the same, the previous frozen (immutable) result
      // is handed out again, which spares most of what this call costs besides its one sysinfo(2).
      const last = loadState.last;
      if (last !== null && last[0] === l[0] && last[1] === l[1] && last[2] === l[2]) return last;
      // Filled into a generic array: freezing an array of doubles first converts its storage.
      const out: Array<number | null> = [null, null, null];
      out[0] = l[0];
      out[1] = l[1];
      out[2] = l[2];
      loadState.last = Object.freeze(out) as readonly number[] as readonly [number, number, number];
      return loadState.last;
    },

    // ---- not psutil: raw readers for the agent ----

    /** The whole of /proc/stat, cpu times in seconds (see ProcStat). */
    procStat(): ProcStat {
      const st = ctx.os.cpu.readStat(ctx.fs);
      const h = hz();
      return Object.freeze({
        cpuTotal: timesObject(secondsOf(st.total.ticks, h)),
        cpus: Object.freeze(st.cpus.map((c) => Object.freeze({ cpu: c.cpu, ...timesObject(secondsOf(c.ticks, h)) }))),
        cpuFieldCount: st.fieldCount,
        ctxt: st.ctxt,
        btime: st.btime,
        intr: st.intr,
        softirq: st.softirq,
        softirqs: st.softirqs,
        processes: st.processes,
        procsRunning: st.procsRunning,
        procsBlocked: st.procsBlocked,
      });
    },
    /** /proc/loadavg in full: load averages, runnable/total scheduling entities, last PID. */
    procLoadavg(): ProcLoadavg {
      return ctx.os.cpu.readLoadavg(ctx.fs);
    },
    /** The /proc/cpuinfo processor records (blocks without a `processor` line are left out). */
    cpuInfo(): readonly CpuInfo[] {
      const blocks = ctx.os.cpu
        .readCpuinfo(ctx.fs)
        .filter((b) => b['processor'] !== undefined && /^\d+$/.test(b['processor']));
      return Object.freeze(blocks.map(cpuInfoRecord));
    },
    /** Per-CPU sysfs cpufreq values in Hz, one entry per cpuN/cpufreq directory. */
    cpuFreqDetails(): readonly CpuFreqDetails[] {
      return Object.freeze(
        ctx.os.cpu
          .cpuFreqDetails(ctx.fs)
          .map((d) => Object.freeze({ ...d, availableGovernors: Object.freeze(d.availableGovernors) })),
      );
    },

    // ---- ours (not psutil's; docs/library-extensions.md) ----
    /** /proc/schedstat's per-CPU run and wait times (ns) and timeslices. Throws OsError ENOENT without CONFIG_SCHEDSTATS. */
    schedstat(): readonly SchedstatCpu[] {
      return Object.freeze(ctx.os.kstat.schedstat(ctx.fs));
    },
    /** /proc/interrupts, one record per line with a count for every CPU. */
    procInterrupts(): readonly InterruptLine[] {
      return Object.freeze(ctx.os.kstat.procInterrupts(ctx.fs));
    },
    /**
     * cpuN/thermal_throttle/{core,package}_throttle_count (x86 thermal interrupts), once per core and per package;
     * empty lists where the kernel has no thermal_throttle directories.
     */
    cpuThermalThrottles(): CpuThermalThrottles {
      const t: CpuThrottles = ctx.os.cpu.cpuThermalThrottles(ctx.fs);
      return Object.freeze({
        packages: Object.freeze(t.packages.map((x) => Object.freeze(x))),
        cores: Object.freeze(t.cores.map((x) => Object.freeze(x))),
      });
    },
    /** The CPUs isolated from the scheduler (isolcpus=, /sys/devices/system/cpu/isolated); null where the file is absent. */
    isolatedCpus(): readonly number[] | null {
      const v = ctx.os.cpu.isolatedCpus(ctx.fs);
      return v === null ? null : Object.freeze(v);
    },
    /** /sys/devices/system/cpu/vulnerabilities/*: state and mitigation of each; [] where the kernel has none. */
    cpuVulnerabilities(): readonly CpuVulnerability[] {
      return Object.freeze(ctx.os.cpu.cpuVulnerabilities(ctx.fs));
    },
    /** /proc/softirqs: the count of each softirq vector on each online CPU. */
    procSoftirqs(): Softirqs {
      return ctx.os.cpu.procSoftirqs(ctx.fs);
    },
  };
}
