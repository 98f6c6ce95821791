/** arp: node_arp_entries{device} from /proc/net/arp, devices filtered as node_exporter's. OTLP: none in the semantic conventions. */
import type { ArpEntry } from '../../index';
import { defineCollector, fam, families, NameFilter, optString } from '../catalog';

export interface ArpOptions {
  readonly filter: NameFilter;
}

export function arpFamilies(d: readonly ArpEntry[], o: ArpOptions) {
  const counts = new Map<string, number>();
  for (const e of d) {
    if (!o.filter.passes(e.device)) continue;
    counts.set(e.device, (counts.get(e.device) ?? 0) + 1);
  }
  const f = fam('node_arp_entries', 'gauge', 'ARP entries by device', ['device']);
  for (const [device, n] of counts) f.add({ device }, n);
  return families(f);
}

export const arpCollector = defineCollector<readonly ArpEntry[], ArpOptions>({
  name: 'arp',
  help: 'ARP entries per device from /proc/net/arp.',
  options: (raw) => ({ filter: new NameFilter(optString(raw, 'device_include'), optString(raw, 'device_exclude')) }),
  create:
    ({ psutil }) =>
    () =>
      psutil.arpEntries(),
  prometheus: arpFamilies,
  otlp: () => [],
});
