/**
 * nfs: node_nfs_{packets_total{protocol},connections_total,rpcs_total,rpc_retransmissions_total,
 * rpc_authentication_refreshes_total,requests_total{proto,method}} from /proc/net/rpc/nfs, as node_exporter. Silent
 * without the NFS client. OTLP: none in the semantic conventions.
 */
import type { NfsClientStats } from '../../index';
import { defineCollector, fam, families } from '../catalog';

export function nfsFamilies(d: NfsClientStats | null) {
  const packets = fam(
    'node_nfs_packets_total',
    'counter',
    'Total NFSd network packets (sent+received) by protocol type.',
    ['protocol'],
  );
  const conns = fam('node_nfs_connections_total', 'counter', 'Total number of NFSd TCP connections.');
  const rpcs = fam('node_nfs_rpcs_total', 'counter', 'Total number of RPCs performed.');
  const retrans = fam('node_nfs_rpc_retransmissions_total', 'counter', 'Number of RPC transmissions performed.');
  const refresh = fam(
    'node_nfs_rpc_authentication_refreshes_total',
    'counter',
    'Number of RPC authentication refreshes performed.',
  );
  const requests = fam('node_nfs_requests_total', 'counter', 'Number of NFS procedures invoked.', ['proto', 'method']);
  if (d !== null) {
    const net = d.network ?? { netCount: 0, udpCount: 0, tcpCount: 0, tcpConnect: 0 };
    packets.add({ protocol: 'udp' }, net.udpCount);
    packets.add({ protocol: 'tcp' }, net.tcpCount);
    conns.set(net.tcpConnect);
    rpcs.set(d.rpc.rpcCount);
    retrans.set(d.rpc.retransmissions);
    refresh.set(d.rpc.authRefreshes);
    for (const [proto, list] of [
      ['2', d.v2],
      ['3', d.v3],
      ['4', d.v4],
    ] as const) {
      for (const p of list) requests.add({ proto, method: p.method }, p.count);
    }
  }
  return families(packets, conns, rpcs, retrans, refresh, requests);
}

export const nfsCollector = defineCollector<NfsClientStats | null, null>({
  name: 'nfs',
  help: "The NFS client's RPC and per-procedure counters from /proc/net/rpc/nfs.",
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.nfsClientStats(),
  prometheus: (d) => nfsFamilies(d),
  otlp: () => [],
});
