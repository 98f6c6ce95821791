/**
 * The grouper: assigns processes to groups (first matching rule wins; an unmatched process joins its nearest matched
 * ancestor's group) and keeps per-group values across cycles.
 *
 * Counters never go down. As in process-exporter, each process keeps its last absolute values and each cycle adds
 * its increase to its group's accumulators, so a member that exits (or a pid reused by another process) takes
 * nothing away from the group. Where we differ, on purpose:
 * - a process born since the previous cycle adds everything it used, not 0 (process-exporter starts every new
 *   process at 0, so short-lived processes never count); processes present at the first cycle, or discovered late,
 *   still start at 0, since their past is not in the window;
 * - groups with literal names exist from the start with num_procs 0 (alerts work right after a restart);
 * - groups made by templates are dropped after remove_empty_groups_after without members (never, in
 *   process-exporter, unless -remove-empty-groups, which drops them at once);
 * - at most max_groups groups exist: a process whose group would be one more stays in no group, counted (a
 *   {{.Comm}} rule under churn otherwise keeps thousands of groups for their expiry);
 * - a rules reload keeps every accumulator and per-process baseline: no counter resets.
 *
 * The decision (which group) is decide.ts's, shared with the admin API's lookup. Matching runs once per (pid, start
 * time) and its result is cached with the static facts it read; metrics are read only for processes that belong to a
 * group.
 */
import { DEFAULT_GROUP_OPTIONS, RuleSet, type GroupOptions } from './config';
import { decide, UNKNOWN, type Decided, type Decision, type DecisionHost } from './decide';
import { cgroupFacts, type CgroupFacts, type MatchSubject } from './matcher';
import { goTimeString } from './template';
import { addInto, addState, advance, carry, diff, threadCounters, zero, type Counters } from './counters';
import type { FactNeeds, MetricNeeds, Prefetch, ProcIdentity, ProcMetrics, ProcSource, ThreadMetrics } from './types';

/** Monotonic counters of a group (seconds, bytes, counts). */
export interface GroupCounters {
  readonly cpuUser: number;
  readonly cpuSystem: number;
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly majorFaults: number;
  readonly minorFaults: number;
  readonly ctxVoluntary: number;
  readonly ctxInvoluntary: number;
}

/** process-exporter's five state buckets: R, S, D, Z, anything else. */
export interface GroupStates {
  readonly running: number;
  readonly sleeping: number;
  readonly waiting: number;
  readonly zombie: number;
  readonly other: number;
}

export interface GroupMemory {
  readonly resident: number;
  readonly virtual: number;
  readonly swapped: number;
  readonly proportionalResident: number;
  readonly proportionalSwapped: number;
}

/** Threads of a group sharing a thread name (thread families). */
export interface ThreadNameSample {
  readonly name: string;
  readonly count: number;
  readonly counters: GroupCounters;
}

export interface GroupSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Literal name and labels from the config: always present. */
  readonly isStatic: boolean;
  readonly numProcs: number;
  readonly numThreads: number;
  readonly states: GroupStates;
  readonly memory: GroupMemory;
  readonly openFds: number;
  readonly worstFdRatio: number;
  /** Epoch seconds of the oldest member's start, or null for an empty group. */
  readonly oldestStartTime: number | null;
  readonly counters: GroupCounters;
  /** Epoch seconds since which the counters accumulate (the group's creation). */
  readonly since: number;
  /** By thread name, when threads are enabled; sorted by name. */
  readonly threads: readonly ThreadNameSample[];
  /** Threads waiting in each kernel function, when threads are enabled. */
  readonly wchans: Readonly<Record<string, number>>;
  /**
   * The memory limit of the deepest cgroup holding every member (their own when they share one), tightest over it and
   * its ancestors; null when unlimited, when the members share only the root, or when a member's cgroup is unknown.
   */
  readonly memoryLimit: number | null;
}

/** One process of a rule with per_process: true. */
export interface ProcessSample {
  readonly pid: number;
  readonly group: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Epoch seconds. */
  readonly startTime: number;
  readonly cpuUser: number;
  readonly cpuSystem: number;
  readonly rss: number;
  readonly vms: number;
  readonly swap: number;
  readonly readBytes: number | null;
  readonly writeBytes: number | null;
  readonly numFds: number | null;
  readonly numThreads: number;
}

