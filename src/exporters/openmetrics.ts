/**
 * Prometheus text exposition 0.0.4 -> OpenMetrics 1.0.0 text, as a pure function of the text (the server converts
 * each snapshot's exposition once, when a scraper asks for OpenMetrics).
 *
 * What OpenMetrics 1.0.0 requires that 0.0.4 does not:
 * - a counter family is named without `_total` while its samples carry it (`# TYPE foo counter` / `foo_total 1`);
 *   a counter whose 0.0.4 name lacks `_total` keeps its name as the family name and its samples gain `_total`
 *   (as prometheus/common's expfmt does). When that renaming would clash with another family's name, the family is
 *   exposed as `unknown` under its 0.0.4 name instead, so every sample keeps a name of its own;
 * - `untyped` is `unknown`; histogram, summary and gauge stay (a gauge named `..._info` is a valid gauge);
 * - HELP escapes `\\`, `\n` and `"` (0.0.4 HELP escapes only the first two); label values escape the same three in
 *   both formats and pass through unchanged; an empty HELP is left out (OpenMetrics treats it as absent);
 * - no blank lines, no comments other than TYPE/HELP, single spaces between tokens, timestamps in seconds (0.0.4 has
 *   milliseconds), and `# EOF` as the last line.
 */

/** Thrown when the input is not a text 0.0.4 exposition the converter can carry over. */
export class OpenMetricsConversionError extends Error {
  constructor(readonly line: number, msg: string) {
    super(`cannot convert exposition line ${line} to OpenMetrics: ${msg}`);
    this.name = 'OpenMetricsConversionError';
  }
}

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

type PromType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
const PROM_TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

interface Sample {
  readonly name: string;
  /** Rendered `{a="x",b="y"}` (values kept as escaped in the input) or ''. */
  readonly labels: string;
  readonly value: string;
  /** OpenMetrics timestamp (seconds) or null. */
  readonly ts: string | null;
}

interface Family {
  readonly name: string;
  type: PromType | null;
  /** Unescaped HELP text, or null when there is none. */
  help: string | null;
  readonly samples: Sample[];
  /** Input line of the family's first line, for messages. */
  readonly line: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const NAME_PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const COMMENT = /^#[ \t]+(HELP|TYPE)[ \t]+([^ \t]+)(?:[ \t]+(.*))?$/;
/** OpenMetrics `number` (realnumber, [sign] inf/infinity, nan; case-insensitive). */
const OM_NUMBER = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|[+-]?inf(?:inity)?|nan)$/i;
const INT_MS = /^-?\d+$/;

