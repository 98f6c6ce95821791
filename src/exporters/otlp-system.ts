/**
 * The system.* OTLP metrics the OpenTelemetry Collector's hostmetrics receiver sends beyond what each collector's
 * own mapping had: CPU counts and frequencies, filesystem inodes, disk queue and capacity, per-device swap, hugepages,
 * process counts by status and PSI. Each collector's otlp() adds these from the data it already read.
 *
 * Names, units, instruments and attributes follow the semantic conventions (SEMCONV_VERSION, as generated in
 * @opentelemetry/semantic-conventions of that version); where they define no metric, the receiver's (RECEIVER_REF):
 * - semconv: system.cpu.physical.count, system.cpu.frequency, system.disk.limit, system.paging.usage and
 *   .utilization{system.device, system.paging.state}, system.memory.linux.hugepages.{page_size,limit,usage,
 *   utilization,reserved,surplus}. The receiver has page_size, reserved and surplus as gauges; semconv's
 *   updowncounters are sent.
 * - receiver only: system.filesystem.inodes.usage, system.disk.weighted_io_time, system.disk.pending_operations,
 *   system.processes.count{status} and system.processes.created (semconv renamed these two system.process.count
 *   {process.state} and system.process.created, which the agent sends too), and PSI as
 *   system.{cpu,memory,io,irq}.linux.pressure.{total,10s,1m,5m}{system.pressure.stall_type} (the receiver's
 *   `pressure` scraper; semconv has the attribute but no PSI metric). Attributes the receiver spells bare
 *   (device, mode, mountpoint, type, state) are sent with their semconv keys, as system.filesystem.usage has them.
 * - PSI values are in the units named: the receiver sends the kernel's microsecond total under unit `s` and the
 *   averages in percent under unit `1`; here totals are seconds and averages fractions of 1.
 */
import type { CpuInfo, CpuFreqDetails, PressureRecord, ProcPressure, SwapArea } from '../index';
import { metrics, otel, type OtlpMetric } from './catalog';

/** The semantic conventions release these names follow. */
export const SEMCONV_VERSION = '1.45.0';
/** The receiver whose names fill semconv's gaps. */
export const RECEIVER_REF =
  'opentelemetry-collector-contrib receiver/hostmetricsreceiver (scrapers cpu, disk, filesystem, paging, processes, memory, pressure)';

/** semconv system.cpu.physical.count: cores (sockets x cores per socket), as psutil cpu_count(logical=False). */
export function cpuPhysicalCountMetrics(cores: number | null): OtlpMetric[] {
  const m = otel('system.cpu.physical.count', 'updowncounter', '{cpu}', 'Number of physical processor cores.', 'int');
  if (cores !== null) m.add({}, cores);
  return metrics(m);
}

/**
 * semconv system.cpu.frequency{cpu.logical_number}: sysfs cpufreq's current frequency; for a CPU sysfs has none of
 * (virtual machines, most containers' hosts without cpufreq drivers), /proc/cpuinfo's `cpu MHz` when given.
 */
export function cpuFrequencyMetrics(
  sysfs: readonly CpuFreqDetails[],
  cpuinfo: readonly Pick<CpuInfo, 'processor' | 'mhz'>[] | null,
): OtlpMetric[] {
  const freq = otel('system.cpu.frequency', 'gauge', 'Hz', 'Current frequency of each logical CPU.');
  const known = new Set<number>();
  for (const c of sysfs) {
    const hz = c.scalingCurrentHz ?? c.currentHz;
    if (hz === null) continue;
    freq.add({ 'cpu.logical_number': c.cpu }, hz);
    known.add(c.cpu);
  }
  for (const c of cpuinfo ?? []) {
    // cpuinfo prints kHz as MHz with three decimals: rounded back to kHz, the Hz are exact.
    if (c.mhz !== null && !known.has(c.processor))
      freq.add({ 'cpu.logical_number': c.processor }, Math.round(c.mhz * 1000) * 1000);
  }
  return metrics(freq);
}

export interface InodeMount {
  readonly device: string;
  readonly fstype: string;
  readonly mountpoint: string;
  readonly readonly: boolean;
  readonly stats: { readonly files: number; readonly filesFree: number } | null;
}

