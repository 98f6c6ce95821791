/**
 * mdadm: node_md_{disks_required,disks,state,blocks,blocks_synced}{device[,state]} from /proc/mdstat, as node_exporter
 * 1.5. Silent without the md driver. OTLP: none in the semantic conventions.
 */
import type { MdDevice } from '../../index';
import { defineCollector, fam, families } from '../catalog';

/** node_exporter's `state` label per activity state (its node_md_state has these five series per device). */
const STATES: ReadonlyArray<readonly [string, MdDevice['activityState']]> = [
  ['active', 'active'],
  ['inactive', 'inactive'],
  ['recovering', 'recovering'],
  ['resync', 'resyncing'],
  ['check', 'checking'],
];

export function mdadmFamilies(d: readonly MdDevice[]) {
  const required = fam('node_md_disks_required', 'gauge', 'Total number of disks of device.', ['device']);
  const disks = fam('node_md_disks', 'gauge', 'Number of active/failed/spare disks of device.', ['device', 'state']);
  const state = fam('node_md_state', 'gauge', 'Indicates the state of md-device.', ['device', 'state']);
  const blocks = fam('node_md_blocks', 'gauge', 'Total number of blocks on device.', ['device']);
  const synced = fam('node_md_blocks_synced', 'gauge', 'Number of blocks synced on device.', ['device']);
  for (const md of d) {
    const device = md.name;
    required.add({ device }, md.disksTotal);
    disks.add({ device, state: 'active' }, md.disksActive);
    disks.add({ device, state: 'failed' }, md.disksFailed);
    disks.add({ device, state: 'spare' }, md.disksSpare);
    for (const [label, s] of STATES) state.add({ device, state: label }, md.activityState === s ? 1 : 0);
    blocks.add({ device }, md.blocksTotal);
    synced.add({ device }, md.blocksSynced);
  }
  return families(required, disks, state, blocks, synced);
}

export const mdadmCollector = defineCollector<readonly MdDevice[], null>({
  name: 'mdadm',
  help: 'md (software RAID) devices from /proc/mdstat: disks, state, sync progress.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.mdstat() ?? [],
  prometheus: (d) => mdadmFamilies(d),
  otlp: () => [],
});
