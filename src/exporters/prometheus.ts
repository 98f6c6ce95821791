/**
 * The Prometheus rendering of a snapshot: prom-client on its own registries (never the global one), one metric object
 * per family, `reset()` then set/inc from the data on each new pass, so the series of things that are gone (a NIC, a
 * mount, a process) vanish on the next scrape. Counters hold absolute OS values: reset() + inc(value) is the "const
 * metric" pattern of exporters.
 *
 * Rendering happens per collector, where the collector ran: in the agent that is the collection worker, which sends
 * each family's finished text (FamilyText) instead of the raw data, so the HTTP thread neither receives nor renders
 * the pass's objects (the allocations that made its heap grow). The main thread renders the agent's own families
 * (build info, durations, success, the limit counters, the admin API's counter) and puts the sorted text together
 * once per snapshot; scrapes served from the same pass cost a buffer write. Results that still carry raw data
 * (--once, tests) are rendered in the calling thread by the same code.
 *
 * Exposition safety (hardening B6 #21, #24): every label value is made well-formed (a lone surrogate, e.g. a comm cut
 * inside a character, becomes U+FFFD, so the UTF-8 on the wire is always valid) and cut to `maxLabelValueBytes` of
 * UTF-8 at a character boundary, ending in "..."; a family keeps at most `maxSeriesPerFamily` series, the first ones
 * the collector emitted. What is cut or dropped is counted in psutil_exporter_label_values_truncated_total{family} and
 * psutil_exporter_series_dropped_total{family}.
 *
 * Histogram and summary families (a series per label set, holding its _bucket/quantile, _sum and _count lines) are
 * rendered by DistributionMetric below, through the same registry. For the series cap a label set is one series,
 * whatever its number of lines (client_golang's notion of a metric; a histogram is never cut between its buckets);
 * its label values are capped as any other's, `le`/`quantile` are written as client_golang writes them (goFloat).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Counter as CounterClass, Gauge as GaugeClass, Registry as RegistryClass } from 'prom-client';
import { __version__ } from '../constants';
import type { AnyCollectorDef, Family, Series } from './catalog';
import type { CollectorResult } from './engine';
import type { Logger } from './log';
import { silentLogger } from './log';
import type { Snapshot } from './snapshot';

/*
 * The three classes used here, each from its own file: prom-client's index also loads its push gateway (https, tls and
 * so OpenSSL), cluster aggregation and default metrics, none of which the agent uses (about 1.5 MB resident in the
 * running agent, measured side by side).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const Registry = require('prom-client/lib/registry') as typeof RegistryClass;
const Gauge = require('prom-client/lib/gauge') as typeof GaugeClass;
const Counter = require('prom-client/lib/counter') as typeof CounterClass;
/* eslint-enable @typescript-eslint/no-require-imports */
type Registry = RegistryClass;

export const CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

