/**
 * Reading Helm templates without Helm (not packaged for Debian, and no Go toolchain here): the block structure of
 * the template actions ({{ if }}, {{ with }}, {{ range }}, {{ define }} ... {{ end }}) with, for every line of
 * literal text, the conditions it sits under; and a "skeleton" of a manifest template, the literal YAML with
 * action-only lines dropped and inline actions replaced by a placeholder, which the yaml package can parse.
 */
import { parse as parseYaml } from 'yaml';

export const PLACEHOLDER = '__TPL__';

export interface Action {
  /** The action's text without delimiters and trim markers, e.g. `if .Values.admin.enabled`. */
  readonly body: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
}

export interface TextLine {
  readonly line: number;
  /** The line with its actions removed (trimmed). */
  readonly text: string;
  /** The raw line. */
  readonly raw: string;
  /** Open blocks at the line's first literal character, outermost first: `if X`, `else`, `with Y`, `define "n"`. */
  readonly blocks: readonly string[];
}

const ACTION = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;

export function actions(text: string): Action[] {
  const out: Action[] = [];
  for (const m of text.matchAll(ACTION)) {
    const start = m.index ?? 0;
    out.push({ body: (m[1] ?? '').trim(), start, end: start + m[0].length, line: text.slice(0, start).split('\n').length });
  }
  return out;
}

const OPENERS = /^(if|with|range|define|block)\b/;

/**
 * Every line holding literal text, with the blocks open where that text starts. Throws on an `end` without a
 * block or a block left open: the template would not parse in Helm either.
 */
export function textLines(text: string): TextLine[] {
  const acts = actions(text).filter((a) => !a.body.startsWith('/*'));
  const stack: string[] = [];
  const out: TextLine[] = [];
  let ai = 0;
  let offset = 0;
  const all = actions(text);
  text.split('\n').forEach((raw, i) => {
    const lineStart = offset;
    const lineEnd = offset + raw.length;
    offset = lineEnd + 1;
    // Literal text of the line: outside every action (comments included).
    let literal = '';
    let firstLiteral = -1;
    let pos = lineStart;
    for (const a of all) {
      if (a.end <= lineStart || a.start >= lineEnd) continue;
      if (a.start > pos) {
        const piece = text.slice(pos, a.start);
        if (firstLiteral < 0 && piece.trim() !== '') firstLiteral = pos + piece.search(/\S/);
        literal += piece;
      }
      pos = Math.max(pos, a.end);
    }
    if (pos < lineEnd) {
      const piece = text.slice(pos, lineEnd);
      if (firstLiteral < 0 && piece.trim() !== '') firstLiteral = pos + piece.search(/\S/);
      literal += piece;
    }
    // Apply the actions that start before the first literal character, snapshot, then the rest of the line's.
    const apply = (limit: number): void => {
      while (ai < acts.length && (acts[ai] as Action).start < limit) {
        const a = acts[ai] as Action;
        ai++;
        if (OPENERS.test(a.body)) stack.push(a.body);
        else if (/^else\b/.test(a.body)) {
          if (!stack.length) throw new Error(`line ${a.line}: {{ ${a.body} }} outside a block`);
          stack[stack.length - 1] = `${stack[stack.length - 1] as string} | ${a.body}`;
        } else if (a.body === 'end') {
          if (!stack.length) throw new Error(`line ${a.line}: {{ end }} without a block`);
          stack.pop();
        }
      }
    };
    const inComment = all.some((a) => a.body.startsWith('/*') && a.start < lineStart && a.end > lineStart);
    if (firstLiteral >= 0 && !inComment) {
      apply(firstLiteral);
      out.push({ line: i + 1, text: literal.trim(), raw, blocks: [...stack] });
    }
    apply(lineEnd + 1);
  });
  if (stack.length) throw new Error(`unclosed blocks at the end: ${stack.join(' > ')}`);
  return out;
}

/** The literal YAML of a manifest template: action-only lines dropped, inline actions replaced by PLACEHOLDER. */
export function skeleton(text: string): string {
  const keep: string[] = [];
  const lines = text.split('\n');
  const withoutActions = text.replace(ACTION, (m) => m.replace(/[^\n]/g, '\u0000'));
  const bare = withoutActions.split('\n');
  lines.forEach((raw, i) => {
    const b = bare[i] ?? '';
    // eslint-disable-next-line no-control-regex -- NUL is the mask written over the actions above
    if (b.replace(/\u0000/g, '').trim() === '' && b.includes('\u0000')) return; // only actions on this line
    let out = '';
    let inAction = false;
    for (let k = 0; k < raw.length; k++) {
      if (b[k] === '\u0000') {
        if (!inAction) out += PLACEHOLDER;
        inAction = true;
      } else {
        inAction = false;
        out += raw[k];
      }
    }
    keep.push(out);
  });
  return keep.join('\n');
}

export function parseSkeleton(text: string): unknown {
  return parseYaml(skeleton(text));
}

/** The `define "name"` blocks of a helpers file, name -> body text. */
export function defines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const acts = actions(text);
  for (let i = 0; i < acts.length; i++) {
    const a = acts[i] as Action;
    const m = /^define\s+"([^"]+)"/.exec(a.body);
    if (!m) continue;
    let depth = 1;
    for (let j = i + 1; j < acts.length; j++) {
      const b = acts[j] as Action;
      if (OPENERS.test(b.body)) depth++;
      else if (b.body === 'end' && --depth === 0) {
        out.set(m[1] as string, text.slice(a.end, b.start));
        break;
      }
    }
  }
  return out;
}

/** `.Values.a.b.c` paths used by a template (also through `$.Values` and `.root.Values`), as ['a', 'b', 'c']. */
export function valuesPaths(text: string): string[][] {
  const out: string[][] = [];
  for (const a of actions(text)) {
    for (const m of a.body.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) out.push((m[1] ?? '').slice(1).split('.'));
  }
  return out;
}
