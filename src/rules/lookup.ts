/**
 * Per-pid group lookup: the group the process_groups collector's grouper (grouper.ts) gives a process, for callers
 * outside the collection worker that need an answer per pid from one listing of /proc (the admin API). The decision
 * itself is decide.ts's, the grouper's own: first matching rule, children inherit the nearest matched ancestor's
 * group, a rule's `parent` selector sees the parent's group.
 *
 * The differences are in what an answer can be: where the grouper leaves a process undecided (a fact a rule needs
 * is unreadable; it tries again next cycle) and so reports it in no group this cycle, the lookup answers null too; a
 * group the grouper refused past max_groups is still named here (the lookup keeps no groups, so it has no cap).
 * Facts are read from the source at most once per lookup object, only when a rule needs them.
 */
import type { GroupOptions, RuleSet } from './config';
import { decide, UNKNOWN, type Decided, type Decision, type DecisionHost } from './decide';
import { cgroupFacts, type CgroupFacts, type MatchSubject } from './matcher';
import { goTimeString } from './template';
import type { ProcIdentity, ProcSource } from './types';

/** The facts source a lookup reads (a ProcSource without metrics or listing). */
export type LookupSource = Pick<ProcSource, 'bootTime' | 'clockTicks' | 'cmdline' | 'username' | 'cgroups' | 'cwd'>;

export interface GroupLookup {
  /**
   * The group name of the listed process with this pid, null when it is in no group, is not listed, or cannot be
   * shown to be in one (an unreadable fact).
   */
  groupOf(pid: number): string | null;
}

/**
 * A lookup over one listing (`listed`: pid -> identity, e.g. from source.list()). Decisions are memoized, so the
 * lookup answers for that listing: make a new one when /proc is listed again.
 */
export function groupLookup(
  rules: RuleSet,
  options: Pick<GroupOptions, 'children'>,
  source: LookupSource,
  listed: ReadonlyMap<number, ProcIdentity>,
): GroupLookup {
  const decided = new Map<number, Decision>();
  const host: DecisionHost<ProcIdentity, Decided> = {
    rules,
    children: options.children,
    pid: (id) => id.pid,
    parentOf: (id) => (id.ppid > 0 && id.ppid !== id.pid ? listed.get(id.ppid) : undefined),
    known: (id) => (decided.has(id.pid) ? decided.get(id.pid) : UNKNOWN),
    record: (id, d) => {
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
  return {
    groupOf(pid: number): string | null {
      const id = listed.get(pid);
      return id === undefined ? null : (decide(host, id)?.name ?? null);
    },
  };
}
