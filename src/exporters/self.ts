/**
 * The agent process's own `process_*` families, as Prometheus's client libraries export them (client_golang's
 * process collector in node_exporter; prom-client's default metrics before it left the dependencies): the dashboards
 * made for node_exporter read them. Read in the main thread at each new snapshot, from Node (cpuUsage, rss) and three
 * small /proc/self files (stat, limits, the fd directory): about 50 µs, against the 17 MB resident and 7 ms per
 * rendering prom-client's collectDefaultMetrics cost (docs/internals.md). Always the agent's own /proc/self, not
 * paths.procfs (a host's procfs mounted in a container has no "self" of ours).
 */
import * as fs from 'node:fs';
import type { Family } from './catalog';

/** client_golang reports an unlimited rlimit as the largest uint64 (procfs reads "unlimited" as ^uint64(0)). */
const UNLIMITED = 2 ** 64;

/** Fields of /proc/<pid>/stat after the comm: vsize (field 23) and starttime (22), whatever the comm holds. */
export function parseSelfStat(text: string): { vsizeBytes: number; startTicks: number } | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // After ") " come field 3 (state) onwards: starttime is field 22, vsize 23.
  const f = text.slice(close + 2).split(' ');
  const start = Number(f[22 - 3]);
  const vsize = Number(f[23 - 3]);
  return Number.isFinite(start) && Number.isFinite(vsize) ? { vsizeBytes: vsize, startTicks: start } : null;
}

/** The soft limit of one /proc/<pid>/limits row ("Max open files  1024  4096  files"); unlimited as 2^64. */
export function parseLimit(text: string, row: string): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(row)) continue;
    const soft = line.slice(row.length).trim().split(/\s+/)[0];
    if (soft === 'unlimited') return UNLIMITED;
    const n = Number(soft);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** /proc/stat's btime: the boot time in epoch seconds. */
export function parseBootTime(text: string): number | null {
  const m = /^btime (\d+)$/m.exec(text);
  return m ? Number(m[1]) : null;
}

let startTime: number | null = null;

/** The process start time, epoch seconds: boot time plus starttime in ticks (USER_HZ is 100 on Linux). */
function processStartTime(startTicks: number): number {
  if (startTime === null) {
    let boot: number | null = null;
    try {
      boot = parseBootTime(fs.readFileSync('/proc/stat', 'latin1'));
    } catch (e) {
      void e; // no /proc/stat (not Linux): Node's own clock below
    }
    startTime = boot !== null ? boot + startTicks / 100 : performance.timeOrigin / 1000;
  }
  return startTime;
}

function readOr<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch (e) {
    // A /proc/self file this kernel does not have (or an fd limit hit while listing): that family is left out.
    void e;
    return fallback;
  }
}

function gauge(name: string, help: string, value: number | null, type: 'gauge' | 'counter' = 'gauge'): Family[] {
  return value === null ? [] : [{ name, help, type, labelNames: [], series: [{ labels: {}, value }] }];
}

/** The process_* families of this process now. */
export function processFamilies(): Family[] {
  const cpu = process.cpuUsage();
  const stat = readOr(() => parseSelfStat(fs.readFileSync('/proc/self/stat', 'latin1')), null);
  const limits = readOr(() => fs.readFileSync('/proc/self/limits', 'latin1'), '');
  // The listing's own directory fd is open while it is read: not one of the process's.
  const fds = readOr(() => fs.readdirSync('/proc/self/fd').length - 1, null);
  return [
    ...gauge(
      'process_cpu_seconds_total',
      'Total user and system CPU time spent in seconds.',
      (cpu.user + cpu.system) / 1e6,
      'counter',
    ),
    ...gauge('process_max_fds', 'Maximum number of open file descriptors.', parseLimit(limits, 'Max open files')),
    ...gauge('process_open_fds', 'Number of open file descriptors.', fds),
    ...gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', process.memoryUsage.rss()),
    ...gauge(
      'process_start_time_seconds',
      'Start time of the process since unix epoch in seconds.',
      stat === null ? null : processStartTime(stat.startTicks),
    ),
    ...gauge('process_virtual_memory_bytes', 'Virtual memory size in bytes.', stat?.vsizeBytes ?? null),
    ...gauge(
      'process_virtual_memory_max_bytes',
      'Maximum amount of virtual memory available in bytes.',
      parseLimit(limits, 'Max address space'),
    ),
  ];
}
