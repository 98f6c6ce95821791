/**
 * cpu_vulnerabilities: node_cpu_vulnerabilities_info{codename,state,mitigation} from
 * /sys/devices/system/cpu/vulnerabilities (node_exporter 1.7's cpu_vulnerabilities collector, off by default there
 * and here). A kernel without the directory gives no series. OTLP: none in the semantic conventions.
 */
import type { CpuVulnerability } from '../../index';
import { defineCollector, fam, families } from '../catalog';

export function cpuVulnerabilitiesFamilies(d: readonly CpuVulnerability[]) {
  const f = fam(
    'node_cpu_vulnerabilities_info',
    'gauge',
    'Details of each CPU vulnerability reported by sysfs. The value of the series is an int encoded state of the vulnerability. The same state is stored as a string in the label',
    ['codename', 'state', 'mitigation'],
  );
  for (const v of d) f.add({ codename: v.codename, state: v.state, mitigation: v.mitigation }, 1);
  return families(f);
}

export const cpuVulnerabilitiesCollector = defineCollector<readonly CpuVulnerability[], null>({
  name: 'cpu_vulnerabilities',
  help: 'State and mitigation of each CPU vulnerability from /sys/devices/system/cpu/vulnerabilities.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.cpuVulnerabilities(),
  prometheus: (d) => cpuVulnerabilitiesFamilies(d),
  otlp: () => [],
});
