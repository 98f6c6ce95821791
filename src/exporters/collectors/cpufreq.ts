/**
 * cpufreq: node_exporter's cpufreq collector from sysfs (node_cpu_frequency_{,min_,max_}hertz{cpu} from cpuinfo_*,
 * node_cpu_scaling_frequency_{,min_,max_}hertz{cpu}, node_cpu_scaling_governor{cpu,governor}). OTLP:
 * system.cpu.frequency{cpu.logical_number} in Hz.
 */
import type { CpuFreqDetails } from '../../index';
import { defineCollector, fam, families, metrics, otel } from '../catalog';

export type CpufreqData = readonly CpuFreqDetails[];

export function cpufreqFamilies(d: CpufreqData) {
  const f = (name: string, help: string) => fam(name, 'gauge', help, ['cpu']);
  const cur = f('node_cpu_frequency_hertz', 'Current CPU thread frequency in hertz.');
  const min = f('node_cpu_frequency_min_hertz', 'Minimum CPU thread frequency in hertz.');
  const max = f('node_cpu_frequency_max_hertz', 'Maximum CPU thread frequency in hertz.');
  const scur = f('node_cpu_scaling_frequency_hertz', 'Current scaled CPU thread frequency in hertz.');
  const smin = f('node_cpu_scaling_frequency_min_hertz', 'Minimum scaled CPU thread frequency in hertz.');
  const smax = f('node_cpu_scaling_frequency_max_hertz', 'Maximum scaled CPU thread frequency in hertz.');
  const gov = fam('node_cpu_scaling_governor', 'gauge', 'Current enabled CPU frequency governor.', ['cpu', 'governor']);
  for (const c of d) {
    const cpu = { cpu: String(c.cpu) };
    if (c.currentHz !== null) cur.add(cpu, c.currentHz);
    if (c.minHz !== null) min.add(cpu, c.minHz);
    if (c.maxHz !== null) max.add(cpu, c.maxHz);
    if (c.scalingCurrentHz !== null) scur.add(cpu, c.scalingCurrentHz);
    if (c.scalingMinHz !== null) smin.add(cpu, c.scalingMinHz);
    if (c.scalingMaxHz !== null) smax.add(cpu, c.scalingMaxHz);
    for (const g of c.availableGovernors) gov.add({ cpu: cpu.cpu, governor: g }, g === c.governor ? 1 : 0);
  }
  return families(cur, min, max, scur, smin, smax, gov);
}

export function cpufreqMetrics(d: CpufreqData) {
  const freq = otel('system.cpu.frequency', 'gauge', 'Hz', 'Current frequency of each logical CPU.');
  for (const c of d) {
    const hz = c.scalingCurrentHz ?? c.currentHz;
    if (hz !== null) freq.add({ 'cpu.logical_number': c.cpu }, hz);
  }
  return metrics(freq);
}

export const cpufreqCollector = defineCollector<CpufreqData, null>({
  name: 'cpufreq',
  help: 'CPU frequencies and governors from /sys/devices/system/cpu/cpu*/cpufreq.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.cpuFreqDetails(),
  prometheus: (d) => cpufreqFamilies(d),
  otlp: (d) => cpufreqMetrics(d),
});
