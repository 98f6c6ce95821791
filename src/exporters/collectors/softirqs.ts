/**
 * softirqs: node_softirqs_functions_total{cpu,type} from /proc/softirqs (node_exporter 1.7's softirqs collector, off
 * by default there and here: one series per vector and CPU). `cpu` is the column's position, as node_exporter labels
 * it. OTLP: none in the semantic conventions.
 */
import type { Softirqs } from '../../index';
import { defineCollector, fam, families } from '../catalog';

export function softirqsFamilies(d: Softirqs) {
  const f = fam('node_softirqs_functions_total', 'counter', 'Softirq counts per CPU.', ['cpu', 'type']);
  for (const line of d.lines) line.counts.forEach((v, i) => f.add({ cpu: String(i), type: line.name }, v));
  return families(f);
}

export const softirqsCollector = defineCollector<Softirqs, null>({
  name: 'softirqs',
  help: 'Softirq counts per vector and CPU from /proc/softirqs.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.procSoftirqs(),
  prometheus: (d) => softirqsFamilies(d),
  otlp: () => [],
});