/** receiver system.filesystem.inodes.usage{state used|free}: statfs f_files - f_ffree and f_ffree, as `df -i`. */
export function filesystemInodeMetrics(mounts: readonly InodeMount[]): OtlpMetric[] {
  const inodes = otel(
    'system.filesystem.inodes.usage',
    'updowncounter',
    '{inodes}',
    'Filesystem inodes by state (used, free).',
    'int',
  );
  for (const m of mounts) {
    const s = m.stats;
    if (s === null) continue;
    const base = {
      'system.device': m.device,
      'system.filesystem.type': m.fstype,
      'system.filesystem.mode': m.readonly ? 'ro' : 'rw',
      'system.filesystem.mountpoint': m.mountpoint,
    };
    inodes.add({ ...base, 'system.filesystem.state': 'used' }, Math.max(0, s.files - s.filesFree));
    inodes.add({ ...base, 'system.filesystem.state': 'free' }, s.filesFree);
  }
  return metrics(inodes);
}

export interface DiskQueue {
  readonly name: string;
  /** /proc/diskstats field 12 (I/Os in flight) and 14 (weighted ms); null where the kernel prints fewer columns. */
  readonly ioInProgress: number | null;
  readonly weightedIoTimeMs: number | null;
  /** Capacity in bytes (sysfs size); null where unknown. */
  readonly sizeBytes: number | null;
}

/**
 * receiver system.disk.weighted_io_time (field 14: ms of I/O time multiplied by the queue length, in s) and
 * system.disk.pending_operations (field 12); semconv system.disk.limit (the device's capacity).
 */
export function diskQueueMetrics(disks: readonly DiskQueue[]): OtlpMetric[] {
  const weighted = otel(
    'system.disk.weighted_io_time',
    'counter',
    's',
    'Time each disk spent with I/O in flight, multiplied by the number in flight.',
  );
  const pending = otel(
    'system.disk.pending_operations',
    'updowncounter',
    '{operations}',
    'I/O operations in flight on each disk.',
    'int',
  );
  const limit = otel('system.disk.limit', 'updowncounter', 'By', 'Capacity of each disk.', 'int');
  for (const d of disks) {
    const a = { 'system.device': d.name };
    if (d.weightedIoTimeMs !== null) weighted.add(a, d.weightedIoTimeMs / 1000);
    if (d.ioInProgress !== null) pending.add(a, d.ioInProgress);
    if (d.sizeBytes !== null) limit.add(a, d.sizeBytes);
  }
  return metrics(weighted, pending, limit);
}

/**
 * semconv system.paging.usage and .utilization{system.device, system.paging.state used|free}, one device per
 * /proc/swaps line (the receiver's `device`, the path swapon was given). No swap area: no points.
 */
export function pagingDeviceMetrics(swaps: readonly SwapArea[]): OtlpMetric[] {
  const usage = otel('system.paging.usage', 'updowncounter', 'By', 'Swap space of each swap area by state.', 'int');
  const util = otel('system.paging.utilization', 'gauge', '1', 'Fraction of each swap area by state.');
  for (const s of swaps) {
    const used = { 'system.device': s.path, 'system.paging.state': 'used' };
    const free = { 'system.device': s.path, 'system.paging.state': 'free' };
    const freeBytes = Math.max(0, s.sizeBytes - s.usedBytes);
    usage.add(used, s.usedBytes).add(free, freeBytes);
    if (s.sizeBytes > 0) util.add(used, s.usedBytes / s.sizeBytes).add(free, freeBytes / s.sizeBytes);
  }
  return metrics(usage, util);
}

/**
 * semconv system.memory.linux.hugepages.*: the default-size pool of /proc/meminfo (HugePages_Total, _Free, _Rsvd,
 * _Surp in pages; Hugepagesize, which the meminfo reader gives in bytes). Used is Total - Free; reserved pages are
 * among the free and surplus pages among both, hence their own metrics (semconv's note).
 */
