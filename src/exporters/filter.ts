/**
 * node_exporter's scrape filter: `GET /metrics?collect[]=cpu&collect[]=meminfo` serves only those collectors'
 * families, `exclude[]=...` every enabled collector's but those. Names are node_exporter's (hwmon, tcpstat, ...) or
 * ours (sensors, sockets). As node_exporter: collect[] with an unknown or disabled collector is a 400 naming it, both
 * kinds at once a 400; an unknown name in exclude[] is ignored. Unlike node_exporter, excluding every collector
 * leaves none (node_exporter then falls back to all of them).
 *
 * The filter works on what a snapshot already holds: each collector's rendered blocks, and, for a node_exporter
 * collector that is a part of one of ours (hwmon in sensors), the blocks whose family name has its prefix. Nothing
 * is collected again.
 */
import type { CollectorSettings } from '../config/defaults';
import { collectorParts, nodeExporterNames, resolveCollector } from '../config/flags';

/** What a filter keeps: per collector of ours, every family (null) or the families with these name prefixes. */
export interface CollectorFilter {
  /** Identifies the filter (its kept collectors and parts), for caches. */
  readonly key: string;
  readonly keep: ReadonlyMap<string, readonly string[] | null>;
  /** Per collector of ours, the node_exporter names kept (its parts when it has them), for the self metrics. */
  readonly names: ReadonlyMap<string, readonly string[]>;
}

/** A filter node_exporter answers with 400; the message is the response body. */
export class FilterError extends Error {}

/** One unit the filter picks or drops: a whole collector of ours, or one part of it. */
interface Unit {
  readonly ours: string;
  readonly name: string;
  readonly prefixes: readonly string[] | null;
}

/** Every enabled unit: a collector without parts, or each enabled part of one with parts. */
export function enabledUnits(
  enabled: readonly string[],
  settings: Readonly<Record<string, CollectorSettings>>,
): Unit[] {
  const out: Unit[] = [];
  for (const ours of enabled) {
    const parts = collectorParts(ours);
    if (parts.length === 0) {
      out.push({ ours, name: ours, prefixes: null });
      continue;
    }
    for (const p of parts)
      if (settings[ours]?.options[p.part as string] !== false)
        out.push({ ours, name: p.name, prefixes: p.prefixes ?? [] });
  }
  return out;
}

/** The name a unit is labelled with in node_scrape_collector_*{collector}: node_exporter's (tcpstat for sockets). */
function unitLabel(u: Unit): string {
  return u.prefixes === null ? (nodeExporterNames(u.ours)[0] ?? u.ours) : u.name;
}

/** The node_exporter names of each enabled collector (its enabled parts'), for node_scrape_collector_*{collector}. */
export function collectorLabels(
  enabled: readonly string[],
  settings: Readonly<Record<string, CollectorSettings>>,
): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const u of enabledUnits(enabled, settings)) m.set(u.ours, [...(m.get(u.ours) ?? []), unitLabel(u)]);
  return m;
}

function build(units: readonly Unit[]): CollectorFilter {
  const keep = new Map<string, string[] | null>();
  const names = new Map<string, string[]>();
  for (const u of units) {
    const prev = keep.get(u.ours);
    keep.set(u.ours, prev === null || u.prefixes === null ? null : [...(prev ?? []), ...u.prefixes]);
    names.set(u.ours, [...(names.get(u.ours) ?? []), unitLabel(u)]);
  }
  const key = [...keep]
    .map(([k, v]) => `${k}${v === null ? '' : `(${v.join('|')})`}`)
    .sort()
    .join(',');
  return { key, keep, names };
}

/**
 * The filter of a scrape's query, or null when it has none. `enabled`: the collectors of ours that run, `settings`:
 * their config (which parts are on). Throws FilterError for what node_exporter answers with 400.
 */
export function collectorFilter(
  collect: readonly string[],
  exclude: readonly string[],
  enabled: readonly string[],
  settings: Readonly<Record<string, CollectorSettings>>,
): CollectorFilter | null {
  if (collect.length === 0 && exclude.length === 0) return null;
  if (collect.length > 0 && exclude.length > 0)
    throw new FilterError('Combined collect and exclude queries are not allowed.');
  const units = enabledUnits(enabled, settings);
  const matches = (u: Unit, name: string): boolean => {
    const r = resolveCollector(name);
    if (r.ours === null || r.ours !== u.ours) return false;
    // Our own name (sensors) or node_exporter's name of the whole (tcpstat) picks the whole; a part's name the part.
    return r.part === undefined || r.part.name === u.name;
  };
  if (exclude.length > 0) return build(units.filter((u) => !exclude.some((n) => matches(u, n))));
  const picked: Unit[] = [];
  for (const name of collect) {
    const r = resolveCollector(name);
    const problem = (what: string): FilterError =>
      new FilterError(`Couldn't create filtered metrics handler: couldn't create collector: ${what}: ${name}`);
    if (r.ours === null) throw problem('missing collector');
    const found = units.filter((u) => matches(u, name));
    if (found.length === 0) throw problem('disabled collector');
    // A name given twice, or a part and its whole, count once.
    for (const u of found) if (!picked.includes(u)) picked.push(u);
  }
  return build(picked);
}
