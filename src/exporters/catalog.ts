/**
 * The metric catalog: what a collector is, and the two neutral shapes its data is mapped to: Prometheus families
 * (node_exporter names) and OTLP metrics (semantic-convention names). Collectors keep their mapping functions pure
 * (data in, families out) so that they are unit-tested without a registry, a worker or a network.
 */
import { compileGoRegexp, type GoRegexp } from '../util/goregexp';
import type { Psutil } from '../index';

export type PromType = 'counter' | 'gauge' | 'untyped' | 'histogram' | 'summary';

/**
 * One sample line of a histogram or summary series: `<family>_bucket` (bound = its `le`), `<family>` (a summary's
 * quantile, bound = its `quantile`), `<family>_sum` or `<family>_count` (bound null).
 */
export interface SeriesSample {
  readonly name: string;
  readonly bound: number | null;
  readonly value: number;
}

export interface Series {
  /** Label name -> value; every family's series carry exactly its labelNames (never `le` or `quantile`). */
  readonly labels: Readonly<Record<string, string>>;
  /** counter, gauge, untyped: the sample's value. histogram, summary: the observation count (its _count sample). */
  readonly value: number;
  /**
   * histogram and summary families only: the series' sample lines in exposition order (buckets by ascending le ending
   * with +Inf, or quantiles ascending; then _sum, _count). A histogram's or summary's label set is one series: the
   * series cap counts it once, however many lines it has.
   */
  readonly samples?: readonly SeriesSample[];
}

export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: PromType;
  readonly labelNames: readonly string[];
  readonly series: Series[];
}

export type OtlpKind = 'counter' | 'updowncounter' | 'gauge';
export type OtlpAttributes = Readonly<Record<string, string | number | boolean>>;

export interface OtlpPoint {
  readonly attributes: OtlpAttributes;
  readonly value: number;
}

export interface OtlpMetric {
  readonly name: string;
  readonly description: string;
  /** UCUM, as semantic conventions write it: `s`, `By`, `{packet}`, `Hz`, `Cel`, `1`. */
  readonly unit: string;
  readonly kind: OtlpKind;
  readonly valueType: 'int' | 'double';
  readonly points: OtlpPoint[];
  /**
   * Resource attributes of a metric that belongs to its own resource (one per process, otlp.processes), added to
   * the host's; absent: the host's resource.
   */
  readonly resource?: Readonly<Record<string, string | number>>;
}

/** What a collector gets in the worker: the library bound to the configured roots. */
export interface CollectorEnv {
  readonly psutil: Psutil;
  readonly roots: { readonly procfs: string; readonly sysfs: string; readonly rootfs: string };
}

/** Per pass: the time by which the collector must be done (epoch ms; async collectors bound their waits with it). */
export interface PassContext {
  readonly deadline: number;
  /**
   * Says that this pass's data leaves out series the collector should have had (a mount whose statfs hung): the data
   * is served, and the collector's success shows 0. Absent where nobody listens (unit tests).
   */
  readonly incomplete?: (reason: string) => void;
}

export type CollectFn<D> = (pass: PassContext) => D | Promise<D>;

/**
 * What a collect function may also offer: new options (a config reload) taken in place, keeping the state it has
 * gathered (process_groups' counters). A collector without it is created again with the new options.
 */
export interface Reconfigurable<O> {
  reconfigure(options: O): void;
}

/**
 * One collector: a name (config key and `collector` label), its option parser, the per-pass collection (run in the
 * worker thread, through the library only) and the two renderings of its data (run where the snapshot is served).
 * Data crosses threads by structured clone: plain objects, arrays, strings, numbers, booleans, null.
 */
export interface CollectorDef<D = unknown, O = unknown> {
  readonly name: string;
  readonly help: string;
  /** Turns the collector's config options (snake_case, already schema-checked) into what it uses. */
  options(raw: Readonly<Record<string, unknown>>): O;
  /** Called once per worker; may keep state (previous samples, stuck mounts) in its closure. */
  create(env: CollectorEnv, options: O): CollectFn<D>;
  prometheus(data: D, options: O): Family[];
  otlp(data: D, options: O): OtlpMetric[];
}

/** A collector of any data type, as the registry holds them (methods are bivariant in their parameters). */
export type AnyCollectorDef = CollectorDef<unknown, unknown>;

export function defineCollector<D, O>(def: CollectorDef<D, O>): CollectorDef<D, O> {
  return Object.freeze(def);
}

// ---- builders ----

/** Builds one Prometheus family; label names are given once, values per series. */
export class FamilyBuilder {
  readonly family: Family;

  constructor(name: string, type: PromType, help: string, labelNames: readonly string[] = []) {
    this.family = { name, type, help, labelNames, series: [] };
  }

  /** Adds a series; `labels` must carry exactly the family's label names. */
  add(labels: Readonly<Record<string, string>>, value: number): this {
    if (this.family.type === 'histogram' || this.family.type === 'summary')
      throw new TypeError(
        `family ${this.family.name} is a ${this.family.type}: add its series with addHistogram/addSummary`,
      );
    this.family.series.push({ labels, value });
    return this;
  }

