/**
 * Families -> exposition text, straight from the catalog's Family shape, in both formats Prometheus reads:
 * text 0.0.4 (`renderFamilies` per collector, `assembleText` per snapshot) and OpenMetrics 1.0.0
 * (`assembleOpenMetrics`, from the same blocks: the sample lines are the same in both formats, only the family lines
 * and the counter sample names differ). Pure apart from logging duplicates.
 *
 * The 0.0.4 bytes are the ones prom-client 15 wrote when it rendered here (golden tests and promtool hold them):
 * - `# HELP` (`\\` and `\n` escaped) then `# TYPE`, then the samples; families sorted by name, blocks separated by a
 *   blank line, one newline at the end;
 * - labels in label-name order, values escaped `\\`, `\"`, `\n` (any other character raw: `\r`, tab and NUL too,
 *   which Prometheus reads back as they were); values as JavaScript prints them, `NaN` as `Nan`, `+Inf`, `-Inf`;
 * - a label set given twice is one series at its first place: a gauge keeps the last value, a counter the sum; a
 *   counter reading that is negative or not finite is dropped (not the family); a family without labels always has
 *   its one sample, 0 when no series was given;
 * - histogram and summary series print their own sample lines (`_bucket`, `_sum`, `_count`, the quantiles), with
 *   `le`/`quantile` last, written as client_golang writes them (goFloat).
 *
 * OpenMetrics 1.0.0 differs in the family lines only: TYPE before HELP, HELP escapes `"` too and is left out when
 * empty, `untyped` is `unknown`, a counter family is named without `_total` while its samples carry it (a counter
 * whose name lacks `_total` keeps it and its samples gain `_total`, as prometheus/common's expfmt does; when that
 * renaming would clash with another family's name, the family is exposed as `unknown` under its 0.0.4 name instead),
 * no blank lines, and `# EOF` last. Nothing in a family can make the conversion fail: `\r` and NUL are ordinary
 * characters of an OpenMetrics escaped-string, so a process name set with prctl travels as it is in both formats.
 */
import type { Family, Series } from '../catalog';
import type { Logger } from '../log';
import { silentLogger } from '../log';
import { safeLabelValue, wellFormed } from './limits';
import type { ExpositionLimits, FamilyBlock, FamilyLimited, RenderedFamilies } from './types';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

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

/** A sample value: JavaScript's shortest digits, `Nan` (prom-client's spelling; both parsers read it), `+Inf`, `-Inf`. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return `${v}`;
}

const LABEL_ESCAPE = /[\\\n"]/g;
const HELP_ESCAPE = /[\\\n]/g;
const HELP_ESCAPE_OM = /[\\\n"]/g;

function escapeChar(c: string): string {
  return c === '\\' ? '\\\\' : c === '\n' ? '\\n' : '\\"';
}

/** A label value as both formats write it: `\\`, `\n` and `\"` escaped. */
export function escapeLabelValue(v: string): string {
  return v.includes('\\') || v.includes('\n') || v.includes('"') ? v.replace(LABEL_ESCAPE, escapeChar) : v;
}

/** Text 0.0.4 HELP: `\\` and `\n` escaped (a double quote stays). */
export function escapeHelpText(s: string): string {
  return s.replace(HELP_ESCAPE, escapeChar);
}

/** OpenMetrics escaped-string for HELP: backslash, newline and double quote. */
export function escapeHelpOpenMetrics(s: string): string {
  return s.replace(HELP_ESCAPE_OM, escapeChar);
}

/** `{a="x",b="y"}` in the order of `names` (a missing label is ""), or '' without labels. */
function labelText(labels: Readonly<Record<string, string>>, names: readonly string[], extra = ''): string {
  if (names.length === 0) return extra === '' ? '' : `{${extra}}`;
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as string;
    out += `${i === 0 ? '' : ','}${n}="${escapeLabelValue(labels[n] ?? '')}"`;
  }
  return `${out}${extra === '' ? '' : `,${extra}`}}`;
}