let versionCache: string | null = null;
/** The package version (package.json beside src/ and dist/). */
export function agentVersion(): string {
  if (versionCache === null) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
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

// ---- limits ----

export interface ExpositionLimits {
  /** Longest label value, in bytes of UTF-8 (0: no cap). Longer values are cut at a character boundary + "...". */
  readonly maxLabelValueBytes: number;
  /** Most series a family keeps (0: no cap); the rest are dropped and counted. */
  readonly maxSeriesPerFamily: number;
}

export const DEFAULT_LIMITS: ExpositionLimits = Object.freeze({ maxLabelValueBytes: 1024, maxSeriesPerFamily: 10000 });

export const TRUNCATION_MARKER = '...';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A label value that is valid UTF-8 once encoded and at most `maxBytes` long: lone surrogates become U+FFFD (Node
 * would write them as U+FFFD too, but then the cap below could split a character); a longer value is cut where a
 * character starts and ends in "...". `cut` tells whether the length cap applied.
 */
export function safeLabelValue(v: string, maxBytes: number): { value: string; cut: boolean } {
  LONE_SURROGATE.lastIndex = 0;
  const value = LONE_SURROGATE.test(v) ? v.replace(LONE_SURROGATE, '\uFFFD') : v;
  // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4): short values skip the count.
  if (maxBytes <= 0 || value.length * 3 <= maxBytes) return { value, cut: false };
  const buf = Buffer.from(value, 'utf8');
  if (buf.length <= maxBytes) return { value, cut: false };
  let end = Math.max(0, maxBytes - TRUNCATION_MARKER.length);
  // buf[end] is the first byte left out: step back while it continues a character (10xxxxxx).
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end--;
  return { value: buf.toString('utf8', 0, end) + TRUNCATION_MARKER, cut: true };
}

export interface FamilyLimited {
  readonly family: string;
  /** Series over the cap, left out of this rendering. */
  readonly droppedSeries: number;
  /** Label values cut to the length cap in this rendering. */
  readonly truncatedValues: number;
}

/** A family with the limits applied, and what they cost it (null when nothing was cut). */
export function limitFamily(f: Family, limits: ExpositionLimits): { family: Family; limited: FamilyLimited | null } {
  const keep = limits.maxSeriesPerFamily > 0 && f.series.length > limits.maxSeriesPerFamily ? f.series.slice(0, limits.maxSeriesPerFamily) : f.series;
  let truncated = 0;
  let changed = keep !== f.series;
  const series: Series[] = keep.map((s) => {
    let labels: Record<string, string> | null = null;
    for (const [k, v] of Object.entries(s.labels)) {
      const safe = safeLabelValue(v, limits.maxLabelValueBytes);
      if (safe.value !== v) {
        labels ??= { ...s.labels };
        labels[k] = safe.value;
        if (safe.cut) truncated++;
      }
    }
    if (labels === null) return s;
    changed = true;
    return { ...s, labels };
  });
  const dropped = f.series.length - keep.length;
  return {
    family: changed ? { ...f, series } : f,
    limited: dropped > 0 || truncated > 0 ? { family: f.name, droppedSeries: dropped, truncatedValues: truncated } : null,
  };
}

// ---- rendering families to text ----

/** One family's exposition text (HELP, TYPE, samples; no trailing newline), as prom-client writes it. */
export interface FamilyText {
  readonly name: string;
  readonly text: string;
}

export interface RenderedFamilies {
  readonly families: readonly FamilyText[];
  readonly limited: readonly FamilyLimited[];
}

/** A collector's rendering, made where it ran (the worker) and sent instead of its data. */
export interface RenderedCollector extends RenderedFamilies {
  /** Set when the collector's Prometheus mapping threw: it then counts as failed (success 0), as a failed read. */
  readonly error?: string;
}

/**
 * A histogram or summary family as prom-client's Registry takes any metric: name, help, type and get() returning the
 * sample lines, each with its own metricName (`_bucket`, `_sum`, `_count`, as prom-client's Histogram prints them).
 * The registry prints labels in each value's object order: the family's labels by name, then `le`/`quantile`
 * (client_golang's order).
 */
interface DistributionValue {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly metricName: string;
}

class DistributionMetric {
  readonly aggregator = 'sum';
  private values: readonly DistributionValue[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'histogram' | 'summary',
  ) {}

  /** The values as of this call (fill() replaces the array, never changes it): a later fill cannot tear a rendering. */
  get(): Promise<{ name: string; help: string; type: string; values: readonly DistributionValue[]; aggregator: string }> {
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values: this.values, aggregator: this.aggregator });
  }

  reset(): void {
    this.values = [];
  }

  fill(series: readonly Series[], labelNames: readonly string[]): void {
    const bound = this.type === 'histogram' ? 'le' : 'quantile';
    const out: DistributionValue[] = [];
    for (const s of series) {
      const labels = sortedLabels(s.labels, labelNames);
      for (const x of s.samples ?? []) {
        out.push({ labels: x.bound === null ? labels : { ...labels, [bound]: goFloat(x.bound) }, value: x.value, metricName: x.name });
      }
    }
    this.values = out;
  }
}

/**
 * A float as Go's strconv.FormatFloat(f, 'g', -1, 64) writes it, which is how client_golang (node_exporter) writes
 * `le` and `quantile` values: shortest digits, exponent form below 1e-4 and from 1e6 (`1e-05`, `0.0001`, `100000`,
 * `1e+06`), `+Inf`, `-Inf`, `NaN`. Prometheus matches buckets across scrapes by these label values.
 */
export function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return '0';
  const [mantissa = '', e = '0'] = v.toExponential().split('e');
  const exp = Number(e);
  // Within [-4, 5] JavaScript's String() is already fixed notation with the shortest digits, as Go's %g.
  if (exp >= -4 && exp < 6) return String(v);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

type Metric = GaugeClass<string> | CounterClass<string> | DistributionMetric;

