/**
 * Process groups for the admin API, from the same process_names rules as /metrics. The process_groups collector's
 * grouper lives in the collection worker, out of the admin server's reach, so this resolver decides groups in the
 * main thread with the rules' own pieces: the PsutilSource (the library's public API), Rule.match, and the
 * grouper's order (first matching rule wins; with `children`, an unmatched process joins its nearest matched
 * ancestor's group; parents are decided before their children).
 *
 * One difference from the worker's grouper, on purpose: facts are read fresh (at most `maxAgeMs` old) rather than
 * cached from a process's first sighting, so a process that re-exec'd or rewrote its command line is judged by what
 * it is now. A process whose facts cannot be read is in no group (deny by default).
 */
import type { GroupOptions, RuleSet } from '../rules/config';
import { cgroupFacts, type MatchSubject } from '../rules/matcher';
import type { ProcIdentity, ProcSource } from '../rules/types';
import { goTimeString } from '../rules/template';
import type { AdminGroups } from './engine';

/** Decided: a group name, or null for "in no group"; `undefined` in the memo means not decided yet. */
type Decision = string | null;

interface View {
  readonly at: number;
  readonly byPid: ReadonlyMap<number, ProcIdentity>;
  readonly decided: Map<number, Decision>;
}

export interface RulesGroupsOptions {
  readonly rules: RuleSet;
  readonly options: Pick<GroupOptions, 'children'>;
  readonly source: ProcSource;
  /**
   * Called whenever /proc is listed again: new rules when the config's process_names changed (a reload), else null.
   * Keeps the admin API's groups named as the collector's after the config file changes.
   */
  readonly reload?: () => { rules: RuleSet; options: Pick<GroupOptions, 'children'> } | null;
  /** How long one listing of /proc serves lookups (default 1000 ms). */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

export class RulesGroups implements AdminGroups {
  private view: View | null = null;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private rules: RuleSet;
  private options: Pick<GroupOptions, 'children'>;

  constructor(private readonly o: RulesGroupsOptions) {
    this.maxAgeMs = o.maxAgeMs ?? 1000;
    this.now = o.now ?? (() => performance.now());
    this.rules = o.rules;
    this.options = o.options;
  }

  private current(): View {
    const t = this.now();
    if (this.view === null || t - this.view.at > this.maxAgeMs) {
      const next = this.o.reload?.() ?? null;
      if (next !== null) {
        this.rules = next.rules;
        this.options = next.options;
      }
      const byPid = new Map<number, ProcIdentity>();
      for (const id of this.o.source.list()) byPid.set(id.pid, id);
      this.view = { at: t, byPid, decided: new Map() };
    }
    return this.view;
  }

  groupOf(pid: number, startTicks: number | null): string | null {
    const v = this.current();
    const id = v.byPid.get(pid);
    // Not listed, or listed as another process (the pid was reused since the listing): in no group.
    if (id === undefined || startTicks === null || id.startTime !== startTicks) return null;
    return this.decide(v, id, new Set());
  }

  members(name: string): readonly number[] {
    const v = this.current();
    const out: number[] = [];
    for (const id of v.byPid.values()) if (this.decide(v, id, new Set()) === name) out.push(id.pid);
    return out;
  }

  private decide(v: View, id: ProcIdentity, visiting: Set<number>): Decision {
    const memo = v.decided.get(id.pid);
    if (memo !== undefined) return memo;
    if (visiting.has(id.pid)) return null; // a ppid cycle cannot happen in /proc; harmless here
    visiting.add(id.pid);
    try {
      const parent = (): ProcIdentity | undefined =>
        id.ppid > 0 && id.ppid !== id.pid ? v.byPid.get(id.ppid) : undefined;
      const src = this.o.source;
      let cmdline: readonly string[] | null | undefined;
      let username: string | null | undefined;
      let cwd: string | null | undefined;
      const subject: MatchSubject = {
        pid: id.pid,
        comm: id.comm,
        startTimeString: goTimeString(src.bootTime, id.startTime, src.clockTicks),
        cmdline: () => (cmdline !== undefined ? cmdline : (cmdline = src.cmdline(id))),
        username: () => (username !== undefined ? username : (username = src.username(id))),
        cgroups: () => {
          const text = src.cgroups(id);
          return text === null ? null : cgroupFacts(text);
        },
        cwd: () => (cwd !== undefined ? cwd : (cwd = src.cwd(id))),
        parentGroup: () => {
          const p = parent();
          return p === undefined ? null : this.decide(v, p, visiting);
        },
      };
      let result: Decision = null;
      let decidedByRule = false;
      for (const rule of this.rules.rules) {
        const r = rule.match(subject);
        if (r.kind === 'nomatch') continue;
        // A fact the rule needs is unreadable: not provably in a group, so in none.
        result = r.kind === 'match' ? r.name : null;
        decidedByRule = true;
        break;
      }
      if (!decidedByRule && this.options.children) {
        const p = parent();
        if (p !== undefined) result = this.decide(v, p, visiting);
      }
      v.decided.set(id.pid, result);
      return result;
    } finally {
      visiting.delete(id.pid);
    }
  }
}
