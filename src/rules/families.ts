/**
 * Group snapshots as metric data, in neutral shapes the exporters' adapters render:
 * - Prometheus: process-exporter's namedprocess_namegroup_* families with its names, help texts, types, labels and
 *   units (collector/process_collector.go, checked against reference/process_exporter_0.7.10.prom), plus psutil_*
 *   families for what process-exporter lacks (per-process series, read errors);
 * - OTLP: the same groups as OpenTelemetry process.* semantic-convention metrics, with the attribute group.name (the
 *   name OpenTelemetry's group process scraper uses) and the rules' extra labels as attributes.
 *
 * Differences from process-exporter, on purpose: oldest_start_time_seconds is left out for an empty group (process-
 * exporter reports Go's zero time, -62135596800); namedprocess_scrape_* (counters without _total, which promtool
 * rejects) become psutil_process_groups_read_errors_total{kind}; groups refused past max_groups are counted in
 * psutil_process_groups_dropped_total.
 */
import type { GroupFamily } from './config';
import { groupKey, type GroupSample, type GroupSnapshot, type ProcessSample } from './grouper';

export interface FamilySample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  /** Every label a sample of this family may carry, in output order. */
  readonly labelNames: readonly string[];
  readonly samples: readonly FamilySample[];
}

const P = 'namedprocess_namegroup_';

/** The extra labels of the groups' series, constant objects: the key of their cached label sets (seriesLabels). */
const NONE: Readonly<Record<string, string>> = Object.freeze({});
const L_MODE_USER = Object.freeze({ mode: 'user' });
const L_MODE_SYSTEM = Object.freeze({ mode: 'system' });
const L_MEMTYPE_RESIDENT = Object.freeze({ memtype: 'resident' });
const L_MEMTYPE_VIRTUAL = Object.freeze({ memtype: 'virtual' });
const L_MEMTYPE_SWAPPED = Object.freeze({ memtype: 'swapped' });
const L_CTXSWITCHTYPE_VOLUNTARY = Object.freeze({ ctxswitchtype: 'voluntary' });
const L_CTXSWITCHTYPE_NONVOLUNTARY = Object.freeze({ ctxswitchtype: 'nonvoluntary' });
const L_STATE_RUNNING = Object.freeze({ state: 'Running' });
const L_STATE_SLEEPING = Object.freeze({ state: 'Sleeping' });
const L_STATE_WAITING = Object.freeze({ state: 'Waiting' });
const L_STATE_ZOMBIE = Object.freeze({ state: 'Zombie' });
const L_STATE_OTHER = Object.freeze({ state: 'Other' });
const L_MEMTYPE_PROPORTIONALRESIDENT = Object.freeze({ memtype: 'proportionalResident' });
const L_MEMTYPE_PROPORTIONALSWAPPED = Object.freeze({ memtype: 'proportionalSwapped' });

type Emit = (g: GroupSample, push: (extra: Readonly<Record<string, string>>, v: number) => void) => void;

interface GroupFamilyDef {
  readonly key: GroupFamily | 'threads_wchan' | 'thread';
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly extra: readonly string[];
  /** Extra label values made per sample (thread names, wchans): their label sets are not cached. */
  readonly dynamic?: true;
  readonly emit: Emit;
}

