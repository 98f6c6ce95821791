/**
 * Prometheus text format 0.0.4 -> families, as node_exporter's parser (prometheus/common's expfmt) reads it: the one
 * text parser of the agent (the textfile collector reads `*.prom` files with it; the tests read the agent's own output
 * back with it). Pure: a Buffer or string in, families out, ParseError naming the line on anything expfmt refuses.
 */
import { ParseError } from '../../probes/errors';

export type TextType = 'counter' | 'gauge' | 'untyped' | 'histogram' | 'summary';

export interface TextSample {
  /** The sample's own name (`x_bucket` of histogram `x`). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Milliseconds since the epoch when the line carried a timestamp, else null. */
  readonly timestampMs: number | null;
}

export interface TextFamily {
  readonly name: string;
  /** null without a HELP line (or with an empty one: `# HELP x`). */
  readonly help: string | null;
  readonly type: TextType;
  readonly samples: readonly TextSample[];
}

const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'untyped', 'histogram', 'summary']);
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_CHAR = /[a-zA-Z0-9_]/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_FLOAT = /^([+-]?)(inf|infinity|nan)$/i;
const INTEGER = /^[+-]?\d+$/;

interface MutableFamily {
  name: string;
  help: string | null;
  type: TextType | null;
  samples: TextSample[];
}

