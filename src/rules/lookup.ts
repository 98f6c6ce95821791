/**
 * Per-pid group lookup: the group the process_groups collector's grouper (grouper.ts) gives a process, for callers
 * outside the collection worker that need an answer per pid from one listing of /proc (the admin API). Same order
 * as the grouper: the first rule that matches names the group; with `children`, a process no rule matches joins its
 * nearest matched ancestor's group; parents are decided before their children, and a rule's `parent` selector sees
 * the parent's group.
 *
 * The one difference is in what an answer can be: where the grouper leaves a process undecided (a fact a rule needs
 * is unreadable; it tries again next cycle) and so reports it in no group this cycle, the lookup answers null too.
 * Facts are read from the source at most once per lookup object, only when a rule needs them.
 */
import type { GroupOptions, RuleSet } from './config';
import { cgroupFacts, type MatchSubject } from './matcher';
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

/** A decision: a group name, null for none, undefined for undecided (an unreadable fact, here or in an ancestor). */
type Decision = string | null | undefined;

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

  function decide(id: ProcIdentity, visiting: Set<number>): Decision {
    if (decided.has(id.pid)) return decided.get(id.pid);
    if (visiting.has(id.pid)) return null; // a ppid cycle: impossible in a sane table, harmless here (as the grouper)
    visiting.add(id.pid);
    try {
      const parent = (): ProcIdentity | undefined =>
        id.ppid > 0 && id.ppid !== id.pid ? listed.get(id.ppid) : undefined;
      let cmdline: readonly string[] | null | undefined;
      let username: string | null | undefined;
      let cwd: string | null | undefined;
      const subject: MatchSubject = {
        pid: id.pid,
        comm: id.comm,
        get startTimeString() {
          return goTimeString(source.bootTime, id.startTime, source.clockTicks);
        },
        cmdline: () => (cmdline !== undefined ? cmdline : (cmdline = source.cmdline(id))),
        username: () => (username !== undefined ? username : (username = source.username(id))),
        cgroups: () => {
          const text = source.cgroups(id);
          return text === null ? null : cgroupFacts(text);
        },
        cwd: () => (cwd !== undefined ? cwd : (cwd = source.cwd(id))),
        // Not listed: null (in no group); undecided: undefined, as the grouper's subject says.
        parentGroup: () => {
          const p = parent();
          return p === undefined ? null : decide(p, visiting);
        },
      };
      let result: Decision = null;
      let byRule = false;
      for (const rule of rules.rules) {
        const r = rule.match(subject);
        if (r.kind === 'nomatch') continue;
        result = r.kind === 'match' ? r.name : undefined;
        byRule = true;
        break;
      }
      if (!byRule && options.children) {
        const p = parent();
        // A parent undecided leaves the child undecided; a parent in no group leaves it in none.
        if (p !== undefined) result = decide(p, visiting);
      }
      decided.set(id.pid, result);
      return result;
    } finally {
      visiting.delete(id.pid);
    }
  }

  return {
    groupOf(pid: number): string | null {
      const id = listed.get(pid);
      return id === undefined ? null : (decide(id, new Set()) ?? null);
    },
  };
}