/** process-exporter's families, in its Describe() order. */
const BASE: readonly GroupFamilyDef[] = [
  {
    key: 'cpu_seconds_total',
    name: P + 'cpu_seconds_total',
    help: 'Cpu user usage in seconds',
    type: 'counter',
    extra: ['mode'],
    emit: (g, push) => {
      push(L_MODE_USER, g.counters.cpuUser);
      push(L_MODE_SYSTEM, g.counters.cpuSystem);
    },
  },
  {
    key: 'num_procs',
    name: P + 'num_procs',
    help: 'number of processes in this group',
    type: 'gauge',
    extra: [],
    emit: (g, push) => push(NONE, g.numProcs),
  },
  {
    key: 'read_bytes_total',
    name: P + 'read_bytes_total',
    help: 'number of bytes read by this group',
    type: 'counter',
    extra: [],
    emit: (g, push) => push(NONE, g.counters.readBytes),
  },
  {
    key: 'write_bytes_total',
    name: P + 'write_bytes_total',
    help: 'number of bytes written by this group',
    type: 'counter',
    extra: [],
    emit: (g, push) => push(NONE, g.counters.writeBytes),
  },
  {
    key: 'memory_bytes',
    name: P + 'memory_bytes',
    help: 'number of bytes of memory in use',
    type: 'gauge',
    extra: ['memtype'],
    emit: (g, push) => {
      push(L_MEMTYPE_RESIDENT, g.memory.resident);
      push(L_MEMTYPE_VIRTUAL, g.memory.virtual);
      push(L_MEMTYPE_SWAPPED, g.memory.swapped);
    },
  },
  {
    key: 'open_filedesc',
    name: P + 'open_filedesc',
    help: 'number of open file descriptors for this group',
    type: 'gauge',
    extra: [],
    emit: (g, push) => push(NONE, g.openFds),
  },
  {
    key: 'worst_fd_ratio',
    name: P + 'worst_fd_ratio',
    help: 'the worst (closest to 1) ratio between open fds and max fds among all procs in this group',
    type: 'gauge',
    extra: [],
    emit: (g, push) => push(NONE, g.worstFdRatio),
  },
  {
    key: 'oldest_start_time_seconds',
    name: P + 'oldest_start_time_seconds',
    help: 'start time in seconds since 1970/01/01 of oldest process in group',
    type: 'gauge',
    extra: [],
    // Whole seconds, as process-exporter (time.Time.Unix()).
    emit: (g, push) => {
      if (g.oldestStartTime !== null) push(NONE, Math.floor(g.oldestStartTime));
    },
  },
  {
    key: 'major_page_faults_total',
    name: P + 'major_page_faults_total',
    help: 'Major page faults',
    type: 'counter',
    extra: [],
    emit: (g, push) => push(NONE, g.counters.majorFaults),
  },
  {
    key: 'minor_page_faults_total',
    name: P + 'minor_page_faults_total',
    help: 'Minor page faults',
    type: 'counter',
    extra: [],
    emit: (g, push) => push(NONE, g.counters.minorFaults),
  },
  {
    key: 'context_switches_total',
    name: P + 'context_switches_total',
    help: 'Context switches',
    type: 'counter',
    extra: ['ctxswitchtype'],
    emit: (g, push) => {
      push(L_CTXSWITCHTYPE_VOLUNTARY, g.counters.ctxVoluntary);
      push(L_CTXSWITCHTYPE_NONVOLUNTARY, g.counters.ctxInvoluntary);
    },
  },
  {
    key: 'num_threads',
    name: P + 'num_threads',
    help: 'Number of threads',
    type: 'gauge',
    extra: [],
    emit: (g, push) => push(NONE, g.numThreads),
  },
  {
    key: 'states',
    name: P + 'states',
    help: 'Number of processes in states Running, Sleeping, Waiting, Zombie, or Other',
    type: 'gauge',
    extra: ['state'],
    emit: (g, push) => {
      push(L_STATE_RUNNING, g.states.running);
      push(L_STATE_SLEEPING, g.states.sleeping);
      push(L_STATE_WAITING, g.states.waiting);
      push(L_STATE_ZOMBIE, g.states.zombie);
      push(L_STATE_OTHER, g.states.other);
    },
  },
];

/**
 * Ours, after process-exporter's (it has no limit family): the memory limit the group's processes share, named in our
 * namespace beside psutil_group_process_* (per process of a group).
 */
const OURS: readonly GroupFamilyDef[] = [
  {
    key: 'memory_limit_bytes',
    name: 'psutil_group_memory_limit_bytes',
    help: 'Memory limit of the deepest cgroup holding every process of the group, the tightest over it and its ancestors (absent when unlimited or shared only by the root)',
    type: 'gauge',
    extra: [],
    emit: (g, push) => {
      if (g.memoryLimit !== null) push(NONE, g.memoryLimit);
    },
  },
];

const SMAPS: GroupFamilyDef = {
  key: 'memory_bytes',
  name: P + 'memory_bytes',
  help: 'number of bytes of memory in use',
  type: 'gauge',
  extra: ['memtype'],
  emit: (g, push) => {
    push(L_MEMTYPE_PROPORTIONALRESIDENT, g.memory.proportionalResident);
    push(L_MEMTYPE_PROPORTIONALSWAPPED, g.memory.proportionalSwapped);
  },
};