export interface GroupSnapshot {
  /** Epoch seconds of the cycle. */
  readonly time: number;
  /** Sorted by name, then labels. */
  readonly groups: readonly GroupSample[];
  readonly processes: readonly ProcessSample[];
  /** Some rule asks for per-process series (the per-process families exist, possibly empty). */
  readonly perProcess: boolean;
  /** Processes left out of per-process series by the limit, since the start (a counter). */
  readonly processesDropped: number;
  /** Processes left in no group because their group would have passed max_groups, since the start (a counter). */
  readonly groupsDropped: number;
  /** Processes in a group whose metrics could not be read at all, since the start. */
  readonly readErrors: number;
  /** Processes in a group with some metrics unreadable (io, fd), since the start. */
  readonly partialErrors: number;
  /** Every label name the rules add (for adapters that declare label names up front). */
  readonly labelNames: readonly string[];
  readonly options: GroupOptions;
}

// ---- internal state ------------------------------------------------------------------------------------------------

interface GroupState {
  readonly key: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  isStatic: boolean;
  readonly accum: Counters;
  /** Epoch seconds when the group last had a member (or was created). */
  lastNonEmpty: number;
  /** Epoch seconds when the accumulators started: the start time of the group's counters. */
  readonly since: number;
  /** Thread-name accumulators, for thread families. */
  threadAccum: Map<string, Counters>;
  /**
   * The one Assignment its members share, per per_process flag: one object and one name per group rather than per
   * process (2,000 processes in 200 groups kept 2,000 of each, with the name a template made for each process).
   */
  shared: [Assignment | undefined, Assignment | undefined];
}

interface Facts {
  cmdline?: readonly string[] | null;
  username?: string | null;
  cgroups?: CgroupFacts | null;
  cwd?: string | null;
}

/** A decided group, with its key in the groups map. */
interface Assignment extends Decided {
  readonly key: string;
}

interface Tracked {
  id: ProcIdentity;
  facts: Facts;
  /** undefined: undecided; null: in no group. */
  assignment: Decision<Assignment>;
  /** Left in no group because its group would have passed max_groups (counted once; decided again when room). */
  dropped: boolean;
  /** Born since the previous cycle: its first values count in full. */
  bornInWindow: boolean;
  /** Last absolute values (null until the first metrics read). */
  last: Counters | null;
  threadLast: Map<number, { startTime: number; c: Counters }> | null;
  seen: number;
}

type States = { running: number; sleeping: number; waiting: number; zombie: number; other: number };
type Memory = {
  resident: number;
  virtual: number;
  swapped: number;
  proportionalResident: number;
  proportionalSwapped: number;
};

/** One group's gauges over its members in this cycle. */
interface Agg {
  numProcs: number;
  numThreads: number;
  states: States;
  memory: Memory;
  openFds: number;
  worstFdRatio: number;
  oldest: number | null;
  threadNow: Map<string, { count: number; delta: Counters }>;
  wchans: Record<string, number>;
  /** The members' deepest common memory cgroup so far; null once a member's is unknown. */
  memoryCgroup: string | null;
}

/** A process of a per_process rule, before the per_process_limit cut. */
interface PerProcessCandidate {
  readonly sample: ProcessSample;
  /** CPU seconds used in this cycle: the busiest are kept. */
  readonly cpuDelta: number;
}

const zeroStates = (): States => ({ running: 0, sleeping: 0, waiting: 0, zombie: 0, other: 0 });
const zeroMemory = (): Memory => ({
  resident: 0,
  virtual: 0,
  swapped: 0,
  proportionalResident: 0,
  proportionalSwapped: 0,
});

const isAssignment = (d: Decided): d is Assignment => 'key' in d;

/** Group key: name and sorted labels, joined with a character no label name contains. */
export function groupKey(name: string, labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  let k = name;
  for (const l of keys) k += `\u0000${l}\u0001${labels[l] ?? ''}`;
  return k;
}

