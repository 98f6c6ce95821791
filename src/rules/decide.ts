/**
 * The group decision, shared by the process_groups collector's grouper (grouper.ts) and the admin API's per-pid
 * lookup (lookup.ts), so that the admin API acts on the very membership the dashboards show:
 * - the first rule that matches names the group (its name, labels and per_process);
 * - with `children`, a process no rule matches joins its nearest matched ancestor's group;
 * - parents are decided before their children, and a rule's `parent` selector sees the parent's group (after the
 *   parent's own inheritance);
 * - a fact a rule needs that cannot be read leaves the process undecided, and so are the children that would inherit
 *   from an undecided parent; a parent that is not listed is in no group; a ppid cycle is in no group.
 *
 * The callers differ only in where a decision is kept (the grouper per tracked process across cycles, dropping
 * undecided ones so that they are tried again; the lookup per listing) and in what a decision costs (the grouper
 * creates the group, and may refuse it past max_groups): both are the host's business.
 */
import type { RuleSet } from './config';
import type { MatchSubject } from './matcher';

/** A process's group as the rules name it. */
export interface Decided {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The rule that named it asks for per-process series. */
  readonly perProcess: boolean;
}

/** A group, null for none, undefined for undecided (an unreadable fact, here or in an ancestor). */
export type Decision<D extends Decided = Decided> = D | null | undefined;

/** Returned by DecisionHost.known for a process not decided yet. */
export const UNKNOWN: unique symbol = Symbol('undecided yet');

/** Where the decisions of one caller are kept and how it sees a process (P: its handle on one process). */
export interface DecisionHost<P, D extends Decided> {
  readonly rules: RuleSet;
  readonly children: boolean;
  pid(p: P): number;
  /** The listed parent, or undefined when the process has none or its parent is not listed. */
  parentOf(p: P): P | undefined;
  /** The decision kept for p, or UNKNOWN. */
  known(p: P): Decision<D> | typeof UNKNOWN;
  /**
   * Keeps p's decision and returns the one in force: a group the host will not create (past max_groups) becomes
   * null, so that children and parent selectors see what the dashboards show.
   */
  record(p: P, d: Decision): Decision<D>;
  /** What the rules may ask about p; parentGroup is supplied here. */
  subject(p: P, parentGroup: () => string | null | undefined): MatchSubject;
  /** A rule could not decide p for an unreadable fact (the grouper forgets unreadable facts to read them again). */
  undecided?(p: P): void;
}

/** p's group under the host's rules, deciding its ancestors first as needed. */
export function decide<P, D extends Decided>(
  host: DecisionHost<P, D>,
  p: P,
  visiting: Set<number> = new Set(),
): Decision<D> {
  const known = host.known(p);
  if (known !== UNKNOWN) return known;
  const pid = host.pid(p);
  if (visiting.has(pid)) return null; // a ppid cycle: impossible in a sane table, harmless here
  visiting.add(pid);
  try {
    // The parent's decision, computed once on demand; undefined (the key) when the parent is not listed.
    let parentDone = false;
    let parentDecision: Decision<D> | 'unlisted' = 'unlisted';
    const parent = (): Decision<D> | 'unlisted' => {
      if (!parentDone) {
        const pp = host.parentOf(p);
        parentDecision = pp === undefined ? 'unlisted' : decide(host, pp, visiting);
        parentDone = true;
      }
      return parentDecision;
    };
    const subject = host.subject(p, () => {
      const a = parent();
      if (a === 'unlisted') return null; // parent not listed: in no group
      if (a === undefined) return undefined; // parent undecided
      return a === null ? null : a.name;
    });
    for (const rule of host.rules.rules) {
      const r = rule.match(subject);
      if (r.kind === 'nomatch') continue;
      if (r.kind === 'undecided') {
        host.undecided?.(p);
        return host.record(p, undefined);
      }
      return host.record(p, Object.freeze({ name: r.name, labels: r.labels, perProcess: rule.perProcess }));
    }
    if (host.children) {
      const a = parent();
      // A parent undecided leaves the child undecided; a parent in no group (or unlisted) leaves it in none.
      if (a === undefined) return host.record(p, undefined);
      if (a !== 'unlisted' && a !== null) return host.record(p, a);
    }
    return host.record(p, null);
  } finally {
    visiting.delete(pid);
  }
}
