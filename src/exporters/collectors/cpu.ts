/**
 * cpu: node_exporter's cpu collector from /proc/stat (node_cpu_seconds_total{cpu,mode}, node_cpu_guest_seconds_total)
 * and, with `info`, /proc/cpuinfo (node_cpu_info, node_cpu_frequency_hertz{package,core,cpu}); psutil's per-CPU busy
 * percent as psutil_cpu_percent{cpu}. OTLP: system.cpu.time{cpu.mode,cpu.logical_number}, system.cpu.logical.count,
 * system.cpu.utilization{cpu.logical_number}.
 */
import type { CpuInfo, ProcStat } from '../../index';
import { defineCollector, fam, families, metrics, optBool, otel, str } from '../catalog';

export interface CpuOptions {
  readonly guest: boolean;
  readonly info: boolean;
  readonly percent: boolean;
}

export interface CpuData {
  readonly stat: ProcStat;
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
  return families(seconds, guest, info, freq, pct);
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
  help: 'CPU times per CPU and mode (/proc/stat), CPU info (/proc/cpuinfo), per-CPU busy percent.',
  options: (raw) => ({
    guest: optBool(raw, 'guest', true),
    info: optBool(raw, 'info', false),
    percent: optBool(raw, 'percent', true),
  }),
  create:
    ({ psutil }, o) =>
    () => ({
      stat: psutil.procStat(),
      info: o.info ? psutil.cpuInfo() : null,
      percent: o.percent ? psutil.cpuPercent({ percpu: true }) : null,
    }),
  prometheus: cpuFamilies,
  otlp: (d) => cpuMetrics(d),
});
