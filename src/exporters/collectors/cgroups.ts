/**
 * cgroups: usage and limits per cgroup under cAdvisor's container_* names (so its dashboards and alerts work), for
 * the cgroups that matter: containers and pods (identity from the path, src/probes/linux/parse/cgroupid.ts), systemd
 * units and slices, every cgroup up to `depth`, and those whose path matches `include`; minus `exclude`; at most
 * `max_cgroups` (parents first), the rest counted in psutil_cgroups_dropped_total. Labels: id (the cgroup path),
 * container, pod, namespace (names from the kubelet's log directories, empty where not known), container_id,
 * systemd_unit, image and name (cAdvisor's, from the runtime's state file under the rootfs: docs/cgroups.md).
 * Unlimited limits follow cAdvisor: container_spec_memory_*_bytes and container_threads_max are 0,
 * container_spec_cpu_quota and the CFS counters are left out. OTLP: container.* per container (otlp-containers.ts).
 */
import type {
  CgroupIdentity,
  CgroupParts,
  CgroupReader,
  CgroupStats,
  PodLogIndex,
  RuntimeNames,
} from '../../probes/cgroups';
import { OsError, ParseError, type DiskstatsEntry, type Psutil } from '../../index';
import { identityFromCgroupPath } from '../../probes/linux/parse/cgroupid';
import { defineCollector, fam, families, NameFilter, optBool, optString, type FamilyBuilder } from '../catalog';
import { containerMetrics } from '../otlp-containers';

import { LABELS, type CgroupLabels, type CgroupRow, type CgroupsData } from './cgroups-data';

export type { CgroupLabels, CgroupRow, CgroupsData };

export interface CgroupsOptions {
  readonly depth: number;
  readonly include: string;
  readonly exclude: string;
  readonly maxCgroups: number;
  /** '' : no pod or container names. */
  readonly podsLogDir: string;
  readonly cpu: boolean;
  readonly memory: boolean;
  readonly io: boolean;
  readonly pids: boolean;
  readonly pressure: boolean;
}

function intOpt(raw: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const v = raw[key];
  return typeof v === 'number' && Number.isInteger(v) ? v : fallback;
}

/** cAdvisor's cpu.weight to shares (container/common/helpers.go convertCPUWeightToCPULimit): [1, 10000] -> [2, 262144]. */
export function weightToShares(weight: number): number {
  return 2 + Math.floor(((weight - 1) * 262142) / 9999);
}

const UNIT = /\.(?:service|scope|slice)$/;