export class Grouper {
  private rules: RuleSet;
  private opts: GroupOptions;
  private readonly procs = new Map<number, Tracked>();
  private readonly groups = new Map<string, GroupState>();
  /**
   * Cgroup facts by the content of the cgroup file they were made from: most of a host's processes share a few
   * cgroups, and each process's own facts kept its file's text and lines alive (about 1 KB a process on a cgroup v1
   * host, for as long as it lives). Entries no tracked process holds any more are dropped after each cycle.
   */
  private readonly cgroupShare = new Map<string, CgroupFacts>();
  private cycle = 0;
  /** Newest start time (ticks) seen in the previous cycle; processes starting later were born in the window. */
  private watermark = Number.POSITIVE_INFINITY;
  /** The rules' static groups are created at the next cycle (so that their counters date from it). */
  private staticPending = true;
  /** Epoch seconds of the cycle in progress. */
  private now = 0;
  private processesDropped = 0;
  private groupsDropped = 0;
  private readErrors = 0;
  private partialErrors = 0;

  constructor(rules: RuleSet = RuleSet.EMPTY, options: GroupOptions = DEFAULT_GROUP_OPTIONS) {
    this.rules = rules;
    this.opts = options;
  }

  get options(): GroupOptions {
    return this.opts;
  }

  get ruleSet(): RuleSet {
    return this.rules;
  }

  /** Facts the rules read from new processes. */
  get factNeeds(): FactNeeds {
    return this.rules.needs;
  }

  /** Metric files read for processes in groups, from the options and the families left in. */
  get metricNeeds(): MetricNeeds {
    const ex = this.opts.excludeFamilies;
    return Object.freeze({
      status: !(ex.has('memory_bytes') && ex.has('context_switches_total')),
      io: !(ex.has('read_bytes_total') && ex.has('write_bytes_total')),
      fds: !(ex.has('open_filedesc') && ex.has('worst_fd_ratio')),
      smaps: this.opts.gatherSmaps && !ex.has('memory_bytes'),
      threads: this.opts.threads,
    });
  }

  /**
   * Replaces the rules (a reload). Every process is matched again on the next cycle, its facts read again (a decided
   * process keeps only its cgroup facts, see record); accumulators and per-process baselines stay, so no counter
   * goes back. Groups the new rules no longer declare become dynamic: they expire
   * like any template-made group once empty.
   */
  setRules(rules: RuleSet, options: GroupOptions = this.opts): void {
    this.rules = rules;
    this.opts = options;
    for (const t of this.procs.values()) t.assignment = undefined;
    for (const g of this.groups.values()) g.isStatic = false;
    this.staticPending = true;
  }

  private installStaticGroups(now: number): void {
    for (const sg of this.rules.staticGroups) {
      const g = this.group(sg.name, sg.labels, now);
      g.isStatic = true;
    }
  }

  private group(name: string, labels: Readonly<Record<string, string>>, now: number): GroupState {
    const key = groupKey(name, labels);
    let g = this.groups.get(key);
    if (!g) {
      g = {
        key,
        name,
        labels,
        isStatic: false,
        accum: zero(),
        lastNonEmpty: now,
        since: now,
        threadAccum: new Map(),
        shared: [undefined, undefined],
      };
      this.groups.set(key, g);
    }
    return g;
  }

  /** One collection cycle: list, match the new, read the grouped, accumulate. `now` in epoch seconds. */
  update(source: ProcSource, now: number = Date.now() / 1000): GroupSnapshot {
    this.cycle++;
    this.now = now;
    if (this.staticPending) {
      // Declared groups exist from the first cycle on, with num_procs 0 while empty.
      this.installStaticGroups(now);
      this.staticPending = false;
    }
    const cycle = this.cycle;
    let newest = 0;
    const prefetch: Prefetch = {
      needs: this.metricNeeds,
      wanted: (pid, startTime) => {
        const t = this.procs.get(pid);
        return t !== undefined && t.id.startTime === startTime && t.assignment != null;
      },
    };
    for (const id of source.list(prefetch)) {
      if (id.startTime > newest) newest = id.startTime;
      const t = this.procs.get(id.pid);
      if (t !== undefined && t.id.startTime === id.startTime) {
        t.id = id;
        t.seen = cycle;
        continue;
      }
      // New pid, or a reused one: the old process's contribution stays in its group's accumulators.
      this.procs.set(id.pid, {
        id,
        facts: {},
        assignment: undefined,
        dropped: false,
        bornInWindow: id.startTime > this.watermark,
        last: null,
        threadLast: null,
        seen: cycle,
      });
    }
    for (const t of this.procs.values()) if (t.seen !== cycle) this.procs.delete(t.id.pid);

    this.scheduleRechecks(source, now);
    const host = this.decisionHost(source);
    for (const t of this.procs.values()) if (t.assignment === undefined) decide(host, t);

    const { aggs, candidates } = this.accumulate(source, now);
    this.expire(aggs, now);
    this.pruneCgroupShare();
    const limits = this.memoryLimits(source, aggs);
    const snapshot: GroupSnapshot = Object.freeze({
      time: now,
      groups: Object.freeze(this.groupSamples(aggs, limits)),
      processes: Object.freeze(this.topProcesses(candidates)),
      perProcess: this.rules.rules.some((r) => r.perProcess),
      processesDropped: this.processesDropped,
      groupsDropped: this.groupsDropped,
      readErrors: this.readErrors,
      partialErrors: this.partialErrors,
      labelNames: this.rules.labelNames,
      options: this.opts,
    });
    this.watermark = newest;
    return snapshot;
  }

