/**
 * node_exporter's name filters are Go regexps (RE2 syntax, linear time), matched unanchored (`find`). re2js does that
 * exactly, but loading it and its compiled programs costs the collection worker about 2-3 MB resident (issue 14), for
 * patterns that, with the defaults, are plain alternations of literals. So a pattern in a small subset of the syntax,
 * which JavaScript's RegExp reads with the same meaning, runs as a RegExp; anything else, and any name the subset's
 * RegExp might read differently or slowly, goes to re2js, loaded on first use. The answers are re2js's in every case
 * (test/util/goregexp.test.ts checks them against re2js on generated patterns and names).
 *
 * The subset: literals [A-Za-z0-9_/:,=@%#&'"<>~;! -], `.`, `^`, `$`, `|`, `(`, `(?:`, `)`, the quantifiers `*`, `+`, `?`
 * (and lazy `*?`, `+?`, `??`) on a literal, a class or `.`, never on a group; `\d \D \w \W \s` and escaped punctuation;
 * classes `[...]` / `[^...]` of alphanumeric ranges, those literals and escapes. Outside it: flags (`(?i)`), `{n,m}`,
 * `\b`, `\pL`, POSIX classes, backreferences, anything not ASCII.
 *
 * Where the readings agree: RE2 (Perl flags) reads `^`/`$` at the text's ends only, `.` as any code point but `\n`,
 * `\d\w\s` as ASCII; JavaScript (no flags) the same, except that `.` also refuses `\r`, U+2028 and U+2029 and works on
 * UTF-16 units: names holding those or a surrogate go to re2js. Backtracking: a RegExp may take polynomial time where
 * re2js is linear, so a pattern with more than MAX_QUANTIFIERS unbounded quantifiers along one path, or a quantified
 * group, never runs as one, and names longer than MAX_NAME go to re2js (worst case a few tens of ms for one name).
 */
import type { RE2JS } from 're2js';

/** The most `*`/`+` along one alternative of a pattern that may run as a RegExp (the defaults need 3). */
export const MAX_QUANTIFIERS = 3;
/** Longer names are matched by re2js: bounds a RegExp's backtracking. */
export const MAX_NAME = 128;

/** Characters where RegExp and RE2 part ways (see the header): a name holding one is matched by re2js. */
const UNSAFE_NAME = /[\r\u2028\u2029\uD800-\uDFFF]/;
const LITERAL = /[A-Za-z0-9_/:,=@%#&'"<>~;! -]/;
const CLASS_LITERAL = /[A-Za-z0-9_/:,=@%#&'"<>~;! .+*?()|$^]/;
const ALNUM = /[A-Za-z0-9]/;
/** Escapes outside a class: RE2's meaning, spelt for RegExp. */
const ESCAPES: Readonly<Record<string, string>> = {
  d: '[0-9]',
  D: '[^0-9]',
  w: '[0-9A-Za-z_]',
  W: '[^0-9A-Za-z_]',
  s: '[\\t\\n\\f\\r ]',
};
/** Escapes inside a class (the positive ones only). */
const CLASS_ESCAPES: Readonly<Record<string, string>> = { d: '0-9', w: '0-9A-Za-z_', s: '\\t\\n\\f\\r ' };
const PUNCTUATION = '.\\+*?()|[]{}^$/-';

/**
 * The RegExp source reading `pattern` as RE2 does (for names passing UNSAFE_NAME and MAX_NAME), or null where the
 * pattern is outside the subset. Exported for the tests.
 */
export function regExpSourceOf(pattern: string): string | null {
  let out = '';
  let i = 0;
  // Whether a quantifier may follow: after a literal, a class or `.`, not after another quantifier, an anchor, a
  // group (quantified groups are left to re2js: they are where backtracking blows up) or `|`.
  let atom = false;
  // Unbounded quantifiers along the current alternative, and the most over the finished alternatives, per open group.
  const stack: { sum: number; max: number }[] = [{ sum: 0, max: 0 }];
  const top = (): { sum: number; max: number } => stack[stack.length - 1]!;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (LITERAL.test(c)) {
      out += c;
      i++;
      atom = true;
    } else if (c === '.') {
      out += '.';
      i++;
      atom = true;
    } else if (c === '^' || c === '$') {
      out += c;
      i++;
      atom = false;
    } else if (c === '|') {
      const t = top();
      t.max = Math.max(t.max, t.sum);
      t.sum = 0;
      out += '|';
      i++;
      atom = false;
    } else if (c === '(') {
      if (pattern[i + 1] === '?') {
        if (pattern[i + 2] !== ':') return null;
        out += '(?:';
        i += 3;
      } else {
        out += '(';
        i++;
      }
      stack.push({ sum: 0, max: 0 });
      atom = false;
    } else if (c === ')') {
      if (stack.length === 1) return null;
      const g = stack.pop()!;
      top().sum += Math.max(g.max, g.sum);
      out += ')';
      i++;
      atom = false;
    } else if (c === '*' || c === '+' || c === '?') {
      if (!atom) return null;
      if (c !== '?') top().sum++;
      out += c;
      i++;
      if (pattern[i] === '?') {
        out += '?';
        i++;
      }
      atom = false;
    } else if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) return null;
      const spelt = ESCAPES[n];
      if (spelt !== undefined) out += spelt;
      else if (PUNCTUATION.includes(n)) out += n === '-' ? '-' : `\\${n}`;
      else return null;
      i += 2;
      atom = true;
    } else if (c === '[') {
      const cls = classSourceOf(pattern, i);
      if (cls === null) return null;
      out += cls.source;
      i = cls.end;
      atom = true;
    } else return null;
    if (top().sum > MAX_QUANTIFIERS) return null;
  }
  if (stack.length !== 1) return null;
  return out;
}

