/**
 * The collector registry: every collector by name, in the order a pass runs them, one after the other (the order of
 * names.ts, which the main thread uses without loading this file).
 *
 * A collector's module loads when the registry is first asked for it (get), not with the registry: the collection
 * worker then holds the code of the collectors its config enables, not of all 52. Issue 14: with only process_groups
 * on (2,000 extra processes in 200 groups) the other collectors' modules were ~0.6 MB of the worker's live heap, and
 * V8 sizes its old generation from the live size.
 */
import type { AnyCollectorDef } from '../catalog';
import { COLLECTOR_NAMES } from './names';

/* eslint-disable @typescript-eslint/no-require-imports -- lazy: each collector loads when first asked for (header) */
const LOADERS: Readonly<Record<string, () => AnyCollectorDef>> = {
  filesystem: () => (require('./filesystem') as typeof import('./filesystem')).filesystemCollector,
  cpu: () => (require('./cpu') as typeof import('./cpu')).cpuCollector,
  cpufreq: () => (require('./cpufreq') as typeof import('./cpufreq')).cpufreqCollector,
  cpu_vulnerabilities: () =>
    (require('./cpu_vulnerabilities') as typeof import('./cpu_vulnerabilities')).cpuVulnerabilitiesCollector,
  loadavg: () => (require('./loadavg') as typeof import('./loadavg')).loadavgCollector,
  stat: () => (require('./stat') as typeof import('./stat')).statCollector,
  meminfo: () => (require('./meminfo') as typeof import('./meminfo')).meminfoCollector,
  vmstat: () => (require('./vmstat') as typeof import('./vmstat')).vmstatCollector,
  diskstats: () => (require('./diskstats') as typeof import('./diskstats')).diskstatsCollector,
  netdev: () => (require('./netdev') as typeof import('./netdev')).netdevCollector,
  netclass: () => (require('./netclass') as typeof import('./netclass')).netclassCollector,
  netstat: () => (require('./netstat') as typeof import('./netstat')).netstatCollector,
  sockstat: () => (require('./sockstat') as typeof import('./sockstat')).sockstatCollector,
  sockets: () => (require('./sockets') as typeof import('./sockets')).socketsCollector,
  pressure: () => (require('./pressure') as typeof import('./pressure')).pressureCollector,
  filefd: () => (require('./filefd') as typeof import('./filefd')).filefdCollector,
  entropy: () => (require('./entropy') as typeof import('./entropy')).entropyCollector,
  softnet: () => (require('./softnet') as typeof import('./softnet')).softnetCollector,
  schedstat: () => (require('./schedstat') as typeof import('./schedstat')).schedstatCollector,
  conntrack: () => (require('./conntrack') as typeof import('./conntrack')).conntrackCollector,
  interrupts: () => (require('./interrupts') as typeof import('./interrupts')).interruptsCollector,
  softirqs: () => (require('./softirqs') as typeof import('./softirqs')).softirqsCollector,
  arp: () => (require('./arp') as typeof import('./arp')).arpCollector,
  udp_queues: () => (require('./udp_queues') as typeof import('./udp_queues')).udpQueuesCollector,
  timex: () => (require('./timex') as typeof import('./timex')).timexCollector,
  mdadm: () => (require('./mdadm') as typeof import('./mdadm')).mdadmCollector,
  nfs: () => (require('./nfs') as typeof import('./nfs')).nfsCollector,
  nfsd: () => (require('./nfsd') as typeof import('./nfsd')).nfsdCollector,
  nvme: () => (require('./nvme') as typeof import('./nvme')).nvmeCollector,
  dmi: () => (require('./dmi') as typeof import('./dmi')).dmiCollector,
  rapl: () => (require('./rapl') as typeof import('./rapl')).raplCollector,
  edac: () => (require('./edac') as typeof import('./edac')).edacCollector,
  bonding: () => (require('./bonding') as typeof import('./bonding')).bondingCollector,
  xfs: () => (require('./xfs') as typeof import('./xfs')).xfsCollector,
  btrfs: () => (require('./btrfs') as typeof import('./btrfs')).btrfsCollector,
  zfs: () => (require('./zfs') as typeof import('./zfs')).zfsCollector,
  sensors: () => (require('./sensors') as typeof import('./sensors')).sensorsCollector,
  ipvs: () => (require('./ipvs') as typeof import('./ipvs')).ipvsCollector,
  fibrechannel: () => (require('./fibrechannel') as typeof import('./fibrechannel')).fibrechannelCollector,
  infiniband: () => (require('./infiniband') as typeof import('./infiniband')).infinibandCollector,
  tapestats: () => (require('./tapestats') as typeof import('./tapestats')).tapestatsCollector,
  bcache: () => (require('./bcache') as typeof import('./bcache')).bcacheCollector,
  selinux: () => (require('./selinux') as typeof import('./selinux')).selinuxCollector,
  uname: () => (require('./uname') as typeof import('./uname')).unameCollector,
  os: () => (require('./os') as typeof import('./os')).osCollector,
  time: () => (require('./time') as typeof import('./time')).timeCollector,
  processes: () => (require('./processes') as typeof import('./processes')).processesCollector,
  users: () => (require('./users') as typeof import('./users')).usersCollector,
  textfile: () => (require('./textfile') as typeof import('./textfile')).textfileCollector,
  systemd: () => (require('./systemd') as typeof import('./systemd')).systemdCollector,
  cgroups: () => (require('./cgroups') as typeof import('./cgroups')).cgroupsCollector,
  process_groups: () => (require('./process_groups') as typeof import('./process_groups')).processGroupsCollector,
};
/* eslint-enable @typescript-eslint/no-require-imports -- end of the lazy loads */

if (Object.keys(LOADERS).join(',') !== COLLECTOR_NAMES.join(',')) {
  throw new Error(
    `collectors/names.ts lists ${COLLECTOR_NAMES.join(',')} but the registry holds ${Object.keys(LOADERS).join(',')}`,
  );
}

/** The registry as a read-only map; iterating it (values, entries, forEach) loads every collector. */
class Registry implements ReadonlyMap<string, AnyCollectorDef> {
  private readonly loaded = new Map<string, AnyCollectorDef>();

  get size(): number {
    return COLLECTOR_NAMES.length;
  }

  has(name: string): boolean {
    return Object.hasOwn(LOADERS, name);
  }

  get(name: string): AnyCollectorDef | undefined {
    let def = this.loaded.get(name);
    if (def === undefined) {
      if (!this.has(name)) return undefined;
      def = LOADERS[name]!();
      if (def.name !== name) throw new Error(`the registry's ${name} loads the collector ${def.name}`);
      this.loaded.set(name, def);
    }
    return def;
  }

  keys(): MapIterator<string> {
    return new Map(COLLECTOR_NAMES.map((n) => [n, true])).keys();
  }

  values(): MapIterator<AnyCollectorDef> {
    return this.all().values();
  }

  entries(): MapIterator<[string, AnyCollectorDef]> {
    return this.all().entries();
  }

  [Symbol.iterator](): MapIterator<[string, AnyCollectorDef]> {
    return this.entries();
  }

  forEach(fn: (def: AnyCollectorDef, name: string, map: ReadonlyMap<string, AnyCollectorDef>) => void): void {
    for (const [name, def] of this.all()) fn(def, name, this);
  }

  private all(): Map<string, AnyCollectorDef> {
    return new Map(COLLECTOR_NAMES.map((n) => [n, this.get(n)!]));
  }
}

export const COLLECTORS: ReadonlyMap<string, AnyCollectorDef> = new Registry();
