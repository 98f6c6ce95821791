/**
 * cpu: node_exporter's cpu collector from /proc/stat (node_cpu_seconds_total{cpu,mode}, node_cpu_guest_seconds_total),
 * sysfs (node_cpu_core_throttles_total{package,core}, node_cpu_package_throttles_total{package}, node_cpu_isolated{cpu})
 * and, with `info`, /proc/cpuinfo (node_cpu_info, node_cpu_frequency_hertz{package,core,cpu}, and with
 * flags_include/bugs_include node_cpu_flag_info{flag}/node_cpu_bug_info{bug} of the first CPU); psutil's per-CPU busy
 * percent as psutil_cpu_percent{cpu}. OTLP: system.cpu.time{cpu.mode,cpu.logical_number}, system.cpu.logical.count,
 * system.cpu.utilization{cpu.mode,cpu.logical_number} (from the difference of two passes' times),
 * system.cpu.physical.count.
 */
import { compileGoRegexp, type GoRegexp } from '../../util/goregexp';
import type { CpuInfo, CpuThermalThrottles, CpuTimes, ProcStat } from '../../index';
import { defineCollector, fam, families, metrics, optBool, optString, otel, str } from '../catalog';
import { cpuPhysicalCountMetrics } from '../otlp-system';

export interface CpuOptions {
  readonly guest: boolean;
  readonly info: boolean;
  readonly percent: boolean;
  /** node_exporter's --collector.cpu.info.flags-include / bugs-include (RE2, unanchored); null: no such family. */
  readonly flagsInclude: GoRegexp | null;
  readonly bugsInclude: GoRegexp | null;
}

export interface CpuData {
  readonly stat: ProcStat;
  readonly throttles: CpuThermalThrottles;
  /** Isolated CPU numbers; null where sysfs has no `isolated` file. */
  readonly isolated: readonly number[] | null;
  readonly info: readonly CpuInfo[] | null;
  /** psutil cpu_percent(percpu=True), aligned with stat.cpus. */
  readonly percent: readonly number[] | null;
  /** Each CPU's share of time per mode since the previous pass; null on the first pass (nothing to compare). */
  readonly utilization: readonly CpuModeFractions[] | null;
  /** psutil cpu_count(logical=False), for system.cpu.physical.count; absent or null where unknown. */
  readonly physicalCores?: number | null;
}

/** semconv's cpu.mode values as system.cpu.time sends them (irq and softirq are one `interrupt`). */
const OTEL_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'interrupt', 'steal'] as const;
type OtelMode = (typeof OTEL_MODES)[number];

function otelModeSeconds(c: CpuTimes): Record<OtelMode, number> {
  // The kernel's user and nice already include guest and guest_nice: not added again, so the modes sum to the
  // CPU's whole time.
  return {
    user: c.user,
    nice: c.nice,
    system: c.system,
    idle: c.idle,
    iowait: c.iowait,
    interrupt: c.irq + c.softirq,
    steal: c.steal,
  };
}

export interface CpuModeFractions {
  /** The kernel CPU number. */
  readonly cpu: number;
  /** Per mode, the fraction of the CPU's time between the two passes (together 1). */
  readonly fractions: Readonly<Record<OtelMode, number>>;
}

/**
 * Each CPU's time per mode between two /proc/stat reads, as fractions of its whole time then. A CPU missing from
 * either read (hotplug) or with no time elapsed has no entry. A counter that stepped back (the kernel's iowait and
 * idle can, on a CPU that went idle between reads) counts as 0, as psutil's cpu_times_percent does.
 */
export function cpuModeUtilization(prev: ProcStat, now: ProcStat): CpuModeFractions[] {
  const before = new Map(prev.cpus.map((c) => [c.cpu, c]));
  const out: CpuModeFractions[] = [];
  for (const c of now.cpus) {
    const p = before.get(c.cpu);
    if (p === undefined) continue;
    const a = otelModeSeconds(p);
    const b = otelModeSeconds(c);
    const delta = OTEL_MODES.map((m) => Math.max(0, b[m] - a[m]));
    const total = delta.reduce((x, y) => x + y, 0);
    if (total <= 0) continue;
    const fractions = Object.fromEntries(OTEL_MODES.map((m, i) => [m, (delta[i] as number) / total]));
    out.push({ cpu: c.cpu, fractions: fractions as Record<OtelMode, number> });
  }
  return out;
}

const MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

