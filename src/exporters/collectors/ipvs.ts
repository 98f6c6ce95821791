/**
 * ipvs: node_exporter's ipvs collector from /proc/net/ip_vs_stats and /proc/net/ip_vs: node_ipvs_{connections,
 * incoming_packets,outgoing_packets,incoming_bytes,outgoing_bytes}_total and node_ipvs_backend_{connections_active,
 * connections_inactive,weight} by the `backend_labels` chosen (node_exporter's --collector.ipvs.backend-labels;
 * real servers sharing the chosen labels are summed). Silent where IPVS is not loaded. OTLP: none in the semantic
 * conventions.
 */
import type { Ipvs } from '../../index';
import { defineCollector, fam, families, optString } from '../catalog';

const ALL_LABELS = ['local_address', 'local_port', 'remote_address', 'remote_port', 'proto', 'local_mark'] as const;
type BackendLabel = (typeof ALL_LABELS)[number];

export interface IpvsOptions {
  readonly labels: readonly BackendLabel[];
}

/** node_exporter's parseIpvsLabels: known names in its order, unknown ones refused. */
export function ipvsLabels(text: string): BackendLabel[] {
  const wanted = new Set(text.split(',').filter((l) => l !== ''));
  const unknown = [...wanted].filter((l) => !(ALL_LABELS as readonly string[]).includes(l)).sort();
  if (unknown.length > 0) throw new RangeError(`unknown IPVS backend labels: ${JSON.stringify(unknown.join(', '))}`);
  return ALL_LABELS.filter((l) => wanted.has(l));
}

export function ipvsFamilies(d: Ipvs | null, o: IpvsOptions) {
  const total = (name: string, help: string) => fam(`node_ipvs_${name}_total`, 'counter', help);
  const connections = total('connections', 'The total number of connections made.');
  const inPackets = total('incoming_packets', 'The total number of incoming packets.');
  const outPackets = total('outgoing_packets', 'The total number of outgoing packets.');
  const inBytes = total('incoming_bytes', 'The total amount of incoming data.');
  const outBytes = total('outgoing_bytes', 'The total amount of outgoing data.');
  const backend = (name: string, help: string) => fam(`node_ipvs_backend_${name}`, 'gauge', help, o.labels);
  const active = backend('connections_active', 'The current active connections by local and remote address.');
  const inactive = backend('connections_inactive', 'The current inactive connections by local and remote address.');
  const weight = backend('weight', 'The current backend weight by local and remote address.');
  if (d !== null) {
    connections.set(d.stats.connections);
    inPackets.set(d.stats.incomingPackets);
    outPackets.set(d.stats.outgoingPackets);
    inBytes.set(d.stats.incomingBytes);
    outBytes.set(d.stats.outgoingBytes);
    const sums = new Map<
      string,
      { labels: Record<string, string>; active: number; inactive: number; weight: number }
    >();
    for (const b of d.backends) {
      const all: Record<BackendLabel, string> = {
        local_address: b.localAddress,
        local_port: String(b.localPort),
        remote_address: b.remoteAddress,
        remote_port: String(b.remotePort),
        proto: b.proto,
        local_mark: b.localMark,
      };
      const labels: Record<string, string> = {};
      for (const l of o.labels) labels[l] = all[l];
      const key = JSON.stringify(o.labels.map((l) => all[l]));
      const s = sums.get(key) ?? { labels, active: 0, inactive: 0, weight: 0 };
      s.active += b.activeConn;
      s.inactive += b.inactConn;
      s.weight += b.weight;
      sums.set(key, s);
    }
    for (const s of sums.values()) {
      active.add(s.labels, s.active);
      inactive.add(s.labels, s.inactive);
      weight.add(s.labels, s.weight);
    }
  }
  return families(connections, inPackets, outPackets, inBytes, outBytes, active, inactive, weight);
}

export const ipvsCollector = defineCollector<Ipvs | null, IpvsOptions>({
  name: 'ipvs',
  help: 'IPVS totals and real servers from /proc/net/ip_vs_stats and /proc/net/ip_vs.',
  options: (raw) => ({ labels: ipvsLabels(optString(raw, 'backend_labels', ALL_LABELS.join(','))) }),
  create:
    ({ psutil }) =>
    () =>
      psutil.ipvs(),
  prometheus: ipvsFamilies,
  otlp: () => [],
});