  private scheduleRechecks(source: ProcSource, now: number): void {
    // Processes refused for max_groups are decided again once groups expired and made room (counted once only).
    const room = this.groups.size < this.opts.maxGroups;
    const limit = this.opts.recheckWithTimeLimit;
    if (!room && !this.opts.recheck && limit <= 0) return;
    for (const t of this.procs.values()) {
      if (t.assignment === undefined) continue;
      if (room && t.dropped && t.assignment === null) {
        t.assignment = undefined;
        continue;
      }
      const young = limit > 0 && now - (source.bootTime + t.id.startTime / source.clockTicks) < limit;
      if (young || (this.opts.recheck && t.assignment === null)) {
        // Facts may have changed too (exec, setproctitle): read them again.
        t.assignment = undefined;
        t.facts = {};
      }
    }
  }

  private pruneCgroupShare(): void {
    if (this.cgroupShare.size === 0) return;
    const live = new Set<CgroupFacts>();
    for (const t of this.procs.values()) if (t.facts.cgroups) live.add(t.facts.cgroups);
    for (const [k, f] of this.cgroupShare) if (!live.has(f)) this.cgroupShare.delete(k);
  }

  /** How decide.ts sees the tracked processes in this cycle. */
  private decisionHost(source: ProcSource): DecisionHost<Tracked, Assignment> {
    return {
      rules: this.rules,
      children: this.opts.children,
      pid: (t) => t.id.pid,
      parentOf: (t) => (t.id.ppid > 0 && t.id.ppid !== t.id.pid ? this.procs.get(t.id.ppid) : undefined),
      known: (t) => (t.assignment === undefined ? UNKNOWN : t.assignment),
      record: (t, d) => this.record(t, d),
      subject: (t, parentGroup) => subject(t, source, parentGroup, this.now, this.cgroupShare),
      undecided: (t) => forgetUnreadable(t.facts), // so that the next cycle reads them again
    };
  }

  /**
   * Keeps a decision for a tracked process (decide.ts's host). A new group is created here, unless the groups
   * already number max_groups: then the process stays in no group, counted in groupsDropped, so that template-made
   * names under churn ({{.Comm}} of thousands of short-lived processes) cannot grow memory without bound.
   */
  private record(t: Tracked, d: Decision): Decision<Assignment> {
    if (d === undefined) return undefined; // undecided: tried again next cycle
    settle(t);
    if (d === null) {
      t.assignment = null;
      return null;
    }
    if (isAssignment(d)) {
      // Inherited from the parent, whose group exists.
      t.assignment = d;
      return d;
    }
    const key = groupKey(d.name, d.labels);
    let g = this.groups.get(key);
    if (g === undefined) {
      if (this.groups.size >= this.opts.maxGroups) {
        if (!t.dropped) this.groupsDropped++;
        t.dropped = true;
        t.assignment = null;
        return null;
      }
      g = this.group(d.name, d.labels, this.now);
    }
    t.dropped = false;
    const i = d.perProcess ? 1 : 0;
    t.assignment = g.shared[i] ??= Object.freeze({ name: g.name, labels: g.labels, perProcess: d.perProcess, key });
    return t.assignment;
  }