function lastComponent(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function depthOf(p: string): number {
  return p === '/' ? 0 : p.split('/').length - 1;
}

/** What the collector keeps between passes: identities by path, the pod log index, device names. */
class Selector {
  private readonly ids = new Map<string, CgroupIdentity>();
  /** keep() by path: a pure function of the path and the options (the identity, the regexes, the depth). */
  private readonly kept = new Map<string, boolean>();
  private readonly filter: NameFilter;
  private readonly include: NameFilter | null;

  constructor(private readonly o: CgroupsOptions) {
    this.filter = new NameFilter('', o.exclude);
    this.include = o.include === '' ? null : new NameFilter(o.include, '');
  }

  identity(p: string): CgroupIdentity {
    let id = this.ids.get(p);
    if (id === undefined) {
      // Paths repeat pass after pass; the cache is dropped whole when it grows past what a host holds at once.
      if (this.ids.size > 20000) this.ids.clear();
      id = identityFromCgroupPath(p);
      this.ids.set(p, id);
    }
    return id;
  }

  /** A container's own cgroups below it (podman's /container, a runtime's init.scope) are counted in it. */
  descend(p: string): boolean {
    return this.identity(p).containerId === null;
  }

  keep(p: string): boolean {
    let k = this.kept.get(p);
    if (k === undefined) {
      // Dropped whole past what a host holds at once, as the identities.
      if (this.kept.size > 20000) this.kept.clear();
      k = this.decide(p);
      this.kept.set(p, k);
    }
    return k;
  }

  private decide(p: string): boolean {
    if (!this.filter.passes(p)) return false;
    const id = this.identity(p);
    if (id.containerId !== null) return true;
    if (id.podUid !== null && (p === '/' || this.identity(parentOf(p)).podUid === null)) return true;
    if (UNIT.test(lastComponent(p))) return true;
    if (depthOf(p) <= this.o.depth) return true;
    return this.include !== null && this.include.passes(p);
  }
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** Labels of one kept cgroup: names from the kubelet's log directories where they are known. */
function labelsOf(p: string, id: CgroupIdentity, logs: PodLogIndex | null, rt: RuntimeNames | null): CgroupLabels {
  let container = '';
  let pod = '';
  let namespace = '';
  const c = id.containerId === null ? undefined : logs?.containerNames.get(id.containerId);
  // A link whose pod UID differs from the cgroup's names another pod: not trusted over the path.
  if (c !== undefined && (c.uid === null || id.podUid === null || c.uid === id.podUid)) {
    container = c.container;
    pod = c.pod;
    namespace = c.namespace;
  } else if (id.podUid !== null) {
    const p2 = logs?.byUid.get(id.podUid);
    if (p2 !== undefined) {
      pod = p2.pod;
      namespace = p2.namespace;
    }
  }
  const last = lastComponent(p);
  return {
    id: p,
    container,
    pod,
    namespace,
    container_id: id.containerId ?? '',
    systemd_unit: UNIT.test(last) ? last : (id.systemdUnit ?? ''),
    image: rt?.image ?? '',
    name: rt?.name ?? '',
  };
}

/**
 * Each path's labels, made again only when what they come from changed: the pod log index (a new object when it is
 * read again) or the container's runtime names (kept per container); the identity is the path's. The same label
 * object pass after pass, for the families' derived label sets (cgroupsFamilies) too. Only the paths of the last pass.
 */
class LabelsCache {
  private last = new Map<string, { logs: PodLogIndex | null; rt: RuntimeNames | null; labels: CgroupLabels }>();
  private next = new Map<string, { logs: PodLogIndex | null; rt: RuntimeNames | null; labels: CgroupLabels }>();

  get(p: string, id: CgroupIdentity, logs: PodLogIndex | null, rt: RuntimeNames | null): CgroupLabels {
    let e = this.last.get(p);
    if (e === undefined || e.logs !== logs || e.rt !== rt) e = { logs, rt, labels: labelsOf(p, id, logs, rt) };
    this.next.set(p, e);
    return e.labels;
  }

  /** Ends a pass: the paths not asked for in it are forgotten. */
  endPass(): void {
    this.last = this.next;
    this.next = new Map();
  }
}

/**
 * Image and name per container id, read once from the runtime's state file and kept while the container is listed
 * (the file does not change for a container's life); dropped when it is gone.
 */
class RuntimeNamesCache {
  private readonly byId = new Map<string, RuntimeNames | null>();

  constructor(private readonly psutil: Psutil) {}

  get(id: CgroupIdentity): RuntimeNames | null {
    if (id.containerId === null || id.runtime === null) return null;
    let v = this.byId.get(id.containerId);
    if (v === undefined) {
      try {
        v = this.psutil.containerRuntimeState(id.runtime, id.containerId);
      } catch (err) {
        // A state file we may not read (EACCES) or that is cut or garbled: no names for this container, asked again
        // only when it is listed anew, not on every pass.
        if (!(err instanceof OsError || err instanceof ParseError)) throw err;
        v = null;
      }
      this.byId.set(id.containerId, v);
    }
    return v;
  }

  /** Forgets the containers not among `live`. */
  keepOnly(live: ReadonlySet<string>): void {
    for (const k of this.byId.keys()) if (!live.has(k)) this.byId.delete(k);
  }
}

/**
 * A row's labels and more, as literals: an object spread with more properties (`{ ...l, cpu: 'total' }`) is a generic
 * property copy in V8, about 1 µs each (measured on Node 20: 1.0-1.2 µs with one more, 3.8 µs with three), against
 * some 30 ns for a literal; a scrape makes one per cgroup and three per block device of each.
 */
function withCpuTotal(l: CgroupLabels): Readonly<Record<keyof CgroupLabels | 'cpu', string>> {
  return {
    id: l.id,
    container: l.container,
    pod: l.pod,
    namespace: l.namespace,
    container_id: l.container_id,
    systemd_unit: l.systemd_unit,
    image: l.image,
    name: l.name,
    cpu: 'total',
  };
}

function withDevice(
  l: CgroupLabels,
  device: string,
  major: string,
  minor: string,
  operation: string,
): Readonly<Record<keyof CgroupLabels | 'device' | 'major' | 'minor' | 'operation', string>> {
  return {
    id: l.id,
    container: l.container,
    pod: l.pod,
    namespace: l.namespace,
    container_id: l.container_id,
    systemd_unit: l.systemd_unit,
    image: l.image,
    name: l.name,
    device,
    major,
    minor,
    operation,
  };
}

export function cgroupsFamilies(d: CgroupsData): ReturnType<typeof families> {
  const f = (name: string, type: 'counter' | 'gauge', help: string, extra: readonly string[] = []) =>
    fam(name, type, help, [...LABELS, ...extra]);
  const cpuUsage = f('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.', [
    'cpu',
  ]);
  const cpuUser = f('container_cpu_user_seconds_total', 'counter', 'Cumulative user cpu time consumed in seconds.');
  const cpuSystem = f(
    'container_cpu_system_seconds_total',
    'counter',
    'Cumulative system cpu time consumed in seconds.',
  );
  const periods = f('container_cpu_cfs_periods_total', 'counter', 'Number of elapsed enforcement period intervals.');
  const throttledPeriods = f(
    'container_cpu_cfs_throttled_periods_total',
    'counter',
    'Number of throttled period intervals.',
  );
  const throttledTime = f(
    'container_cpu_cfs_throttled_seconds_total',
    'counter',
    'Total time duration the container has been throttled.',
  );
  const quota = f('container_spec_cpu_quota', 'gauge', 'CPU quota of the container.');
  const period = f('container_spec_cpu_period', 'gauge', 'CPU period of the container.');
  const shares = f('container_spec_cpu_shares', 'gauge', 'CPU share of the container.');
  const memUsage = f(
    'container_memory_usage_bytes',
    'gauge',
    'Current memory usage in bytes, including all memory regardless of when it was accessed',
  );
  const memWs = f('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.');
  const memRss = f('container_memory_rss', 'gauge', 'Size of RSS in bytes.');
  const memCache = f('container_memory_cache', 'gauge', 'Number of bytes of page cache memory.');
  const memMapped = f('container_memory_mapped_file', 'gauge', 'Size of memory mapped files in bytes.');
  const memSwap = f('container_memory_swap', 'gauge', 'Container swap usage in bytes.');
  const memMax = f('container_memory_max_usage_bytes', 'gauge', 'Maximum memory usage recorded in bytes');
  // cAdvisor types it a counter; promtool's lint refuses a counter without _total: a gauge, same name and value.
  const memFailcnt = f('container_memory_failcnt', 'gauge', 'Number of memory usage hits limits');
  const memHigh = f(
    'container_memory_events_high_total',
    'counter',
    'Cumulative count of memory.high throttle events for the container',
  );
  const memMaxEv = f(
    'container_memory_events_max_total',
    'counter',
    'Cumulative count of memory.max limit hit events for the container',
  );
  const oom = f('container_oom_events_total', 'counter', 'Count of out of memory events observed for the container');
  const memLimit = f('container_spec_memory_limit_bytes', 'gauge', 'Memory limit for the container.');
  const memRes = f(
    'container_spec_memory_reservation_limit_bytes',
    'gauge',
    'Memory reservation limit for the container.',
  );
  const memSwapLimit = f('container_spec_memory_swap_limit_bytes', 'gauge', 'Memory swap limit for the container.');
  const threads = f('container_threads', 'gauge', 'Number of threads running inside the container');
  const threadsMax = f(
    'container_threads_max',
    'gauge',
    'Maximum number of threads allowed inside the container, infinity if value is zero',
  );
  const blkio = f('container_blkio_device_usage_total', 'counter', 'Blkio Device bytes usage', [
    'device',
    'major',
    'minor',
    'operation',
  ]);
  const psi = (res: string, what: string, full: boolean) =>
    f(
      `container_pressure_${res}_${full ? 'stalled' : 'waiting'}_seconds_total`,
      'counter',
      full
        ? `Total time duration no tasks in the container could make progress due to ${what} congestion.`
        : `Total time duration tasks in the container have waited due to ${what} congestion.`,
    );
  const psiFams: Record<'cpu' | 'memory' | 'io', [FamilyBuilder, FamilyBuilder]> = {
    cpu: [psi('cpu', 'CPU', false), psi('cpu', 'CPU', true)],
    memory: [psi('memory', 'memory', false), psi('memory', 'memory', true)],
    io: [psi('io', 'IO', false), psi('io', 'IO', true)],
  };

  const put = (b: FamilyBuilder, l: CgroupLabels, v: number | null | undefined) => {
    if (v !== null && v !== undefined) b.add(l, v);
  };
  for (const r of d.rows) {
    const l = r.labels;
    const s = r.stats;
    if (s.cpu !== null) {
      const c = s.cpu;
      if (c.usage !== null) cpuUsage.add(withCpuTotal(l), c.usage);
      put(cpuUser, l, c.user);
      put(cpuSystem, l, c.system);
      // As cAdvisor: the CFS series only where a quota is set (they stay 0 otherwise, whatever an ancestor does).
      if (c.quota !== null) {
        put(periods, l, c.periods);
        put(throttledPeriods, l, c.throttledPeriods);
        put(throttledTime, l, c.throttledTime);
        quota.add(l, Math.round(c.quota * 1e6));
      }
      if (c.period !== null) period.add(l, Math.round(c.period * 1e6));
      if (c.shares !== null) shares.add(l, c.shares);
      else if (c.weight !== null) shares.add(l, weightToShares(c.weight));
    }
    if (s.memory !== null) {
      const m = s.memory;
      const v1 = r.memoryVersion === 1;
      put(memUsage, l, m.current);
      put(memWs, l, m.workingSet);
      put(memRss, l, v1 ? m.stat['rss'] : m.stat['anon']);
      put(memCache, l, v1 ? m.stat['cache'] : m.stat['file']);
      put(memMapped, l, v1 ? m.stat['mapped_file'] : m.stat['file_mapped']);
      put(memSwap, l, m.swapCurrent);
      put(memMax, l, m.peak);
      put(memFailcnt, l, m.failcnt);
      put(memHigh, l, m.events.high);
      put(memMaxEv, l, m.events.max);
      put(oom, l, m.events.oomKill);
      // cAdvisor's specMemoryValue: unlimited is 0. The reservation is memory.min on v2, the soft limit on v1. Only
      // where the controller is: every directory of a v1 memory hierarchy; a v2 cgroup whose parent does not enable it
      // has no memory files at all.
      if (v1 || m.current !== null || m.max !== null) {
        memLimit.add(l, m.max ?? 0);
        memRes.add(l, (v1 ? m.low : m.min) ?? 0);
        memSwapLimit.add(l, m.swapMax ?? 0);
      }
    }
    if (s.pids !== null) {
      put(threads, l, s.pids.current);
      if (s.pids.current !== null || s.pids.max !== null) threadsMax.add(l, s.pids.max ?? 0);
    }
    for (const dev of s.io ?? []) {
      const key = `${dev.major}:${dev.minor}`;
      const name = d.devices[key] ?? '';
      const device = name === '' ? '' : `/dev/${name}`;
      const major = String(dev.major);
      const minor = String(dev.minor);
      blkio.add(withDevice(l, device, major, minor, 'Read'), dev.readBytes);
      blkio.add(withDevice(l, device, major, minor, 'Write'), dev.writeBytes);
    }
    if (s.pressure !== null) {
      for (const res of ['cpu', 'memory', 'io'] as const) {
        const pr = s.pressure[res];
        if (pr === null) continue;
        const [some, full] = psiFams[res];
        if (pr.some !== null) some.add(l, pr.some.total / 1e6);
        if (pr.full !== null) full.add(l, pr.full.total / 1e6);
      }
    }
  }
  const dropped = fam(
    'psutil_cgroups_dropped_total',
    'counter',
    'Cgroups the cgroups collector left out because max_cgroups were already exported, summed over the passes.',
  ).set(d.droppedTotal);
  return families(
    cpuUsage,
    cpuUser,
    cpuSystem,
    periods,
    throttledPeriods,
    throttledTime,
    quota,
    period,
    shares,
    memUsage,
    memWs,
    memRss,
    memCache,
    memMapped,
    memSwap,
    memMax,
    memFailcnt,
    memHigh,
    memMaxEv,
    oom,
    memLimit,
    memRes,
    memSwapLimit,
    threads,
    threadsMax,
    blkio,
    ...psiFams.cpu,
    ...psiFams.memory,
    ...psiFams.io,
    dropped,
  );
}

/** /proc/diskstats, or nothing where the kernel has none (a procfs without block devices): devices stay unnamed. */
function diskstatsOrEmpty(psutil: Psutil): readonly DiskstatsEntry[] {
  try {
    return psutil.diskstats();
  } catch (err) {
    if (err instanceof OsError && err.osCode === 'ENOENT') return [];
    throw err;
  }
}

/**
 * How long a cgroup's limits and weights are used before they are read again, where the reader cannot tell whether
 * they were written (no inotify watch): they change far less than usage.
 */
const LIMITS_TTL_MS = 30_000;

interface CachedLimits {
  readonly at: number;
  /**
   * The reader's limitGenerations when they were read: kept exactly while it stays the same (a limit changes only by a
   * write to the cgroup's files); null: unknown, read again after LIMITS_TTL_MS.
   */
  readonly gen: number | null;
  readonly cpu: Pick<NonNullable<CgroupStats['cpu']>, 'quota' | 'period' | 'weight' | 'shares'> | null;
  readonly memory: Pick<NonNullable<CgroupStats['memory']>, 'max' | 'high' | 'low' | 'min' | 'swapMax'> | null;
  readonly pidsMax: number | null;
}

function limitsOf(s: CgroupStats, at: number, gen: number | null): CachedLimits {
  const c = s.cpu;
  const m = s.memory;
  return {
    at,
    gen,
    cpu: c === null ? null : { quota: c.quota, period: c.period, weight: c.weight, shares: c.shares },
    memory: m === null ? null : { max: m.max, high: m.high, low: m.low, min: m.min, swapMax: m.swapMax },
    pidsMax: s.pids === null ? null : s.pids.max,
  };
}

/**
 * The usage read with the limits kept. Literals of each record's fields, not spreads (thousands of records a pass;
 * a spread of two objects is a generic property copy): the types require every field, so none is left out.
 */
function withLimits(s: CgroupStats, l: CachedLimits): CgroupStats {
  const c = s.cpu;
  const lc = l.cpu;
  const m = s.memory;
  const lm = l.memory;
  return {
    dirs: s.dirs,
    cpu:
      c === null
        ? null
        : {
            usage: c.usage,
            user: c.user,
            system: c.system,
            periods: c.periods,
            throttledPeriods: c.throttledPeriods,
            throttledTime: c.throttledTime,
            quota: lc === null ? c.quota : lc.quota,
            period: lc === null ? c.period : lc.period,
            weight: lc === null ? c.weight : lc.weight,
            shares: lc === null ? c.shares : lc.shares,
          },
    memory:
      m === null
        ? null
        : {
            current: m.current,
            peak: m.peak,
            max: lm === null ? m.max : lm.max,
            high: lm === null ? m.high : lm.high,
            low: lm === null ? m.low : lm.low,
            min: lm === null ? m.min : lm.min,
            swapCurrent: m.swapCurrent,
            swapMax: lm === null ? m.swapMax : lm.swapMax,
            events: m.events,
            failcnt: m.failcnt,
            stat: m.stat,
            workingSet: m.workingSet,
          },
    io: s.io,
    pids: s.pids === null ? null : { current: s.pids.current, max: l.pidsMax },
    pressure: s.pressure,
  };
}

/** The CPU record without the CFS counters (a literal: see withCpuTotal on spreads). */
function withoutThrottling(c: NonNullable<CgroupStats['cpu']>): NonNullable<CgroupStats['cpu']> {
  return {
    usage: c.usage,
    user: c.user,
    system: c.system,
    periods: null,
    throttledPeriods: null,
    throttledTime: null,
    quota: c.quota,
    period: c.period,
    weight: c.weight,
    shares: c.shares,
  };
}

/**
 * Usage of every path, limits read again only where a file of the cgroup was written since they were read (the
 * reader's limitGenerations), or, where the reader cannot tell, they are older than LIMITS_TTL_MS (or absent); the
 * cache keeps only the paths of this pass.
 */
function statsWithCachedLimits(
  reader: CgroupReader,
  paths: readonly string[],
  parts: CgroupParts,
  cache: Map<string, CachedLimits>,
  now: number,
): CgroupStats[] {
  const stale: number[] = [];
  const fresh: number[] = [];
  const gens = reader.limitGenerations(paths);
  paths.forEach((p, i) => {
    const c = cache.get(p);
    const old = c === undefined || (c.gen === null ? now - c.at >= LIMITS_TTL_MS : c.gen !== gens[i]);
    (old ? stale : fresh).push(i);
  });
  const out = new Array<CgroupStats>(paths.length);
  const full = reader.statsMany(
    stale.map((i) => paths[i]!),
    { ...parts, limits: true },
  );
  // With the limits cached, the CFS counters are read only where a quota is set: the only cgroups that export them.
  const quotaless = fresh.filter((i) => cache.get(paths[i]!)!.cpu?.quota == null);
  const quoted = fresh.filter((i) => cache.get(paths[i]!)!.cpu?.quota != null);
  const usage = new Map<number, CgroupStats>();
  for (const [group, throttling] of [
    [quotaless, false],
    [quoted, true],
  ] as const) {
    const got = reader.statsMany(
      group.map((i) => paths[i]!),
      { ...parts, limits: false, throttling },
    );
    group.forEach((i, k) => usage.set(i, got[k]!));
  }
  const keep = new Map<string, CachedLimits>();
  // After the read: a directory opened by it has its generation now.
  const read = reader.limitGenerations(stale.map((i) => paths[i]!));
  stale.forEach((i, k) => {
    const f = full[k]!;
    // The CFS counters as the passes in between give them: none without a quota (the families export none either).
    out[i] = f.cpu !== null && f.cpu.quota === null ? { ...f, cpu: withoutThrottling(f.cpu) } : f;
    keep.set(paths[i]!, limitsOf(f, now, read[k] ?? null));
  });
  fresh.forEach((i) => {
    const l = cache.get(paths[i]!)!;
    out[i] = withLimits(usage.get(i)!, l);
    keep.set(paths[i]!, l);
  });
  cache.clear();
  for (const [k, v] of keep) cache.set(k, v);
  return out;
}

/**
 * The memory.stat keys the families (rss, cache, mapped_file on v1; anon, file, file_mapped on v2) and the OTLP
 * metrics (pgfault, pgmajfault) use: only these are parsed, of the 40 to 70 a memory.stat has.
 */
const STAT_KEYS: readonly string[] = Object.freeze([
  'rss',
  'cache',
  'mapped_file',
  'anon',
  'file',
  'file_mapped',
  'pgfault',
  'pgmajfault',
]);

/** How long a pod log index is used before the directories are listed again (pods start and stop). */
const PODLOGS_TTL_MS = 10_000;

export const cgroupsCollector = defineCollector<CgroupsData, CgroupsOptions>({
  name: 'cgroups',
  help: 'Usage and limits of containers, pods, systemd units and slices from the cgroup filesystems (cAdvisor names).',
  options: (raw) => ({
    depth: intOpt(raw, 'depth', 2),
    include: optString(raw, 'include'),
    exclude: optString(raw, 'exclude'),
    maxCgroups: intOpt(raw, 'max_cgroups', 1000),
    podsLogDir: optString(raw, 'pods_log_dir', '/var/log/pods'),
    cpu: optBool(raw, 'cpu', true),
    memory: optBool(raw, 'memory', true),
    io: optBool(raw, 'io', true),
    pids: optBool(raw, 'pids', true),
    pressure: optBool(raw, 'pressure', true),
  }),
  create: ({ psutil }, o) => {
    const sel = new Selector(o);
    let droppedTotal = 0;
    let logs: PodLogIndex | null = null;
    let logsAt = -Infinity;
    let devices: Record<string, string> = {};
    const limits = new Map<string, CachedLimits>();
    const names = new RuntimeNamesCache(psutil);
    const labelCache = new LabelsCache();
    // ioOps false: the families and OTLP export bytes only (container_blkio_device_usage_total, container.disk.io).
    const parts = {
      cpu: o.cpu,
      memory: o.memory,
      io: o.io,
      pids: o.pids,
      pressure: o.pressure,
      statKeys: STAT_KEYS,
      ioOps: false,
    };
    const reader = psutil.cgroupReader();
    return () => {
      reader.begin();
      const all = reader.paths((p) => sel.descend(p));
      const kept: string[] = [];
      for (const p of all) if (sel.keep(p)) kept.push(p);
      if (kept.length > o.maxCgroups) {
        droppedTotal += kept.length - o.maxCgroups;
        kept.length = o.maxCgroups;
      }
      const now = Date.now();
      if (o.podsLogDir !== '' && now - logsAt >= PODLOGS_TTL_MS) {
        logs = psutil.podLogs(o.podsLogDir);
        logsAt = now;
      }
      const stats = statsWithCachedLimits(reader, kept, parts, limits, now);
      const rows: CgroupRow[] = [];
      const liveIds = new Set<string>();
      let unknownDevice = false;
      for (let i = 0; i < kept.length; i++) {
        const p = kept[i]!;
        const st = stats[i]!;
        const dirs = st.dirs;
        // Without dirs (the worker's own business), as a literal: see withCpuTotal on spreads.
        const s = { cpu: st.cpu, memory: st.memory, io: st.io, pids: st.pids, pressure: st.pressure };
        for (const dev of s.io ?? []) if (devices[`${dev.major}:${dev.minor}`] === undefined) unknownDevice = true;
        const ident = sel.identity(p);
        if (ident.containerId !== null) liveIds.add(ident.containerId);
        rows.push({
          labels: labelCache.get(p, ident, logs, names.get(ident)),
          memoryVersion: dirs.memory?.version ?? null,
          stats: s,
        });
      }
      names.keepOnly(liveIds);
      labelCache.endPass();
      if (unknownDevice) {
        // Block devices are few and rarely change: listed again only when a cgroup names one not seen yet.
        devices = {};
        for (const e of diskstatsOrEmpty(psutil)) devices[`${e.major}:${e.minor}`] = e.name;
        // One not in /proc/diskstats stays unnamed (cAdvisor's device=""), not looked up again every pass.
        for (const r of rows) for (const dev of r.stats.io ?? []) devices[`${dev.major}:${dev.minor}`] ??= '';
      }
      return { rows, devices, droppedTotal };
    };
  },
  prometheus: (d) => cgroupsFamilies(d),
  otlp: (d) => containerMetrics(d),
});