  /** Adds the single series of a label-less family. */
  set(value: number): this {
    return this.add({}, value);
  }

  /**
   * Adds a histogram series: cumulative bucket counts by upper bound, the sum and count of observations. Buckets are
   * put in ascending order (the last of equal bounds wins); without a +Inf bucket one is added holding `count`, as
   * Prometheus client libraries write it.
   */
  addHistogram(
    labels: Readonly<Record<string, string>>,
    buckets: Iterable<readonly [number, number]>,
    sum: number,
    count: number,
  ): this {
    if (this.family.type !== 'histogram')
      throw new TypeError(`family ${this.family.name} is a ${this.family.type}, not a histogram`);
    const name = this.family.name;
    const byBound = new Map<number, number>();
    for (const [le, v] of buckets) if (!Number.isNaN(le)) byBound.set(le, v);
    if (!byBound.has(Infinity)) byBound.set(Infinity, count);
    const samples: SeriesSample[] = [...byBound]
      .sort(([a], [b]) => a - b)
      .map(([le, v]) => ({ name: `${name}_bucket`, bound: le, value: v }));
    samples.push(
      { name: `${name}_sum`, bound: null, value: sum },
      { name: `${name}_count`, bound: null, value: count },
    );
    this.family.series.push({ labels, value: count, samples });
    return this;
  }

  /** Adds a summary series: values by quantile (put in ascending order, the last of equal quantiles wins), sum and count. */
  addSummary(
    labels: Readonly<Record<string, string>>,
    quantiles: Iterable<readonly [number, number]>,
    sum: number,
    count: number,
  ): this {
    if (this.family.type !== 'summary')
      throw new TypeError(`family ${this.family.name} is a ${this.family.type}, not a summary`);
    const name = this.family.name;
    const byQuantile = new Map<number, number>();
    for (const [q, v] of quantiles) if (!Number.isNaN(q)) byQuantile.set(q, v);
    const samples: SeriesSample[] = [...byQuantile]
      .sort(([a], [b]) => a - b)
      .map(([q, v]) => ({ name, bound: q, value: v }));
    samples.push(
      { name: `${name}_sum`, bound: null, value: sum },
      { name: `${name}_count`, bound: null, value: count },
    );
    this.family.series.push({ labels, value: count, samples });
    return this;
  }
}

export function fam(name: string, type: PromType, help: string, labelNames: readonly string[] = []): FamilyBuilder {
  return new FamilyBuilder(name, type, help, labelNames);
}

/** Collects builders' families, leaving out empty ones (node_exporter never sends a family without samples). */
export function families(...builders: FamilyBuilder[]): Family[] {
  return builders.map((b) => b.family).filter((f) => f.series.length > 0);
}

export class OtlpBuilder {
  readonly metric: OtlpMetric;

  constructor(name: string, kind: OtlpKind, unit: string, description: string, valueType: 'int' | 'double' = 'double') {
    this.metric = { name, kind, unit, description, valueType, points: [] };
  }

  add(attributes: OtlpAttributes, value: number): this {
    if (Number.isFinite(value)) this.metric.points.push({ attributes, value });
    return this;
  }
}

export function otel(
  name: string,
  kind: OtlpKind,
  unit: string,
  description: string,
  valueType: 'int' | 'double' = 'double',
): OtlpBuilder {
  return new OtlpBuilder(name, kind, unit, description, valueType);
}

export function metrics(...builders: OtlpBuilder[]): OtlpMetric[] {
  return builders.map((b) => b.metric).filter((m) => m.points.length > 0);
}

// ---- option helpers ----

/** An optional string option ('' means "not set", as node_exporter's empty flag defaults). */
export function optString(raw: Readonly<Record<string, unknown>>, key: string, fallback = ''): string {
  const v = raw[key];
  return typeof v === 'string' ? v : fallback;
}

export function optBool(raw: Readonly<Record<string, unknown>>, key: string, fallback: boolean): boolean {
  const v = raw[key];
  return typeof v === 'boolean' ? v : fallback;
}

/** Label-value text from anything a reader returned (null/undefined -> ''). */
export function str(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  // An object (no reader returns one) as JSON, not "[object Object]".
  return JSON.stringify(v) ?? '';
}

/**
 * node_exporter's include/exclude flag pair as RE2 (Go syntax, linear time): a name passes when it matches `include`
 * (if set) and does not match `exclude` (if set). Results are cached per name: device names repeat every pass.
 */
export class NameFilter {
  private readonly include: GoRegexp | null;
  private readonly exclude: GoRegexp | null;
  private readonly cache = new Map<string, boolean>();

  constructor(include: string, exclude: string) {
    this.include = include ? compileGoRegexp(include) : null;
    this.exclude = exclude ? compileGoRegexp(exclude) : null;
  }

  passes(name: string): boolean {
    let ok = this.cache.get(name);
    if (ok === undefined) {
      ok = (this.include === null || this.include.test(name)) && !(this.exclude !== null && this.exclude.test(name));
      if (this.cache.size > 4096) this.cache.clear();
      this.cache.set(name, ok);
    }
    return ok;
  }
}
