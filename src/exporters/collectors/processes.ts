/**
 * processes: node_exporter's processes collector: node_processes_{pids,threads,max_processes,max_threads},
 * node_processes_state{state} and, with `threads`, node_processes_threads_state{thread_state}. OTLP:
 * system.process.count{process.state}; the receiver's system.processes.count{status}.
 */
import type { KernelLimits, ProcessSummary } from '../../index';
import { defineCollector, fam, families, metrics, optBool, otel } from '../catalog';
import { processesStatusMetrics } from '../otlp-system';

export interface ProcessesOptions {
  readonly threads: boolean;
}

export interface ProcessesData {
  readonly summary: ProcessSummary;
  readonly limits: KernelLimits;
}

/** Kernel state letter -> semantic-convention process.state (running, sleeping, stopped, defunct). */
const SEMCONV_STATE: Readonly<Record<string, string>> = {
  R: 'running',
  S: 'sleeping',
  D: 'sleeping',
  I: 'sleeping',
  T: 'stopped',
  t: 'stopped',
  Z: 'defunct',
  X: 'defunct',
  x: 'defunct',
};

export function processesFamilies(d: ProcessesData) {
  const s = d.summary;
  const state = fam('node_processes_state', 'gauge', 'Number of processes in each state.', ['state']);
  for (const [k, v] of Object.entries(s.states)) state.add({ state: k }, v);
  const tstate = fam('node_processes_threads_state', 'gauge', 'Number of threads in each state.', ['thread_state']);
  for (const [k, v] of Object.entries(s.threadStates ?? {})) tstate.add({ thread_state: k }, v);
  const maxProc = fam('node_processes_max_processes', 'gauge', 'Number of max PIDs limit');
  const maxThr = fam('node_processes_max_threads', 'gauge', 'Limit of threads in the system');
  if (d.limits.pidMax !== null) maxProc.set(d.limits.pidMax);
  if (d.limits.threadsMax !== null) maxThr.set(d.limits.threadsMax);
  return families(
    maxProc,
    maxThr,
    fam('node_processes_pids', 'gauge', 'Number of PIDs').set(s.pids),
    state,
    fam('node_processes_threads', 'gauge', 'Allocated threads in system').set(s.threads),
    tstate,
  );
}

export function processesMetrics(d: ProcessesData) {
  const count = otel('system.process.count', 'updowncounter', '{process}', 'Processes by state.', 'int');
  const byState = new Map<string, number>();
  for (const [k, v] of Object.entries(d.summary.states)) {
    const st = SEMCONV_STATE[k] ?? 'sleeping';
    byState.set(st, (byState.get(st) ?? 0) + v);
  }
  for (const [st, v] of byState) count.add({ 'process.state': st }, v);
  return metrics(count);
}

export const processesCollector = defineCollector<ProcessesData, ProcessesOptions>({
  name: 'processes',
  help: 'Processes and threads counted by state, and the kernel limits on them.',
  options: (raw) => ({ threads: optBool(raw, 'threads', false) }),
  create:
    ({ psutil }, o) =>
    () => ({ summary: psutil.processSummary({ threads: o.threads }), limits: psutil.kernelLimits() }),
  prometheus: (d) => processesFamilies(d),
  otlp: (d) => [...processesMetrics(d), ...processesStatusMetrics(d.summary.states)],
});
