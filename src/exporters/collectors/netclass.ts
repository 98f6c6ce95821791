/**
 * netclass: node_exporter's netclass collector from /sys/class/net (node_network_up, _info, _mtu_bytes,
 * _speed_bytes, _carrier*, _flags, ...{device}), plus psutil net_if_addrs as psutil_network_address_info.
 */
import type { NetClassIface, NicAddr } from '../../index';
import { AF_INET, AF_INET6, AF_LINK } from '../../constants';
import {
  defineCollector,
  fam,
  families,
  metrics,
  NameFilter,
  optBool,
  optString,
  otel,
  str,
  type FamilyBuilder,
} from '../catalog';

export interface NetclassOptions {
  readonly ignored: NameFilter;
  readonly ignoreInvalidSpeed: boolean;
  readonly addresses: boolean;
}

export interface NetclassData {
  readonly ifaces: Readonly<Record<string, NetClassIface>>;
  readonly addrs: Readonly<Record<string, readonly NicAddr[]>> | null;
}

/** [family suffix, field, type] in node_exporter's order; values that the kernel does not give are left out. */
const PROPERTIES: ReadonlyArray<readonly [string, keyof NetClassIface, 'gauge' | 'counter']> = [
  ['address_assign_type', 'addrAssignType', 'gauge'],
  ['carrier', 'carrier', 'gauge'],
  ['carrier_changes_total', 'carrierChanges', 'counter'],
  ['carrier_up_changes_total', 'carrierUpCount', 'counter'],
  ['carrier_down_changes_total', 'carrierDownCount', 'counter'],
  ['device_id', 'devId', 'gauge'],
  ['dormant', 'dormant', 'gauge'],
  ['flags', 'flags', 'gauge'],
  ['iface_id', 'ifindex', 'gauge'],
  ['iface_link', 'iflink', 'gauge'],
  ['iface_link_mode', 'linkMode', 'gauge'],
  ['mtu_bytes', 'mtu', 'gauge'],
  ['name_assign_type', 'nameAssignType', 'gauge'],
  ['net_dev_group', 'netdevGroup', 'gauge'],
  ['transmit_queue_length', 'txQueueLen', 'gauge'],
  ['protocol_type', 'type', 'gauge'],
];

const IFF_UP = 0x1;

/**
 * The attributes the families above are made of, the only ones read: not addr_len nor phys_port_id, phys_port_name,
 * phys_switch_id, an open, a read and a close each per NIC and pass (the phys_* ones asked of the driver each time).
 */
const EXPORTED: readonly (keyof NetClassIface)[] = [
  ...new Set<keyof NetClassIface>([
    'operstate',
    'address',
    'flags',
    'broadcast',
    'duplex',
    'ifalias',
    'speed',
    ...PROPERTIES.map(([, field]) => field),
  ]),
];

function familyName(af: number): string {
  if (af === AF_INET) return 'inet';
  if (af === AF_INET6) return 'inet6';
  if (af === AF_LINK) return 'link';
  return String(af);
}

export function netclassFamilies(d: NetclassData, o: NetclassOptions) {
  const up = fam('node_network_up', 'gauge', "Value is 1 if operstate is 'up', 0 otherwise.", ['device']);
  const info = fam('node_network_info', 'gauge', 'Non-numeric data from /sys/class/net/<iface>, value is always 1.', [
    'device',
    'address',
    'adminstate',
    'broadcast',
    'duplex',
    'operstate',
    'ifalias',
  ]);
  const speed = fam('node_network_speed_bytes', 'gauge', 'Network device property: speed_bytes', ['device']);
  const props = new Map<string, FamilyBuilder>(
    PROPERTIES.map(([suffix, , type]) => [
      suffix,
      fam(`node_network_${suffix}`, type, `Network device property: ${suffix}`, ['device']),
    ]),
  );
  for (const [device, i] of Object.entries(d.ifaces)) {
    if (!o.ignored.passes(device)) continue;
    up.add({ device }, i.operstate === 'up' ? 1 : 0);
    info.add(
      {
        device,
        address: str(i.address),
        adminstate: i.flags !== null && (i.flags & IFF_UP) !== 0 ? 'up' : 'down',
        broadcast: str(i.broadcast),
        duplex: str(i.duplex),
        operstate: str(i.operstate),
        ifalias: str(i.ifalias),
      },
      1,
    );
    for (const [suffix, field] of PROPERTIES) {
      const v = i[field];
      if (typeof v === 'number') props.get(suffix)?.add({ device }, v);
    }
    // Speed is in Mbit/s; virtual NICs say -1 (unknown), which node_exporter passes on unless told to drop it.
    if (i.speed !== null && (i.speed >= 0 || !o.ignoreInvalidSpeed))
      speed.add({ device }, Math.trunc((i.speed * 1000 * 1000) / 8));
  }
  const addr = fam(
    'psutil_network_address_info',
    'gauge',
    'psutil net_if_addrs(): an address of a network interface, value is always 1.',
    ['device', 'family', 'address', 'netmask', 'broadcast'],
  );
  for (const [device, list] of Object.entries(d.addrs ?? {})) {
    if (!o.ignored.passes(device)) continue;
    for (const a of list) {
      addr.add(
        {
          device,
          family: familyName(a.family),
          address: a.address,
          netmask: str(a.netmask),
          broadcast: str(a.broadcast ?? a.ptp),
        },
        1,
      );
    }
  }
  return families(up, info, ...props.values(), speed, addr);
}

export function netclassMetrics(d: NetclassData, o: NetclassOptions) {
  const status = otel(
    'system.network.interface.status',
    'updowncounter',
    '1',
    "1 when the interface's operstate is up.",
    'int',
  );
  for (const [device, i] of Object.entries(d.ifaces)) {
    if (o.ignored.passes(device)) status.add({ 'network.interface.name': device }, i.operstate === 'up' ? 1 : 0);
  }
  return metrics(status);
}

export const netclassCollector = defineCollector<NetclassData, NetclassOptions>({
  name: 'netclass',
  help: 'Network interface properties from /sys/class/net and addresses (getifaddrs).',
  options: (raw) => ({
    // node_exporter's default '^$' ignores nothing; as an exclude pattern it matches only the empty name.
    ignored: new NameFilter('', optString(raw, 'ignored_devices', '^$')),
    ignoreInvalidSpeed: optBool(raw, 'ignore_invalid_speed', false),
    addresses: optBool(raw, 'addresses', true),
  }),
  create:
    ({ psutil }, o) =>
    () => ({ ifaces: psutil.netClass({ attributes: EXPORTED }), addrs: o.addresses ? psutil.netIfAddrs() : null }),
  prometheus: netclassFamilies,
  otlp: netclassMetrics,
});
