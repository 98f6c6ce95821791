/**
 * System-wide network functions: psutil's net_io_counters, net_connections, net_if_addrs, net_if_stats, plus the
 * raw views the agent's node_exporter-compatible collectors need, ours (docs/library-extensions.md): netDev, netClass,
 * sockStat, netstat, tcpConnectionStates, softnetStat, nfConntrack, arpEntries, udpQueues. Validation, nowrap state
 * and result freezing live here; the reading is in linux/net.ts (linux/kstat.ts for the last four).
 */
import type { Context } from './context';
import { WrapNumbers } from './wrap';
import { bool, options } from './options';
import {
  CONN_KINDS,
  NET_CLASS_FIELDS,
  NET_IO_FIELDS,
  isConnKind,
  type Connection,
  type ConnKind,
  type NetClassIface,
  type NetDevCounters,
  type NetIoCounters,
  type NetstatRecord,
  type NicAddr,
  type NicStats,
  type SockStat,
  type TcpConnectionStates,
} from './linux/net';
import type { ArpEntry, ConntrackStatCpu, SoftnetCpu, UdpQueues } from './linux/kstat';
export type { ArpEntry, ConntrackStatCpu, SoftnetCpu, UdpQueues } from './linux/kstat';

export type {
  Connection,
  ConnKind,
  InetAddr,
  NetClassIface,
  NetDevCounters,
  NetIoCounters,
  NetstatRecord,
  NicAddr,
  NicStats,
  SockStat,
  TcpConnectionStates,
} from './linux/net';
export { CONN_KINDS } from './linux/net';

export interface NetIoCountersOptions {
  /** One entry per NIC instead of the sum (default false). */
  pernic?: boolean;
  /** Compensate counters that wrapped or were reset since the previous call (default true). */
  nowrap?: boolean;
}

export interface NetClassOptions {
  /** Read only these NetClassIface fields (the others are null); default: all of them. */
  attributes?: readonly (keyof NetClassIface)[];
}

export interface NetConnectionsOptions {
  /** Which sockets: 'inet' (default), 'inet4', 'inet6', 'tcp', 'tcp4', 'tcp6', 'udp', 'udp4', 'udp6', 'unix', 'all'. */
  kind?: ConnKind;
}

export interface TcpConnectionStatesOptions {
  /** 'tcp' (default: IPv4 and IPv6), 'tcp4' or 'tcp6'. */
  kind?: 'tcp' | 'tcp4' | 'tcp6';
}

/** TCP states counted, and the bytes queued on the sockets (not a psutil function). */
export interface TcpSocketStats {
  readonly states: TcpConnectionStates;
  /** Σ tx_queue: bytes sent and not yet acknowledged. */
  readonly txQueuedBytes: number;
  /** Σ rx_queue: bytes received and not yet read (a listener's accept backlog, in connections). */
  readonly rxQueuedBytes: number;
}

export interface NetIoCountersFn {
  (opts: NetIoCountersOptions & { pernic: true }): Readonly<Record<string, NetIoCounters>>;
  (opts?: NetIoCountersOptions & { pernic?: false }): NetIoCounters | null;
  (opts?: NetIoCountersOptions): Readonly<Record<string, NetIoCounters>> | NetIoCounters | null;
  /** Forgets the nowrap state (psutil's net_io_counters.cache_clear()). */
  cacheClear(): void;
}

export interface NfConntrack {
  /** /proc/sys/net/netfilter/nf_conntrack_count. */
  readonly entries: number;
  /** /proc/sys/net/netfilter/nf_conntrack_max. */
  readonly entriesLimit: number;
  /** /proc/net/stat/nf_conntrack per CPU (fields by the header's names), null where the file is absent. */
  readonly stat: readonly ConntrackStatCpu[] | null;
}

/** /proc/net/udp and udp6 summed; null for a table the kernel does not have. */
export interface UdpQueuesByFamily {
  readonly v4: UdpQueues | null;
  readonly v6: UdpQueues | null;
}

