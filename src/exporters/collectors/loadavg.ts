/** loadavg: node_load1, node_load5, node_load15 (/proc/loadavg). OTLP: system.cpu.load_average.{1m,5m,15m}. */
import type { ProcLoadavg } from '../../index';
import { defineCollector, fam, families, metrics, otel } from '../catalog';

export function loadavgFamilies(d: ProcLoadavg) {
  return families(
    fam('node_load1', 'gauge', '1m load average.').set(d.load1),
    fam('node_load5', 'gauge', '5m load average.').set(d.load5),
    fam('node_load15', 'gauge', '15m load average.').set(d.load15),
  );
}

/** The hostmetrics receiver's names: semantic conventions have none for the load average. */
export function loadavgMetrics(d: ProcLoadavg) {
  return metrics(
    otel('system.cpu.load_average.1m', 'gauge', '{thread}', 'Average CPU load over 1 minute.').add({}, d.load1),
    otel('system.cpu.load_average.5m', 'gauge', '{thread}', 'Average CPU load over 5 minutes.').add({}, d.load5),
    otel('system.cpu.load_average.15m', 'gauge', '{thread}', 'Average CPU load over 15 minutes.').add({}, d.load15),
  );
}

export const loadavgCollector = defineCollector<ProcLoadavg, null>({
  name: 'loadavg',
  help: 'Load averages from /proc/loadavg.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.procLoadavg(),
  prometheus: (d) => loadavgFamilies(d),
  otlp: (d) => loadavgMetrics(d),
});
