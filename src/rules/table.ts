/**
 * A process table as plain records, and a ProcSource over it: how the grouper runs on fixture tables in tests, and
 * on any process list a caller already holds. It counts what it is asked for, so that tests can check that the
 * grouper reads only what the rules and families need.
 */
import type { ProcessCgroup } from '../index';
import { parseCgroup } from '../probes/linux/parse/cgroup';
import type { MetricNeeds, PodNames, ProcIdentity, ProcMetrics, ProcSource, ThreadMetrics } from './types';

/** Everything about one process; the optional facts default to "unreadable" (null). */
export interface ProcRecord extends ProcIdentity {
  readonly cmdline?: readonly string[] | null;
  readonly username?: string | null;
  /** Raw /proc/<pid>/cgroup text, parsed by the library's parser (what Process.cgroups() does) when asked for. */
  readonly cgroups?: string | null;
  readonly cwd?: string | null;
  readonly state?: string;
  readonly cpuUser?: number;
  readonly cpuSystem?: number;
  readonly readBytes?: number | null;
  readonly writeBytes?: number | null;
  readonly minorFaults?: number;
  readonly majorFaults?: number;
  readonly ctxVoluntary?: number;
  readonly ctxInvoluntary?: number;
  readonly rss?: number;
  readonly vms?: number;
  readonly swap?: number;
  readonly pss?: number | null;
  readonly swapPss?: number | null;
  readonly numFds?: number | null;
  readonly fdLimit?: number | null;
  readonly numThreads?: number;
  readonly wchan?: string;
  readonly threads?: readonly ThreadMetrics[];
}

export interface TableReads {
  list: number;
  cmdline: number;
  username: number;
  cgroups: number;
  cwd: number;
  /** Reads of the pod name index (at most one per list()). */
  podNames: number;
  metrics: number;
  /** Pids whose metrics were read, in the last cycle. */
  metricPids: Set<number>;
  /** The needs passed with the last metrics read. */
  lastNeeds: MetricNeeds | null;
}

export interface TableSource extends ProcSource {
  /** Replaces the table (the next cycle sees it). */
  set(records: readonly ProcRecord[]): void;
  readonly reads: TableReads;
}

export function tableSource(
  records: readonly ProcRecord[],
  opts: { bootTime?: number; clockTicks?: number; podNames?: () => PodNames | null } = {},
): TableSource {
  let names: PodNames | null | undefined;
  let byPid = new Map<number, ProcRecord>();
  const set = (rs: readonly ProcRecord[]) => {
    byPid = new Map(rs.map((r) => [r.pid, r]));
  };
  set(records);
  const reads: TableReads = {
    list: 0,
    cmdline: 0,
    username: 0,
    cgroups: 0,
    cwd: 0,
    podNames: 0,
    metrics: 0,
    metricPids: new Set(),
    lastNeeds: null,
  };
  // The record must still be the same process (pid and start time), as /proc would guarantee by vanishing.
  const get = (p: ProcIdentity): ProcRecord | undefined => {
    const r = byPid.get(p.pid);
    return r !== undefined && r.startTime === p.startTime ? r : undefined;
  };
  return {
    bootTime: opts.bootTime ?? 1_700_000_000,
    clockTicks: opts.clockTicks ?? 100,
    reads,
    set,
    list() {
      reads.list++;
      reads.metricPids = new Set();
      names = undefined;
      return [...byPid.values()].map((r) => ({ pid: r.pid, ppid: r.ppid, startTime: r.startTime, comm: r.comm }));
    },
    cmdline(p) {
      reads.cmdline++;
      return get(p)?.cmdline ?? null;
    },
    username(p) {
      reads.username++;
      return get(p)?.username ?? null;
    },
    cgroups(p): readonly ProcessCgroup[] | null {
      reads.cgroups++;
      const text = get(p)?.cgroups;
      return text === undefined || text === null ? null : parseCgroup(text, `/proc/${p.pid}/cgroup`);
    },
    cwd(p) {
      reads.cwd++;
      return get(p)?.cwd ?? null;
    },
    podNames() {
      if (names === undefined) {
        if (opts.podNames === undefined) return (names = null);
        reads.podNames++;
        names = opts.podNames();
      }
      return names;
    },
    metrics(p, needs): ProcMetrics | null {
      reads.metrics++;
      reads.metricPids.add(p.pid);
      reads.lastNeeds = needs;
      const r = get(p);
      if (r === undefined) return null;
      const m: ProcMetrics = {
        state: r.state ?? 'S',
        cpuUser: r.cpuUser ?? 0,
        cpuSystem: r.cpuSystem ?? 0,
        readBytes: needs.io ? (r.readBytes === undefined ? 0 : r.readBytes) : null,
        writeBytes: needs.io ? (r.writeBytes === undefined ? 0 : r.writeBytes) : null,
        minorFaults: r.minorFaults ?? 0,
        majorFaults: r.majorFaults ?? 0,
        ctxVoluntary: r.ctxVoluntary ?? 0,
        ctxInvoluntary: r.ctxInvoluntary ?? 0,
        rss: r.rss ?? 0,
        vms: r.vms ?? 0,
        swap: r.swap ?? 0,
        pss: needs.smaps ? (r.pss ?? null) : null,
        swapPss: needs.smaps ? (r.swapPss ?? null) : null,
        numFds: needs.fds ? (r.numFds === undefined ? 0 : r.numFds) : null,
        fdLimit: needs.fds ? (r.fdLimit === undefined ? 1024 : r.fdLimit) : null,
        numThreads: r.numThreads ?? 1,
        ...(needs.threads && r.wchan !== undefined ? { wchan: r.wchan } : {}),
        ...(needs.threads && r.threads !== undefined ? { threads: r.threads } : {}),
      };
      return m;
    },
  };
}