  /**
   * Reads the metrics of every grouped process and adds them up: each process's counter increase into its group's
   * accumulators, its gauges into its group's Agg for this cycle; per_process rules' processes become candidates.
   */
  private accumulate(source: ProcSource, now: number): { aggs: Map<string, Agg>; candidates: PerProcessCandidate[] } {
    const needs = this.metricNeeds;
    const threads = this.opts.threads;
    const aggs = new Map<string, Agg>();
    const candidates: PerProcessCandidate[] = [];
    const limits = this.wantsMemoryLimits(source);

    for (const t of this.procs.values()) {
      const a = t.assignment;
      if (a === undefined || a === null) continue;
      let m: ProcMetrics | null;
      try {
        m = source.metrics(t.id, needs);
      } catch (err) {
        // Counted (namedprocess_scrape_procread_errors' meaning); the process is skipped this cycle.
        this.readErrors++;
        if (!(err instanceof Error)) throw err;
        continue;
      }
      if (m === null) continue; // gone since it was listed
      if ((needs.io && m.readBytes === null) || (needs.fds && m.numFds === null)) this.partialErrors++;

      // A group that expired while its member's metrics were unreadable comes back (it has a member again).
      const g = this.groups.get(a.key) ?? this.group(a.name, a.labels, now);
      let agg = aggs.get(g.key);
      if (!agg) {
        agg = {
          numProcs: 0,
          numThreads: 0,
          states: zeroStates(),
          memory: zeroMemory(),
          openFds: 0,
          worstFdRatio: 0,
          oldest: null,
          threadNow: new Map(),
          wchans: {},
          memoryCgroup: '',
        };
        aggs.set(g.key, agg);
      }
      if (limits) {
        const p = memoryPathOf(t, source, this.cgroupShare);
        agg.memoryCgroup =
          p === null || agg.memoryCgroup === null
            ? null
            : agg.memoryCgroup === ''
              ? p
              : commonCgroup(agg.memoryCgroup, p);
      }

      const multi = threads && m.threads !== undefined && m.threads.length >= 2 ? m.threads : null;
      const first = t.last === null;
      const last = t.last ?? (t.last = zero()); // one object for the process's life, moved on in place
      const cpuDelta = advance(g.accum, last, first, t.bornInWindow, m, multi);

      agg.numProcs++;
      agg.numThreads += m.numThreads;
      addState(agg.states, m.state);
      agg.memory.resident += m.rss;
      agg.memory.virtual += m.vms;
      agg.memory.swapped += m.swap;
      agg.memory.proportionalResident += m.pss ?? 0;
      agg.memory.proportionalSwapped += m.swapPss ?? 0;
      if (m.numFds !== null) {
        agg.openFds += m.numFds;
        if (m.fdLimit !== null && m.fdLimit > 0) agg.worstFdRatio = Math.max(agg.worstFdRatio, m.numFds / m.fdLimit);
      }
      const start = source.bootTime + t.id.startTime / source.clockTicks;
      if (agg.oldest === null || start < agg.oldest) agg.oldest = start;

      if (threads) {
        if (m.wchan) agg.wchans[m.wchan] = (agg.wchans[m.wchan] ?? 0) + 1;
        if (multi) this.threadDeltas(t, multi, agg.threadNow, agg.states, agg.wchans);
        else t.threadLast = null;
      }

      if (a.perProcess) {
        candidates.push({
          cpuDelta,
          sample: Object.freeze({
            pid: t.id.pid,
            group: a.name,
            labels: g.labels,
            startTime: start,
            cpuUser: m.cpuUser,
            cpuSystem: m.cpuSystem,
            rss: m.rss,
            vms: m.vms,
            swap: m.swap,
            readBytes: m.readBytes,
            writeBytes: m.writeBytes,
            numFds: m.numFds,
            numThreads: m.numThreads,
          }),
        });
      }
    }
    return { aggs, candidates };
  }

  /** Whether psutil_group_memory_limit_bytes is in and the source can read limits. */
  private wantsMemoryLimits(source: ProcSource): boolean {
    return !this.opts.excludeFamilies.has('memory_limit_bytes') && source.memoryLimit !== undefined;
  }

