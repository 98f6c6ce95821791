/**
 * /proc/<pid>/status: `Key:\tvalue` lines. The process backend asks for a few keys per process (Uid, Threads, ...),
 * so lookups go straight to the key instead of splitting ~55 lines. The Name line escapes newlines (`\n`), so a key
 * at the start of a line cannot be faked by a comm. Text in (latin1 or UTF-8), values out, ParseError when a key the
 * caller needs is missing or malformed.
 */
import { ParseError } from '../../errors';

/** Index of the first character after `Key:`, or -1. Keys are matched at the start of a line only. */
function valueStart(text: string, key: string): number {
  if (text.startsWith(key) && text.charCodeAt(key.length) === 58 /* : */) return key.length + 1;
  const i = text.indexOf('\n' + key + ':');
  return i < 0 ? -1 : i + key.length + 2;
}

/** The raw value of `key` (trimmed), or null when the line is absent. */
export function statusValue(text: string, key: string): string | null {
  const s = valueStart(text, key);
  if (s < 0) return null;
  let e = text.indexOf('\n', s);
  if (e < 0) e = text.length;
  return text.slice(s, e).trim();
}

/** Parses the unsigned decimal that starts at or after `s` (skipping tabs and spaces); NaN if there is none. */
function uintAt(text: string, s: number): { value: number; end: number } {
  let i = s;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c !== 9 && c !== 32) break;
    i++;
  }
  const start = i;
  let v = 0;
  while (i < n) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    i++;
  }
  return { value: i === start ? NaN : v, end: i };
}

/** The first number of `key`'s value (`Threads:\t5` -> 5), or null when the line is absent. */
export function statusNumber(text: string, key: string, path = '<input>'): number | null {
  const s = valueStart(text, key);
  if (s < 0) return null;
  const { value } = uintAt(text, s);
  if (Number.isNaN(value)) throw new ParseError(path, `'${key}' is not a number`);
  return value;
}

/** `\nKey:` of each key list statusNumbersInOrder was given (its callers pass module constants). */
const NEEDLES = new WeakMap<readonly string[], string[]>();

/**
 * statusNumber of each of `keys`, given in the order the kernel prints them: each search starts where the previous
 * line was found (then, for a text in another order, from the start), so a run of keys costs one pass over the text
 * instead of one per key. Writes the numbers (null for an absent line) into `out`.
 */
export function statusNumbersInOrder(
  text: string,
  keys: readonly string[],
  out: (number | null)[],
  path = '<input>',
): void {
  let needles = NEEDLES.get(keys);
  if (needles === undefined) NEEDLES.set(keys, (needles = keys.map((k) => '\n' + k + ':')));
  let from = 0;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const needle = needles[k]!;
    let i = text.indexOf(needle, from);
    if (i < 0 && from > 0) i = text.indexOf(needle);
    let s: number;
    if (i >= 0) s = i + needle.length;
    else if (text.startsWith(key) && text.charCodeAt(key.length) === 58 /* : */) s = key.length + 1;
    else {
      out[k] = null;
      continue;
    }
    const { value, end } = uintAt(text, s);
    if (Number.isNaN(value)) throw new ParseError(path, `'${key}' is not a number`);
    out[k] = value;
    from = end;
  }
}

/** A `kB` line in bytes (`VmRSS:\t  1744 kB` -> 1785856); 0 when absent (kernel threads have no Vm* lines). */
export function statusKb(text: string, key: string, path = '<input>'): number {
  const v = statusNumber(text, key, path);
  return v === null ? 0 : v * 1024;
}

/** The real, effective and saved ids of `Uid:` or `Gid:` (the fourth, filesystem id, is not psutil's). */
export function statusIds(text: string, key: 'Uid' | 'Gid', path = '<input>'): readonly [number, number, number] {
  const s = valueStart(text, key);
  if (s < 0) throw new ParseError(path, `no '${key}:' line`);
  const a = uintAt(text, s);
  const b = uintAt(text, a.end);
  const c = uintAt(text, b.end);
  if (Number.isNaN(a.value) || Number.isNaN(b.value) || Number.isNaN(c.value)) {
    throw new ParseError(path, `'${key}:' wants three ids`);
  }
  return [a.value, b.value, c.value];
}

/**
 * The number of signals set in a hex signal mask line (`ShdPnd:\t0000000000000300` -> 2: SIGUSR1 and SIGUSR2), null
 * when the line is absent. Each signal is one bit, so a mask of 64 bits (or more on other ABIs) is counted in 8-digit
 * chunks to stay within exact numbers.
 */
export function statusSignalCount(text: string, key: string, path = '<input>'): number | null {
  const v = statusValue(text, key);
  if (v === null) return null;
  if (!/^[0-9a-fA-F]+$/.test(v)) throw new ParseError(path, `'${key}' is not a hex signal mask`);
  let n = 0;
  for (let i = 0; i < v.length; i += 8) {
    let w = parseInt(v.slice(i, i + 8), 16);
    while (w !== 0) {
      w &= w - 1;
      n++;
    }
  }
  return n;
}

/** A required number (Tgid, Threads, ...): ParseError when absent. */
export function statusRequired(text: string, key: string, path = '<input>'): number {
  const v = statusNumber(text, key, path);
  if (v === null) throw new ParseError(path, `no '${key}:' line`);
  return v;
}

/** A kernel CPU list (`0-3,8,10-11`) as sorted CPU numbers; ParseError on anything else. */
export function parseCpuList(list: string, path = '<input>'): number[] {
  const out: number[] = [];
  const s = list.trim();
  if (s === '') return out;
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) throw new ParseError(path, `bad CPU list ${JSON.stringify(s.slice(0, 60))}`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 1 << 16) throw new ParseError(path, `bad CPU range ${JSON.stringify(part)}`);
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out.sort((x, y) => x - y);
}
