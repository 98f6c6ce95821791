/**
 * rapl: node_rapl_<zone>_joules_total{index,path} per RAPL zone of /sys/class/powercap (package, core, uncore, dram,
 * psys), as node_exporter: the zone's energy_uj in joules, `path` its directory as the sysfs root names it. Zones
 * whose counter is root-only (Linux 5.10+) are left out. OTLP: none in the semantic conventions.
 */
import type { RaplZone } from '../../index';
import { defineCollector, fam, families, type FamilyBuilder } from '../catalog';

export function raplFamilies(d: readonly RaplZone[]) {
  const byZone = new Map<string, FamilyBuilder>();
  for (const z of d) {
    // A zone name is a kernel identifier (package, dram, ...); anything else would not make a metric name.
    const zone = z.name.replace(/[^a-zA-Z0-9_]/g, '_');
    let f = byZone.get(zone);
    if (f === undefined) {
      f = fam(`node_rapl_${zone}_joules_total`, 'counter', `Current RAPL ${z.name} value in joules`, ['index', 'path']);
      byZone.set(zone, f);
    }
    f.add({ index: String(z.index), path: z.path }, z.microjoules / 1e6);
  }
  return families(...byZone.values());
}

export const raplCollector = defineCollector<readonly RaplZone[], null>({
  name: 'rapl',
  help: 'RAPL energy counters (CPU package, cores, DRAM) from /sys/class/powercap.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.raplZones(),
  prometheus: (d) => raplFamilies(d),
  otlp: () => [],
});
