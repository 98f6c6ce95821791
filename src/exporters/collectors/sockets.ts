/**
 * sockets: TCP connection counts by state from /proc/net/tcp{,6} (node_exporter's node_tcp_connection_states{state},
 * every state present), plus its two pseudo-states tx_queued_bytes and rx_queued_bytes: the queue columns summed.
 * node_exporter 1.4+ sums sock_diag's queues instead, which for a listener report its backlog limit as the send queue:
 * the agent's tx_queued_bytes leaves listeners' limits out (bytes only). OTLP:
 * system.network.connection.count{network.transport,network.connection.state}.
 */
import type { TcpConnectionStates, TcpSocketStats } from '../../index';
import { defineCollector, fam, families, metrics, otel } from '../catalog';

/** psutil state -> node_exporter's tcpstat label, and the semantic-convention value. */
const STATES: ReadonlyArray<readonly [keyof TcpConnectionStates, string, string]> = [
  ['ESTABLISHED', 'established', 'established'],
  ['SYN_SENT', 'syn_sent', 'syn_sent'],
  ['SYN_RECV', 'syn_recv', 'syn_received'],
  ['FIN_WAIT1', 'fin_wait1', 'fin_wait_1'],
  ['FIN_WAIT2', 'fin_wait2', 'fin_wait_2'],
  ['TIME_WAIT', 'time_wait', 'time_wait'],
  ['CLOSE', 'close', 'close'],
  ['CLOSE_WAIT', 'close_wait', 'close_wait'],
  ['LAST_ACK', 'last_ack', 'last_ack'],
  ['LISTEN', 'listen', 'listen'],
  ['CLOSING', 'closing', 'closing'],
];

export function socketsFamilies(d: TcpSocketStats) {
  const f = fam('node_tcp_connection_states', 'gauge', 'Number of connection states.', ['state']);
  for (const [k, label] of STATES) f.add({ state: label }, d.states[k] ?? 0);
  f.add({ state: 'rx_queued_bytes' }, d.rxQueuedBytes);
  f.add({ state: 'tx_queued_bytes' }, d.txQueuedBytes);
  return families(f);
}

export function socketsMetrics(d: TcpSocketStats) {
  const m = otel(
    'system.network.connection.count',
    'updowncounter',
    '{connection}',
    'TCP connections by state.',
    'int',
  );
  for (const [k, , semconv] of STATES)
    m.add({ 'network.transport': 'tcp', 'network.connection.state': semconv }, d.states[k] ?? 0);
  return metrics(m);
}

export const socketsCollector = defineCollector<TcpSocketStats, null>({
  name: 'sockets',
  help: 'TCP connections by state, and bytes queued on them, from /proc/net/tcp and tcp6.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.tcpSocketStats(),
  prometheus: (d) => socketsFamilies(d),
  otlp: (d) => socketsMetrics(d),
});