function validCounter(v: number): boolean {
  return Number.isFinite(v) && v >= 0;
}

function sampleLines(f: Family, labelNames: readonly string[]): string[] {
  const lines: string[] = [];
  if (f.type === 'histogram' || f.type === 'summary') {
    const bound = f.type === 'histogram' ? 'le' : 'quantile';
    for (const s of f.series) {
      for (const x of s.samples ?? []) {
        const labels = labelText(s.labels, labelNames, x.bound === null ? '' : `${bound}="${goFloat(x.bound)}"`);
        lines.push(`${x.name}${labels} ${formatValue(x.value)}`);
      }
    }
    return lines;
  }
  const counter = f.type === 'counter';
  if (labelNames.length === 0) {
    let v = 0;
    for (const s of f.series) {
      if (!counter) v = s.value;
      else if (validCounter(s.value)) v += s.value;
    }
    lines.push(`${f.name} ${formatValue(v)}`);
    return lines;
  }
  // The rendered labels are the series' identity: escaped and quoted, two label sets never render alike.
  const byLabels = new Map<string, number>();
  for (const s of f.series as readonly Series[]) {
    if (counter && !validCounter(s.value)) continue;
    const key = labelText(s.labels, labelNames);
    const had = byLabels.get(key);
    byLabels.set(key, had !== undefined && counter ? had + s.value : s.value);
  }
  for (const [labels, v] of byLabels) lines.push(`${f.name}${labels} ${formatValue(v)}`);
  return lines;
}

/** One family's block (no limits applied here). */
export function renderFamily(f: Family): FamilyBlock {
  const help = wellFormed(f.help);
  const head = `# HELP ${f.name} ${escapeHelpText(help)}\n# TYPE ${f.name} ${f.type}`;
  return { name: f.name, type: f.type, help, head, samples: sampleLines(f, [...f.labelNames].sort()).join('\n') };
}

/** A block's sample lines as text (decoded when they came as bytes). */
export function samplesText(b: FamilyBlock): string {
  return typeof b.samples === 'string'
    ? b.samples
    : Buffer.from(b.samples.buffer, b.samples.byteOffset, b.samples.length).toString('utf8');
}

/** A block's text 0.0.4: its family lines, then its sample lines when it has any (no newline at the end). */
export function blockText(b: FamilyBlock): string {
  return b.samples.length === 0 ? b.head : `${b.head}\n${samplesText(b)}`;
}

/** A family's HELP and TYPE lines, kept by name: the same few hundred families recur on every pass. */
interface Head {
  readonly type: string;
  readonly rawHelp: string;
  /** The HELP text made well-formed (FamilyBlock.help). */
  readonly help: string;
  readonly text: string;
}
const HEADS = new Map<string, Head>();
/** Bounds HEADS: families whose names change (textfile's) cannot grow it without end. */
const MAX_HEADS = 8192;

/** A family's HELP and TYPE lines (its block when it has no sample), as every rendering writes them. */
export function familyHead(f: Pick<Family, 'name' | 'help' | 'type'>): {
  readonly help: string;
  readonly text: string;
} {
  return headOf(f);
}

function headOf(f: Pick<Family, 'name' | 'help' | 'type'>): Head {
  const had = HEADS.get(f.name);
  if (had !== undefined && had.rawHelp === f.help && had.type === f.type) return had;
  const help = wellFormed(f.help);
  const head = {
    type: f.type,
    rawHelp: f.help,
    help,
    text: `# HELP ${f.name} ${escapeHelpText(help)}\n# TYPE ${f.name} ${f.type}`,
  };
  if (HEADS.size >= MAX_HEADS) HEADS.clear();
  HEADS.set(f.name, head);
  return head;
}

/** The label names in label-name order: the family's own array when it is already sorted (the common case). */
function sortedNames(names: readonly string[]): readonly string[] {
  for (let i = 1; i < names.length; i++) if ((names[i - 1] as string) > (names[i] as string)) return [...names].sort();
  return names;
}

