/**
 * /proc/vmstat: one `name value` pair per line, as { name: value } in file order.
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export type Vmstat = Readonly<Record<string, number>>;

/**
 * The digits of text[from, to) as a number (an optional leading '-': a few nr_* gauges are signed sums of per-CPU
 * deltas and can dip below 0), ignoring trailing spaces and a '\r'; NaN when anything else is there.
 */
function intAt(text: string, from: number, to: number): number {
  let j = from;
  let neg = false;
  if (text.charCodeAt(j) === 45) {
    neg = true;
    j++;
  }
  const start = j;
  let v = 0;
  for (; j < to; j++) {
    const c = text.charCodeAt(j) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  if (j === start) return NaN;
  for (; j < to; j++) {
    const c = text.charCodeAt(j);
    if (c !== 32 && c !== 13) return NaN;
  }
  return neg ? -v : v;
}

function isName(text: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let j = from; j < to; j++) {
    const c = text.charCodeAt(j);
    // [A-Za-z0-9_]
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) return false;
  }
  return true;
}

/**
 * A whole file of well-formed lines (`name value`, blank lines): one test by the regexp engine, whose compiled code
 * runs even where V8's optimizing compilers are off (the agent's lean mode), for about a hundredth of a
 * per-character scan in interpreted JavaScript. Each alternative starts with a different character class, so a
 * malformed line fails in one step per line, without backtracking across lines.
 */
const WELL_FORMED = /^(?:[A-Za-z0-9_]+ -?\d+[ \r]*(?:\n|$)|[ \t\r]*(?:\n|$))*$/;

export function parseVmstat(input: Buffer | string, path = '<input>'): Vmstat {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  // The common case, all lines well-formed: split and Number() (native calls, 4x less CPU than the scan below in
  // the lean mode). Anything else (other blank characters, a malformed line) takes the scan, which names the problem.
  if (WELL_FORMED.test(text)) {
    const out: Record<string, number> = {};
    let count = 0;
    for (const line of text.split('\n')) {
      const sp = line.indexOf(' ');
      // A blank line: no name before its first space (a name starts with [A-Za-z0-9_], all above ' ').
      if (sp <= 0 || line.charCodeAt(0) <= 32) continue;
      // `-?digits` then spaces or a '\r', which Number() ignores as trailing white space.
      out[line.slice(0, sp)] = Number(line.slice(sp + 1));
      count++;
    }
    if (count > 0) return Object.freeze(out);
  }
  return parseVmstatScan(text, path);
}

/** parseVmstat by a scan of each character: any input, with the line of a malformed one named. */
function parseVmstatScan(text: string, path: string): Vmstat {
  const out: Record<string, number> = {};
  let count = 0;
  let lineNo = 0;
  let i = 0;
  // A hand-rolled scan: this file has ~180 lines and the agent reads it every scrape.
  while (i < text.length) {
    lineNo++;
    let end = text.indexOf('\n', i);
    if (end === -1) end = text.length;
    if (end > i && text.slice(i, end).trim() !== '') {
      const sp = text.indexOf(' ', i);
      const value = sp === -1 || sp >= end ? NaN : intAt(text, sp + 1, end);
      if (Number.isNaN(value) || !isName(text, i, sp)) {
        throw new ParseError(
          path,
          `line ${lineNo} is not 'name value': ${JSON.stringify(text.slice(i, Math.min(end, i + 60)))}`,
        );
      }
      out[text.slice(i, sp)] = value;
      count++;
    }
    i = end + 1;
  }
  if (count === 0) throw new ParseError(path, 'no fields');
  return Object.freeze(out);
}

/**
 * One field without building the whole record (swapMemory needs two of ~180): its value, or null when the line is
 * absent or not well-formed (the caller then falls back to parseVmstat, which names the problem).
 */
export function vmstatField(text: string, name: string): number | null {
  let at = 0;
  if (!text.startsWith(name + ' ')) {
    const nl = text.indexOf('\n' + name + ' ');
    if (nl === -1) return null;
    at = nl + 1;
  }
  let end = text.indexOf('\n', at);
  if (end === -1) end = text.length;
  const v = intAt(text, at + name.length + 1, end);
  return Number.isNaN(v) ? null : v;
}
