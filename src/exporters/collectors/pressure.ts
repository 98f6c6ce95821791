/**
 * pressure: node_pressure_{cpu_waiting,io_waiting,io_stalled,memory_waiting,memory_stalled,irq_stalled}_seconds_total
 * from /proc/pressure/{cpu,io,memory,irq} (PSI totals, microseconds, in seconds). irq only where the kernel has it
 * (6.1+). OTLP: system.{cpu,memory,io,irq}.linux.pressure.{total,10s,1m,5m}{system.pressure.stall_type}, the
 * receiver's names (the semantic conventions have no PSI metrics; otlp-system.ts).
 */
import type { ProcPressure } from '../../index';
import { defineCollector, fam, families } from '../catalog';
import { pressureMetrics } from '../otlp-system';

/** Microseconds to seconds as node_exporter divides (/1000/1000: the same float64 result bit for bit). */
function seconds(us: number): number {
  return us / 1000 / 1000;
}

export function pressureFamilies(d: ProcPressure) {
  const cpu = fam(
    'node_pressure_cpu_waiting_seconds_total',
    'counter',
    'Total time in seconds that processes have waited for CPU time',
  );
  const io = fam(
    'node_pressure_io_waiting_seconds_total',
    'counter',
    'Total time in seconds that processes have waited due to IO congestion',
  );
  const ioFull = fam(
    'node_pressure_io_stalled_seconds_total',
    'counter',
    'Total time in seconds no process could make progress due to IO congestion',
  );
  const mem = fam(
    'node_pressure_memory_waiting_seconds_total',
    'counter',
    'Total time in seconds that processes have waited for memory',
  );
  const memFull = fam(
    'node_pressure_memory_stalled_seconds_total',
    'counter',
    'Total time in seconds no process could make progress due to memory congestion',
  );
  const irqFull = fam(
    'node_pressure_irq_stalled_seconds_total',
    'counter',
    'Total time in seconds no process could make progress due to IRQ congestion',
  );
  if (d.cpu?.some) cpu.set(seconds(d.cpu.some.total));
  if (d.io?.some) io.set(seconds(d.io.some.total));
  if (d.io?.full) ioFull.set(seconds(d.io.full.total));
  if (d.memory?.some) mem.set(seconds(d.memory.some.total));
  if (d.memory?.full) memFull.set(seconds(d.memory.full.total));
  if (d.irq?.full) irqFull.set(seconds(d.irq.full.total));
  return families(cpu, io, ioFull, mem, memFull, irqFull);
}

export const pressureCollector = defineCollector<ProcPressure, null>({
  name: 'pressure',
  help: 'Pressure stall information from /proc/pressure.',
  options: () => null,
  create:
    ({ psutil }) =>
    () => {
      const d = psutil.procPressure();
      // As node_exporter: without cpu, io or memory PSI (kernel < 4.20, CONFIG_PSI off, psi=0) the collector fails.
      if (d.cpu === null || d.io === null || d.memory === null)
        throw new Error('pressure stall information is unavailable (kernel without PSI)');
      return d;
    },
  prometheus: (d) => pressureFamilies(d),
  otlp: (d) => pressureMetrics(d),
});