interface Held {
  metric: Metric;
  key: string;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Families -> text through prom-client, keeping one metric object per family from call to call. The values of all
 * families are read synchronously in render() (prom-client's get() reads before its first await), so a later call
 * cannot tear an earlier one.
 */
export class FamilyRenderer {
  private readonly registry: Registry = new Registry();
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly limits: ExpositionLimits = DEFAULT_LIMITS,
    private readonly log: Logger = silentLogger,
  ) {}

  render(input: readonly Family[]): Promise<RenderedFamilies> {
    const fams = [...input].sort(byName);
    const seen = new Set<string>();
    const limited: FamilyLimited[] = [];
    for (const raw of fams) {
      if (seen.has(raw.name)) {
        // Two families of one name would make duplicate HELP/TYPE blocks: keep the first.
        this.log.warn('duplicate family dropped', { family: raw.name });
        continue;
      }
      seen.add(raw.name);
      const { family, limited: l } = limitFamily(raw, this.limits);
      if (l) limited.push(l);
      this.fill(family);
    }
    for (const name of [...this.held.keys()]) {
      if (!seen.has(name)) {
        this.held.delete(name);
        this.registry.removeSingleMetric(name);
      }
    }
    const names = [...seen];
    const texts = names.map((n) => this.registry.getSingleMetricAsString(n));
    return Promise.all(texts).then((t) => ({ families: names.map((name, i) => ({ name, text: t[i] as string })), limited }));
  }

  private fill(f: Family): void {
    const labelNames = [...f.labelNames].sort();
    const key = `${f.type}|${f.help}|${labelNames.join(',')}`;
    let h = this.held.get(f.name);
    if (!h || h.key !== key) {
      if (h) this.registry.removeSingleMetric(f.name);
      const cfg = { name: f.name, help: f.help, labelNames, registers: [this.registry] };
      let metric: Metric;
      if (f.type === 'histogram' || f.type === 'summary') {
        metric = new DistributionMetric(f.name, f.help, f.type);
        // The registry only stores the object and calls get(); its typings name prom-client's own classes.
        this.registry.registerMetric(metric as unknown as GaugeClass<string>);
      } else metric = f.type === 'counter' ? new Counter(cfg) : new Gauge(cfg);
      if (f.type === 'untyped') {
        // prom-client has no untyped metric; its Gauge prints whatever `type` holds (node_exporter's vmstat/netstat).
        (metric as unknown as { type: string }).type = 'untyped';
      }
      h = { metric, key };
      this.held.set(f.name, h);
    }
    const m = h.metric;
    m.reset();
    if (m instanceof DistributionMetric) {
      m.fill(f.series, labelNames);
    } else if (m instanceof Counter) {
      for (const s of f.series) {
        // A counter cannot go below zero or be NaN in prom-client; such a reading is dropped, not the family.
        if (Number.isFinite(s.value) && s.value >= 0) m.inc(sortedLabels(s.labels, labelNames), s.value);
      }
    } else {
      for (const s of f.series) (m as GaugeClass<string>).set(sortedLabels(s.labels, labelNames), s.value);
    }
  }
}

/** Labels in name order (prom-client prints them in the object's order, node_exporter sorts them). */
function sortedLabels(labels: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) out[n] = labels[n] ?? '';
  return out;
}

