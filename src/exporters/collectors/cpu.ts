/**
 * cpu: node_exporter's cpu collector from /proc/stat (node_cpu_seconds_total{cpu,mode}, node_cpu_guest_seconds_total),
 * sysfs (node_cpu_core_throttles_total{package,core}, node_cpu_package_throttles_total{package}, node_cpu_isolated{cpu})
 * and, with `info`, /proc/cpuinfo (node_cpu_info, node_cpu_frequency_hertz{package,core,cpu}, and with
 * flags_include/bugs_include node_cpu_flag_info{flag}/node_cpu_bug_info{bug} of the first CPU); psutil's per-CPU busy
 * percent as psutil_cpu_percent{cpu}. OTLP: system.cpu.time{cpu.mode,cpu.logical_number}, system.cpu.logical.count,
 * system.cpu.utilization{cpu.logical_number}.
 */
import { RE2JS } from 're2js';
import type { CpuInfo, CpuThermalThrottles, ProcStat } from '../../index';
import { defineCollector, fam, families, metrics, optBool, optString, otel, str } from '../catalog';

export interface CpuOptions {
  readonly guest: boolean;
  readonly info: boolean;
  readonly percent: boolean;
  /** node_exporter's --collector.cpu.info.flags-include / bugs-include (RE2, unanchored); null: no such family. */
  readonly flagsInclude: RE2JS | null;
  readonly bugsInclude: RE2JS | null;
}

export interface CpuData {
  readonly stat: ProcStat;
  readonly throttles: CpuThermalThrottles;
  /** Isolated CPU numbers; null where sysfs has no `isolated` file. */
  readonly isolated: readonly number[] | null;
  readonly info: readonly CpuInfo[] | null;
  /** psutil cpu_percent(percpu=True), aligned with stat.cpus. */
  readonly percent: readonly number[] | null;
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
    for (const f of o.flagsInclude === null ? [] : first.flags)
      if (o.flagsInclude?.matcher(f).find()) flag.add({ flag: f }, 1);
    for (const b of o.bugsInclude === null ? [] : first.bugs)
      if (o.bugsInclude?.matcher(b).find()) bug.add({ bug: b }, 1);
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
    'Busy fraction of each logical CPU since the previous collection.',
  );
  const count = otel('system.cpu.logical.count', 'updowncounter', '{cpu}', 'Number of logical CPUs online.', 'int');
  d.stat.cpus.forEach((c, i) => {
    const n = c.cpu;
    const add = (mode: string, v: number) => time.add({ 'cpu.mode': mode, 'cpu.logical_number': n }, v);
    add('user', c.user);
    add('nice', c.nice);
    add('system', c.system);
    add('idle', c.idle);
    add('iowait', c.iowait);
    add('interrupt', c.irq + c.softirq);
    add('steal', c.steal);
    const p = d.percent?.[i];
    if (p !== undefined) util.add({ 'cpu.logical_number': n }, p / 100);
  });
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
      flagsInclude: flags === '' ? null : RE2JS.compile(flags),
      bugsInclude: bugs === '' ? null : RE2JS.compile(bugs),
    };
  },
  create:
    ({ psutil }, o) =>
    () => ({
      stat: psutil.procStat(),
      throttles: psutil.cpuThermalThrottles(),
      isolated: psutil.isolatedCpus(),
      info: o.info ? psutil.cpuInfo() : null,
      percent: o.percent ? psutil.cpuPercent({ percpu: true }) : null,
    }),
  prometheus: cpuFamilies,
  otlp: (d) => cpuMetrics(d),
});