export function hugepagesMetrics(m: Readonly<Record<string, number>>): OtlpMetric[] {
  const page = (name: string, description: string) => otel(name, 'updowncounter', '{page}', description, 'int');
  const size = otel('system.memory.linux.hugepages.page_size', 'updowncounter', 'By', 'Default hugepage size.', 'int');
  const limit = page('system.memory.linux.hugepages.limit', 'Hugepages in the pool.');
  const usage = page('system.memory.linux.hugepages.usage', 'Hugepages by state (used, free).');
  const util = otel('system.memory.linux.hugepages.utilization', 'gauge', '1', 'Fraction of hugepages by state.');
  const reserved = page(
    'system.memory.linux.hugepages.reserved',
    'Hugepages promised to a mapping, not yet faulted in.',
  );
  const surplus = page('system.memory.linux.hugepages.surplus', 'Hugepages beyond the pool (overcommit).');
  const total = m['HugePages_Total'];
  const free = m['HugePages_Free'];
  if (m['Hugepagesize'] !== undefined) size.add({}, m['Hugepagesize']);
  if (total !== undefined) limit.add({}, total);
  if (total !== undefined && free !== undefined) {
    const used = Math.max(0, total - free);
    usage.add({ 'system.memory.linux.hugepages.state': 'used' }, used);
    usage.add({ 'system.memory.linux.hugepages.state': 'free' }, free);
    if (total > 0) {
      util.add({ 'system.memory.linux.hugepages.state': 'used' }, used / total);
      util.add({ 'system.memory.linux.hugepages.state': 'free' }, free / total);
    }
  }
  if (m['HugePages_Rsvd'] !== undefined) reserved.add({}, m['HugePages_Rsvd']);
  if (m['HugePages_Surp'] !== undefined) surplus.add({}, m['HugePages_Surp']);
  return metrics(size, limit, usage, util, reserved, surplus);
}

/**
 * The receiver's `status` of a /proc/<pid>/stat state letter (gopsutil's convertStatusChar, which it counts by):
 * D blocked, I idle, R running, S sleeping, T and t stopped, W paging, Z zombies; anything else (X dead, P parked,
 * K wakekill) unknown.
 */
export const RECEIVER_STATUS: Readonly<Record<string, string>> = {
  D: 'blocked',
  I: 'idle',
  R: 'running',
  S: 'sleeping',
  T: 'stopped',
  t: 'stopped',
  W: 'paging',
  Z: 'zombies',
};

/** receiver system.processes.count{status}, from the processes collector's per-letter counts. */
export function processesStatusMetrics(states: Readonly<Record<string, number>>): OtlpMetric[] {
  const count = otel('system.processes.count', 'updowncounter', '{processes}', 'Processes by status.', 'int');
  const by = new Map<string, number>();
  for (const [letter, n] of Object.entries(states)) {
    const status = RECEIVER_STATUS[letter] ?? 'unknown';
    by.set(status, (by.get(status) ?? 0) + n);
  }
  for (const [status, n] of by) count.add({ status }, n);
  return metrics(count);
}

/** receiver system.processes.created: /proc/stat `processes` (forks since boot). */
export function processesCreatedMetrics(forks: number | null): OtlpMetric[] {
  const m = otel('system.processes.created', 'counter', '{processes}', 'Processes created since boot.', 'int');
  if (forks !== null) m.add({}, forks);
  return metrics(m);
}

/**
 * PSI as the receiver's `pressure` scraper names it: system.<resource>.linux.pressure.total (stall time, s) and
 * .10s/.1m/.5m (the kernel's running averages as fractions), by system.pressure.stall_type some|full as the file has
 * them (irq: full only; cpu full: 5.13+).
 */
export function pressureMetrics(d: ProcPressure): OtlpMetric[] {
  const out: OtlpMetric[] = [];
  const resources: ReadonlyArray<readonly [string, PressureRecord | null]> = [
    ['cpu', d.cpu],
    ['memory', d.memory],
    ['io', d.io],
    ['irq', d.irq],
  ];
  for (const [res, rec] of resources) {
    if (rec === null) continue;
    const base = `system.${res}.linux.pressure`;
    const total = otel(`${base}.total`, 'counter', 's', `Time tasks stalled waiting for ${res}.`);
    const avg = (w: string, span: string) =>
      otel(`${base}.${w}`, 'gauge', '1', `Share of the last ${span} tasks stalled waiting for ${res}.`);
    const a10 = avg('10s', '10 seconds');
    const a60 = avg('1m', 'minute');
    const a300 = avg('5m', '5 minutes');
    for (const type of ['some', 'full'] as const) {
      const line = rec[type];
      if (line === null) continue;
      const a = { 'system.pressure.stall_type': type };
      total.add(a, line.total / 1e6);
      a10.add(a, line.avg10 / 100);
      a60.add(a, line.avg60 / 100);
      a300.add(a, line.avg300 / 100);
    }
    out.push(...metrics(total, a10, a60, a300));
  }
  return out;
}
