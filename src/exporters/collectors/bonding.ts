/**
 * bonding: node_bonding_slaves{master} and node_bonding_active{master} (slaves whose MII status is up) per bonding
 * master, as node_exporter. Silent without the bonding driver. OTLP: none in the semantic conventions.
 */
import type { BondingMaster } from '../../index';
import { defineCollector, fam, families } from '../catalog';

export function bondingFamilies(d: readonly BondingMaster[]) {
  const slaves = fam('node_bonding_slaves', 'gauge', 'Number of configured slaves per bonding interface.', ['master']);
  const active = fam('node_bonding_active', 'gauge', 'Number of active slaves per bonding interface.', ['master']);
  for (const m of d) {
    slaves.add({ master: m.master }, m.slaves);
    active.add({ master: m.master }, m.active);
  }
  return families(slaves, active);
}

export const bondingCollector = defineCollector<readonly BondingMaster[], null>({
  name: 'bonding',
  help: 'Bonding masters with their configured and active slaves.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.bondingMasters() ?? [],
  prometheus: (d) => bondingFamilies(d),
  otlp: () => [],
});