/** Go's strconv.ParseFloat as expfmt calls it: decimal or inf/infinity/nan, no hex, no `_`, no overflow to Inf. */
export function parseGoFloat(s: string): number | null {
  const special = SPECIAL_FLOAT.exec(s);
  if (special) {
    if ((special[2] as string).toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!FLOAT.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/**
 * Parses Prometheus text format 0.0.4 as node_exporter's parser (expfmt) does. Families come in the order they first
 * appear; a family with no samples (HELP/TYPE lines only) is left out. Throws ParseError naming the line.
 */
export function parseTextFormat(input: Buffer | string, file = '<input>'): TextFamily[] {
  // Invalid UTF-8 decodes to U+FFFD: in a label value or HELP it stays, in a name it fails the name check.
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  // expfmt ends a file only at the start of a line: a last line without its newline is an error unless it is blank.
  if (!/^[ \t]*$/.test(last)) throw new ParseError(file, `line ${lines.length + 1}: unexpected end of input stream`);
  const byName = new Map<string, MutableFamily>();
  const family = (name: string): MutableFamily => {
    let f = byName.get(name);
    if (!f) {
      f = { name, help: null, type: null, samples: [] };
      byName.set(name, f);
    }
    return f;
  };
  lines.forEach((line, i) => {
    const fail = (msg: string): never => {
      throw new ParseError(file, `line ${i + 1}: ${msg}`);
    };
    let p = 0;
    const skipBlanks = (): void => {
      while (isBlank(line[p])) p++;
    };
    const token = (): string => {
      const start = p;
      while (p < line.length && !isBlank(line[p])) p++;
      return line.slice(start, p);
    };
    skipBlanks();
    if (p === line.length) return;
    if (line[p] === '#') {
      p++;
      skipBlanks();
      const keyword = token();
      if (keyword !== 'HELP' && keyword !== 'TYPE') return; // an ordinary comment
      skipBlanks();
      if (p === line.length) return;
      const name = token();
      if (!METRIC_NAME.test(name)) fail(`invalid metric name in comment: ${JSON.stringify(name)}`);
      skipBlanks();
      if (p === line.length) return; // `# HELP x` / `# TYPE x`: nothing set
      const rest = line.slice(p);
      const f = family(name);
      if (keyword === 'HELP') {
        if (f.help !== null) fail(`second HELP line for metric name ${JSON.stringify(name)}`);
        f.help = unescape(rest, false, fail);
      } else {
        const t = rest.toLowerCase();
        if (!TYPES.has(t)) fail(`unknown metric type ${JSON.stringify(rest)}`);
        if (f.type !== null)
          fail(`second TYPE line for metric name ${JSON.stringify(name)}, or TYPE reported after samples`);
        f.type = t as TextType;
      }
      return;
    }
    // A sample: name, optional {labels}, value, optional integer timestamp.
    const nameStart = p;
    while (p < line.length && NAME_CHAR.test(line[p] as string)) p++;
    const name = line.slice(nameStart, p);
    if (!METRIC_NAME.test(name))
      fail(`invalid metric name ${JSON.stringify(name || line.slice(nameStart, nameStart + 16))}`);
    skipBlanks();
    const labels: Record<string, string> = {};
    if (line[p] === '{') {
      p++;
      for (;;) {
        skipBlanks();
        if (line[p] === '}') break;
        const ls = p;
        while (p < line.length && LABEL_CHAR.test(line[p] as string)) p++;
        const label = line.slice(ls, p);
        if (!/^[a-zA-Z_]/.test(label)) fail(`invalid label name for metric ${JSON.stringify(name)}`);
        if (label.startsWith('__')) fail(`label name ${JSON.stringify(label)} is reserved`);
        if (Object.prototype.hasOwnProperty.call(labels, label))
          fail(`duplicate label names for metric ${JSON.stringify(name)}`);
        skipBlanks();
        if (line[p] !== '=') fail(`expected '=' after label name, found ${JSON.stringify(line[p] ?? 'end of line')}`);
        p++;
        skipBlanks();
        if (line[p] !== '"')
          fail(`expected '"' at start of label value, found ${JSON.stringify(line[p] ?? 'end of line')}`);
        p++;
        const vs = p;
        while (p < line.length && line[p] !== '"') p += line[p] === '\\' ? 2 : 1;
        if (p >= line.length)
          fail(`label value of ${JSON.stringify(label)} is not closed on its line (an unescaped new-line?)`);
        labels[label] = unescape(line.slice(vs, p), true, fail);
        p++;
        skipBlanks();
        if (line[p] === ',') {
          p++;
          continue;
        }
        if (line[p] === '}') break;
        fail(`unexpected ${JSON.stringify(line[p] ?? 'end of line')} after a label value`);
      }
      p++;
      skipBlanks();
    }
    const raw = token();
    const value = parseGoFloat(raw);
    if (value === null) fail(`expected float as value, got ${JSON.stringify(raw)}`);
    let timestampMs: number | null = null;
    if (p < line.length) {
      skipBlanks();
      const ts = token();
      if (!INTEGER.test(ts)) fail(`expected integer as timestamp, got ${JSON.stringify(ts)}`);
      timestampMs = Number(ts);
      skipBlanks();
      if (p < line.length) fail(`spurious string after timestamp: ${JSON.stringify(line.slice(p))}`);
    }
    const f = family(familyOf(byName, name));
    // expfmt reads `le` of any histogram sample and `quantile` of any summary sample as a float.
    const bound = f.type === 'histogram' ? 'le' : f.type === 'summary' ? 'quantile' : null;
    const bv = bound === null ? undefined : labels[bound];
    if (bv !== undefined && parseGoFloat(bv) === null)
      fail(`expected float as value for ${JSON.stringify(bound)} label, got ${JSON.stringify(bv)}`);
    f.samples.push({ name, labels, value: value as number, timestampMs });
    if (f.type === null) f.type = 'untyped';
  });
  const out: TextFamily[] = [];
  for (const f of byName.values()) {
    if (f.samples.length > 0) out.push({ name: f.name, help: f.help, type: f.type ?? 'untyped', samples: f.samples });
  }
  return out;
}

/** The family a sample belongs to: `x_bucket` of histogram `x`, `x_sum`/`x_count` of a histogram or summary `x`. */
function familyOf(byName: ReadonlyMap<string, MutableFamily>, name: string): string {
  if (byName.has(name)) return name;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (m) {
    const base = byName.get(m[1] as string);
    if (base && (base.type === 'histogram' || (base.type === 'summary' && m[2] !== 'bucket'))) return base.name;
  }
  return name;
}

/** The format's escapes: `\\` and `\n` in HELP, also `\"` in label values; any other is an error. */
function unescape(s: string, labelValue: boolean, fail: (msg: string) => never): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === '\\') out += '\\';
    else if (n === 'n') out += '\n';
    else if (n === '"' && labelValue) out += '"';
    else fail(`invalid escape sequence '\\${n ?? ''}'`);
  }
  return out;
}
