/**
 * /proc/pressure/{cpu,io,memory,irq}: PSI lines `some|full avg10=F avg60=F avg300=F total=N` (total in microseconds).
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export interface PressureLine {
  readonly avg10: number;
  readonly avg60: number;
  readonly avg300: number;
  /** Cumulative stall time in microseconds. */
  readonly total: number;
}

/** `some` and `full` as the file has them (irq has only `full`; cpu's `full` is 0 system-wide on 5.13+). */
export interface PressureRecord {
  readonly some: PressureLine | null;
  readonly full: PressureLine | null;
}

const LINE = /^(some|full) avg10=(\d+(?:\.\d+)?) avg60=(\d+(?:\.\d+)?) avg300=(\d+(?:\.\d+)?) total=(\d+)$/;

/** 10^k for the fractional digits of an average (at most 15 digits in all: exact doubles). */
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** The bytes of `word` at b[i], ASCII. */
function at(b: Buffer, i: number, word: string): boolean {
  if (i + word.length > b.length) return false;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * parsePressure straight from the bytes (the cgroups collector reads three PSI files of each cgroup every pass): the
 * lines exactly as the kernel prints them, `some|full avg10=D.DD avg60=D.DD avg300=D.DD total=N\n`, with no string
 * made. null for anything else (other spacing, a total past 15 digits, a repeated kind, no line): the text parser then
 * gives the answer or the ParseError. A value is its digits as one integer divided by 10^(fraction digits): both
 * exact doubles, so the one rounding is the division's, the correctly rounded decimal that Number() gives too.
 */
function pressureBytes(b: Buffer): PressureRecord | null {
  let some: PressureLine | null = null;
  let full: PressureLine | null = null;
  const n = b.length;
  const vals = [0, 0, 0, 0];
  let i = 0;
  while (i < n) {
    const isSome = at(b, i, 'some ');
    if (!isSome && !at(b, i, 'full ')) return null;
    i += 5;
    for (let f = 0; f < 4; f++) {
      const key = f === 0 ? 'avg10=' : f === 1 ? 'avg60=' : f === 2 ? 'avg300=' : 'total=';
      if (!at(b, i, key)) return null;
      i += key.length;
      let v = 0;
      let digits = 0;
      let frac = -1;
      for (; i < n; i++) {
        const c = b[i]!;
        if (c === 46 && frac < 0 && f < 3 && digits > 0) {
          frac = 0;
          continue;
        }
        const d = c - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
        digits++;
        if (frac >= 0) frac++;
      }
      // An empty number, a '.' with no digit after it, or more digits than a double holds exactly.
      if (digits === 0 || frac === 0 || digits > 15) return null;
      vals[f] = frac > 0 ? v / POW10[frac]! : v;
      const end = f < 3 ? 32 : 10;
      if (i < n ? b[i] !== end : f < 3) return null;
      i++;
    }
    const rec = Object.freeze({ avg10: vals[0]!, avg60: vals[1]!, avg300: vals[2]!, total: vals[3]! });
    if (isSome) {
      if (some !== null) return null;
      some = rec;
    } else {
      if (full !== null) return null;
      full = rec;
    }
  }
  return some === null && full === null ? null : Object.freeze({ some, full });
}

export function parsePressure(input: Buffer | string, path = '<input>'): PressureRecord {
  if (typeof input !== 'string') {
    const fast = pressureBytes(input);
    if (fast !== null) return fast;
  }
  const text = typeof input === 'string' ? input : input.toString('utf8');
  let some: PressureLine | null = null;
  let full: PressureLine | null = null;
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    const m = LINE.exec(line);
    if (m === null) throw new ParseError(path, `line ${lineNo}: not a PSI line: ${JSON.stringify(line.slice(0, 80))}`);
    const rec = Object.freeze({ avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), total: Number(m[5]) });
    if (m[1] === 'some') {
      if (some !== null) throw new ParseError(path, `line ${lineNo}: a second 'some' line`);
      some = rec;
    } else {
      if (full !== null) throw new ParseError(path, `line ${lineNo}: a second 'full' line`);
      full = rec;
    }
  }
  if (some === null && full === null) throw new ParseError(path, 'neither a some nor a full line');
  return Object.freeze({ some, full });
}
