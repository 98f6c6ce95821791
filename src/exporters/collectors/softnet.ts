/**
 * softnet: node_softnet_{processed,dropped,times_squeezed,cpu_collision,received_rps,flow_limit_count}_total{cpu} and
 * node_softnet_backlog_len{cpu} from /proc/net/softnet_stat, as current node_exporter (1.5.0 has the first three; the
 * others read 0 where the kernel has no such column, as procfs reads them). OTLP: none in the semantic conventions.
 */
import type { SoftnetCpu } from '../../index';
import { defineCollector, fam, families } from '../catalog';

export function softnetFamilies(d: readonly SoftnetCpu[]) {
  const processed = fam('node_softnet_processed_total', 'counter', 'Number of processed packets', ['cpu']);
  const dropped = fam('node_softnet_dropped_total', 'counter', 'Number of dropped packets', ['cpu']);
  const squeezed = fam(
    'node_softnet_times_squeezed_total',
    'counter',
    'Number of times processing packets ran out of quota',
    ['cpu'],
  );
  const collision = fam(
    'node_softnet_cpu_collision_total',
    'counter',
    'Number of collision occur while obtaining device lock while transmitting',
    ['cpu'],
  );
  const rps = fam('node_softnet_received_rps_total', 'counter', 'Number of times cpu woken up received_rps', ['cpu']);
  const flow = fam('node_softnet_flow_limit_count_total', 'counter', 'Number of times flow limit has been reached', [
    'cpu',
  ]);
  const backlog = fam('node_softnet_backlog_len', 'gauge', 'Softnet backlog status', ['cpu']);
  for (const s of d) {
    const l = { cpu: String(s.cpu) };
    processed.add(l, s.processed);
    dropped.add(l, s.dropped);
    squeezed.add(l, s.timeSqueezed);
    collision.add(l, s.cpuCollision);
    rps.add(l, s.receivedRps);
    flow.add(l, s.flowLimitCount);
    backlog.add(l, s.backlogLen);
  }
  return families(processed, dropped, squeezed, collision, rps, flow, backlog);
}

export const softnetCollector = defineCollector<readonly SoftnetCpu[], null>({
  name: 'softnet',
  help: 'Per-CPU packet processing statistics from /proc/net/softnet_stat.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.softnetStat(),
  prometheus: (d) => softnetFamilies(d),
  otlp: () => [],
});