export function netApi(ctx: Context) {
  const net = () => ctx.os.net;
  const wrap = ctx.slot('net.netIoCounters.nowrap', () => new WrapNumbers<NetIoCounters>());

  function netIoCountersImpl(
    opts?: NetIoCountersOptions,
  ): Readonly<Record<string, NetIoCounters>> | NetIoCounters | null {
    const o = options<NetIoCountersOptions>('netIoCounters', opts, ['pernic', 'nowrap']);
    const pernic = bool('netIoCounters', 'pernic', o.pernic, false);
    const nowrap = bool('netIoCounters', 'nowrap', o.nowrap, true);
    let raw: Readonly<Record<string, NetIoCounters>> = net().netIoCounters(ctx.fs);
    const nics = Object.keys(raw);
    if (nics.length === 0) return pernic ? Object.freeze({}) : null;
    if (nowrap) raw = wrap.run(raw);
    if (pernic) {
      const entries: Array<[string, NetIoCounters]> = [];
      for (const nic of nics) entries.push([nic, raw[nic]!]);
      return Object.freeze(Object.fromEntries(entries));
    }
    const sum: Record<string, number> = {};
    for (const f of NET_IO_FIELDS) sum[f] = 0;
    for (const nic of nics) {
      const c = raw[nic]!;
      for (const f of NET_IO_FIELDS) sum[f]! += c[f];
    }
    return Object.freeze(sum) as NetIoCounters;
  }

  const netIoCounters = Object.assign(netIoCountersImpl, {
    cacheClear(): void {
      wrap.clear();
    },
  }) as NetIoCountersFn;

  return {
    /**
     * Network I/O counters from /proc/net/dev: `{ bytesSent, bytesRecv, packetsSent, packetsRecv, errin, errout,
     * dropin, dropout }` summed over NICs (null when there is none), or per NIC with `{ pernic: true }` ({} when
     * none). With `nowrap` (default) counters that wrapped or were reset keep increasing; `.cacheClear()` resets.
     */
    netIoCounters,

    /**
     * Socket connections system-wide: frozen `{ fd, family, type, laddr, raddr, status, pid }`. laddr/raddr are
     * `{ ip, port }` or null (no address: psutil's `()`); for AF_UNIX laddr is the path ('' if unbound) and raddr
     * ''. Sockets of processes whose fds cannot be read (other users' when not root) have pid null and fd -1.
     * An unknown kind throws RangeError listing the valid ones (TypeError when not a string).
     */
    netConnections(opts?: NetConnectionsOptions): readonly Connection[] {
      const o = options<NetConnectionsOptions>('netConnections', opts, ['kind']);
      const kind: unknown = o.kind === undefined ? 'inet' : o.kind;
      if (!isConnKind(kind)) {
        throw new (typeof kind === 'string' ? RangeError : TypeError)(
          `netConnections: invalid kind ${JSON.stringify(kind)}; choose between ${CONN_KINDS.map((k) => `'${k}'`).join(', ')}`,
        );
      }
      return Object.freeze(net().connections(ctx.fs, kind));
    },

    /**
     * Addresses of each NIC (getifaddrs): `{ nic: [{ family, address, netmask, broadcast, ptp }] }`, family
     * AF_INET 2, AF_INET6 10 or AF_LINK 17 (MAC), sorted by family as psutil does. IPv6 addresses have no `%zone`.
     */
    netIfAddrs(): Readonly<Record<string, readonly NicAddr[]>> {
      const groups = new Map<string, NicAddr[]>();
      for (const [nic, addr] of net().netIfAddrs(ctx.fs)) {
        const list = groups.get(nic);
        if (list) list.push(addr);
        else groups.set(nic, [addr]);
      }
      const entries: Array<[string, readonly NicAddr[]]> = [];
      for (const [nic, list] of groups) entries.push([nic, Object.freeze(list)]);
      return Object.freeze(Object.fromEntries(entries));
    },

    /**
     * Per NIC of /proc/net/dev: `{ isup, duplex, speed, mtu, flags }`; isup means RUNNING (up with operstate up or
     * unknown), duplex NIC_DUPLEX_*, speed in Mbit/s (0 when unknown), flags psutil's comma-separated names.
     */
    netIfStats(): Readonly<Record<string, NicStats>> {
      return Object.freeze(net().netIfStats(ctx.fs));
    },

    /**
     * Every /proc/net/dev column per interface, raw and not wrap-compensated: receiveBytes, receivePackets,
     * receiveErrs, receiveDrop, receiveFifo, receiveFrame, receiveCompressed, receiveMulticast, transmitBytes,
     * transmitPackets, transmitErrs, transmitDrop, transmitFifo, transmitColls, transmitCarrier,
     * transmitCompressed (node_network_{receive,transmit}_*_total).
     */
    netDev(): Readonly<Record<string, NetDevCounters>> {
      return net().netDev(ctx.fs);
    },

    /**
     * rx_nohandler of each /proc/net/dev interface from /sys/class/net/<nic>/statistics (packets dropped for want of a
     * protocol handler; absent before Linux 4.6): node_network_receive_nohandler_total.
     */
    netRxNohandler(): Readonly<Record<string, number>> {
      return Object.freeze(net().netRxNohandler(ctx.fs));
    },

    /**
     * Each NIC under /sys/class/net with its attributes (address, broadcast, carrier, carrierChanges, devId,
     * dormant, duplex, flags, ifalias, ifindex, iflink, mtu, nameAssignType, netdevGroup, operstate, speed,
     * txQueueLen, type, ...), null where the kernel gives none: node_exporter's netclass collector. With
     * `attributes`, only those fields are read; the others are null.
     */
    netClass(opts?: NetClassOptions): Readonly<Record<string, NetClassIface>> {
      const o = options<NetClassOptions>('netClass', opts, ['attributes']);
      let only: Set<keyof NetClassIface> | null = null;
      if (o.attributes !== undefined) {
        if (!Array.isArray(o.attributes))
          throw new TypeError(`netClass: attributes must be an array of field names, got ${typeof o.attributes}`);
        only = new Set();
        for (const a of o.attributes as readonly unknown[]) {
          const field = NET_CLASS_FIELDS.find((f) => f === a);
          if (field === undefined)
            throw new TypeError(
              `netClass: unknown attribute ${JSON.stringify(a)} (known: ${NET_CLASS_FIELDS.join(', ')})`,
            );
          only.add(field);
        }
      }
      return Object.freeze(net().netClass(ctx.fs, only));
    },

    /** /proc/net/sockstat and sockstat6: `{ used, protocols: { TCP: { inuse, orphan, tw, alloc, mem, memBytes }, ... } }`. */
    sockStat(): SockStat {
      return net().sockStat(ctx.fs);
    },

    /** /proc/net/netstat, snmp and snmp6 as `{ Proto: { Field: value } }` (TcpExt, IpExt, Ip, Icmp, Tcp, Udp, Ip6, ...). */
    netstat(): NetstatRecord {
      return net().netstat(ctx.fs);
    },

    /**
     * TCP connections counted by state (`{ ESTABLISHED, SYN_SENT, ..., CLOSING }`, every state present), read from
     * /proc/net/tcp and tcp6 only: no per-process fd scan, so cheap enough for every scrape.
     */
    tcpConnectionStates(opts?: TcpConnectionStatesOptions): TcpConnectionStates {
      const o = options<TcpConnectionStatesOptions>('tcpConnectionStates', opts, ['kind']);
      const kind: unknown = o.kind === undefined ? 'tcp' : o.kind;
      if (kind !== 'tcp' && kind !== 'tcp4' && kind !== 'tcp6') {
        throw new (typeof kind === 'string' ? RangeError : TypeError)(
          `tcpConnectionStates: invalid kind ${JSON.stringify(kind)}; choose between 'tcp', 'tcp4', 'tcp6'`,
        );
      }
      return net().tcpConnectionStates(ctx.fs, kind);
    },

    // ---- ours (not psutil's; docs/library-extensions.md) ----
    /**
     * tcpConnectionStates() plus the bytes queued on those sockets (the tx_queue and rx_queue columns of /proc/net/tcp
     * and tcp6 summed; a listener's rx_queue is its accept backlog): node_tcp_connection_states' queued-bytes states.
     */
    tcpSocketStats(opts?: TcpConnectionStatesOptions): TcpSocketStats {
      const o = options<TcpConnectionStatesOptions>('tcpSocketStats', opts, ['kind']);
      const kind: unknown = o.kind === undefined ? 'tcp' : o.kind;
      if (kind !== 'tcp' && kind !== 'tcp4' && kind !== 'tcp6') {
        throw new (typeof kind === 'string' ? RangeError : TypeError)(
          `tcpSocketStats: invalid kind ${JSON.stringify(kind)}; choose between 'tcp', 'tcp4', 'tcp6'`,
        );
      }
      return Object.freeze(net().tcpSocketStats(ctx.fs, kind));
    },
    /** /proc/net/softnet_stat, one record per CPU line. */
    softnetStat(): readonly SoftnetCpu[] {
      return Object.freeze(ctx.os.kstat.softnetStat(ctx.fs));
    },
    /** Connection tracking table size, limit and per-CPU statistics. Throws OsError ENOENT without nf_conntrack. */
    nfConntrack(): NfConntrack {
      const stat = ctx.os.kstat.conntrackStat(ctx.fs);
      return Object.freeze({
        entries: ctx.os.kstat.sysctlUint(ctx.fs, 'sys/net/netfilter/nf_conntrack_count'),
        entriesLimit: ctx.os.kstat.sysctlUint(ctx.fs, 'sys/net/netfilter/nf_conntrack_max'),
        stat: stat === null ? null : Object.freeze(stat),
      });
    },
    /** /proc/net/arp entries. */
    arpEntries(): readonly ArpEntry[] {
      return Object.freeze(ctx.os.kstat.arpEntries(ctx.fs));
    },
    /** Bytes queued on UDP sockets, summed over /proc/net/udp and udp6. */
    udpQueues(): UdpQueuesByFamily {
      return Object.freeze({ v4: ctx.os.kstat.udpQueues(ctx.fs, 'udp'), v6: ctx.os.kstat.udpQueues(ctx.fs, 'udp6') });
    },
  };
}
