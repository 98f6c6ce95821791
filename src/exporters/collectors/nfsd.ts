/**
 * nfsd: node_nfsd_* from /proc/net/rpc/nfsd (reply cache, stale file handles, disk bytes, threads, read-ahead cache,
 * packets, RPCs and their errors, requests by protocol and method), as node_exporter; the `wdeleg_getattr` line of
 * Linux 6.x is read as newer node_exporter reads it (1.5.0 fails on it). Silent without the NFS server. OTLP: none
 * in the semantic conventions.
 */
import type { NfsServerStats } from '../../index';
import { defineCollector, fam, families } from '../catalog';

export function nfsdFamilies(d: NfsServerStats | null) {
  const c = (name: string, help: string, labels: readonly string[] = []) =>
    fam(`node_nfsd_${name}`, 'counter', help, labels);
  const hits = c('reply_cache_hits_total', 'Total number of NFSd Reply Cache hits (client lost server response).');
  const misses = c(
    'reply_cache_misses_total',
    'Total number of NFSd Reply Cache an operation that requires caching (idempotent).',
  );
  const nocache = c(
    'reply_cache_nocache_total',
    'Total number of NFSd Reply Cache non-idempotent operations (rename/delete/…).',
  );
  const stale = c('file_handles_stale_total', 'Total number of NFSd stale file handles');
  const read = c('disk_bytes_read_total', 'Total NFSd bytes read.');
  const written = c('disk_bytes_written_total', 'Total NFSd bytes written.');
  const threads = fam('node_nfsd_server_threads', 'gauge', 'Total number of NFSd kernel threads that are running.');
  const raSize = fam('node_nfsd_read_ahead_cache_size_blocks', 'gauge', 'How large the read ahead cache is in blocks.');
  const raNotFound = c('read_ahead_cache_not_found_total', 'Total number of NFSd read ahead cache not found.');
  const packets = c('packets_total', 'Total NFSd network packets (sent+received) by protocol type.', ['proto']);
  const conns = c('connections_total', 'Total number of NFSd TCP connections.');
  const rpcErrors = c('rpc_errors_total', 'Total number of NFSd RPC errors by error type.', ['error']);
  const rpcs = c('server_rpcs_total', 'Total number of NFSd RPCs.');
  const requests = c('requests_total', 'Total number NFSd Requests by method and protocol.', ['proto', 'method']);
  if (d !== null) {
    hits.set(d.replyCache?.hits ?? 0);
    misses.set(d.replyCache?.misses ?? 0);
    nocache.set(d.replyCache?.noCache ?? 0);
    stale.set(d.fileHandlesStale ?? 0);
    read.set(d.io?.read ?? 0);
    written.set(d.io?.write ?? 0);
    threads.set(d.threads ?? 0);
    raSize.set(d.readAhead?.cacheSize ?? 0);
    raNotFound.set(d.readAhead?.notFound ?? 0);
    packets.add({ proto: 'udp' }, d.network?.udpCount ?? 0);
    packets.add({ proto: 'tcp' }, d.network?.tcpCount ?? 0);
    conns.set(d.network?.tcpConnect ?? 0);
    rpcErrors.add({ error: 'fmt' }, d.rpc.badFmt);
    rpcErrors.add({ error: 'auth' }, d.rpc.badAuth);
    rpcErrors.add({ error: 'cInt' }, d.rpc.badcInt);
    rpcs.set(d.rpc.rpcCount);
    for (const [proto, list] of [
      ['2', d.v2],
      ['3', d.v3],
      ['4', d.v4ops],
    ] as const) {
      for (const p of list) requests.add({ proto, method: p.method }, p.count);
    }
  }
  return families(
    hits,
    misses,
    nocache,
    stale,
    read,
    written,
    threads,
    raSize,
    raNotFound,
    packets,
    conns,
    rpcErrors,
    rpcs,
    requests,
  );
}

export const nfsdCollector = defineCollector<NfsServerStats | null, null>({
  name: 'nfsd',
  help: "The NFS server's counters from /proc/net/rpc/nfsd.",
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.nfsServerStats(),
  prometheus: (d) => nfsdFamilies(d),
  otlp: () => [],
});
