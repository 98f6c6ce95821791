/**
 * The collector registry: every collector by name, in the order a pass runs them, one after the other (the order of
 * names.ts, which the main thread uses without loading this file).
 */
import type { AnyCollectorDef } from '../catalog';
import { COLLECTOR_NAMES } from './names';
import { cpuCollector } from './cpu';
import { cpufreqCollector } from './cpufreq';
import { diskstatsCollector } from './diskstats';
import { filesystemCollector } from './filesystem';
import { loadavgCollector } from './loadavg';
import { meminfoCollector } from './meminfo';
import { netclassCollector } from './netclass';
import { netdevCollector } from './netdev';
import { netstatCollector } from './netstat';
import { osCollector } from './os';
import { processesCollector } from './processes';
import { processGroupsCollector } from './process_groups';
import { sensorsCollector } from './sensors';
import { socketsCollector } from './sockets';
import { sockstatCollector } from './sockstat';
import { statCollector } from './stat';
import { timeCollector } from './time';
import { unameCollector } from './uname';
import { usersCollector } from './users';
import { vmstatCollector } from './vmstat';
import { pressureCollector } from './pressure';
import { cgroupsCollector } from './cgroups';
import { filefdCollector } from './filefd';
import { entropyCollector } from './entropy';
import { softnetCollector } from './softnet';
import { schedstatCollector } from './schedstat';
import { conntrackCollector } from './conntrack';
import { interruptsCollector } from './interrupts';
import { arpCollector } from './arp';
import { udpQueuesCollector } from './udp_queues';
import { textfileCollector } from './textfile';
import { systemdCollector } from './systemd';
import { timexCollector } from './timex';
import { mdadmCollector } from './mdadm';
import { nfsCollector } from './nfs';
import { nfsdCollector } from './nfsd';
import { nvmeCollector } from './nvme';
import { dmiCollector } from './dmi';
import { raplCollector } from './rapl';
import { edacCollector } from './edac';
import { bondingCollector } from './bonding';
import { xfsCollector } from './xfs';
import { btrfsCollector } from './btrfs';
import { zfsCollector } from './zfs';
import { cpuVulnerabilitiesCollector } from './cpu_vulnerabilities';
import { softirqsCollector } from './softirqs';
import { ipvsCollector } from './ipvs';
import { fibrechannelCollector } from './fibrechannel';
import { tapestatsCollector } from './tapestats';
import { infinibandCollector } from './infiniband';
import { selinuxCollector } from './selinux';
import { bcacheCollector } from './bcache';

const ALL: readonly AnyCollectorDef[] = [
  filesystemCollector,
  cpuCollector,
  cpufreqCollector,
  cpuVulnerabilitiesCollector,
  loadavgCollector,
  statCollector,
  meminfoCollector,
  vmstatCollector,
  diskstatsCollector,
  netdevCollector,
  netclassCollector,
  netstatCollector,
  sockstatCollector,
  socketsCollector,
  pressureCollector,
  filefdCollector,
  entropyCollector,
  softnetCollector,
  schedstatCollector,
  conntrackCollector,
  interruptsCollector,
  softirqsCollector,
  arpCollector,
  udpQueuesCollector,
  timexCollector,
  mdadmCollector,
  nfsCollector,
  nfsdCollector,
  nvmeCollector,
  dmiCollector,
  raplCollector,
  edacCollector,
  bondingCollector,
  xfsCollector,
  btrfsCollector,
  zfsCollector,
  sensorsCollector,
  ipvsCollector,
  fibrechannelCollector,
  infinibandCollector,
  tapestatsCollector,
  bcacheCollector,
  selinuxCollector,
  unameCollector,
  osCollector,
  timeCollector,
  processesCollector,
  usersCollector,
  textfileCollector,
  systemdCollector,
  cgroupsCollector,
  // Last: the heaviest /proc walk, and the only one that needs no other collector's time.
  processGroupsCollector,
] as readonly AnyCollectorDef[];

if (ALL.map((c) => c.name).join(',') !== COLLECTOR_NAMES.join(',')) {
  throw new Error(
    `collectors/names.ts lists ${COLLECTOR_NAMES.join(',')} but the registry holds ${ALL.map((c) => c.name).join(',')}`,
  );
}

export const COLLECTORS: ReadonlyMap<string, AnyCollectorDef> = new Map(ALL.map((c) => [c.name, c]));
