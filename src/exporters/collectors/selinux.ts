/**
 * selinux: node_exporter's selinux collector: node_selinux_enabled (0 without selinuxfs, as node_exporter reports a
 * host without SELinux) and, where enabled, node_selinux_{config,current}_mode and the AVC statistics of
 * /sys/fs/selinux/avc. OTLP: none in the semantic conventions.
 */
import type { Selinux } from '../../index';
import { defineCollector, fam, families } from '../catalog';

const CACHE: ReadonlyArray<readonly [string, string, string]> = [
  ['lookups', 'avc_lookups_total', 'SELinux AVC lookups'],
  ['hits', 'avc_hits_total', 'SELinux AVC hits'],
  ['misses', 'avc_misses_total', 'SELinux AVC misses'],
  ['allocations', 'avc_allocations_total', 'SELinux AVC allocations'],
  ['reclaims', 'avc_reclaims_total', 'SELinux AVC reclaims'],
  ['frees', 'avc_frees_total', 'SELinux AVC frees'],
];

export function selinuxFamilies(d: Selinux) {
  const g = (name: string, help: string) => fam(`node_selinux_${name}`, 'gauge', help);
  const enabled = g('enabled', 'SELinux is enabled, 1 is true, 0 is false').set(d.enabled ? 1 : 0);
  if (!d.enabled) return families(enabled);
  const out = [
    enabled,
    g('config_mode', 'Configured SELinux enforcement mode').set(d.configMode),
    g('current_mode', 'Current SELinux enforcement mode').set(d.currentMode),
  ];
  if (d.avcCache !== null) {
    for (const [key, name, help] of CACHE) {
      const v = d.avcCache[key];
      if (v !== undefined) out.push(fam(`node_selinux_${name}`, 'counter', help).set(v));
    }
  }
  if (d.avcHash !== null) {
    out.push(
      g('avc_hash_entries', 'SELinux AVC hash entries').set(d.avcHash.entries),
      g('avc_hash_buckets_available', 'SELinux AVC hash buckets available').set(d.avcHash.bucketsAvailable),
      g('avc_hash_buckets_used', 'SELinux AVC hash buckets used').set(d.avcHash.bucketsUsed),
      g('avc_hash_longest_chain', 'SELinux AVC hash longest chain').set(d.avcHash.longestChain),
    );
  }
  if (d.avcThreshold !== null) out.push(g('avc_threshold', 'SELinux AVC threshold').set(d.avcThreshold));
  return families(...out);
}

export const selinuxCollector = defineCollector<Selinux, null>({
  name: 'selinux',
  help: 'SELinux state and AVC statistics from /sys/fs/selinux and /etc/selinux/config.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.selinux(),
  prometheus: (d) => selinuxFamilies(d),
  otlp: () => [],
});
