/**
 * Per-pid group lookup: the group the process_groups collector's grouper (grouper.ts) gives a process, for callers
 * outside the collection worker that need an answer per pid from one listing of /proc (the admin API). The decision
 * itself is decide.ts's, the grouper's own: first matching rule, children inherit the nearest matched ancestor's
 * group, a rule's `parent` selector sees the parent's group.
 *
 * Where the grouper leaves a process undecided (a fact a rule needs is unreadable; it tries again next cycle) and so
 * reports it in no group this cycle, the lookup answers null too.
 *
 * max_groups applies here as in the grouper: the rules' literal groups exist first, then each new group is created
 * in the order the listing decides processes (parents first), and a process whose group would be one more than
 * max_groups is in no group (refusedGroup names it, for a clear answer). That is what a collector starting on this
 * listing keeps. A long-running collector may hold more groups than the listing shows (template-made groups stay
 * until remove_empty_groups_after without members), and so refuse more: the lookup's groups are never more than its.
 * With a template in some rule, the first answer decides the whole listing (the order matters); with literal groups
 * only, the cap cannot bind and each answer decides a process and its ancestors alone. Facts are read from the source
 * at most once per lookup object, only when a rule needs them.
 */
import type { GroupOptions, RuleSet } from './config';
import { decide, UNKNOWN, type Decided, type Decision, type DecisionHost } from './decide';
import { cgroupFacts, type CgroupFacts, type MatchSubject } from './matcher';
import { groupKey } from './grouper';
import { goTimeString } from './template';
import type { PodNames, ProcIdentity, ProcSource } from './types';

/** The facts source a lookup reads (a ProcSource without metrics or listing). */
export type LookupSource = Pick<
  ProcSource,
  'bootTime' | 'clockTicks' | 'cmdline' | 'username' | 'cgroups' | 'cwd' | 'podNames'
>;

export interface GroupLookup {
  /**
   * The group name of the listed process with this pid, null when it is in no group, is not listed, or cannot be
   * shown to be in one (an unreadable fact).
   */
  groupOf(pid: number): string | null;
  /**
   * Whether some listed process is in no group only because a group of this name would have passed max_groups (the
   * process_groups collector refuses it too: it has no series, and the admin API has nothing to act on).
   */
  refusedGroup(name: string): boolean;
}

/**
 * A lookup over one listing (`listed`: pid -> identity, e.g. from source.list()). Decisions are memoized, so the
 * lookup answers for that listing: make a new one when /proc is listed again.
 */
export function groupLookup(
  rules: RuleSet,
  options: Pick<GroupOptions, 'children' | 'maxGroups'>,
  source: LookupSource,
  listed: ReadonlyMap<number, ProcIdentity>,
): GroupLookup {
  const decided = new Map<number, Decision>();
  // The groups that exist, by key (grouper.ts's groupKey), and the names refused past max_groups.
  const groups = new Set<string>(rules.staticGroups.map((g) => groupKey(g.name, g.labels)));
  const refused = new Set<string>();
  const now = Date.now() / 1000;
  let podNames: PodNames | null | undefined;
  const host: DecisionHost<ProcIdentity, Decided> = {
    rules,
    children: options.children,
    pid: (id) => id.pid,
    parentOf: (id) => (id.ppid > 0 && id.ppid !== id.pid ? listed.get(id.ppid) : undefined),
    known: (id) => (decided.has(id.pid) ? decided.get(id.pid) : UNKNOWN),
    record: (id, d) => {
      if (d !== null && d !== undefined) {
        const key = groupKey(d.name, d.labels);
        if (!groups.has(key)) {
          if (groups.size >= options.maxGroups) {
            refused.add(d.name);
            decided.set(id.pid, null);
            return null;
          }
          groups.add(key);
        }
      }
      decided.set(id.pid, d);
      return d;
    },
    subject: (id, parentGroup): MatchSubject => {
      let cmdline: readonly string[] | null | undefined;
      let username: string | null | undefined;
      let cgroups: CgroupFacts | null | undefined;
      let cwd: string | null | undefined;
      return {
        pid: id.pid,
        comm: id.comm,
        ageSeconds: now - (source.bootTime + id.startTime / source.clockTicks),
        podNames: () => (podNames !== undefined ? podNames : (podNames = source.podNames?.() ?? null)),
        get startTimeString() {
          return goTimeString(source.bootTime, id.startTime, source.clockTicks);
        },
        cmdline: () => (cmdline !== undefined ? cmdline : (cmdline = source.cmdline(id))),
        username: () => (username !== undefined ? username : (username = source.username(id))),
        cgroups: () => {
          if (cgroups === undefined) {
            const lines = source.cgroups(id);
            cgroups = lines === null ? null : cgroupFacts(lines);
          }
          return cgroups;
        },
        cwd: () => (cwd !== undefined ? cwd : (cwd = source.cwd(id))),
        parentGroup,
      };
    },
  };
  // Which process makes a template-made group first decides which groups the cap refuses: the whole listing, once.
  let all = !rules.rules.some((r) => !r.isStatic);
  const decideAll = (): void => {
    if (all) return;
    all = true;
    for (const id of listed.values()) decide(host, id);
  };
  return {
    groupOf(pid: number): string | null {
      decideAll();
      const id = listed.get(pid);
      return id === undefined ? null : (decide(host, id)?.name ?? null);
    },
    refusedGroup(name: string): boolean {
      decideAll();
      return refused.has(name);
    },
  };
}