/** A character that a label value cannot be written with as it is: to escape, or a surrogate (maybe lone). */
const NOT_PLAIN = /[\\\n"\uD800-\uDFFF]/;

/** True when a label value is written as it is under these limits: nothing to escape, check or cut. */
export function plainLabelValue(v: string, limits: ExpositionLimits): boolean {
  const maxBytes = limits.maxLabelValueBytes;
  return (maxBytes <= 0 || v.length * 3 <= maxBytes) && !NOT_PLAIN.test(v);
}

/**
 * One family's block with the limits applied in the same walk (what limitFamily then renderFamily produce, without
 * the intermediate family): the first `maxSeriesPerFamily` series, each label value well-formed, capped and escaped.
 * Cut label values are added to `cut[0]`.
 */
function renderLimited(f: Family, limits: ExpositionLimits, cut: number[]): FamilyBlock {
  const head = headOf(f);
  const max = limits.maxSeriesPerFamily;
  const n = max > 0 && f.series.length > max ? max : f.series.length;
  const names = sortedNames(f.labelNames);
  const maxBytes = limits.maxLabelValueBytes;
  const value = (v: string): string => {
    // Short values without a character to escape or check (nearly all of them) are written as they are.
    if ((maxBytes <= 0 || v.length * 3 <= maxBytes) && !NOT_PLAIN.test(v)) return v;
    const safe = safeLabelValue(v, maxBytes);
    if (safe.cut) cut[0] = (cut[0] ?? 0) + 1;
    return escapeLabelValue(safe.value);
  };
  /** `{a="x",b="y"` (no closing brace), or '' without labels. */
  const open = (labels: Readonly<Record<string, string>>): string => {
    let out = '';
    for (let i = 0; i < names.length; i++) {
      const k = names[i] as string;
      out += `${i === 0 ? '{' : ','}${k}="${value(labels[k] ?? '')}"`;
    }
    return out;
  };
  const lines: string[] = [];
  if (f.type === 'histogram' || f.type === 'summary') {
    const bound = f.type === 'histogram' ? 'le' : 'quantile';
    for (let i = 0; i < n; i++) {
      const s = f.series[i] as Series;
      const labels = open(s.labels);
      for (const x of s.samples ?? []) {
        const text =
          x.bound === null
            ? labels === ''
              ? ''
              : `${labels}}`
            : `${labels === '' ? '{' : `${labels},`}${bound}="${goFloat(x.bound)}"}`;
        lines.push(`${x.name}${text} ${formatValue(x.value)}`);
      }
    }
  } else if (names.length === 0) {
    const counter = f.type === 'counter';
    let v = 0;
    for (let i = 0; i < n; i++) {
      const s = (f.series[i] as Series).value;
      if (!counter) v = s;
      else if (validCounter(s)) v += s;
    }
    lines.push(`${f.name} ${formatValue(v)}`);
  } else {
    const counter = f.type === 'counter';
    // The rendered labels are the series' identity: escaped and quoted, two label sets never render alike.
    const byLabels = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const s = f.series[i] as Series;
      const key = `${open(s.labels)}}`;
      if (counter && !validCounter(s.value)) continue;
      const had = byLabels.get(key);
      byLabels.set(key, had !== undefined && counter ? had + s.value : s.value);
    }
    for (const [labels, v] of byLabels) lines.push(`${f.name}${labels} ${formatValue(v)}`);
  }
  return { name: f.name, type: f.type, help: head.help, head: head.text, samples: lines.join('\n') };
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Families -> blocks, sorted by name, each with the limits applied; a second family of one name is dropped (it
 * would make a second HELP/TYPE block).
 */
export function renderFamilies(
  input: readonly Family[],
  limits: ExpositionLimits,
  log: Logger = silentLogger,
): RenderedFamilies {
  const fams = [...input].sort(byName);
  const blocks: FamilyBlock[] = [];
  const limited: FamilyLimited[] = [];
  let last: string | null = null;
  for (const raw of fams) {
    if (raw.name === last) {
      log.warn('duplicate family dropped', { family: raw.name });
      continue;
    }
    last = raw.name;
    const cut = [0];
    blocks.push(renderLimited(raw, limits, cut));
    const max = limits.maxSeriesPerFamily;
    const dropped = max > 0 && raw.series.length > max ? raw.series.length - max : 0;
    const truncated = cut[0] ?? 0;
    if (dropped > 0 || truncated > 0)
      limited.push({ family: raw.name, droppedSeries: dropped, truncatedValues: truncated });
  }
  return { families: blocks, limited };
}

/** Blocks of several renderings in one order: by name, the first of a duplicated name kept (logged). */
export function orderBlocks(blocks: readonly FamilyBlock[], log: Logger = silentLogger): FamilyBlock[] {
  const sorted = [...blocks].sort(byName);
  const out: FamilyBlock[] = [];
  let last: string | null = null;
  for (const b of sorted) {
    if (b.name === last) {
      log.warn('duplicate family dropped', { family: b.name });
      continue;
    }
    last = b.name;
    out.push(b);
  }
  return out;
}

/**
 * orderBlocks for a sequence of blocks that recurs: pass after pass the collectors send the same families in the
 * same order, and sorting them again (a few thousand comparisons in the interpreter) gave the same permutation. The
 * last one is kept with the names it was made for, and used while they come back the same; anything else (other
 * names, a duplicate to drop and log) is sorted as orderBlocks sorts.
 */
export class BlockOrder {
  private names: readonly string[] = [];
  /** Index in the input of each output block; null after a sequence with a duplicate. */
  private perm: readonly number[] | null = null;

  /** The OpenMetrics family lines last made, for the names, types and HELP texts they were made for. */
  private heads: readonly OpenMetricsHead[] = [];

  /**
   * openMetricsHeads of ordered blocks, the last ones again while every block has the name, type and HELP they were
   * made for, at the same place (the same names: nothing that decides a head has changed).
   */
  openMetricsHeads(ordered: readonly FamilyBlock[]): readonly OpenMetricsHead[] {
    const n = ordered.length;
    let same = this.heads.length === n;
    for (let i = 0; i < n && same; i++) {
      const b = ordered[i] as FamilyBlock;
      const h = this.heads[i] as OpenMetricsHead;
      same = b.name === h.name && b.type === h.type && b.help === h.help;
    }
    if (!same) this.heads = openMetricsHeads(ordered);
    return this.heads;
  }

  order(blocks: readonly FamilyBlock[], log: Logger = silentLogger): FamilyBlock[] {
    const n = blocks.length;
    const perm = this.perm;
    if (perm !== null && this.names.length === n) {
      let same = true;
      for (let i = 0; i < n && same; i++) same = (blocks[i] as FamilyBlock).name === this.names[i];
      if (same) {
        const out = new Array<FamilyBlock>(n);
        for (let i = 0; i < n; i++) out[i] = blocks[perm[i] as number] as FamilyBlock;
        return out;
      }
    }
    const at = new Map<FamilyBlock, number>();
    for (let i = 0; i < n; i++) at.set(blocks[i] as FamilyBlock, i);
    const out = orderBlocks(blocks, log);
    this.names = blocks.map((b) => b.name);
    this.perm = out.length === n ? out.map((b) => at.get(b) as number) : null;
    return out;
  }
}

/** The UTF-8 of family lines, which recur pass after pass: they are encoded once, not on every body. */
const UTF8 = new Map<string, Buffer>();
/** Bounds UTF8, as MAX_HEADS bounds HEADS. */
const MAX_UTF8 = 2 * MAX_HEADS;

function utf8Of(s: string): Buffer {
  let b = UTF8.get(s);
  if (b === undefined) {
    b = Buffer.from(s, 'utf8');
    if (UTF8.size >= MAX_UTF8) UTF8.clear();
    UTF8.set(s, b);
  }
  return b;
}

/**
 * A body put together from bytes: the parts and their sizes first, then one buffer written once. The blocks' sample
 * lines that came from the collection worker as UTF-8 are copied as they are: the body is never a string in this
 * thread. Indexed loops and a part list sized up front: in the interpreter (runtime.jit off) an iterator or a growing
 * array allocated more than the parts themselves.
 */
class BodyBytes {
  private readonly parts: Uint8Array[];
  private n = 0;
  private size = 0;

  constructor(capacity: number) {
    this.parts = new Array<Uint8Array>(capacity);
  }

  add(p: Uint8Array): void {
    this.parts[this.n++] = p;
    this.size += p.length;
  }

  /** Text that recurs (family lines): its UTF-8 kept. */
  addRecurring(s: string): void {
    this.add(utf8Of(s));
  }

  /** Text of this body only (sample lines rendered in this thread). */
  addText(s: string): void {
    this.add(Buffer.from(s, 'utf8'));
  }

  done(): Buffer {
    const out = Buffer.allocUnsafe(this.size);
    const parts = this.parts;
    let at = 0;
    for (let i = 0; i < this.n; i++) {
      const p = parts[i] as Uint8Array;
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

const NEWLINE = Buffer.from('\n');
const BLANK_LINE = Buffer.from('\n\n');
const EOF = Buffer.from('# EOF\n');

/** The lines of sample bytes (no newline at the end, not empty). */
function lineCount(b: Uint8Array): number {
  let n = 1;
  for (let at = b.indexOf(10); at >= 0; at = b.indexOf(10, at + 1)) n++;
  return n;
}

/** The text 0.0.4 exposition of ordered blocks (orderBlocks), as UTF-8: blocks separated by a blank line, one newline at the end. */
export function assembleTextBytes(ordered: readonly FamilyBlock[]): Buffer {
  const out = new BodyBytes(4 * ordered.length + 1);
  for (let i = 0; i < ordered.length; i++) {
    const b = ordered[i] as FamilyBlock;
    if (i > 0) out.add(BLANK_LINE);
    out.addRecurring(b.head);
    const samples = b.samples;
    if (samples.length > 0) {
      out.add(NEWLINE);
      if (typeof samples === 'string') out.addText(samples);
      else out.add(samples);
    }
  }
  out.add(NEWLINE);
  return out.done();
}

/** assembleTextBytes as a string. */
export function assembleText(ordered: readonly FamilyBlock[]): string {
  return assembleTextBytes(ordered).toString('utf8');
}

/** A block's OpenMetrics family lines, for the name, type and HELP it was made for. */
export interface OpenMetricsHead {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  /** `# TYPE` and `# HELP` (no newline at the end). */
  readonly text: string;
  /** A counter whose name lacks `_total`: its samples gain it. */
  readonly suffix: boolean;
}

/** The OpenMetrics family lines of ordered blocks (orderBlocks): they depend on each block's name among all names. */
export function openMetricsHeads(ordered: readonly FamilyBlock[]): OpenMetricsHead[] {
  const names = new Set(ordered.map((b) => b.name));
  return ordered.map((b) => {
    let name = b.name;
    let type: string = b.type === 'untyped' ? 'unknown' : b.type;
    let suffix = false;
    if (b.type === 'counter') {
      const hasTotal = b.name.endsWith('_total');
      const base = hasTotal ? b.name.slice(0, -'_total'.length) : b.name;
      const clash =
        !METRIC_NAME.test(base) ||
        names.has(`${base}_created`) ||
        (hasTotal ? names.has(base) : names.has(`${base}_total`));
      if (clash) type = 'unknown';
      else {
        name = base;
        suffix = !hasTotal;
      }
    }
    const head = `# TYPE ${name} ${type}`;
    return {
      name: b.name,
      type: b.type,
      help: b.help,
      text: b.help === '' ? head : `${head}\n# HELP ${name} ${escapeHelpOpenMetrics(b.help)}`,
      suffix,
    };
  });
}

/**
 * The OpenMetrics 1.0.0 exposition of ordered blocks (orderBlocks) as UTF-8, ending in `# EOF\n`; `heads` are their
 * openMetricsHeads (made here when not given).
 */
export function assembleOpenMetricsBytes(
  ordered: readonly FamilyBlock[],
  heads: readonly OpenMetricsHead[] = openMetricsHeads(ordered),
): Buffer {
  let capacity = 3 * ordered.length + 1;
  // A counter gaining `_total` is three parts a line.
  for (let i = 0; i < ordered.length; i++) {
    const b = ordered[i] as FamilyBlock;
    if ((heads[i] as OpenMetricsHead).suffix && typeof b.samples !== 'string') capacity += 3 * lineCount(b.samples);
  }
  const out = new BodyBytes(capacity);
  for (let i = 0; i < ordered.length; i++) {
    const b = ordered[i] as FamilyBlock;
    const h = heads[i] as OpenMetricsHead;
    out.addRecurring(h.text);
    out.add(NEWLINE);
    const body = b.samples;
    if (body.length === 0) continue;
    if (!h.suffix) {
      if (typeof body === 'string') out.addText(body);
      else out.add(body);
      out.add(NEWLINE);
    } else if (typeof body === 'string') {
      // Every sample line of a counter starts with the family's name: it gains `_total` right after it.
      out.addText(
        body
          .split('\n')
          .map((l) => `${b.name}_total${l.slice(b.name.length)}\n`)
          .join(''),
      );
    } else {
      // The same on the bytes: the name is ASCII (METRIC_NAME), as long in bytes as in characters.
      const total = utf8Of(`${b.name}_total`);
      for (let at = 0; at < body.length;) {
        const nl = body.indexOf(10, at);
        const end = nl < 0 ? body.length : nl;
        out.add(total);
        out.add(body.subarray(at + b.name.length, end));
        out.add(NEWLINE);
        at = end + 1;
      }
    }
  }
  out.add(EOF);
  return out.done();
}

/** assembleOpenMetricsBytes as a string. */
export function assembleOpenMetrics(
  ordered: readonly FamilyBlock[],
  heads: readonly OpenMetricsHead[] = openMetricsHeads(ordered),
): string {
  return assembleOpenMetricsBytes(ordered, heads).toString('utf8');
}

/** A snapshot's exposition in both formats, each built on first use and kept. */
export interface Exposition {
  readonly text: string;
  readonly openMetrics: () => string;
  /** The text 0.0.4 body as UTF-8 (what the server sends), built on first use and kept. */
  readonly textBytes: () => Buffer;
  /** The OpenMetrics body as UTF-8, built on first use and kept. */
  readonly openMetricsBytes: () => Buffer;
}

/** `order` keeps the blocks' order between calls (BlockOrder): for the renderings of one source, pass after pass. */
export function exposition(
  blocks: readonly FamilyBlock[],
  log: Logger = silentLogger,
  order: BlockOrder | null = null,
): Exposition {
  const ordered = order === null ? orderBlocks(blocks, log) : order.order(blocks, log);
  let text: Buffer | null = null;
  let om: Buffer | null = null;
  // Put together when first asked for: a scraper that takes OpenMetrics (Prometheus) never needs the text.
  const textBytes = (): Buffer => (text ??= assembleTextBytes(ordered));
  const openMetricsBytes = (): Buffer =>
    (om ??= assembleOpenMetricsBytes(
      ordered,
      order === null ? openMetricsHeads(ordered) : order.openMetricsHeads(ordered),
    ));
  return {
    get text(): string {
      return textBytes().toString('utf8');
    },
    openMetrics: () => openMetricsBytes().toString('utf8'),
    textBytes,
    openMetricsBytes,
  };
}
