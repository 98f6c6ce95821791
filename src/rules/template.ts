/**
 * The subset of Go's text/template that process-exporter name templates use, rendered the way Go prints the values.
 *
 * Accepted: literal text, `{{.Field}}`, `{{.Matches.key}}`, `{{index .Matches "key"}}`, `{{.Matches}}`, comments
 * `{{/* ... *\/}}` and the trim markers `{{- ` / ` -}}`. Anything else (pipelines, if/range, functions) is refused
 * when the config loads, with the construct named, so that a typo never becomes a silently empty group name the way
 * it does in process-exporter (it ignores template.Execute's error).
 */

/** process-exporter's template fields (config.templateParams, v0.8), then ours. */
export const TEMPLATE_FIELDS = [
  'Comm',
  'ExeBase',
  'ExeFull',
  'Username',
  'PID',
  'StartTime',
  'Cgroups',
  'Cwd',
  'Matches',
  'ContainerID',
  'PodUID',
  'PodName',
  'Namespace',
  'ContainerName',
  'SystemdUnit',
] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

const FIELD_SET: ReadonlySet<string> = new Set(TEMPLATE_FIELDS);

/** What a template is rendered from. Only the fields the template uses are read. */
export interface TemplateValues {
  readonly Comm: string;
  readonly ExeBase: string;
  readonly ExeFull: string;
  readonly Username: string;
  readonly PID: number;
  /** Start time as Go prints a UTC time.Time: "2026-11-27 06:05:39.42 +0000 UTC". */
  readonly StartTime: string;
  readonly Cgroups: readonly string[];
  readonly Cwd: string;
  readonly Matches: Readonly<Record<string, string>>;
  readonly ContainerID: string;
  readonly PodUID: string;
  /** From the kubelet's log directories (types.ts PodNames); "" outside a pod or where none names it. */
  readonly PodName: string;
  readonly Namespace: string;
  readonly ContainerName: string;
  /** The last *.service / *.scope component of the process's cgroup path; "" when none. */
  readonly SystemdUnit: string;
}

type Part =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'field'; readonly field: Exclude<TemplateField, 'Matches'> }
  | { readonly kind: 'match'; readonly key: string }
  | { readonly kind: 'matches' };

export class TemplateError extends Error {
  readonly code = 'ERR_RULES_TEMPLATE';
  /** Offset in the template source where the problem is. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'TemplateError';
    this.offset = offset;
  }
}

export interface CompiledTemplate {
  readonly source: string;
  /** Fields the template reads; empty for a literal template. */
  readonly fields: ReadonlySet<TemplateField>;
  /** Keys read from .Matches (by `.Matches.k` or `index .Matches "k"`). */
  readonly matchKeys: ReadonlySet<string>;
  /** True when the output never depends on the process (a static group name or label). */
  readonly isStatic: boolean;
  render(values: TemplateValues): string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SPACE = /[ \t\r\n]/;

/** Go's `<no value>`: what text/template prints for a missing map key (missingkey=default). */
export const GO_NO_VALUE = '<no value>';

export function compileTemplate(source: string): CompiledTemplate {
  if (typeof source !== 'string') throw new TypeError('template must be a string');
  const parts: Part[] = [];
  const fields = new Set<TemplateField>();
  const matchKeys = new Set<string>();
  let pos = 0;
  let text = '';
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    if (open < 0) {
      text += source.slice(pos);
      break;
    }
    text += source.slice(pos, open);
    let start = open + 2;
    // Go: "{{- " trims the text before (the '-' must be followed by a space to be a trim marker).
    if (source[start] === '-' && SPACE.test(source[start + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      start += 1;
    }
    const close = findClose(source, start);
    if (close < 0) throw new TemplateError(`unclosed action: no "}}" after offset ${open}`, open);
    let end = close;
    let trimAfter = false;
    if (source[end - 1] === '-' && SPACE.test(source[end - 2] ?? '') && end - 1 > start) {
      trimAfter = true;
      end -= 1;
    }
    if (text) parts.push({ kind: 'text', text });
    text = '';
    const body = source.slice(start, end).trim();
    const part = parseAction(body, open);
    if (part) {
      parts.push(part);
      if (part.kind === 'field') fields.add(part.field);
      else {
        fields.add('Matches');
        if (part.kind === 'match') matchKeys.add(part.key);
      }
    }
    pos = close + 2;
    if (trimAfter) {
      while (pos < source.length && SPACE.test(source[pos] ?? '')) pos++;
    }
  }
  if (text) parts.push({ kind: 'text', text });
  const frozen = Object.freeze(parts.slice());
  return Object.freeze({
    source,
    fields,
    matchKeys,
    isStatic: fields.size === 0,
    render: (values: TemplateValues) => renderParts(frozen, values),
  });
}

/** The "}}" ending the action that starts at `from`, skipping quoted strings and comments. */
function findClose(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) return -1;
      i = j + 1;
    } else if (c === '/' && src[i + 1] === '*') {
      const j = src.indexOf('*/', i + 2);
      if (j < 0) return -1;
      i = j + 2;
    } else if (c === '}' && src[i + 1] === '}') {
      return i;
    } else {
      i++;
    }
  }
  return -1;
}