  /** Each group's memory limit, one source call per distinct common cgroup in this cycle. */
  private memoryLimits(source: ProcSource, aggs: ReadonlyMap<string, Agg>): Map<string, number | null> {
    const out = new Map<string, number | null>();
    if (!this.wantsMemoryLimits(source)) return out;
    const byPath = new Map<string, number | null>();
    for (const [key, agg] of aggs) {
      const p = agg.memoryCgroup;
      // The root (or members in different hierarchies' roots): "mixed", nothing shared to report.
      if (p === null || p === '' || p === '/') continue;
      let v = byPath.get(p);
      if (v === undefined) byPath.set(p, (v = source.memoryLimit!(p)));
      out.set(key, v);
    }
    return out;
  }

  /** Groups with members this cycle are fresh; template-made groups empty for remove_empty_groups_after go. */
  private expire(aggs: ReadonlyMap<string, Agg>, now: number): void {
    const ttl = this.opts.removeEmptyGroupsAfter;
    for (const g of [...this.groups.values()]) {
      if (aggs.has(g.key)) g.lastNonEmpty = now;
      else if (!g.isStatic && ttl !== null && now - g.lastNonEmpty >= ttl) this.groups.delete(g.key);
    }
  }

  /** A sample per group, sorted by name then labels; thread-name accumulators move on with this cycle's deltas. */
  private groupSamples(aggs: ReadonlyMap<string, Agg>, limits: ReadonlyMap<string, number | null>): GroupSample[] {
    const threads = this.opts.threads;
    const samples: GroupSample[] = [];
    for (const g of this.groups.values()) {
      const agg = aggs.get(g.key);
      let threadSamples: ThreadNameSample[] = [];
      if (threads && agg && agg.threadNow.size > 0) {
        const next = new Map<string, Counters>();
        for (const [name, tn] of agg.threadNow) {
          const acc = g.threadAccum.get(name) ?? zero();
          addInto(acc, tn.delta);
          next.set(name, acc);
          threadSamples.push(Object.freeze({ name, count: tn.count, counters: Object.freeze({ ...acc }) }));
        }
        g.threadAccum = next; // as process-exporter: names no longer present are forgotten
        threadSamples = threadSamples.sort((x, y) => cmp(x.name, y.name));
      } else {
        g.threadAccum = new Map();
      }
      samples.push(
        Object.freeze({
          name: g.name,
          labels: g.labels,
          isStatic: g.isStatic,
          numProcs: agg?.numProcs ?? 0,
          numThreads: agg?.numThreads ?? 0,
          states: Object.freeze({ ...(agg?.states ?? zeroStates()) }),
          memory: Object.freeze({ ...(agg?.memory ?? zeroMemory()) }),
          openFds: agg?.openFds ?? 0,
          worstFdRatio: agg?.worstFdRatio ?? 0,
          oldestStartTime: agg?.oldest ?? null,
          counters: Object.freeze({ ...g.accum }),
          since: g.since,
          threads: Object.freeze(threadSamples),
          wchans: Object.freeze({ ...(agg?.wchans ?? {}) }),
          memoryLimit: limits.get(g.key) ?? null,
        }),
      );
    }
    return samples.sort((x, y) => cmp(x.name, y.name) || cmp(groupKey('', x.labels), groupKey('', y.labels)));
  }

  /** Per-process series: the busiest first (CPU used in this cycle), then by pid; the rest is counted as dropped. */
  private topProcesses(candidates: PerProcessCandidate[]): ProcessSample[] {
    candidates.sort((x, y) => y.cpuDelta - x.cpuDelta || x.sample.pid - y.sample.pid);
    const limit = this.opts.perProcessLimit;
    if (candidates.length > limit) this.processesDropped += candidates.length - limit;
    return candidates
      .slice(0, limit)
      .map((p) => p.sample)
      .sort((x, y) => x.pid - y.pid);
  }

  /** Per-thread deltas (first sight 0, as process-exporter), grouped by thread name; states and wchans added. */
  private threadDeltas(
    t: Tracked,
    list: readonly ThreadMetrics[],
    byName: Map<string, { count: number; delta: Counters }>,
    states: { running: number; sleeping: number; waiting: number; zombie: number; other: number },
    wchans: Record<string, number>,
  ): void {
    const prev = t.threadLast;
    const next = new Map<number, { startTime: number; c: Counters }>();
    for (const th of list) {
      const c = threadCounters(th);
      const old = prev?.get(th.tid);
      const d = old !== undefined && old.startTime === th.startTime ? diff(c, old.c) : zero();
      next.set(th.tid, { startTime: th.startTime, c: carry(c, old?.startTime === th.startTime ? old.c : null) });
      let e = byName.get(th.name);
      if (!e) byName.set(th.name, (e = { count: 0, delta: zero() }));
      e.count++;
      addInto(e.delta, d);
      addState(states, th.state);
      if (th.wchan) wchans[th.wchan] = (wchans[th.wchan] ?? 0) + 1;
    }
    t.threadLast = next;
  }