/** A collector's families from its data, names checked (a bad name throws: the collector then counts as failed). */
export function collectorFamilies(c: ActiveCollector, data: unknown): Family[] {
  const fams = c.def.prometheus(data as never, c.options as never);
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

/** Renders one collector's data where it ran; a mapping that throws yields no families and an error. */
export async function renderCollector(c: ActiveCollector, data: unknown, renderer: FamilyRenderer): Promise<RenderedCollector> {
  let fams: Family[];
  try {
    fams = collectorFamilies(c, data);
  } catch (e) {
    return { families: [], limited: [], error: e instanceof Error ? e.message : String(e) };
  }
  return renderer.render(fams);
}

/** The agent's own families for a snapshot: build info, the pass wall time, each collector's duration and success. */
export function selfFamilies(snap: Snapshot, success: ReadonlyMap<string, number>): Family[] {
  const wall = snap.collectionSeconds ?? Math.max(0, snap.finishedAt - snap.startedAt) / 1000;
  return [
    {
      name: 'psutil_exporter_build_info',
      type: 'gauge',
      help: 'A metric with a constant 1 value labeled by the agent version, the psutil surface version and the Node.js version.',
      labelNames: ['nodejs_version', 'psutil_version', 'version'],
      series: [{ labels: { nodejs_version: process.versions.node, psutil_version: __version__, version: agentVersion() }, value: 1 }],
    },
    {
      name: 'psutil_exporter_collection_duration_seconds',
      type: 'gauge',
      help: 'psutil-exporter: wall time of the last collection pass, all collectors.',
      labelNames: [],
      series: [{ labels: {}, value: wall }],
    },
    {
      name: 'psutil_exporter_scrape_collector_duration_seconds',
      type: 'gauge',
      help: 'psutil-exporter: duration of a collector in the last collection pass.',
      labelNames: ['collector'],
      series: snap.results.map((r) => ({ labels: { collector: r.name }, value: r.durationSeconds })),
    },
    {
      name: 'psutil_exporter_scrape_collector_success',
      type: 'gauge',
      help: 'psutil-exporter: whether a collector succeeded in the last collection pass.',
      labelNames: ['collector'],
      series: snap.results.map((r) => ({ labels: { collector: r.name }, value: success.get(r.name) ?? 0 })),
    },
  ];
}

/**
 * Turns a snapshot whose results carry raw data into families: each collector's own, then the agent's self metrics
 * (limits not applied). Pure apart from logging.
 */
export function snapshotFamilies(snap: Snapshot, active: ReadonlyMap<string, ActiveCollector>, log: Logger = silentLogger): Family[] {
  const out: Family[] = [];
  const success = new Map<string, number>();
  for (const r of snap.results) {
    let ok = r.ok;
    const c = active.get(r.name);
    if (ok && c) {
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
  out.push(...selfFamilies(snap, success));
  return out;
}

/** The exposition text of family blocks: sorted by name (the first of a duplicated name kept), as one registry writes it. */
export function assemble(blocks: readonly FamilyText[], log: Logger = silentLogger): string {
  const sorted = [...blocks].sort(byName);
  const out: string[] = [];
  let last: string | null = null;
  for (const b of sorted) {
    if (b.name === last) {
      log.warn('duplicate family dropped', { family: b.name });
      continue;
    }
    last = b.name;
    out.push(b.text);
  }
  return `${out.join('\n\n')}\n`;
}

export class PrometheusAdapter {
  /** In-thread renderers, per collector, for results that carry raw data. */
  private readonly renderers = new Map<string, FamilyRenderer>();
  private readonly self: FamilyRenderer;
  private readonly droppedTotal = new Map<string, number>();
  private readonly truncatedTotal = new Map<string, number>();
  private cache: { id: number; text: Promise<string> } | null = null;

  constructor(
    private readonly active: ReadonlyMap<string, ActiveCollector>,
    private readonly log: Logger = silentLogger,
    /** Families kept outside the snapshot (the admin API's request counter), read with each new snapshot. */
    private readonly extra: () => Family[] = () => [],
    private readonly limits: ExpositionLimits = DEFAULT_LIMITS,
  ) {
    this.self = new FamilyRenderer(limits, log);
  }

  /** The exposition (text format 0.0.4) of a snapshot; computed once per snapshot id. */
  render(snap: Snapshot): Promise<string> {
    if (this.cache && this.cache.id === snap.id) return this.cache.text;
    const text = this.build(snap);
    this.cache = { id: snap.id, text };
    return text;
  }

  private async rendering(r: CollectorResult): Promise<RenderedCollector | null> {
    if (r.rendered !== undefined) return r.rendered;
    const c = this.active.get(r.name);
    if (!c || r.data === undefined) return null;
    let renderer = this.renderers.get(r.name);
    if (!renderer) {
      renderer = new FamilyRenderer(this.limits, this.log);
      this.renderers.set(r.name, renderer);
    }
    return renderCollector(c, r.data, renderer);
  }

  private count(limited: readonly FamilyLimited[]): void {
    for (const l of limited) {
      if (l.droppedSeries > 0) this.droppedTotal.set(l.family, (this.droppedTotal.get(l.family) ?? 0) + l.droppedSeries);
      if (l.truncatedValues > 0) this.truncatedTotal.set(l.family, (this.truncatedTotal.get(l.family) ?? 0) + l.truncatedValues);
    }
  }

  private limitFamilies(): Family[] {
    const out: Family[] = [];
    const counter = (name: string, help: string, m: ReadonlyMap<string, number>): void => {
      if (m.size > 0) out.push({ name, type: 'counter', help, labelNames: ['family'], series: [...m].map(([family, n]) => ({ labels: { family }, value: n })) });
    };
    counter('psutil_exporter_series_dropped_total', 'psutil-exporter: series left out of /metrics because their family had more than exposition.max_series_per_family.', this.droppedTotal);
    counter('psutil_exporter_label_values_truncated_total', 'psutil-exporter: label values cut to exposition.max_label_value_bytes on /metrics.', this.truncatedTotal);
    return out;
  }

  private async build(snap: Snapshot): Promise<string> {
    const blocks: FamilyText[] = [];
    const success = new Map<string, number>();
    const pending = snap.results.map((r) => (r.ok ? this.rendering(r) : Promise.resolve(null)));
    for (const [i, r] of snap.results.entries()) {
      let ok = r.ok;
      const out = await pending[i];
      if (out) {
        if (out.error !== undefined) {
          // A mapping bug costs the collector its families and shows as success 0, like a failed read.
          ok = false;
          this.log.warn('collector rendering failed', { collector: r.name, err: out.error });
        } else {
          blocks.push(...out.families);
          this.count(out.limited);
        }
      }
      // Data that the collector said leaves series out is served, with success 0.
      success.set(r.name, ok && r.incomplete === undefined ? 1 : 0);
    }
    // The limit counters include this snapshot's collectors; what the agent's own families lose shows next time.
    const own = await this.self.render([...selfFamilies(snap, success), ...this.extra(), ...this.limitFamilies()]);
    this.count(own.limited);
    return assemble([...blocks, ...own.families], this.log);
  }
}