export function cpuFamilies(d: CpuData, o: CpuOptions) {
  const seconds = fam('node_cpu_seconds_total', 'counter', 'Seconds the CPUs spent in each mode.', ['cpu', 'mode']);
  const guest = fam(
    'node_cpu_guest_seconds_total',
    'counter',
    'Seconds the CPUs spent in guests (VMs) for each mode.',
    ['cpu', 'mode'],
  );
  for (const c of d.stat.cpus) {
    const cpu = String(c.cpu);
    for (const m of MODES) seconds.add({ cpu, mode: m }, c[m]);
    if (o.guest) {
      guest.add({ cpu, mode: 'user' }, c.guest);
      guest.add({ cpu, mode: 'nice' }, c.guestNice);
    }
  }
  const info = fam('node_cpu_info', 'gauge', 'CPU information from /proc/cpuinfo.', [
    'package',
    'core',
    'cpu',
    'vendor',
    'family',
    'model',
    'model_name',
    'microcode',
    'stepping',
    'cachesize',
  ]);
  const freq = fam('node_cpu_frequency_hertz', 'gauge', 'CPU frequency in hertz from /proc/cpuinfo.', [
    'package',
    'core',
    'cpu',
  ]);
  for (const c of d.info ?? []) {
    const ids = { package: str(c.physicalId), core: str(c.coreId), cpu: String(c.processor) };
    info.add(
      {
        ...ids,
        vendor: c.vendorId,
        family: c.cpuFamily,
        model: c.model,
        model_name: c.modelName,
        microcode: c.microcode,
        stepping: c.stepping,
        cachesize: c.cacheSize,
      },
      1,
    );
    if (c.mhz !== null) freq.add(ids, c.mhz * 1e6);
  }
  // node_exporter takes the flags and bugs of the first record only (they are the same on every CPU).
  const first = d.info?.[0];
  const flag = fam(
    'node_cpu_flag_info',
    'gauge',
    'The `flags` field of CPU information from /proc/cpuinfo taken from the first core.',
    ['flag'],
  );
  const bug = fam(
    'node_cpu_bug_info',
    'gauge',
    'The `bugs` field of CPU information from /proc/cpuinfo taken from the first core.',
    ['bug'],
  );
  if (first !== undefined) {
    for (const f of o.flagsInclude === null ? [] : first.flags) if (o.flagsInclude?.test(f)) flag.add({ flag: f }, 1);
    for (const b of o.bugsInclude === null ? [] : first.bugs) if (o.bugsInclude?.test(b)) bug.add({ bug: b }, 1);
  }
  const coreThrottles = fam(
    'node_cpu_core_throttles_total',
    'counter',
    'Number of times this CPU core has been throttled.',
    ['package', 'core'],
  );
  for (const c of d.throttles.cores)
    coreThrottles.add({ package: String(c.package), core: String(c.core) }, c.throttles);
  const packageThrottles = fam(
    'node_cpu_package_throttles_total',
    'counter',
    'Number of times this CPU package has been throttled.',
    ['package'],
  );
  for (const p of d.throttles.packages) packageThrottles.add({ package: String(p.package) }, p.throttles);
  const isolated = fam(
    'node_cpu_isolated',
    'gauge',
    'Whether each core is isolated, information from /sys/devices/system/cpu/isolated.',
    ['cpu'],
  );
  for (const c of d.isolated ?? []) isolated.add({ cpu: String(c) }, 1);
  const pct = fam(
    'psutil_cpu_percent',
    'gauge',
    'psutil cpu_percent(percpu=True): busy percent of each CPU since the previous collection.',
    ['cpu'],
  );
  if (o.percent && d.percent) {
    d.stat.cpus.forEach((c, i) => {
      const v = d.percent?.[i];
      if (v !== undefined) pct.add({ cpu: String(c.cpu) }, v);
    });
  }
  return families(seconds, guest, info, flag, bug, freq, coreThrottles, packageThrottles, isolated, pct);
}

/** Semantic conventions name irq and softirq alike `interrupt`: the two are summed into one series. */
export function cpuMetrics(d: CpuData) {
  const time = otel('system.cpu.time', 'counter', 's', 'Seconds each logical CPU spent in each mode.');
  const util = otel(
    'system.cpu.utilization',
    'gauge',
    '1',
    "Share of each logical CPU's time in each mode since the previous collection (the modes of a CPU sum to 1).",
  );
  const count = otel('system.cpu.logical.count', 'updowncounter', '{cpu}', 'Number of logical CPUs online.', 'int');
  for (const c of d.stat.cpus) {
    const n = c.cpu;
    const t = otelModeSeconds(c);
    for (const m of OTEL_MODES) time.add({ 'cpu.mode': m, 'cpu.logical_number': n }, t[m]);
  }
  for (const u of d.utilization ?? []) {
    for (const m of OTEL_MODES) util.add({ 'cpu.mode': m, 'cpu.logical_number': u.cpu }, u.fractions[m]);
  }
  count.add({}, d.stat.cpus.length);
  return metrics(time, util, count);
}

export const cpuCollector = defineCollector<CpuData, CpuOptions>({
  name: 'cpu',
  help: 'CPU times per CPU and mode (/proc/stat), thermal throttles and isolated CPUs (sysfs), CPU info (/proc/cpuinfo), per-CPU busy percent.',
  options: (raw) => {
    const flags = optString(raw, 'flags_include');
    const bugs = optString(raw, 'bugs_include');
    return {
      guest: optBool(raw, 'guest', true),
      // As node_exporter: setting either filter turns cpu info on.
      info: optBool(raw, 'info', false) || flags !== '' || bugs !== '',
      percent: optBool(raw, 'percent', true),
      flagsInclude: flags === '' ? null : compileGoRegexp(flags),
      bugsInclude: bugs === '' ? null : compileGoRegexp(bugs),
    };
  },
  create: ({ psutil }, o) => {
    // The last pass's /proc/stat, for system.cpu.utilization (kept by the collector instance across passes).
    let prev: ProcStat | null = null;
    return () => {
      const stat = psutil.procStat();
      const utilization = prev === null ? null : cpuModeUtilization(prev, stat);
      prev = stat;
      return {
        stat,
        throttles: psutil.cpuThermalThrottles(),
        isolated: psutil.isolatedCpus(),
        info: o.info ? psutil.cpuInfo() : null,
        percent: o.percent ? psutil.cpuPercent({ percpu: true }) : null,
        utilization,
        physicalCores: psutil.cpuCount({ logical: false }),
      };
    };
  },
  prometheus: cpuFamilies,
  otlp: (d) => [...cpuMetrics(d), ...cpuPhysicalCountMetrics(d.physicalCores ?? null)],
});
