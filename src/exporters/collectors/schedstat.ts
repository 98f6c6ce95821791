/**
 * schedstat: node_schedstat_{running_seconds,waiting_seconds,timeslices}_total{cpu} from /proc/schedstat
 * (nanoseconds in seconds). OTLP: none in the semantic conventions.
 */
import type { SchedstatCpu } from '../../index';
import { defineCollector, fam, families } from '../catalog';

const NS_PER_SEC = 1e9;

export function schedstatFamilies(d: readonly SchedstatCpu[]) {
  const running = fam(
    'node_schedstat_running_seconds_total',
    'counter',
    'Number of seconds CPU spent running a process.',
    ['cpu'],
  );
  const waiting = fam(
    'node_schedstat_waiting_seconds_total',
    'counter',
    'Number of seconds spent by processing waiting for this CPU.',
    ['cpu'],
  );
  const slices = fam('node_schedstat_timeslices_total', 'counter', 'Number of timeslices executed by CPU.', ['cpu']);
  for (const c of d) {
    running.add({ cpu: c.cpu }, c.runningNanoseconds / NS_PER_SEC);
    waiting.add({ cpu: c.cpu }, c.waitingNanoseconds / NS_PER_SEC);
    slices.add({ cpu: c.cpu }, c.timeslices);
  }
  return families(running, waiting, slices);
}

export const schedstatCollector = defineCollector<readonly SchedstatCpu[], null>({
  name: 'schedstat',
  help: 'Per-CPU scheduler statistics from /proc/schedstat (needs CONFIG_SCHEDSTATS).',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.schedstat(),
  prometheus: (d) => schedstatFamilies(d),
  otlp: () => [],
});
