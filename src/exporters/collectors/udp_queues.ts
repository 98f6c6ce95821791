/**
 * udp_queues: node_udp_queues{ip="v4"|"v6",queue="tx"|"rx"}, the bytes queued on UDP sockets, from /proc/net/udp{,6}
 * (a table the kernel does not have is left out). OTLP: none in the semantic conventions.
 */
import type { UdpQueuesByFamily } from '../../index';
import { defineCollector, fam, families } from '../catalog';

export function udpQueuesFamilies(d: UdpQueuesByFamily) {
  const f = fam('node_udp_queues', 'gauge', 'Number of allocated memory in the kernel for UDP datagrams in bytes.', [
    'queue',
    'ip',
  ]);
  for (const [ip, q] of [
    ['v4', d.v4],
    ['v6', d.v6],
  ] as const) {
    if (q === null) continue;
    f.add({ queue: 'tx', ip }, q.txQueue);
    f.add({ queue: 'rx', ip }, q.rxQueue);
  }
  return families(f);
}

export const udpQueuesCollector = defineCollector<UdpQueuesByFamily, null>({
  name: 'udp_queues',
  help: 'Bytes queued on UDP sockets from /proc/net/udp and udp6.',
  options: () => null,
  create:
    ({ psutil }) =>
    () => {
      const d = psutil.udpQueues();
      if (d.v4 === null && d.v6 === null) throw new Error('neither /proc/net/udp nor /proc/net/udp6 exists');
      return d;
    },
  prometheus: (d) => udpQueuesFamilies(d),
  otlp: () => [],
});
