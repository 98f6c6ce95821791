/**
 * bcache: node_exporter's bcache collector from /sys/fs/bcache/<uuid>: node_bcache_*{uuid} per cache set,
 * {uuid,backing_device} per backing device (its writeback controller and stats_total), {uuid,cache_device} per cache
 * device. `priorityStats` is node_exporter's --collector.bcache.priorityStats (off: the kernel walks every bucket to
 * print priority_stats). Silent without bcache. OTLP: none in the semantic conventions.
 */
import type { BcacheSet } from '../../index';
import { defineCollector, fam, families, optBool, type PromType } from '../catalog';

export interface BcacheOptions {
  readonly priorityStats: boolean;
}

type Backing = BcacheSet['backingDevices'][number];
type Cache = BcacheSet['cacheDevices'][number];
type Row<T> = readonly [string, PromType, string, (x: T) => number | null];

/** Per cache set, in node_exporter's order; HELP texts are its own. */
const SET: ReadonlyArray<Row<BcacheSet>> = [
  ['average_key_size_sectors', 'gauge', 'Average data per key in the btree (sectors).', (s) => s.averageKeySize],
  ['btree_cache_size_bytes', 'gauge', 'Amount of memory currently used by the btree cache.', (s) => s.btreeCacheSize],
  [
    'cache_available_percent',
    'gauge',
    'Percentage of cache device without dirty data, usable for writeback (may contain clean cached data).',
    (s) => s.cacheAvailablePercent,
  ],
  ['congested', 'gauge', 'Congestion.', (s) => s.congested],
  [
    'root_usage_percent',
    'gauge',
    'Percentage of the root btree node in use (tree depth increases if too high).',
    (s) => s.rootUsagePercent,
  ],
  ['tree_depth', 'gauge', 'Depth of the btree.', (s) => s.treeDepth],
  [
    'active_journal_entries',
    'gauge',
    'Number of journal entries that are newer than the index.',
    (s) => s.activeJournalEntries,
  ],
  ['btree_nodes', 'gauge', 'Total nodes in the btree.', (s) => s.btreeNodes],
  // node_exporter takes btree_read_average_duration_us for nanoseconds (procfs's field name) and multiplies by 1e-9.
  [
    'btree_read_average_duration_seconds',
    'gauge',
    'Average btree read duration.',
    (s) => s.btreeReadAverageDuration * 1e-9,
  ],
  [
    'cache_read_races_total',
    'counter',
    'Counts instances where while data was being read from the cache, the bucket was reused and invalidated - i.e. where the pointer was stale after the read completed.',
    (s) => s.cacheReadRaces,
  ],
];

/** Per backing device: dirty data, the writeback controller, then stats_total. */
const BACKING: ReadonlyArray<Row<Backing>> = [
  ['dirty_data_bytes', 'gauge', 'Amount of dirty data for this backing device in the cache.', (b) => b.dirtyData],
  [
    'dirty_target_bytes',
    'gauge',
    'Current dirty data target threshold for this backing device in bytes.',
    (b) => b.writebackRateDebug.target,
  ],
  [
    'writeback_rate',
    'gauge',
    'Current writeback rate for this backing device in bytes.',
    (b) => b.writebackRateDebug.rate,
  ],
  [
    'writeback_rate_proportional_term',
    'gauge',
    'Current result of proportional controller, part of writeback rate',
    (b) => b.writebackRateDebug.proportional,
  ],
  [
    'writeback_rate_integral_term',
    'gauge',
    'Current result of integral controller, part of writeback rate',
    (b) => b.writebackRateDebug.integral,
  ],
  [
    'writeback_change',
    'gauge',
    'Last writeback rate change step for this backing device.',
    (b) => b.writebackRateDebug.change,
  ],
  [
    'bypassed_bytes_total',
    'counter',
    'Amount of IO (both reads and writes) that has bypassed the cache.',
    (b) => b.total.bypassed,
  ],
  ['cache_hits_total', 'counter', 'Hits counted per individual IO as bcache sees them.', (b) => b.total.cache_hits],
  [
    'cache_misses_total',
    'counter',
    'Misses counted per individual IO as bcache sees them.',
    (b) => b.total.cache_misses,
  ],
  ['cache_bypass_hits_total', 'counter', 'Hits for IO intended to skip the cache.', (b) => b.total.cache_bypass_hits],
  [
    'cache_bypass_misses_total',
    'counter',
    'Misses for IO intended to skip the cache.',
    (b) => b.total.cache_bypass_misses,
  ],
  [
    'cache_miss_collisions_total',
    'counter',
    'Instances where data insertion from cache miss raced with write (data already present).',
    (b) => b.total.cache_miss_collisions,
  ],
  ['cache_readaheads_total', 'counter', 'Count of times readahead occurred.', (b) => b.total.cache_readaheads],
];

/** Per cache device; the priority_stats pair only where it was read (null otherwise: no series). */
const CACHE: ReadonlyArray<Row<Cache>> = [
  ['io_errors', 'gauge', 'Number of errors that have occurred, decayed by io_error_halflife.', (c) => c.ioErrors],
  [
    'metadata_written_bytes_total',
    'counter',
    'Sum of all non data writes (btree writes and all other metadata).',
    (c) => c.metadataWritten,
  ],
  ['written_bytes_total', 'counter', 'Sum of all data that has been written to the cache.', (c) => c.written],
  [
    'priority_stats_unused_percent',
    'gauge',
    "The percentage of the cache that doesn't contain any data.",
    (c) => c.priority?.unusedPercent ?? null,
  ],
  [
    'priority_stats_metadata_percent',
    'gauge',
    "Bcache's metadata overhead.",
    (c) => c.priority?.metadataPercent ?? null,
  ],
];

export function bcacheFamilies(sets: readonly BcacheSet[]) {
  const mk = <T>(rows: ReadonlyArray<Row<T>>, labels: string[]) =>
    rows.map(([name, type, help]) => fam(`node_bcache_${name}`, type, help, labels));
  const setF = mk(SET, ['uuid']);
  const bdevF = mk(BACKING, ['uuid', 'backing_device']);
  const cacheF = mk(CACHE, ['uuid', 'cache_device']);
  for (const s of sets) {
    SET.forEach(([, , , get], i) => setF[i]?.add({ uuid: s.uuid }, get(s) ?? 0));
    for (const b of s.backingDevices) {
      BACKING.forEach(([, , , get], i) => bdevF[i]?.add({ uuid: s.uuid, backing_device: b.name }, get(b) ?? 0));
    }
    for (const c of s.cacheDevices) {
      CACHE.forEach(([, , , get], i) => {
        const v = get(c);
        if (v !== null) cacheF[i]?.add({ uuid: s.uuid, cache_device: c.name }, v);
      });
    }
  }
  return families(...setF, ...bdevF, ...cacheF);
}

export const bcacheCollector = defineCollector<readonly BcacheSet[], BcacheOptions>({
  name: 'bcache',
  help: 'bcache cache set, backing and cache device statistics from /sys/fs/bcache.',
  options: (raw) => ({ priorityStats: optBool(raw, 'priorityStats', false) }),
  create:
    ({ psutil }, o) =>
    () =>
      psutil.bcacheSets({ priorityStats: o.priorityStats }),
  prometheus: (d) => bcacheFamilies(d),
  otlp: () => [],
});
