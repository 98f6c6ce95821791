/**
 * stat: node_exporter's stat collector from /proc/stat (node_boot_time_seconds, node_context_switches_total,
 * node_intr_total, node_forks_total, node_procs_running, node_procs_blocked; with `softirq`, node_softirqs_total{vector}).
 * OTLP: system.process.created (and the receiver's system.processes.created), system.uptime.
 */
import type { ProcStat } from '../../index';
import { defineCollector, fam, families, metrics, optBool, otel } from '../catalog';
import { processesCreatedMetrics } from '../otlp-system';

export interface StatOptions {
  readonly softirq: boolean;
}

export interface StatData {
  readonly stat: ProcStat;
  /** When the pass read /proc/stat (epoch seconds), for system.uptime. */
  readonly now: number;
}

export function statFamilies(d: StatData, o: StatOptions) {
  const s = d.stat;
  const boot = fam('node_boot_time_seconds', 'gauge', 'Node boot time, in unixtime.');
  const ctxt = fam('node_context_switches_total', 'counter', 'Total number of context switches.');
  const forks = fam('node_forks_total', 'counter', 'Total number of forks.');
  const intr = fam('node_intr_total', 'counter', 'Total number of interrupts serviced.');
  const running = fam('node_procs_running', 'gauge', 'Number of processes in runnable state.');
  const blocked = fam('node_procs_blocked', 'gauge', 'Number of processes blocked waiting for I/O to complete.');
  const softirqs = fam('node_softirqs_total', 'counter', 'Number of softirq calls.', ['vector']);
  if (s.btime !== null) boot.set(s.btime);
  if (s.ctxt !== null) ctxt.set(s.ctxt);
  if (s.processes !== null) forks.set(s.processes);
  if (s.intr !== null) intr.set(s.intr);
  if (s.procsRunning !== null) running.set(s.procsRunning);
  if (s.procsBlocked !== null) blocked.set(s.procsBlocked);
  if (o.softirq && s.softirqs) {
    for (const [vector, v] of Object.entries(s.softirqs)) if (v !== undefined) softirqs.add({ vector }, v);
  }
  return families(boot, ctxt, forks, intr, running, blocked, softirqs);
}

export function statMetrics(d: StatData) {
  const created = otel(
    'system.process.created',
    'counter',
    '{process}',
    'Processes created since boot (forks).',
    'int',
  );
  const uptime = otel('system.uptime', 'gauge', 's', 'Seconds since the system booted.');
  if (d.stat.processes !== null) created.add({}, d.stat.processes);
  if (d.stat.btime !== null) uptime.add({}, Math.max(0, d.now - d.stat.btime));
  return metrics(created, uptime);
}

export const statCollector = defineCollector<StatData, StatOptions>({
  name: 'stat',
  help: 'Boot time, context switches, interrupts, forks and runnable/blocked processes from /proc/stat.',
  options: (raw) => ({ softirq: optBool(raw, 'softirq', false) }),
  create:
    ({ psutil }) =>
    () => ({ stat: psutil.procStat(), now: Date.now() / 1000 }),
  prometheus: statFamilies,
  otlp: (d) => [...statMetrics(d), ...processesCreatedMetrics(d.stat.processes)],
});
