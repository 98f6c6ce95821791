/**
 * netdev: node_network_{receive,transmit}_<column>_total{device} for the 16 /proc/net/dev columns (node_exporter's
 * netdev collector without netlink), and node_network_receive_nohandler_total{device} from sysfs statistics (what
 * node_exporter's netlink path adds). OTLP: system.network.{io,packet.count,errors,packet.dropped}
 * {network.interface.name,network.io.direction}.
 */
import type { NetDevCounters } from '../../index';
import { defineCollector, fam, families, metrics, NameFilter, optString, otel, type FamilyBuilder } from '../catalog';

export interface NetdevOptions {
  readonly filter: NameFilter;
}

export interface NetdevData {
  readonly dev: Readonly<Record<string, NetDevCounters>>;
  /** rx_nohandler per device, for the devices whose sysfs statistics have it. */
  readonly nohandler: Readonly<Record<string, number>>;
}

/** receiveBytes -> receive_bytes */
function snake(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function netdevFamilies(d: NetdevData, o: NetdevOptions) {
  const byField = new Map<string, FamilyBuilder>();
  const add = (key: string, device: string, value: number) => {
    let b = byField.get(key);
    if (!b) {
      b = fam(`node_network_${key}_total`, 'counter', `Network device statistic ${key}.`, ['device']);
      byField.set(key, b);
    }
    b.add({ device }, value);
  };
  for (const [device, counters] of Object.entries(d.dev)) {
    if (!o.filter.passes(device)) continue;
    for (const [field, value] of Object.entries(counters)) add(snake(field), device, value);
    const nohandler = d.nohandler[device];
    if (nohandler !== undefined) add('receive_nohandler', device, nohandler);
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
  for (const [device, c] of Object.entries(d.dev)) {
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
  help: 'Per-interface network counters from /proc/net/dev and sysfs statistics (rx_nohandler).',
  options: (raw) => ({ filter: new NameFilter(optString(raw, 'device_include'), optString(raw, 'device_exclude')) }),
  create:
    ({ psutil }) =>
    () => ({ dev: psutil.netDev(), nohandler: psutil.netRxNohandler() }),
  prometheus: netdevFamilies,
  otlp: netdevMetrics,
});
