/**
 * What a Grafana dashboard asks of Prometheus: every PromQL expression of its panels and template variables, and the
 * metric and label names each one uses. A small lexer rather than a full parser: strings and label matchers are cut
 * out first, then identifiers that are not functions, aggregations, keywords, durations or Grafana variables are
 * metric names.
 */

export interface DashboardQuery {
  /** Panel title (or `variable <name>`) for messages. */
  readonly where: string;
  readonly expr: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Panel targets' `expr` (rows' nested panels too) and query variables' `query` (string or `{query}`). */
export function dashboardQueries(dashboard: unknown): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const walkPanels = (panels: Json | undefined): void => {
    if (!Array.isArray(panels)) return;
    for (const p of panels) {
      if (p === null || typeof p !== 'object' || Array.isArray(p)) continue;
      const title = typeof p['title'] === 'string' ? p['title'] : `panel ${JSON.stringify(p['id'])}`;
      const targets = p['targets'];
      if (Array.isArray(targets)) {
        for (const t of targets) {
          if (t !== null && typeof t === 'object' && !Array.isArray(t) && typeof t['expr'] === 'string' && t['expr'].trim() !== '') {
            out.push({ where: title, expr: t['expr'] });
          }
        }
      }
      walkPanels(p['panels']);
    }
  };
  const d = dashboard as { [k: string]: Json };
  walkPanels(d['panels']);
  const vars = (d['templating'] as { list?: Json[] } | undefined)?.list ?? [];
  for (const v of vars) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v['type'] !== 'query') continue;
    const q = v['query'];
    const text = typeof q === 'string' ? q : q !== null && typeof q === 'object' && !Array.isArray(q) && typeof q['query'] === 'string' ? q['query'] : '';
    if (text.trim() !== '') out.push({ where: `variable ${JSON.stringify(v['name'])}`, expr: text });
  }
  return out;
}

// PromQL keywords, aggregation modifiers and Grafana's templating functions: never metric names.
const KEYWORDS = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'atan2',
  'inf', 'nan', 'Inf', 'NaN', 'start', 'end',
]);

/** String literals blanked to `"xx"` of the same length: indices into the result are indices into the input. */
function stripStrings(expr: string): string {
  return expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, (m) => `"${'x'.repeat(m.length - 2)}"`);
}

/**
 * Grafana's `label_values(metric{...}, label)` / `label_values(label)` / `query_result(expr)` / `metrics(re)`: the
 * PromQL inside, or null when there is none (a bare `label_values(label)` names no metric).
 */
function grafanaInner(expr: string): string | null {
  const t = expr.trim();
  const lv = /^label_values\(([\s\S]*)\)$/.exec(t);
  if (lv) {
    const inner = lv[1] ?? '';
    const comma = topLevelLastComma(inner);
    return comma < 0 ? null : inner.slice(0, comma);
  }
  const qr = /^query_result\(([\s\S]*)\)$/.exec(t);
  if (qr) return qr[1] ?? '';
  if (/^(metrics|label_names)\(/.test(t)) return null;
  return t;
}

function topLevelLastComma(s: string): number {
  let depth = 0;
  let last = -1;
  const clean = stripStrings(s);
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i];
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) last = i;
  }
  return last;
}

/** Metric names an expression reads. */
export function metricNames(expr: string): string[] {
  const inner = grafanaInner(expr);
  if (inner === null) return [];
  let s = stripStrings(inner);
  s = s.replace(/\{[^{}]*\}/g, ' '); // label matchers
  s = s.replace(/\[[^\]]*\]/g, ' '); // ranges and subqueries ([5m], [$__rate_interval], [1h:5m])
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const out = new Set<string>();
  for (const m of s.matchAll(/(?<![\w$.:])([A-Za-z_:][A-Za-z0-9_:]*)(?=(\s*)(.?))/g)) {
    const name = m[1] as string;
    const next = m[3] ?? '';
    if (next === '(') continue; // a function or an aggregation
    if (KEYWORDS.has(name)) continue;
    out.add(name);
  }
  return [...out];
}

/** Label names an expression matches on or groups by (`{a="x"}`, `by (a)`, `on (a)`, label_values' label). */
export function labelNames(expr: string): string[] {
  const out = new Set<string>();
  const t = expr.trim();
  const lv = /^label_values\(([\s\S]*)\)$/.exec(t);
  let body = t;
  if (lv) {
    const inner = lv[1] ?? '';
    const comma = topLevelLastComma(inner);
    out.add(inner.slice(comma + 1).trim());
    body = comma < 0 ? '' : inner.slice(0, comma);
  }
  const s = stripStrings(body);
  for (const m of s.matchAll(/\{([^{}]*)\}/g)) {
    for (const mm of (m[1] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)/g)) out.add(mm[1] as string);
  }
  for (const m of s.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)) {
    for (const l of (m[1] ?? '').split(',')) if (l.trim()) out.add(l.trim());
  }
  return [...out];
}

/**
 * The expression with Grafana's variables replaced by values Prometheus accepts: `$__rate_interval` and other
 * intervals by 1m, a variable named in `values` by its value (as Grafana does once one is picked), any other `$var` /
 * `${var}` / `[[var]]` by `.+` (they sit in regex matchers or label values).
 */
export function substituteGrafanaVariables(expr: string, values: Readonly<Record<string, string>> = {}): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)|\$\{__(rate_interval|interval|range)\}/g, '1m')
    .replace(/\$__range_s/g, '60')
    .replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (_m, a?: string, b?: string, c?: string) => {
      const name = a ?? b ?? c ?? '';
      return Object.prototype.hasOwnProperty.call(values, name) ? (values[name] as string) : '.+';
    });
}

/** Family names in a text exposition (`# TYPE name type`), each with its label names and the values seen. */
export function expositionFamilies(text: string): Map<string, Map<string, Set<string>>> {
  const out = new Map<string, Map<string, Set<string>>>();
  const family = (sample: string): string | undefined => {
    if (out.has(sample)) return sample;
    for (const suffix of ['_bucket', '_sum', '_count', '_total', '_created', '_info']) {
      if (sample.endsWith(suffix) && out.has(sample.slice(0, -suffix.length))) return sample.slice(0, -suffix.length);
    }
    return undefined;
  };
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) \S+/.exec(line);
    if (t) {
      if (!out.has(t[1] as string)) out.set(t[1] as string, new Map());
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{(.*)\})?\s+\S+$/.exec(line);
    if (!m) continue;
    const f = family(m[1] as string);
    if (f === undefined) continue;
    const labels = out.get(f) as Map<string, Set<string>>;
    for (const l of (m[3] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      const name = l[1] as string;
      if (!labels.has(name)) labels.set(name, new Set());
      labels.get(name)?.add((l[2] as string).replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c)));
    }
  }
  return out;
}

/** `label="value"` equality matchers with a literal value (no Grafana variable), as [label, value] pairs. */
export function literalMatchers(expr: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const m of expr.matchAll(/\{([^{}]*)\}/g)) {
    for (const mm of (m[1] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) {
      const value = mm[2] as string;
      if (!value.includes('$')) out.push([mm[1] as string, value]);
    }
  }
  return out;
}