function parseAction(body: string, offset: number): Part | null {
  if (body.startsWith('/*')) {
    if (!body.endsWith('*/')) throw new TemplateError('a comment must be the whole action: {{/* ... */}}', offset);
    return null;
  }
  if (body === '') throw new TemplateError('empty action {{}}', offset);
  const tokens = tokenize(body, offset);
  if (tokens.length === 1) return fieldPart(tokens[0] ?? '', offset);
  if (tokens.length === 3 && tokens[0] === 'index') {
    const target = tokens[1] ?? '';
    const key = tokens[2] ?? '';
    if (target !== '.Matches') {
      throw new TemplateError(`only "index .Matches \\"key\\"" is supported, not index ${target}`, offset);
    }
    const parsed = parseGoString(key);
    if (parsed === null) throw new TemplateError(`index .Matches needs a quoted key, got ${key}`, offset);
    return { kind: 'match', key: parsed };
  }
  throw new TemplateError(
    `unsupported template action {{${body}}}: only fields such as {{.Comm}}, {{.Matches.name}} and ` +
      `{{index .Matches "name"}} are supported`,
    offset,
  );
}

function fieldPart(token: string, offset: number): Part {
  if (!token.startsWith('.') || token === '.') {
    throw new TemplateError(`unsupported template action {{${token}}}: expected a field such as {{.Comm}}`, offset);
  }
  const chain = token.slice(1).split('.');
  const head = chain[0] ?? '';
  if (!FIELD_SET.has(head)) {
    throw new TemplateError(
      `unknown template field .${head} (known: ${TEMPLATE_FIELDS.map((f) => '.' + f).join(' ')})`,
      offset,
    );
  }
  if (head === 'Matches') {
    if (chain.length === 1) return { kind: 'matches' };
    const key = chain[1] ?? '';
    if (chain.length > 2 || !IDENT.test(key)) {
      throw new TemplateError(`bad field ${token}: expected .Matches.<capture name>`, offset);
    }
    return { kind: 'match', key };
  }
  if (chain.length > 1) throw new TemplateError(`field .${head} has no field .${chain[1] ?? ''}`, offset);
  return { kind: 'field', field: head as Exclude<TemplateField, 'Matches'> };
}

function tokenize(body: string, offset: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i] ?? '';
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    let j = i;
    if (c === '"') {
      j++;
      while (j < body.length && body[j] !== '"') j += body[j] === '\\' ? 2 : 1;
      if (j >= body.length) throw new TemplateError('unterminated quoted string', offset);
      j++;
    } else if (c === '`') {
      j = body.indexOf('`', i + 1);
      if (j < 0) throw new TemplateError('unterminated raw string', offset);
      j++;
    } else {
      while (j < body.length && !SPACE.test(body[j] ?? '')) {
        if (body[j] === '|' || body[j] === '(' || body[j] === ')') {
          throw new TemplateError(
            `unsupported template action {{${body}}}: pipelines and calls are not supported`,
            offset,
          );
        }
        j++;
      }
    }
    out.push(body.slice(i, j));
    i = j;
  }
  return out;
}

/** A Go interpreted ("...") or raw (`...`) string literal, or null. */
function parseGoString(tok: string): string | null {
  if (tok.length >= 2 && tok.startsWith('`') && tok.endsWith('`')) return tok.slice(1, -1);
  if (tok.length < 2 || !tok.startsWith('"') || !tok.endsWith('"')) return null;
  try {
    // Go's escapes are a superset of JSON's for the cases that occur in capture names.
    const v: unknown = JSON.parse(tok);
    return typeof v === 'string' ? v : null;
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
}

function renderParts(parts: readonly Part[], v: TemplateValues): string {
  let out = '';
  for (const p of parts) {
    switch (p.kind) {
      case 'text':
        out += p.text;
        break;
      case 'match': {
        const m = v.Matches[p.key];
        out += m === undefined ? GO_NO_VALUE : m;
        break;
      }
      case 'matches':
        out += goMap(v.Matches);
        break;
      case 'field':
        out += renderField(p.field, v);
        break;
    }
  }
  return out;
}

function renderField(f: Exclude<TemplateField, 'Matches'>, v: TemplateValues): string {
  switch (f) {
    case 'PID':
      return String(v.PID);
    case 'Cgroups':
      // fmt prints a []string as [a b c].
      return `[${v.Cgroups.join(' ')}]`;
    default:
      return v[f];
  }
}

/** fmt's rendering of a map[string]string: keys sorted, `map[k1:v1 k2:v2]`. */
function goMap(m: Readonly<Record<string, string>>): string {
  const keys = Object.keys(m).sort();
  return `map[${keys.map((k) => `${k}:${m[k] ?? ''}`).join(' ')}]`;
}

/**
 * A UTC time as Go's time.Time.String() prints it ("2006-01-02 15:04:05.999999999 -0700 MST"), from boot time in
 * whole seconds plus start time in clock ticks, as process-exporter computes it (no float rounding).
 */
export function goTimeString(bootTimeSeconds: number, startTicks: number, clockTicks: number): string {
  const wholeFromTicks = Math.floor(startTicks / clockTicks);
  const restTicks = startTicks - wholeFromTicks * clockTicks;
  const seconds = Math.floor(bootTimeSeconds) + wholeFromTicks;
  const nanos = Math.round((restTicks * 1e9) / clockTicks);
  const d = new Date(seconds * 1000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  let s =
    `${String(d.getUTCFullYear()).padStart(4, '0')}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  if (nanos > 0) s += '.' + String(nanos).padStart(9, '0').replace(/0+$/, '');
  return s + ' +0000 UTC';
}
