/**
 * The collectors' names in the order a pass runs them, without loading them: the agent's main thread plans passes and
 * labels results by name, while the collectors themselves (and the library under them) load in the collection worker.
 * index.ts builds the registry in this order and refuses to load when the two disagree.
 */
export const COLLECTOR_NAMES: readonly string[] = Object.freeze([
  'filesystem',
  'cpu',
  'cpufreq',
  'cpu_vulnerabilities',
  'loadavg',
  'stat',
  'meminfo',
  'vmstat',
  'diskstats',
  'netdev',
  'netclass',
  'netstat',
  'sockstat',
  'sockets',
  'pressure',
  'filefd',
  'entropy',
  'softnet',
  'schedstat',
  'conntrack',
  'interrupts',
  'softirqs',
  'arp',
  'udp_queues',
  'sensors',
  'ipvs',
  'fibrechannel',
  'infiniband',
  'tapestats',
  'uname',
  'os',
  'time',
  'processes',
  'users',
  'textfile',
  // Last: the heaviest /proc walk, and the only one that needs no other collector's time.
  'process_groups',
]);
