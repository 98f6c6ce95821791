/**
 * meminfo: node_memory_<Field>_bytes for every /proc/meminfo line, as node_exporter names them (`Active(anon)` ->
 * `Active_anon`; lines without a kB unit, the HugePages_* counts, keep no `_bytes` suffix). OTLP: system.memory.usage
 * {system.memory.state}, .limit, .utilization, system.memory.linux.{available,shared,slab.usage,hugepages.*},
 * system.paging.{usage,utilization}{system.device} per /proc/swaps area (SwapTotal/SwapFree without a device where
 * /proc/swaps cannot be read).
 */
import { OsError, type SwapArea } from '../../index';
import { defineCollector, fam, families, metrics, otel, type Family } from '../catalog';
import { hugepagesMetrics, pagingDeviceMetrics } from '../otlp-system';

export type MeminfoData = Readonly<Record<string, number>>;

export interface MeminfoPass {
  readonly meminfo: MeminfoData;
  /** /proc/swaps; null where it could not be read. */
  readonly swaps: readonly SwapArea[] | null;
}

/** The only unit-less /proc/meminfo lines: hugetlb_report_meminfo() prints these four as page counts. */
const UNITLESS = /^HugePages_(Total|Free|Rsvd|Surp)$/;

/** node_exporter's key rewrite: `Active(anon)` -> `Active_anon`, then anything else invalid -> `_`. */
export function meminfoName(field: string): string {
  const key = field.replace(/\((.*)\)/, '_$1').replace(/[^a-zA-Z0-9_]/g, '_');
  return UNITLESS.test(field) ? `node_memory_${key}` : `node_memory_${key}_bytes`;
}

/**
 * field -> [family name, help]: /proc/meminfo's ~55 names recur on every pass, and two regexp rewrites, a test and
 * two strings per field and pass were most of this collector's rendering. Bounded: a fixture tree (or a kernel) with
 * ever new names cannot grow it without end.
 */
const NAMES = new Map<string, readonly [string, string]>();
const MAX_CACHED_NAMES = 1024;

function namesOf(field: string): readonly [string, string] {
  let n = NAMES.get(field);
  if (n === undefined) {
    const name = meminfoName(field);
    n = [name, `Memory information field ${name.slice('node_memory_'.length)}.`];
    if (NAMES.size >= MAX_CACHED_NAMES) NAMES.clear();
    NAMES.set(field, n);
  }
  return n;
}

export function meminfoFamilies(d: MeminfoData): Family[] {
  const out = [];
  for (const [field, value] of Object.entries(d)) {
    const [name, help] = namesOf(field);
    out.push(fam(name, 'gauge', help).set(value));
  }
  return families(...out);
}

/** With `swaps`, system.paging.* per swap area instead of the device-less SwapTotal/SwapFree totals. */
export function meminfoMetrics(d: MeminfoData, swaps: readonly SwapArea[] | null = null) {
  const usage = otel(
    'system.memory.usage',
    'updowncounter',
    'By',
    'Memory in use by state; the states add up to the total.',
    'int',
  );
  const util = otel('system.memory.utilization', 'gauge', '1', 'Fraction of memory in each state.');
  const limit = otel('system.memory.limit', 'updowncounter', 'By', 'Total memory (MemTotal).', 'int');
  const avail = otel(
    'system.memory.linux.available',
    'updowncounter',
    'By',
    'Memory available for new work without swapping (MemAvailable).',
    'int',
  );
  const shared = otel('system.memory.linux.shared', 'updowncounter', 'By', 'Shared memory (Shmem).', 'int');
  const slab = otel('system.memory.linux.slab.usage', 'updowncounter', 'By', 'Kernel slab memory by state.', 'int');
  const paging = otel('system.paging.usage', 'updowncounter', 'By', 'Swap space by state.', 'int');
  const total = d['MemTotal'];
  const free = d['MemFree'];
  if (total !== undefined && free !== undefined) {
    const buffers = d['Buffers'] ?? 0;
    // Reclaimable slab counts as cache, as free(1) and psutil count it.
    const cached = (d['Cached'] ?? 0) + (d['SReclaimable'] ?? 0);
    const used = Math.max(0, total - free - buffers - cached);
    const states: Array<[string, number]> = [
      ['used', used],
      ['free', free],
      ['buffers', buffers],
      ['cached', cached],
    ];
    for (const [state, v] of states) {
      usage.add({ 'system.memory.state': state }, v);
      if (total > 0) util.add({ 'system.memory.state': state }, v / total);
    }
    limit.add({}, total);
  }
  if (d['MemAvailable'] !== undefined) avail.add({}, d['MemAvailable']);
  if (d['Shmem'] !== undefined) shared.add({}, d['Shmem']);
  if (d['SReclaimable'] !== undefined) slab.add({ 'system.memory.linux.slab.state': 'reclaimable' }, d['SReclaimable']);
  if (d['SUnreclaim'] !== undefined) slab.add({ 'system.memory.linux.slab.state': 'unreclaimable' }, d['SUnreclaim']);
  const st = d['SwapTotal'];
  const sf = d['SwapFree'];
  if (swaps === null && st !== undefined && sf !== undefined) {
    paging.add({ 'system.paging.state': 'used' }, Math.max(0, st - sf));
    paging.add({ 'system.paging.state': 'free' }, sf);
  }
  return [
    ...metrics(usage, util, limit, avail, shared, slab, paging),
    ...(swaps === null ? [] : pagingDeviceMetrics(swaps)),
    ...hugepagesMetrics(d),
  ];
}

function readSwaps(read: () => readonly SwapArea[]): readonly SwapArea[] | null {
  try {
    return read();
  } catch (err) {
    // A procfs without swaps (some sandboxes) costs the per-device paging series only: the totals stand in.
    if (err instanceof OsError) return null;
    throw err;
  }
}

export const meminfoCollector = defineCollector<MeminfoPass, null>({
  name: 'meminfo',
  help: 'Every /proc/meminfo field.',
  options: () => null,
  create:
    ({ psutil }) =>
    () => ({ meminfo: psutil.procMeminfo(), swaps: readSwaps(() => psutil.procSwaps()) }),
  prometheus: (d) => meminfoFamilies(d.meminfo),
  otlp: (d) => meminfoMetrics(d.meminfo, d.swaps),
});
