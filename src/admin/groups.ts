/**
 * Process groups for the admin API, from the same process_names rules as /metrics. The process_groups collector's
 * grouper lives in the collection worker, out of the admin server's reach, so this resolver asks the rules module's
 * per-pid lookup (src/rules/lookup.ts: the grouper's order, first matching rule wins; with `children`, an unmatched
 * process joins its nearest matched ancestor's group) over a listing of /proc through the PsutilSource.
 *
 * One difference from the worker's grouper, on purpose: facts are read fresh (at most `maxAgeMs` old) rather than
 * cached from a process's first sighting, so a process that re-exec'd or rewrote its command line is judged by what
 * it is now. A process whose facts cannot be read is in no group (deny by default).
 *
 * collectors.process_groups.max_groups applies as in the collector (lookup.ts): a process whose group would pass it
 * is in no group, and the group is no target; refusal() says so, for the API's answer.
 */
import type { GroupOptions, RuleSet } from '../rules/config';
import { groupLookup, type GroupLookup } from '../rules/lookup';
import type { ProcIdentity, ProcSource } from '../rules/types';
import type { AdminGroups } from './engine';

interface View {
  readonly at: number;
  readonly byPid: ReadonlyMap<number, ProcIdentity>;
  readonly lookup: GroupLookup;
}

export interface RulesGroupsOptions {
  readonly rules: RuleSet;
  readonly options: Pick<GroupOptions, 'children' | 'maxGroups'>;
  readonly source: ProcSource;
  /**
   * Called whenever /proc is listed again: new rules when the config's process_names changed (a reload), else null.
   * Keeps the admin API's groups named as the collector's after the config file changes.
   */
  readonly reload?: () => { rules: RuleSet; options: Pick<GroupOptions, 'children' | 'maxGroups'> } | null;
  /** How long one listing of /proc serves lookups (default 1000 ms). */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

export class RulesGroups implements AdminGroups {
  private view: View | null = null;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private rules: RuleSet;
  private options: Pick<GroupOptions, 'children' | 'maxGroups'>;

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
      this.view = { at: t, byPid, lookup: groupLookup(this.rules, this.options, this.o.source, byPid) };
    }
    return this.view;
  }

  groupOf(pid: number, startTicks: number | null): string | null {
    const v = this.current();
    const id = v.byPid.get(pid);
    // Not listed, or listed as another process (the pid was reused since the listing): in no group.
    if (id === undefined || startTicks === null || id.startTime !== startTicks) return null;
    return v.lookup.groupOf(pid);
  }

  refusal(name: string): string | null {
    if (!this.current().lookup.refusedGroup(name)) return null;
    return (
      `group ${JSON.stringify(name)} would pass collectors.process_groups.max_groups (${this.options.maxGroups}): ` +
      'the process_groups collector keeps no such group, so its processes are in no group and no target'
    );
  }

  members(name: string): readonly number[] {
    const v = this.current();
    const out: number[] = [];
    for (const pid of v.byPid.keys()) if (v.lookup.groupOf(pid) === name) out.push(pid);
    return out;
  }
}