const THREADS: readonly GroupFamilyDef[] = [
  {
    key: 'threads_wchan',
    name: P + 'threads_wchan',
    help: 'Number of threads in this group waiting on each wchan',
    type: 'gauge',
    extra: ['wchan'],
    dynamic: true,
    emit: (g, push) => {
      for (const w of Object.keys(g.wchans).sort()) push({ wchan: w }, g.wchans[w] ?? 0);
    },
  },
  {
    key: 'thread',
    name: P + 'thread_count',
    help: 'Number of threads in this group with same threadname',
    type: 'gauge',
    extra: ['threadname'],
    dynamic: true,
    emit: (g, push) => {
      for (const t of g.threads) push({ threadname: t.name }, t.count);
    },
  },
  {
    key: 'thread',
    name: P + 'thread_cpu_seconds_total',
    help: 'Cpu user/system usage in seconds',
    type: 'counter',
    extra: ['threadname', 'mode'],
    dynamic: true,
    emit: (g, push) => {
      for (const t of g.threads) {
        push({ threadname: t.name, mode: 'user' }, t.counters.cpuUser);
        push({ threadname: t.name, mode: 'system' }, t.counters.cpuSystem);
      }
    },
  },
  {
    key: 'thread',
    name: P + 'thread_io_bytes_total',
    help: 'number of bytes read/written by these threads',
    type: 'counter',
    extra: ['threadname', 'iomode'],
    dynamic: true,
    emit: (g, push) => {
      for (const t of g.threads) {
        push({ threadname: t.name, iomode: 'read' }, t.counters.readBytes);
        push({ threadname: t.name, iomode: 'write' }, t.counters.writeBytes);
      }
    },
  },
  {
    key: 'thread',
    name: P + 'thread_major_page_faults_total',
    help: 'Major page faults for these threads',
    type: 'counter',
    extra: ['threadname'],
    dynamic: true,
    emit: (g, push) => {
      for (const t of g.threads) push({ threadname: t.name }, t.counters.majorFaults);
    },
  },
  {
    key: 'thread',
    name: P + 'thread_minor_page_faults_total',
    help: 'Minor page faults for these threads',
    type: 'counter',
    extra: ['threadname'],
    dynamic: true,
    emit: (g, push) => {
      for (const t of g.threads) push({ threadname: t.name }, t.counters.minorFaults);
    },
  },
  {
    key: 'thread',
    name: P + 'thread_context_switches_total',
    help: 'Context switches for these threads',
    type: 'counter',
    extra: ['threadname', 'ctxswitchtype'],
    dynamic: true,
    emit: (g, push) => {
      for (const t of g.threads) {
        push({ threadname: t.name, ctxswitchtype: 'voluntary' }, t.counters.ctxVoluntary);
        push({ threadname: t.name, ctxswitchtype: 'nonvoluntary' }, t.counters.ctxInvoluntary);
      }
    },
  },
];

type Labels = Readonly<Record<string, string>>;

/**
 * The label sets of the groups' series, kept from one snapshot to the next: a group's series carry the same labels
 * every pass (groupname, the rules' labels, one constant extra), so each set is built once per group instead of once
 * per series and pass (about 4,400 objects a pass with 200 groups). Keyed by the group's name and labels; a pass keeps
 * only the groups of its snapshot, so expired groups' sets go with them.
 */
const seriesLabels = {
  last: new Map<string, Map<Labels, Labels>>(),
  pass(): { of(g: GroupSample): (extra: Labels) => Labels; done(): void } {
    const next = new Map<string, Map<Labels, Labels>>();
    return {
      of: (g) => {
        const key = groupKey(g.name, g.labels);
        let sets = next.get(key);
        if (sets === undefined) next.set(key, (sets = this.last.get(key) ?? new Map<Labels, Labels>()));
        const own = sets;
        return (extra) => {
          let l = own.get(extra);
          if (l === undefined) own.set(extra, (l = Object.freeze({ groupname: g.name, ...g.labels, ...extra })));
          return l;
        };
      },
      done: () => {
        this.last = next;
      },
    };
  },
};