  /** Forget everything (tests, or a collector restart). */
  reset(): void {
    this.procs.clear();
    this.groups.clear();
    this.cgroupShare.clear();
    this.cycle = 0;
    this.watermark = Number.POSITIVE_INFINITY;
    this.processesDropped = this.groupsDropped = this.readErrors = this.partialErrors = 0;
    this.staticPending = true;
  }
}

/** What the rules may ask about a tracked process; facts are read once and kept with it. */
function subject(
  t: Tracked,
  source: ProcSource,
  parentGroup: () => string | null | undefined,
  now: number,
  share: Map<string, CgroupFacts>,
): MatchSubject {
  const f = t.facts;
  return {
    pid: t.id.pid,
    comm: t.id.comm,
    ageSeconds: now - (source.bootTime + t.id.startTime / source.clockTicks),
    // Not kept with the facts: the source reads the index once per pass, and a name may appear later (see k8sNames).
    podNames: () => source.podNames?.() ?? null,
    // Formatted only for the rare template that prints {{.StartTime}}.
    get startTimeString() {
      return goTimeString(source.bootTime, t.id.startTime, source.clockTicks);
    },
    cmdline: () => (f.cmdline !== undefined ? f.cmdline : (f.cmdline = source.cmdline(t.id))),
    username: () => (f.username !== undefined ? f.username : (f.username = source.username(t.id))),
    cgroups: () => cgroupFactsOf(t, source, share),
    cwd: () => (f.cwd !== undefined ? f.cwd : (f.cwd = source.cwd(t.id))),
    parentGroup,
  };
}

/**
 * A process's cgroup facts, read once and kept with its other facts (as the rules read them); the same object for
 * every process whose file reads the same (cgroupFacts depends on nothing else).
 */
function cgroupFactsOf(t: Tracked, source: ProcSource, share: Map<string, CgroupFacts>): CgroupFacts | null {
  if (t.facts.cgroups === undefined) {
    const lines = source.cgroups(t.id);
    if (lines === null) t.facts.cgroups = null;
    else {
      let key = '';
      for (const l of lines) key += `${l.hierarchyId}:${l.controllers.join(',')}:${l.path}\u0000`;
      let f = share.get(key);
      if (f === undefined) share.set(key, (f = cgroupFacts(lines)));
      t.facts.cgroups = f;
    }
  }
  return t.facts.cgroups;
}

function memoryPathOf(t: Tracked, source: ProcSource, share: Map<string, CgroupFacts>): string | null {
  const f = cgroupFactsOf(t, source, share);
  if (f === null) delete t.facts.cgroups; // unreadable now: read again next cycle
  return f?.memoryPath ?? null;
}

/** The deepest cgroup containing both paths ('/' when they share only the root). */
export function commonCgroup(a: string, b: string): string {
  if (a === b) return a;
  const x = a.split('/');
  const y = b.split('/');
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  const common = x.slice(0, n).join('/');
  return common === '' ? '/' : common;
}

/**
 * A decided process keeps only its cgroup facts (its memory cgroup is looked up every cycle for the memory limits,
 * and they are shared objects): its argv, user and cwd served the decision only, and only a reload or a recheck
 * decides again (both read them again). Kept, they were a process's largest state: ~250 bytes for a short command
 * line, a few KB for a JVM's, for as long as the process lives.
 */
function settle(t: Tracked): void {
  const f = t.facts;
  if (f.cmdline === undefined && f.username === undefined && f.cwd === undefined) return;
  t.facts = f.cgroups === undefined ? {} : { cgroups: f.cgroups };
}

function forgetUnreadable(f: Facts): void {
  if (f.cmdline === null) delete f.cmdline;
  if (f.username === null) delete f.username;
  if (f.cgroups === null) delete f.cgroups;
  if (f.cwd === null) delete f.cwd;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