/** Unescapes 0.0.4 HELP text: `\\` and `\n`; any other backslash stays literal (as Prometheus reads it). */
function unescapeHelp004(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\([\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** OpenMetrics escaped-string for HELP: backslash, newline and double quote. */
export function escapeOpenMetrics(s: string): string {
  return s.replace(/[\\\n"]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : '\\"'));
}

function omValue(v: string, line: number): string {
  if (OM_NUMBER.test(v)) return v;
  // Go's ParseFloat (what 0.0.4 parsers use) takes a few spellings OpenMetrics does not, such as hex.
  const n = Number(v);
  if (v.trim() === '' || Number.isNaN(n)) throw new OpenMetricsConversionError(line, `bad sample value ${JSON.stringify(v)}`);
  return n === Infinity ? '+Inf' : n === -Infinity ? '-Inf' : String(n);
}

/** 0.0.4 timestamps are integer milliseconds; OpenMetrics wants seconds. Done on the digits, so nothing is rounded. */
function omTimestamp(ms: string, line: number): string {
  if (!INT_MS.test(ms)) throw new OpenMetricsConversionError(line, `bad timestamp ${JSON.stringify(ms)}`);
  const neg = ms.startsWith('-');
  const digits = (neg ? ms.slice(1) : ms).padStart(4, '0');
  const secs = digits.slice(0, -3).replace(/^0+(?=\d)/, '');
  return `${neg ? '-' : ''}${secs}.${digits.slice(-3)}`;
}

/** Parses `{a="x",b="y"}` at the start of `s` (0.0.4 allows blanks and a trailing comma); returns it re-rendered. */
function parseLabels(s: string, line: number): { labels: string; rest: string } {
  let i = 1;
  const out: string[] = [];
  const names = new Set<string>();
  const skipBlank = (): void => {
    while (s[i] === ' ' || s[i] === '\t') i++;
  };
  for (;;) {
    skipBlank();
    if (s[i] === '}') {
      i++;
      break;
    }
    const m = LABEL_NAME.exec(s.slice(i));
    if (!m) throw new OpenMetricsConversionError(line, 'bad label name');
    const name = m[0];
    if (names.has(name)) throw new OpenMetricsConversionError(line, `duplicate label ${name}`);
    names.add(name);
    i += name.length;
    skipBlank();
    if (s[i] !== '=') throw new OpenMetricsConversionError(line, `no '=' after label ${name}`);
    i++;
    skipBlank();
    if (s[i] !== '"') throw new OpenMetricsConversionError(line, `label ${name} has no quoted value`);
    const start = ++i;
    while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
    if (i >= s.length) throw new OpenMetricsConversionError(line, `label ${name} value is not closed`);
    // The escapes of a 0.0.4 label value (\\, \", \n) are OpenMetrics' own: the raw text carries over.
    out.push(`${name}="${s.slice(start, i)}"`);
    i++;
    skipBlank();
    if (s[i] === ',') i++;
    else if (s[i] !== '}') throw new OpenMetricsConversionError(line, `expected ',' or '}' after label ${name}`);
  }
  return { labels: out.length > 0 ? `{${out.join(',')}}` : '', rest: s.slice(i) };
}

function parseSample(text: string, line: number): Sample {
  const m = NAME_PREFIX.exec(text);
  if (!m) throw new OpenMetricsConversionError(line, 'sample line does not start with a metric name');
  const name = m[0];
  let rest = text.slice(name.length).replace(/^[ \t]+/, '');
  let labels = '';
  if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
  const fields = rest.trim().split(/[ \t]+/);
  if (fields.length < 1 || fields.length > 2 || fields[0] === '') {
    throw new OpenMetricsConversionError(line, 'a sample is a name, labels, a value and an optional timestamp');
  }
  const value = omValue(fields[0] ?? '', line);
  const ts = fields[1] === undefined ? null : omTimestamp(fields[1], line);
  return { name, labels, value, ts };
}

/** Whether a sample named `sample` belongs to the 0.0.4 family `f`. */
function belongs(f: Family, sample: string): boolean {
  if (sample === f.name) return f.type !== 'histogram';
  if (f.type === 'summary') return sample === `${f.name}_sum` || sample === `${f.name}_count`;
  if (f.type === 'histogram') return sample === `${f.name}_bucket` || sample === `${f.name}_sum` || sample === `${f.name}_count`;
  return false;
}

function parse004(text: string): Family[] {
  const families: Family[] = [];
  const byName = new Map<string, Family>();
  let cur: Family | null = null;
  const open = (name: string, line: number): Family => {
    if (byName.has(name)) throw new OpenMetricsConversionError(line, `family ${name} appears twice (interleaved or repeated)`);
    const f: Family = { name, type: null, help: null, samples: [], line };
    families.push(f);
    byName.set(name, f);
    return f;
  };
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n] ?? '';
    const lineNo = n + 1;
    if (raw.includes('\r')) throw new OpenMetricsConversionError(lineNo, 'carriage return');
    const s = raw.replace(/^[ \t]+/, '');
    if (s === '') continue;
    if (s.startsWith('#')) {
      const c = COMMENT.exec(s);
      if (!c) continue; // a plain 0.0.4 comment: OpenMetrics allows none, and it carries no data
      const [, kw, name = '', arg = ''] = c;
      if (!METRIC_NAME.test(name)) throw new OpenMetricsConversionError(lineNo, `bad metric name ${JSON.stringify(name)}`);
      // A HELP or TYPE line starts a family unless it describes the one being read, before its first sample.
      if (!cur || cur.name !== name || cur.samples.length > 0) cur = open(name, lineNo);
      if (kw === 'HELP') {
        if (cur.help !== null) throw new OpenMetricsConversionError(lineNo, `second HELP for ${name}`);
        cur.help = unescapeHelp004(arg);
      } else {
        const t = arg.trim();
        if (cur.type !== null) throw new OpenMetricsConversionError(lineNo, `second TYPE for ${name}`);
        if (!PROM_TYPES.has(t)) throw new OpenMetricsConversionError(lineNo, `unknown type ${JSON.stringify(t)} for ${name}`);
        cur.type = t as PromType;
      }
      continue;
    }
    const sample = parseSample(s, lineNo);
    if (!cur || !belongs(cur, sample.name)) cur = open(sample.name, lineNo);
    cur.samples.push(sample);
  }
  return families;
}

/** Converts a text 0.0.4 exposition to OpenMetrics 1.0.0 text ending in `# EOF\n`. */
export function toOpenMetrics(text: string): string {
  const families = parse004(text);
  const names = new Set(families.map((f) => f.name));
  const out: string[] = [];
  for (const f of families) {
    let name = f.name;
    let type: string = f.type === null || f.type === 'untyped' ? 'unknown' : f.type;
    let rename: ((sample: string) => string) | null = null;
    if (type === 'counter') {
      const hasTotal = f.name.endsWith('_total');
      const base = hasTotal ? f.name.slice(0, -'_total'.length) : f.name;
      const clash = !METRIC_NAME.test(base) || (hasTotal ? names.has(base) || names.has(`${base}_created`) : names.has(`${base}_total`) || names.has(`${base}_created`));
      if (clash) type = 'unknown';
      else {
        name = base;
        if (!hasTotal) rename = (s) => `${s}_total`;
      }
    }
    out.push(`# TYPE ${name} ${type}`);
    if (f.help !== null && f.help !== '') out.push(`# HELP ${name} ${escapeOpenMetrics(f.help)}`);
    for (const s of f.samples) {
      const sname = rename ? rename(s.name) : s.name;
      out.push(s.ts === null ? `${sname}${s.labels} ${s.value}` : `${sname}${s.labels} ${s.value} ${s.ts}`);
    }
  }
  out.push('# EOF', '');
  return out.join('\n');
}