/** A class starting at `start` (`[`): its RegExp source and the index past its `]`, or null outside the subset. */
function classSourceOf(pattern: string, start: number): { source: string; end: number } | null {
  let i = start + 1;
  let out = '[';
  if (pattern[i] === '^') {
    out += '^';
    i++;
  }
  // RE2 reads a `]` first as a literal, RegExp as the class's end: left to re2js, as is an empty class.
  if (pattern[i] === ']') return null;
  const first = i;
  while (i < pattern.length && pattern[i] !== ']') {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) return null;
      const spelt = CLASS_ESCAPES[n];
      if (spelt !== undefined) out += spelt;
      else if (PUNCTUATION.includes(n)) out += `\\${n}`;
      else return null;
      i += 2;
    } else if (c === '-') {
      // A literal only first or last; a range only between two alphanumerics (below).
      if (i !== first && pattern[i + 1] !== ']') return null;
      out += '\\-';
      i++;
    } else if (ALNUM.test(c) && pattern[i + 1] === '-' && pattern[i + 2] !== undefined && pattern[i + 2] !== ']') {
      const to = pattern[i + 2]!;
      if (!ALNUM.test(to) || to < c) return null;
      out += `${c}-${to}`;
      i += 3;
    } else if (CLASS_LITERAL.test(c)) {
      out += c === '^' ? '\\^' : c;
      i++;
    } else return null;
  }
  if (pattern[i] !== ']') return null;
  return { source: `${out}]`, end: i + 1 };
}

/** A compiled Go regexp, matched unanchored. */
export interface GoRegexp {
  /** The source, as written. */
  readonly source: string;
  /** Whether the pattern matches somewhere in `s` (Go's MatchString, re2js's `matcher(s).find()`). */
  test(s: string): boolean;
}

/**
 * Compiles `pattern` (RE2 syntax). Throws re2js's RE2JSSyntaxException where re2js would: a pattern the subset does not
 * take, or that RegExp refuses, is compiled by re2js at once.
 */
export function compileGoRegexp(pattern: string): GoRegexp {
  const source = regExpSourceOf(pattern);
  let re: RegExp | null = null;
  if (source !== null) {
    try {
      re = new RegExp(source);
    } catch (e) {
      // Within the subset RegExp takes what RE2 takes; were it not so, re2js decides (and reports) instead.
      void e;
      re = null;
    }
  }
  let re2: RE2JS | null = re === null ? loadRe2(pattern) : null;
  const js = re;
  return {
    source: pattern,
    test(s: string): boolean {
      if (js !== null && s.length <= MAX_NAME && !UNSAFE_NAME.test(s)) return js.test(s);
      re2 ??= loadRe2(pattern);
      return re2.matcher(s).find();
    },
  };
}

function loadRe2(pattern: string): RE2JS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: re2js loads with the first pattern or name the subset leaves to it (header)
  return (require('re2js') as typeof import('re2js')).RE2JS.compile(pattern);
}
