/**
 * The agent process's own `process_*` families, as Prometheus's client libraries export them (client_golang's
 * process collector in node_exporter; prom-client's default metrics before it left the dependencies): the dashboards
 * made for node_exporter read them. Read in the main thread at each new snapshot, from Node (cpuUsage, rss) and three
 * small /proc/self files (stat, limits, the fd directory): about 50 µs, against the 17 MB resident and 7 ms per
 * rendering prom-client's collectDefaultMetrics cost (docs/internals.md). Always the agent's own /proc/self, not
 * paths.procfs (a host's procfs mounted in a container has no "self" of ours).
 *
 * The agent renders them with processBlocks(), straight to text: each pass of a fresh scrape pays for them, in the
 * main thread's interpreter. The two files are read into one buffer kept for it (fs.readFileSync took 40-55 µs per
 * /proc file, its growing reads and buffers, against 12 µs), and the fds counted from the directory's size where the
 * kernel gives it (below).
 */
import * as fs from 'node:fs';
import type { Family, PromType } from './catalog';
import { familyHead, formatValue } from './exposition/render';
import type { FamilyBlock } from './exposition/types';

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

/** Kept between reads of small /proc/self files (stat and limits are 0.3 and 1.4 KB); grown when one is larger. */
let scratch = Buffer.allocUnsafeSlow(4096);

/** A small /proc file's text, read into `scratch` (procfs files have no size to read them by). */
export function readProcText(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    let n = 0;
    for (;;) {
      if (n === scratch.length) {
        const bigger = Buffer.allocUnsafeSlow(scratch.length * 2);
        scratch.copy(bigger, 0, 0, n);
        scratch = bigger;
      }
      const got = fs.readSync(fd, scratch, n, scratch.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return scratch.toString('latin1', 0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * This process's open fds. Since Linux 6.2 the size of /proc/<pid>/fd is their count (one stat, where listing the
 * directory costs a getdents pass and a string per fd); an older kernel says 0 there, and the directory is listed
 * (its own fd, open while it is read, left out). A process always has an fd open (Node's epoll fd), so 0 is never
 * the count itself.
 */
export function openFdCount(): number {
  const size = fs.statSync('/proc/self/fd').size;
  return size > 0 ? size : fs.readdirSync('/proc/self/fd').length - 1;
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

/** One process_* reading: a family without labels, left out when its value could not be read. */
interface Reading {
  readonly name: string;
  readonly help: string;
  readonly type: PromType;
  readonly value: number | null;
}

/** The last /proc/self/limits text and what was parsed from it: the limits seldom change, the file is read anyway. */
let limitsSeen: { text: string; maxFds: number | null; maxAddress: number | null } | null = null;

/** The process_* readings of this process now, in name order. */
function readings(): Reading[] {
  const cpu = process.cpuUsage();
  const stat = readOr(() => parseSelfStat(readProcText('/proc/self/stat')), null);
  const text = readOr(() => readProcText('/proc/self/limits'), '');
  if (limitsSeen === null || limitsSeen.text !== text)
    limitsSeen = {
      text,
      maxFds: parseLimit(text, 'Max open files'),
      maxAddress: parseLimit(text, 'Max address space'),
    };
  const fds = readOr(openFdCount, null);
  return [
    {
      name: 'process_cpu_seconds_total',
      help: 'Total user and system CPU time spent in seconds.',
      type: 'counter',
      value: (cpu.user + cpu.system) / 1e6,
    },
    {
      name: 'process_max_fds',
      help: 'Maximum number of open file descriptors.',
      type: 'gauge',
      value: limitsSeen.maxFds,
    },
    { name: 'process_open_fds', help: 'Number of open file descriptors.', type: 'gauge', value: fds },
    {
      name: 'process_resident_memory_bytes',
      help: 'Resident memory size in bytes.',
      type: 'gauge',
      value: process.memoryUsage.rss(),
    },
    {
      name: 'process_start_time_seconds',
      help: 'Start time of the process since unix epoch in seconds.',
      type: 'gauge',
      value: stat === null ? null : processStartTime(stat.startTicks),
    },
    {
      name: 'process_virtual_memory_bytes',
      help: 'Virtual memory size in bytes.',
      type: 'gauge',
      value: stat?.vsizeBytes ?? null,
    },
    {
      name: 'process_virtual_memory_max_bytes',
      help: 'Maximum amount of virtual memory available in bytes.',
      type: 'gauge',
      value: limitsSeen.maxAddress,
    },
  ];
}

/** The process_* families of this process now. */
export function processFamilies(): Family[] {
  const out: Family[] = [];
  for (const r of readings())
    if (r.value !== null)
      out.push({ name: r.name, help: r.help, type: r.type, labelNames: [], series: [{ labels: {}, value: r.value }] });
  return out;
}

/**
 * The process_* families of this process now, rendered: the blocks renderFamilies makes of processFamilies() (a
 * counter reading that is negative or not finite shows as 0, as there), without the families in between.
 */
export function processBlocks(): FamilyBlock[] {
  const out: FamilyBlock[] = [];
  for (const r of readings()) {
    if (r.value === null) continue;
    const v = r.type === 'counter' && !(Number.isFinite(r.value) && r.value >= 0) ? 0 : r.value;
    const head = familyHead(r);
    out.push({
      name: r.name,
      type: r.type,
      help: head.help,
      head: head.text,
      samples: `${r.name} ${formatValue(v)}`,
    });
  }
  return out;
}
