/**
 * The Prometheus side of a snapshot: each collector's families (its own mapping, names checked), the agent's own
 * families (build info, durations, success, the limit counters, the admin API's counter), rendered by the exposition
 * module (exposition/) and put together once per snapshot, in text 0.0.4 and, when a scraper asks, OpenMetrics.
 *
 * Rendering happens per collector, where the collector ran: in the agent that is the collection worker, which sends
 * each family's finished block (a RenderedResult) instead of the raw data, so the HTTP thread neither receives nor
 * renders the pass's objects (the allocations that made its heap grow). Scrapes served from the same pass cost a
 * buffer write. Results that still carry raw data (--once, tests) are rendered in the calling thread by the same code.
 *
 * What the limits cut or drop (exposition/limits.ts) is counted in psutil_exporter_label_values_truncated_total{family}
 * and psutil_exporter_series_dropped_total{family}.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { __version__ } from '../constants';
import type { AnyCollectorDef, Family, PromType } from './catalog';
import { DEFAULT_LIMITS } from './exposition/limits';
import {
  BlockOrder,
  exposition,
  familyHead,
  formatValue,
  plainLabelValue,
  renderFamilies,
  TEXT_CONTENT_TYPE,
  type Exposition,
} from './exposition/render';
import type { ExpositionLimits, FamilyBlock, FamilyLimited, RenderedFamilies } from './exposition/types';
import type { CollectorFilter } from './filter';
import type { Logger } from './log';
import { silentLogger } from './log';
import type { CollectorResult } from './pass';
import { processBlocks, processFamilies } from './self';
import type { Snapshot } from './snapshot';

export const CONTENT_TYPE = TEXT_CONTENT_TYPE;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

let versionCache: string | null = null;
/** The package version (package.json beside src/ and dist/). */
export function agentVersion(): string {
  if (versionCache === null) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as {
        version?: string;
      };
      versionCache = pkg.version ?? '0.0.0';
    } catch (e) {
      // Installed without its package.json (bundled): the version label says so rather than failing the agent.
      versionCache = `unknown (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
    }
  }
  return versionCache;
}

export interface ActiveCollector {
  readonly def: AnyCollectorDef;
  /** The collector's parsed options (what def.options() returned). */
  readonly options: unknown;
}

/** A collector's families from its data, names checked (a bad name throws: the collector then counts as failed). */
export function collectorFamilies(c: ActiveCollector, data: unknown): Family[] {
  const fams = c.def.prometheus(data, c.options);
  for (const f of fams) {
    if (!METRIC_NAME.test(f.name) || !f.labelNames.every((l) => LABEL_NAME.test(l) && !l.startsWith('__'))) {
      throw new Error(`invalid metric or label name in family ${JSON.stringify(f.name)}`);
    }
    const reserved = f.type === 'histogram' ? 'le' : f.type === 'summary' ? 'quantile' : null;
    if (reserved !== null && f.labelNames.includes(reserved)) {
      throw new Error(`${f.type} family ${JSON.stringify(f.name)} has a label named ${reserved}`);
    }
  }
  return fams;
}

/**
 * Renders one collector's data where it ran, limits applied; a mapping that throws (or names a family badly) yields
 * its error instead: the collector then counts as failed (success 0), as a failed read.
 */
export function renderCollector(
  c: ActiveCollector,
  data: unknown,
  limits: ExpositionLimits,
  log: Logger = silentLogger,
): RenderedFamilies | { error: string } {
  let fams: Family[];
  try {
    fams = collectorFamilies(c, data);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  return renderFamilies(fams, limits, log);
}

/** Which of the agent's own families a rendering has. */
export interface SelfOptions {
  /** The process_* families (off with node_exporter's --web.disable-exporter-metrics). */
  readonly processMetrics: boolean;
  /**
   * node_exporter's names of each collector of ours (hwmon, thermal_zone, powersupplyclass for sensors; tcpstat for
   * sockets), the `collector` labels of node_scrape_collector_*; a collector not in it is labelled with its own name.
   */
  readonly labels?: ReadonlyMap<string, readonly string[]>;
}

const NO_PROCESS_METRICS: SelfOptions = { processMetrics: false };

/** The agent's own families of each pass (the collector-labelled ones are gauges of one label, `collector`). */
const NE_DURATION = {
  name: 'node_scrape_collector_duration_seconds',
  type: 'gauge',
  help: 'node_exporter: Duration of a collector scrape.',
} as const;
const NE_SUCCESS = {
  name: 'node_scrape_collector_success',
  type: 'gauge',
  help: 'node_exporter: Whether a collector succeeded.',
} as const;
const BUILD_INFO = {
  name: 'psutil_exporter_build_info',
  type: 'gauge',
  help: 'A metric with a constant 1 value labeled by the agent version, the psutil surface version and the Node.js version.',
} as const;
const WALL = {
  name: 'psutil_exporter_collection_duration_seconds',
  type: 'gauge',
  help: 'psutil-exporter: wall time of the last collection pass, all collectors.',
} as const;
const OWN_DURATION = {
  name: 'psutil_exporter_scrape_collector_duration_seconds',
  type: 'gauge',
  help: 'psutil-exporter: duration of a collector in the last collection pass.',
} as const;
const OWN_SUCCESS = {
  name: 'psutil_exporter_scrape_collector_success',
  type: 'gauge',
  help: 'psutil-exporter: whether a collector succeeded in the last collection pass.',
} as const;

function buildInfoFamily(): Family {
  return {
    ...BUILD_INFO,
    labelNames: ['nodejs_version', 'psutil_version', 'version'],
    series: [
      {
        labels: { nodejs_version: process.versions.node, psutil_version: __version__, version: agentVersion() },
        value: 1,
      },
    ],
  };
}

function wallSeconds(snap: Snapshot): number {
  return snap.collectionSeconds ?? Math.max(0, snap.finishedAt - snap.startedAt) / 1000;
}

/**
 * The agent's own families for a snapshot: build info, the pass wall time, each collector's duration and success
 * (ours, and node_exporter's node_scrape_collector_* under node_exporter's collector names, for its dashboards), and
 * the process_* families when asked. With a filter (collect[]), only the collectors it keeps.
 */
export function selfFamilies(
  snap: Snapshot,
  success: ReadonlyMap<string, number>,
  self: SelfOptions = NO_PROCESS_METRICS,
  filter: CollectorFilter | null = null,
): Family[] {
  const results = filter === null ? snap.results : snap.results.filter((r) => filter.keep.has(r.name));
  const neSeries = (value: (r: CollectorResult) => number) =>
    results.flatMap((r) =>
      (filter?.names.get(r.name) ?? self.labels?.get(r.name) ?? [r.name]).map((collector) => ({
        labels: { collector },
        value: value(r),
      })),
    );
  return [
    { ...NE_DURATION, labelNames: ['collector'], series: neSeries((r) => r.durationSeconds) },
    { ...NE_SUCCESS, labelNames: ['collector'], series: neSeries((r) => success.get(r.name) ?? 0) },
    ...(self.processMetrics ? processFamilies() : []),
    buildInfoFamily(),
    { ...WALL, labelNames: [], series: [{ labels: {}, value: wallSeconds(snap) }] },
    {
      ...OWN_DURATION,
      labelNames: ['collector'],
      series: results.map((r) => ({ labels: { collector: r.name }, value: r.durationSeconds })),
    },
    {
      ...OWN_SUCCESS,
      labelNames: ['collector'],
      series: results.map((r) => ({ labels: { collector: r.name }, value: success.get(r.name) ?? 0 })),
    },
  ];
}

/**
 * Where the collector-labelled self families take their samples from, for one sequence of collectors and one
 * filter: per sample line, the text before its value (name and labels, rendered once) and the result it reads.
 */
interface SelfLayout {
  /** node_scrape_collector_*: the result index of each line (a collector of ours can have several names). */
  readonly neAt: readonly number[];
  readonly neDuration: readonly string[];
  readonly neSuccess: readonly string[];
  /** psutil_exporter_scrape_collector_*: the result index of each line. */
  readonly ownAt: readonly number[];
  readonly ownDuration: readonly string[];
  readonly ownSuccess: readonly string[];
}

/** Layouts kept: one per filter in use (a few Prometheus jobs) for the plans in force. */
const MAX_LAYOUTS = 32;

/**
 * The agent's own families straight to blocks, the same bytes as renderFamilies(selfFamilies(...)) (the tests
 * compare them), without the families in between: per pass, only the values are formatted, every name, label and
 * HELP/TYPE line is rendered once per set of collectors. That rendering was the main thread's largest cost of a
 * fresh scrape (about 180 KB allocated per pass and 0.5 ms in the interpreter, for about 200 lines). Whatever the
 * limits or a repeated label set would change is left to the general path (null layout).
 */
export class SelfRenderer {
  private readonly layouts = new Map<string, SelfLayout | null>();
  private buildInfo: RenderedFamilies | null = null;

  constructor(
    private readonly limits: ExpositionLimits,
    private readonly log: Logger,
  ) {}

  render(
    snap: Snapshot,
    success: ReadonlyMap<string, number>,
    labels: ReadonlyMap<string, readonly string[]> | undefined,
    filter: CollectorFilter | null,
  ): RenderedFamilies {
    const layout = this.layout(snap.results, labels, filter);
    if (layout === null)
      return renderFamilies(
        selfFamilies(snap, success, { processMetrics: false, ...(labels ? { labels } : {}) }, filter),
        this.limits,
        this.log,
      );
    const results = snap.results;
    const neDuration = lines(layout.neAt, layout.neDuration, (i) => (results[i] as CollectorResult).durationSeconds);
    const neSuccess = lines(
      layout.neAt,
      layout.neSuccess,
      (i) => success.get((results[i] as CollectorResult).name) ?? 0,
    );
    const ownDuration = lines(layout.ownAt, layout.ownDuration, (i) => (results[i] as CollectorResult).durationSeconds);
    const ownSuccess = lines(
      layout.ownAt,
      layout.ownSuccess,
      (i) => success.get((results[i] as CollectorResult).name) ?? 0,
    );
    this.buildInfo ??= renderFamilies([buildInfoFamily()], this.limits, this.log);
    return {
      families: [
        block(NE_DURATION, neDuration),
        block(NE_SUCCESS, neSuccess),
        ...this.buildInfo.families,
        block(WALL, `${WALL.name} ${formatValue(wallSeconds(snap))}`),
        block(OWN_DURATION, ownDuration),
        block(OWN_SUCCESS, ownSuccess),
      ],
      limited: this.buildInfo.limited,
    };
  }

  private layout(
    results: readonly CollectorResult[],
    labels: ReadonlyMap<string, readonly string[]> | undefined,
    filter: CollectorFilter | null,
  ): SelfLayout | null {
    let key = filter === null ? '' : filter.key;
    for (const r of results) key += `\u0000${r.name}`;
    let l = this.layouts.get(key);
    if (l === undefined) {
      l = this.makeLayout(results, labels, filter);
      if (this.layouts.size >= MAX_LAYOUTS) this.layouts.clear();
      this.layouts.set(key, l);
    }
    return l;
  }

  private makeLayout(
    results: readonly CollectorResult[],
    labels: ReadonlyMap<string, readonly string[]> | undefined,
    filter: CollectorFilter | null,
  ): SelfLayout | null {
    const max = this.limits.maxSeriesPerFamily;
    const neAt: number[] = [];
    const neNames: string[] = [];
    const ownAt: number[] = [];
    const ownNames: string[] = [];
    for (let i = 0; i < results.length; i++) {
      const name = (results[i] as CollectorResult).name;
      if (filter !== null && !filter.keep.has(name)) continue;
      for (const c of filter?.names.get(name) ?? labels?.get(name) ?? [name]) {
        neAt.push(i);
        neNames.push(c);
      }
      ownAt.push(i);
      ownNames.push(name);
    }
    // A value to escape or cut, a label set given twice (one series, the general path's rule) or more series than
    // the cap: the general path renders those.
    const usable = (names: readonly string[]): boolean =>
      (max <= 0 || names.length <= max) &&
      new Set(names).size === names.length &&
      names.every((n) => plainLabelValue(n, this.limits));
    if (!usable(neNames) || !usable(ownNames)) return null;
    const prefixes = (family: string, names: readonly string[]): string[] =>
      names.map((n) => `${family}{collector="${n}"} `);
    return {
      neAt,
      neDuration: prefixes(NE_DURATION.name, neNames),
      neSuccess: prefixes(NE_SUCCESS.name, neNames),
      ownAt,
      ownDuration: prefixes(OWN_DURATION.name, ownNames),
      ownSuccess: prefixes(OWN_SUCCESS.name, ownNames),
    };
  }
}

/** A block's sample lines, `prefix value` per line, one newline between two of them. */
function lines(at: readonly number[], prefixes: readonly string[], value: (i: number) => number): string {
  let out = '';
  for (let k = 0; k < at.length; k++)
    out += `${k === 0 ? '' : '\n'}${prefixes[k] as string}${formatValue(value(at[k] as number))}`;
  return out;
}

/** A gauge's block from its sample lines, one newline between two of them ('' for none). */
function block(
  f: { readonly name: string; readonly type: PromType; readonly help: string },
  samples: string,
): FamilyBlock {
  const head = familyHead(f);
  return { name: f.name, type: f.type, help: head.help, head: head.text, samples };
}

/**
 * Turns a snapshot whose results carry raw data into families: each collector's own, then the agent's self metrics
 * (limits not applied). Pure apart from logging.
 */
export function snapshotFamilies(
  snap: Snapshot,
  active: ReadonlyMap<string, ActiveCollector>,
  log: Logger = silentLogger,
  self: SelfOptions = NO_PROCESS_METRICS,
): Family[] {
  const out: Family[] = [];
  const success = new Map<string, number>();
  for (const r of snap.results) {
    let ok = r.ok;
    const c = active.get(r.name);
    if (r.kind === 'data' && c) {
      try {
        out.push(...collectorFamilies(c, r.data));
      } catch (e) {
        // A mapping bug costs the collector its families and shows as success 0, like a failed read.
        ok = false;
        log.warn('collector rendering failed', { collector: r.name, err: e });
      }
    }
    // Data that the collector said leaves series out is served, with success 0.
    success.set(r.name, ok && r.incomplete === undefined ? 1 : 0);
  }
  out.push(...selfFamilies(snap, success, self));
  return out;
}

/** One snapshot's parts, kept to build its filtered expositions (collect[]) without rendering any family again. */
interface SnapshotParts {
  /** Each collector's blocks, by collector name. */
  readonly blocks: ReadonlyMap<string, readonly FamilyBlock[]>;
  readonly success: ReadonlyMap<string, number>;
  /** The families outside the collectors (extra, limit counters) and process_*: the same for every filter. */
  readonly common: readonly FamilyBlock[];
}

/** Filtered expositions kept per snapshot: a few filters (one per Prometheus job) repeat every scrape. */
const MAX_FILTERED = 16;

export class PrometheusAdapter {
  private readonly droppedTotal = new Map<string, number>();
  private readonly truncatedTotal = new Map<string, number>();
  private readonly own: SelfRenderer;
  /** The order of the whole exposition's blocks, pass after pass. */
  private readonly order = new BlockOrder();
  private cache: {
    id: number;
    exposition: Exposition;
    /** render()'s answer, made when first asked (the agent's server takes the exposition itself). */
    text?: Promise<string>;
    parts: SnapshotParts;
    filtered: Map<string, Exposition>;
  } | null = null;

  constructor(
    private readonly active: ReadonlyMap<string, ActiveCollector>,
    private readonly log: Logger = silentLogger,
    /** Families kept outside the snapshot (the admin API's request counter), read with each new snapshot. */
    private readonly extra: () => Family[] = () => [],
    private readonly limits: ExpositionLimits = DEFAULT_LIMITS,
    private readonly self: SelfOptions = NO_PROCESS_METRICS,
  ) {
    this.own = new SelfRenderer(limits, log);
  }

  /**
   * The snapshot's exposition with only the filter's collectors (collect[]/exclude[]): their blocks as rendered for
   * the whole, their self metrics, and the families outside the collectors; kept per snapshot and filter.
   */
  filteredExposition(snap: Snapshot, filter: CollectorFilter): Exposition {
    const c = this.cached(snap);
    let e = c.filtered.get(filter.key);
    if (e === undefined) {
      const blocks: FamilyBlock[] = [];
      for (const [name, keep] of filter.keep) {
        const own = c.parts.blocks.get(name) ?? [];
        blocks.push(...(keep === null ? own : own.filter((b) => keep.some((p) => b.name.startsWith(p)))));
      }
      // NO_PROCESS_METRICS's labels: the filter names each collector's parts itself.
      const self = this.own.render(snap, c.parts.success, undefined, filter);
      e = exposition([...blocks, ...self.families, ...c.parts.common], this.log);
      if (c.filtered.size >= MAX_FILTERED) c.filtered.clear();
      c.filtered.set(filter.key, e);
    }
    return e;
  }

  /** The exposition (text format 0.0.4) of a snapshot; computed once per snapshot id. */
  render(snap: Snapshot): Promise<string> {
    const c = this.cached(snap);
    return (c.text ??= Promise.resolve(c.exposition.text));
  }

  /** The snapshot's exposition in both formats (OpenMetrics built when first asked for); once per snapshot id. */
  exposition(snap: Snapshot): Exposition {
    return this.cached(snap).exposition;
  }

  private cached(snap: Snapshot): NonNullable<PrometheusAdapter['cache']> {
    if (this.cache && this.cache.id === snap.id) return this.cache;
    const { exposition: e, parts } = this.build(snap);
    this.cache = { id: snap.id, exposition: e, parts, filtered: new Map() };
    return this.cache;
  }

  /** A result's blocks: as the worker sent them, or rendered here from raw data; an error when the mapping threw. */
  private rendering(r: CollectorResult): RenderedFamilies | { error: string } | null {
    if (r.kind === 'rendered') return r;
    if (r.kind === 'failed') return null;
    const c = this.active.get(r.name);
    if (!c || r.data === undefined) return null;
    return renderCollector(c, r.data, this.limits, this.log);
  }

  private count(limited: readonly FamilyLimited[]): void {
    for (const l of limited) {
      if (l.droppedSeries > 0)
        this.droppedTotal.set(l.family, (this.droppedTotal.get(l.family) ?? 0) + l.droppedSeries);
      if (l.truncatedValues > 0)
        this.truncatedTotal.set(l.family, (this.truncatedTotal.get(l.family) ?? 0) + l.truncatedValues);
    }
  }

  private limitFamilies(): Family[] {
    const out: Family[] = [];
    const counter = (name: string, help: string, m: ReadonlyMap<string, number>): void => {
      if (m.size > 0)
        out.push({
          name,
          type: 'counter',
          help,
          labelNames: ['family'],
          series: [...m].map(([family, n]) => ({ labels: { family }, value: n })),
        });
    };
    counter(
      'psutil_exporter_series_dropped_total',
      'psutil-exporter: series left out of /metrics because their family had more than exposition.max_series_per_family.',
      this.droppedTotal,
    );
    counter(
      'psutil_exporter_label_values_truncated_total',
      'psutil-exporter: label values cut to exposition.max_label_value_bytes on /metrics.',
      this.truncatedTotal,
    );
    return out;
  }

  private build(snap: Snapshot): { exposition: Exposition; parts: SnapshotParts } {
    const blocks: FamilyBlock[] = [];
    const byCollector = new Map<string, readonly FamilyBlock[]>();
    const success = new Map<string, number>();
    for (const r of snap.results) {
      let ok = r.ok;
      const out = this.rendering(r);
      if (out) {
        if ('error' in out) {
          // A mapping bug costs the collector its families and shows as success 0, like a failed read.
          ok = false;
          this.log.warn('collector rendering failed', { collector: r.name, err: out.error });
        } else {
          blocks.push(...out.families);
          byCollector.set(r.name, out.families);
          this.count(out.limited);
        }
      }
      // Data that the collector said leaves series out is served, with success 0.
      success.set(r.name, ok && r.incomplete === undefined ? 1 : 0);
    }
    // The limit counters include this snapshot's collectors; what the agent's own families lose shows next time.
    const own = this.own.render(snap, success, this.self.labels, null);
    const other = renderFamilies([...this.extra(), ...this.limitFamilies()], this.limits, this.log);
    this.count(own.limited);
    this.count(other.limited);
    // process_* have no labels: nothing for the limits to cut, and renderFamilies' order comes from exposition().
    const common = this.self.processMetrics ? [...processBlocks(), ...other.families] : other.families;
    return {
      exposition: exposition([...blocks, ...own.families, ...common], this.log, this.order),
      parts: { blocks: byCollector, success, common },
    };
  }
}