/** The Prometheus families of a snapshot. Label values are already valid UTF-8 and length-capped by the grouper. */
export function prometheusFamilies(s: GroupSnapshot): MetricFamily[] {
  const ex = s.options.excludeFamilies;
  const labelNames = ['groupname', ...s.labelNames];
  const defs: GroupFamilyDef[] = BASE.filter((d) => !ex.has(d.key as GroupFamily));
  const out: MetricFamily[] = [];
  const labels = seriesLabels.pass();
  const build = (list: readonly GroupFamilyDef[], name: string): MetricFamily => {
    const first = list[0] as GroupFamilyDef;
    const samples: FamilySample[] = [];
    for (const g of s.groups) {
      const cached = labels.of(g);
      for (const d of list) {
        if (d.dynamic) {
          const base: Record<string, string> = { groupname: g.name, ...g.labels };
          d.emit(g, (extra, value) => samples.push({ labels: { ...base, ...extra }, value }));
        } else d.emit(g, (extra, value) => samples.push({ labels: cached(extra), value }));
      }
    }
    return Object.freeze({
      name,
      help: first.help,
      type: first.type,
      labelNames: Object.freeze([...labelNames, ...first.extra]),
      samples: Object.freeze(samples),
    });
  };
  for (const d of defs) {
    const list = d.key === 'memory_bytes' && s.options.gatherSmaps ? [d, SMAPS] : [d];
    out.push(build(list, d.name));
  }
  if (s.options.threads) for (const d of THREADS) out.push(build([d], d.name));
  for (const d of OURS) if (!ex.has(d.key as GroupFamily)) out.push(build([d], d.name));

  labels.done();
  if (s.perProcess) out.push(...perProcessFamilies(s));
  out.push(
    Object.freeze({
      name: 'psutil_process_groups_read_errors_total',
      help: 'Processes in a group whose metrics could not be read: entirely (procread) or in part, e.g. io of another user (partial)',
      type: 'counter' as const,
      labelNames: Object.freeze(['kind']),
      samples: Object.freeze([
        { labels: { kind: 'procread' }, value: s.readErrors },
        { labels: { kind: 'partial' }, value: s.partialErrors },
      ]),
    }),
  );
  out.push(
    Object.freeze({
      name: 'psutil_process_groups_dropped_total',
      help: 'Processes left in no group because their group would have passed collectors.process_groups.max_groups, summed over collections',
      type: 'counter' as const,
      labelNames: Object.freeze([]),
      samples: Object.freeze([{ labels: {}, value: s.groupsDropped }]),
    }),
  );
  return out;
}

/** psutil_group_process_*: one series set per process of the rules with per_process: true, up to the limit. */
function perProcessFamilies(s: GroupSnapshot): MetricFamily[] {
  const labelNames = ['groupname', ...s.labelNames, 'pid'];
  const fam = (
    name: string,
    help: string,
    type: 'gauge' | 'counter',
    extra: readonly string[],
    emit: (p: ProcessSample, push: (extra: Record<string, string>, v: number | null) => void) => void,
  ): MetricFamily => {
    const samples: FamilySample[] = [];
    for (const p of s.processes) {
      const base = { groupname: p.group, ...p.labels, pid: String(p.pid) };
      emit(p, (e, v) => {
        if (v !== null) samples.push({ labels: { ...base, ...e }, value: v });
      });
    }
    return Object.freeze({
      name,
      help,
      type,
      labelNames: Object.freeze([...labelNames, ...extra]),
      samples: Object.freeze(samples),
    });
  };
  const Q = 'psutil_group_process_';
  return [
    fam(
      Q + 'cpu_seconds_total',
      'CPU time of a process of a group with per_process: true',
      'counter',
      ['mode'],
      (p, push) => {
        push({ mode: 'user' }, p.cpuUser);
        push({ mode: 'system' }, p.cpuSystem);
      },
    ),
    fam(
      Q + 'memory_bytes',
      'Memory of a process of a group with per_process: true',
      'gauge',
      ['memtype'],
      (p, push) => {
        push({ memtype: 'resident' }, p.rss);
        push({ memtype: 'virtual' }, p.vms);
        push({ memtype: 'swapped' }, p.swap);
      },
    ),
    fam(Q + 'read_bytes_total', 'Bytes read by a process of a group with per_process: true', 'counter', [], (p, push) =>
      push({}, p.readBytes),
    ),
    fam(
      Q + 'write_bytes_total',
      'Bytes written by a process of a group with per_process: true',
      'counter',
      [],
      (p, push) => push({}, p.writeBytes),
    ),
    fam(
      Q + 'open_filedesc',
      'Open file descriptors of a process of a group with per_process: true',
      'gauge',
      [],
      (p, push) => push({}, p.numFds),
    ),
    fam(Q + 'num_threads', 'Threads of a process of a group with per_process: true', 'gauge', [], (p, push) =>
      push({}, p.numThreads),
    ),
    fam(
      Q + 'start_time_seconds',
      'Start time of a process of a group with per_process: true, seconds since the epoch',
      'gauge',
      [],
      (p, push) => push({}, p.startTime),
    ),
    Object.freeze({
      name: Q + 'dropped_total',
      help: 'Processes left without per-process series by per_process_limit (the busiest are kept), summed over collections',
      type: 'counter' as const,
      labelNames: Object.freeze([]),
      samples: Object.freeze([{ labels: {}, value: s.processesDropped }]),
    }),
  ];
}

