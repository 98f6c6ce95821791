/**
 * netdev: node_network_{receive,transmit}_<column>_total{device} for the 16 /proc/net/dev columns (node_exporter's
 * netdev collector without netlink). OTLP: system.network.{io,packet.count,errors,packet.dropped}
 * {network.interface.name,network.io.direction}.
 */
import type { NetDevCounters } from '../../index';
import { defineCollector, fam, families, metrics, NameFilter, optString, otel, type FamilyBuilder } from '../catalog';

export interface NetdevOptions {
  readonly filter: NameFilter;
}

export type NetdevData = Readonly<Record<string, NetDevCounters>>;

/** receiveBytes -> receive_bytes */
function snake(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function netdevFamilies(d: NetdevData, o: NetdevOptions) {
  const byField = new Map<string, FamilyBuilder>();
  for (const [device, counters] of Object.entries(d)) {
    if (!o.filter.passes(device)) continue;
    for (const [field, value] of Object.entries(counters)) {
      const key = snake(field);
      let b = byField.get(key);
      if (!b) {
        b = fam(`node_network_${key}_total`, 'counter', `Network device statistic ${key}.`, ['device']);
        byField.set(key, b);
      }
      b.add({ device }, value);
    }
  }
  return families(...byField.values());
}

export function netdevMetrics(d: NetdevData, o: NetdevOptions) {
  const io = otel('system.network.io', 'counter', 'By', 'Bytes received and transmitted per interface.', 'int');
  const packets = otel(
    'system.network.packet.count',
    'counter',
    '{packet}',
    'Packets received and transmitted per interface.',
    'int',
  );
  const errors = otel(
    'system.network.errors',
    'counter',
    '{error}',
    'Receive and transmit errors per interface.',
    'int',
  );
  const dropped = otel('system.network.packet.dropped', 'counter', '{packet}', 'Packets dropped per interface.', 'int');
  for (const [device, c] of Object.entries(d)) {
    if (!o.filter.passes(device)) continue;
    const rx = { 'network.interface.name': device, 'network.io.direction': 'receive' };
    const tx = { 'network.interface.name': device, 'network.io.direction': 'transmit' };
    io.add(rx, c.receiveBytes).add(tx, c.transmitBytes);
    packets.add(rx, c.receivePackets).add(tx, c.transmitPackets);
    errors.add(rx, c.receiveErrs).add(tx, c.transmitErrs);
    dropped.add(rx, c.receiveDrop).add(tx, c.transmitDrop);
  }
  return metrics(io, packets, errors, dropped);
}

export const netdevCollector = defineCollector<NetdevData, NetdevOptions>({
  name: 'netdev',
  help: 'Per-interface network counters from /proc/net/dev.',
  options: (raw) => ({ filter: new NameFilter(optString(raw, 'device_include'), optString(raw, 'device_exclude')) }),
  create:
    ({ psutil }) =>
    () =>
      psutil.netDev(),
  prometheus: netdevFamilies,
  otlp: netdevMetrics,
});
