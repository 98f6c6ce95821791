/**
 * zfs: node_zfs_<subsystem>_<kstat> (untyped, HELP the kstat's sysctl name) for every integer row of the OpenZFS kstat
 * tables under /proc/spl/kstat/zfs, node_zfs_zpool_<io column>{zpool}, node_zfs_zpool_dataset_<kstat>{zpool,dataset}
 * and node_zfs_zpool_state{zpool,state}, as node_exporter; int64 rows (arcstats' memory_available_bytes), dbufstats
 * and the `suspended` state as newer node_exporter. Silent without ZFS. OTLP: none in the semantic conventions.
 */
import type { ZfsStats } from '../../index';
import { defineCollector, fam, families, type FamilyBuilder } from '../catalog';

/** node_exporter's subsystem per kstat file. */
const SUBSYSTEMS: Readonly<Record<string, string>> = {
  abdstats: 'abd',
  arcstats: 'arc',
  dbufstats: 'dbuf',
  dmu_tx: 'dmu_tx',
  dnodestats: 'dnode',
  fm: 'fm',
  vdev_cache_stats: 'vdev_cache',
  vdev_mirror_stats: 'vdev_mirror',
  xuio_stats: 'xuio',
  zfetchstats: 'zfetch',
  zil: 'zil',
};

const POOL_STATES = ['online', 'degraded', 'faulted', 'offline', 'unavail', 'removed', 'suspended'];

/** A kstat name as a metric name part: `erpt-dropped` -> `erpt_dropped`. */
const metricPart = (name: string): string => name.replace(/[^a-zA-Z0-9_]/g, '_');

export function zfsFamilies(d: ZfsStats | null) {
  if (d === null) return [];
  const out: FamilyBuilder[] = [];
  const byName = new Map<string, FamilyBuilder>();
  const family = (name: string, help: string, labels: readonly string[]): FamilyBuilder => {
    let f = byName.get(name);
    if (f === undefined) {
      f = fam(name, 'untyped', help, labels);
      byName.set(name, f);
      out.push(f);
    }
    return f;
  };
  for (const [file, rows] of Object.entries(d.kstats)) {
    const sub = SUBSYSTEMS[file];
    if (sub === undefined) continue;
    for (const r of rows)
      family(`node_zfs_${sub}_${metricPart(r.name)}`, `kstat.zfs.misc.${file}.${r.name}`, []).set(r.value);
  }
  const state = fam('node_zfs_zpool_state', 'gauge', 'kstat.zfs.misc.state', ['zpool', 'state']);
  for (const p of d.pools) {
    for (const r of p.io ?? [])
      family(`node_zfs_zpool_${metricPart(r.name)}`, `kstat.zfs.misc.io.${r.name}`, ['zpool']).add(
        { zpool: p.pool },
        r.value,
      );
    for (const ds of p.datasets) {
      for (const r of ds.stats) {
        family(`node_zfs_zpool_dataset_${metricPart(r.name)}`, `kstat.zfs.misc.objset.${r.name}`, [
          'zpool',
          'dataset',
        ]).add({ zpool: p.pool, dataset: ds.name }, r.value);
      }
    }
    const current = (p.state ?? '').toLowerCase();
    for (const s of POOL_STATES) state.add({ zpool: p.pool, state: s }, s === current ? 1 : 0);
  }
  return families(...out, state);
}

export const zfsCollector = defineCollector<ZfsStats | null, null>({
  name: 'zfs',
  help: 'OpenZFS kstats from /proc/spl/kstat/zfs: ARC, DMU, ZIL and others; pool state, I/O and datasets.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.zfsStats(),
  prometheus: (d) => zfsFamilies(d),
  otlp: () => [],
});
