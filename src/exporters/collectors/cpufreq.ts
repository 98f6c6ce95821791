/**
 * cpufreq: node_exporter's cpufreq collector from sysfs (node_cpu_frequency_{,min_,max_}hertz{cpu} from cpuinfo_*,
 * node_cpu_scaling_frequency_{,min_,max_}hertz{cpu}, node_cpu_scaling_governor{cpu,governor}). OTLP:
 * system.cpu.frequency{cpu.logical_number} in Hz, from /proc/cpuinfo where sysfs has no cpufreq (virtual machines).
 */
import { OsError, type CpuFreqDetails, type CpuInfo } from '../../index';
import { defineCollector, fam, families } from '../catalog';
import { cpuFrequencyMetrics } from '../otlp-system';

export interface CpufreqData {
  readonly details: readonly CpuFreqDetails[];
  /** /proc/cpuinfo's processors and `cpu MHz`, read only when sysfs gave no CPU a frequency. */
  readonly cpuinfo: readonly Pick<CpuInfo, 'processor' | 'mhz'>[] | null;
}

export function cpufreqFamilies(d: readonly CpuFreqDetails[]) {
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

function cpuinfoMhz(read: () => readonly CpuInfo[]): CpufreqData['cpuinfo'] {
  try {
    return read().map((c) => ({ processor: c.processor, mhz: c.mhz }));
  } catch (err) {
    // The fallback costs OTLP's frequencies only: an unreadable cpuinfo must not fail node_exporter's families.
    if (err instanceof OsError) return null;
    throw err;
  }
}

export const cpufreqCollector = defineCollector<CpufreqData, null>({
  name: 'cpufreq',
  help: 'CPU frequencies and governors from /sys/devices/system/cpu/cpu*/cpufreq.',
  options: () => null,
  create:
    ({ psutil }) =>
    () => {
      const details = psutil.cpuFreqDetails();
      const known = details.some((c) => (c.scalingCurrentHz ?? c.currentHz) !== null);
      return { details, cpuinfo: known ? null : cpuinfoMhz(() => psutil.cpuInfo()) };
    },
  prometheus: (d) => cpufreqFamilies(d.details),
  otlp: (d) => cpuFrequencyMetrics(d.details, d.cpuinfo),
});
