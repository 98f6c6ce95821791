/**
 * interrupts: node_interrupts_total{cpu,type,info,devices} from /proc/interrupts, one series per line and CPU (off by
 * default, as in node_exporter: CPUs x IRQ lines series). OTLP: none in the semantic conventions.
 */
import type { InterruptLine } from '../../index';
import { defineCollector, fam, families } from '../catalog';

export function interruptsFamilies(d: readonly InterruptLine[]) {
  const f = fam('node_interrupts_total', 'counter', 'Interrupt details.', ['cpu', 'type', 'info', 'devices']);
  // node_exporter keys lines by name: a name printed twice keeps its last line.
  const byName = new Map<string, InterruptLine>();
  for (const line of d) {
    byName.delete(line.name);
    byName.set(line.name, line);
  }
  for (const line of byName.values()) {
    line.counts.forEach((v, cpu) =>
      f.add({ cpu: String(cpu), type: line.name, info: line.info, devices: line.devices }, v),
    );
  }
  return families(f);
}

export const interruptsCollector = defineCollector<readonly InterruptLine[], null>({
  name: 'interrupts',
  help: 'Interrupt counts per IRQ line and CPU from /proc/interrupts.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.procInterrupts(),
  prometheus: (d) => interruptsFamilies(d),
  otlp: () => [],
});