// ---- OTLP ----------------------------------------------------------------------------------------------------------

export interface OtlpPoint {
  readonly attributes: Readonly<Record<string, string>>;
  readonly value: number;
  /** Epoch seconds since which a cumulative sum accumulates. */
  readonly startTime: number;
}

export interface OtlpMetric {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  /** 'sum' with monotonic: a counter; 'sum' without: an up-down counter. */
  readonly kind: 'sum' | 'gauge';
  readonly monotonic: boolean;
  readonly points: readonly OtlpPoint[];
}

/** The attribute naming the group, as in OpenTelemetry's group process scraper. */
export const GROUP_ATTRIBUTE = 'group.name';

/** The groups as OpenTelemetry process.* metrics (semantic conventions 1.3x names, units and attribute values). */
export function otlpMetrics(s: GroupSnapshot): OtlpMetric[] {
  const metric = (
    name: string,
    description: string,
    unit: string,
    kind: 'sum' | 'gauge',
    monotonic: boolean,
    emit: (g: GroupSample, push: (extra: Record<string, string>, v: number) => void) => void,
  ): OtlpMetric => {
    const points: OtlpPoint[] = [];
    for (const g of s.groups) {
      const attrs: Record<string, string> = { [GROUP_ATTRIBUTE]: g.name };
      for (const [k, v] of Object.entries(g.labels)) if (v !== '') attrs[k] = v;
      emit(g, (extra, value) => points.push({ attributes: { ...attrs, ...extra }, value, startTime: g.since }));
    }
    return Object.freeze({ name, description, unit, kind, monotonic, points: Object.freeze(points) });
  };
  const ex = s.options.excludeFamilies;
  const out: OtlpMetric[] = [
    metric('process.count', 'Number of processes in the group', '{process}', 'sum', false, (g, push) =>
      push({}, g.numProcs),
    ),
    metric('process.thread.count', 'Threads of the processes of the group', '{thread}', 'sum', false, (g, push) =>
      push({}, g.numThreads),
    ),
    metric(
      'process.cpu.time',
      'CPU time of the processes of the group, including those that exited',
      's',
      'sum',
      true,
      (g, push) => {
        push({ 'cpu.mode': 'user' }, g.counters.cpuUser);
        push({ 'cpu.mode': 'system' }, g.counters.cpuSystem);
      },
    ),
    metric('process.memory.usage', 'Resident memory of the processes of the group', 'By', 'sum', false, (g, push) =>
      push({}, g.memory.resident),
    ),
    metric('process.memory.virtual', 'Virtual memory of the processes of the group', 'By', 'sum', false, (g, push) =>
      push({}, g.memory.virtual),
    ),
    metric('process.paging.faults', 'Page faults of the processes of the group', '{fault}', 'sum', true, (g, push) => {
      push({ 'system.paging.fault.type': 'major' }, g.counters.majorFaults);
      push({ 'system.paging.fault.type': 'minor' }, g.counters.minorFaults);
    }),
    metric(
      'process.context_switches',
      'Context switches of the processes of the group',
      '{context_switch}',
      'sum',
      true,
      (g, push) => {
        push({ 'process.context_switch.type': 'voluntary' }, g.counters.ctxVoluntary);
        push({ 'process.context_switch.type': 'involuntary' }, g.counters.ctxInvoluntary);
      },
    ),
  ];
  if (!(ex.has('read_bytes_total') && ex.has('write_bytes_total'))) {
    out.push(
      metric(
        'process.disk.io',
        'Disk bytes read and written by the processes of the group',
        'By',
        'sum',
        true,
        (g, push) => {
          push({ 'disk.io.direction': 'read' }, g.counters.readBytes);
          push({ 'disk.io.direction': 'write' }, g.counters.writeBytes);
        },
      ),
    );
  }
  if (!ex.has('open_filedesc')) {
    out.push(
      metric(
        'process.unix.file_descriptor.count',
        'File descriptors open in the processes of the group',
        '{file_descriptor}',
        'sum',
        false,
        (g, push) => push({}, g.openFds),
      ),
    );
  }
  out.push(
    metric(
      'process.uptime',
      'Time the oldest process of the group has been running',
      's',
      'gauge',
      false,
      (g, push) => {
        if (g.oldestStartTime !== null) push({}, Math.max(0, s.time - g.oldestStartTime));
      },
    ),
  );
  return out;
}
