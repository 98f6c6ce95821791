/**
 * The files of a cgroup directory, v2 (Documentation/admin-guide/cgroup-v2.rst) and v1 (cgroup-v1/*.rst): flat
 * `key value` files (cpu.stat, memory.stat, memory.events, memory.oom_control), limits with their "no limit" spellings,
 * cpu.max, io.stat and blkio's per-device lines. Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

const UINT = /^\d+$/;
const INT = /^-?\d+$/;

/** ASCII whitespace as \s matches it (tab, newline, vertical tab, form feed, carriage return, space). */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * The integer in b[s, e) when it is all ASCII digits after an optional '-', else NaN. Up to 15 digits the sum is
 * exact; longer ones go through Number() of the text, so the result is Number()'s rounding either way.
 */
function intAt(b: Buffer, s: number, e: number): number {
  const neg = s < e && b[s] === 45;
  const from = neg ? s + 1 : s;
  if (from >= e) return NaN;
  if (e - from > 15) {
    for (let i = from; i < e; i++) if (b[i]! < 48 || b[i]! > 57) return NaN;
    return Number(b.toString('latin1', s, e));
  }
  let v = 0;
  for (let i = from; i < e; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

/**
 * parseFlatKeyed straight from the bytes (the cgroups collector parses a memory.stat of each cgroup every pass):
 * no string per line or field, only the keys. With `keys`, only those are kept (parseFlatKeyedPick), every other
 * line still checked. null where anything is unusual (a byte outside ASCII, a line that is not `key integer`): the
 * text parser then gives the answer or the ParseError.
 */
function flatKeyedBytes(b: Buffer, keys: FlatKeys | null = null): Record<string, number> | null {
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  const n = b.length;
  // One pass over the bytes, no search per line: whitespace (blank lines too), the key, the blanks after it (not a
  // newline: a key alone on its line is malformed), the value, the blanks to the line's end.
  let i = 0;
  for (;;) {
    while (i < n && isSpace(b[i]!)) i++;
    if (i >= n) break;
    const s = i;
    for (; i < n; i++) {
      const c = b[i]!;
      if (isSpace(c)) break;
      if (c >= 0x80) return null;
    }
    const k = i;
    while (i < n && b[i] !== 10 && isSpace(b[i]!)) i++;
    if (i >= n || b[i] === 10) return null;
    const v = i;
    const neg = b[i] === 45;
    if (neg) i++;
    const from = i;
    let num = 0;
    for (; i < n; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      num = num * 10 + d;
    }
    const t = i;
    if (t === from) return null;
    while (i < n && b[i] !== 10 && isSpace(b[i]!)) i++;
    if (i < n && b[i] !== 10) return null;
    const j = keys === null ? -1 : keyAt(b, s, k, keys);
    if (keys !== null && j < 0) continue;
    // Up to 15 digits the sum is exact; longer ones go through Number() of the text (its rounding), as intAt does.
    if (t - from > 15) num = Number(b.toString('latin1', v, t));
    else if (neg) num = -num;
    out[keys === null ? b.toString('latin1', s, k) : keys.names[j]!] = num;
  }
  return out;
}

/** b trimmed of ASCII whitespace as [start, end). */
function trimmed(b: Buffer): [number, number] {
  let s = 0;
  let e = b.length;
  while (s < e && isSpace(b[s]!)) s++;
  while (e > s && isSpace(b[e - 1]!)) e--;
  return [s, e];
}

/**
 * A flat keyed file: `key value` per line. Parsed by key because "new entries can show up in the middle" (cgroup-v2.rst
 * on memory.stat). A value that is not an integer is a ParseError.
 */
export function parseFlatKeyed(input: Buffer | string, path = '<input>'): Record<string, number> {
  if (typeof input !== 'string') {
    const fast = flatKeyedBytes(input);
    if (fast !== null) return fast;
  }
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    const f = line.split(/\s+/);
    if (f.length !== 2 || !INT.test(f[1]!))
      throw new ParseError(path, `line ${lineNo}: not "key integer": ${JSON.stringify(line.slice(0, 80))}`);
    out[f[0]!] = Number(f[1]);
  }
  return out;
}

/** The keys parseFlatKeyedPick keeps, with their bytes (ASCII) to match lines against without making strings. */
export class FlatKeys {
  readonly names: readonly string[];
  readonly bytes: readonly Buffer[];
  /** By key length, the indexes of the keys of that length: a line is compared only with keys as long as its own. */
  readonly byLength: readonly (readonly number[] | undefined)[];
  constructor(names: readonly string[]) {
    this.names = Object.freeze([...names]);
    this.bytes = Object.freeze(names.map((k) => Buffer.from(k, 'latin1')));
    const byLength: number[][] = [];
    this.bytes.forEach((kb, j) => (byLength[kb.length] ??= []).push(j));
    this.byLength = Object.freeze(Array.from(byLength, (x) => x));
  }
}

/** flatKeyedBytes' match of b[s, e) among the keys: its index, or -1. */
function keyAt(b: Buffer, s: number, e: number, keys: FlatKeys): number {
  const len = e - s;
  const same = len < keys.byLength.length ? keys.byLength[len] : undefined;
  if (same === undefined) return -1;
  for (let m = 0; m < same.length; m++) {
    const j = same[m]!;
    const kb = keys.bytes[j]!;
    let i = 0;
    while (i < len && kb[i] === b[s + i]) i++;
    if (i === len) return j;
  }
  return -1;
}

/**
 * parseFlatKeyed keeping only `keys` (those present): the same values and the same ParseError for a malformed line
 * anywhere, without a string or a property for each of the other keys (memory.stat has 40 to 70 lines; the cgroups
 * collector exports 6 of them, for hundreds of cgroups every pass).
 */
export function parseFlatKeyedPick(input: Buffer | string, keys: FlatKeys, path = '<input>'): Record<string, number> {
  if (typeof input !== 'string') {
    const fast = flatKeyedBytes(input, keys);
    if (fast !== null) return fast;
  }
  const all = parseFlatKeyed(input, path);
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const k of keys.names) if (k in all) out[k] = all[k]!;
  return out;
}

/**
 * Values at or above 2^62 bytes mean "no limit": v1 prints LONG_MAX rounded down to a page (9223372036854771712 with
 * 4 KiB pages, other values with 16/64 KiB pages: PAGE_COUNTER_MAX * PAGE_SIZE), and cAdvisor's specMemoryValue uses
 * the same 2^62 cut. No machine has 4 EiB of memory.
 */
export const UNLIMITED_FROM = 2 ** 62;

/**
 * A limit file: a byte or count value, `max` (v2) or -1 (v1 quota) for none, and the v1 page-rounded LONG_MAX
 * variants (see UNLIMITED_FROM) for none. null means unlimited.
 */
export function parseLimit(input: Buffer | string, path = '<input>'): number | null {
  if (typeof input !== 'string') {
    const [s, e] = trimmed(input);
    const n = input[s] === 45 ? NaN : intAt(input, s, e);
    if (!Number.isNaN(n)) return n >= UNLIMITED_FROM ? null : n;
  }
  const text = (typeof input === 'string' ? input : input.toString('utf8')).trim();
  if (text === 'max' || text === '-1') return null;
  if (!UINT.test(text)) throw new ParseError(path, `not a limit: ${JSON.stringify(text.slice(0, 40))}`);
  const n = Number(text);
  return n >= UNLIMITED_FROM ? null : n;
}

/** A plain non-negative integer file (memory.current, pids.current, cpu.weight, cpuacct.usage). */
export function parseUint(input: Buffer | string, path = '<input>'): number {
  if (typeof input !== 'string') {
    const [s, e] = trimmed(input);
    const n = input[s] === 45 ? NaN : intAt(input, s, e);
    if (!Number.isNaN(n)) return n;
  }
  const text = (typeof input === 'string' ? input : input.toString('utf8')).trim();
  if (!UINT.test(text)) throw new ParseError(path, `not an unsigned integer: ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

/** v2 cpu.max: `$MAX $PERIOD`, both in microseconds; quota null for `max`. */
export function parseCpuMax(input: Buffer | string, path = '<input>'): { quotaUs: number | null; periodUs: number } {
  const text = (typeof input === 'string' ? input : input.toString('utf8')).trim();
  const m = /^(max|\d+) (\d+)$/.exec(text);
  if (m === null) throw new ParseError(path, `not "quota period": ${JSON.stringify(text.slice(0, 40))}`);
  return { quotaUs: m[1] === 'max' ? null : Number(m[1]), periodUs: Number(m[2]) };
}

export interface IoStatDevice {
  readonly major: number;
  readonly minor: number;
  readonly rbytes: number;
  readonly wbytes: number;
  readonly rios: number;
  readonly wios: number;
  readonly dbytes: number;
  readonly dios: number;
}

const DEV = /^(\d+):(\d+)$/;

/** v2 io.stat: `MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N` (keys by name; absent ones are 0). */
export function parseIoStat(input: Buffer | string, path = '<input>'): IoStatDevice[] {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const out: IoStatDevice[] = [];
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    const [dev, ...kv] = line.split(/\s+/);
    const d = DEV.exec(dev!);
    if (d === null) throw new ParseError(path, `line ${lineNo}: no MAJ:MIN: ${JSON.stringify(line.slice(0, 80))}`);
    const v: Record<string, number> = {};
    for (const pair of kv) {
      const eq = pair.indexOf('=');
      const val = pair.slice(eq + 1);
      if (eq < 0 || !UINT.test(val))
        throw new ParseError(path, `line ${lineNo}: not key=integer: ${JSON.stringify(pair.slice(0, 40))}`);
      v[pair.slice(0, eq)] = Number(val);
    }
    out.push(
      Object.freeze({
        major: Number(d[1]),
        minor: Number(d[2]),
        rbytes: v['rbytes'] ?? 0,
        wbytes: v['wbytes'] ?? 0,
        rios: v['rios'] ?? 0,
        wios: v['wios'] ?? 0,
        dbytes: v['dbytes'] ?? 0,
        dios: v['dios'] ?? 0,
      }),
    );
  }
  return out;
}

/** The decimal number at b[i] up to `end` (a byte), at most 15 digits and no leading zero: [value, next index]. */
function fieldAt(b: Buffer, i: number, end: number): [number, number] | null {
  const from = i;
  let v = 0;
  for (; i < b.length; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  const len = i - from;
  if (len === 0 || len > 15 || (len > 1 && b[from] === 48)) return null;
  return i < b.length && b[i] === end ? [v, i + 1] : null;
}

/** Whether b[i..] starts with `word` and a space. */
function opAt(b: Buffer, i: number, word: string): boolean {
  if (i + word.length >= b.length || b[i + word.length] !== 32) return false;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * parseBlkio straight from the bytes (the cgroups collector reads a blkio file of each cgroup every pass): the lines
 * exactly as the kernel prints them, `MAJ:MIN Op N\n` and a last `Total N\n`, with no string made. null for anything
 * else (other spacing, an op other than the kernel's six, numbers past 15 digits or with a leading zero, which the
 * text parser would key apart): the text parser then gives the answer or the ParseError.
 */
function blkioBytes(
  b: Buffer,
): { major: number; minor: number; read: number; write: number; discard: number }[] | null {
  const out: { major: number; minor: number; read: number; write: number; discard: number }[] = [];
  const n = b.length;
  let i = 0;
  while (i < n) {
    if (opAt(b, i, 'Total')) {
      const t = fieldAt(b, i + 6, 10);
      if (t === null) return null;
      i = t[1];
      continue;
    }
    const ma = fieldAt(b, i, 58);
    if (ma === null) return null;
    const mi = fieldAt(b, ma[1], 32);
    if (mi === null) return null;
    i = mi[1];
    let op = -1;
    let len = 0;
    for (const [k, word] of BLKIO_OPS) {
      if (opAt(b, i, word)) {
        op = k;
        len = word.length;
        break;
      }
    }
    if (op < 0) return null;
    const v = fieldAt(b, i + len + 1, 10);
    if (v === null) return null;
    i = v[1];
    let e = out.find((x) => x.major === ma[0] && x.minor === mi[0]);
    if (e === undefined) out.push((e = { major: ma[0], minor: mi[0], read: 0, write: 0, discard: 0 }));
    if (op === 0) e.read = v[0];
    else if (op === 1) e.write = v[0];
    else if (op === 2) e.discard = v[0];
  }
  return out;
}

/** The ops a blkio line has (blkg_rwstat): Read, Write and Discard kept (0, 1, 2), the others only checked. */
const BLKIO_OPS: readonly (readonly [number, string])[] = [
  [0, 'Read'],
  [1, 'Write'],
  [2, 'Discard'],
  [3, 'Sync'],
  [4, 'Async'],
  [5, 'Total'],
];

/**
 * v1 blkio.throttle.io_service_bytes / io_serviced (and _recursive): `MAJ:MIN Op N` lines (Op = Read, Write, Sync,
 * Async, Discard, Total) and a last `Total N`. Returns the Read, Write and Discard counts per device.
 */
export function parseBlkio(
  input: Buffer | string,
  path = '<input>',
): { major: number; minor: number; read: number; write: number; discard: number }[] {
  if (typeof input !== 'string') {
    const fast = blkioBytes(input);
    if (fast !== null) return fast;
  }
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const byDev = new Map<string, { major: number; minor: number; read: number; write: number; discard: number }>();
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const f = raw.trim().split(/\s+/);
    if (f.length === 1 && f[0] === '') continue;
    if (f.length === 2 && f[0] === 'Total' && UINT.test(f[1]!)) continue;
    const d = f.length === 3 ? DEV.exec(f[0]!) : null;
    if (d === null || !UINT.test(f[2]!))
      throw new ParseError(path, `line ${lineNo}: not "MAJ:MIN Op N": ${JSON.stringify(raw.slice(0, 80))}`);
    let e = byDev.get(f[0]!);
    if (e === undefined) {
      e = { major: Number(d[1]), minor: Number(d[2]), read: 0, write: 0, discard: 0 };
      byDev.set(f[0]!, e);
    }
    const n = Number(f[2]);
    if (f[1] === 'Read') e.read = n;
    else if (f[1] === 'Write') e.write = n;
    else if (f[1] === 'Discard') e.discard = n;
  }
  return [...byDev.values()];
}

const USAGE_ALL_HEADER = 'cpu user system\n';

/**
 * parseUsageAll straight from the bytes (the cgroups collector reads a cpuacct.usage_all of each cgroup every pass):
 * the file exactly as the kernel prints it, the header, then `N USER SYSTEM\n` lines of at most 15 digits each, with
 * no string made. The same sums in the same order as the text parser's. null for anything else (other spacing, a
 * sum reaching 2^53): the text parser then gives the answer or the ParseError.
 */
function usageAllBytes(b: Buffer): { user: number; system: number } | null {
  const n = b.length;
  const h = USAGE_ALL_HEADER.length;
  if (n < h) return null;
  for (let k = 0; k < h; k++) if (b[k] !== USAGE_ALL_HEADER.charCodeAt(k)) return null;
  let user = 0;
  let system = 0;
  let i = h;
  while (i < n) {
    for (let f = 0; f < 3; f++) {
      const from = i;
      let v = 0;
      for (; i < n; i++) {
        const d = b[i]! - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (i === from || i - from > 15) return null;
      if (i >= n || b[i] !== (f < 2 ? 32 : 10)) return null;
      i++;
      if (f === 1) user += v;
      else if (f === 2) system += v;
    }
  }
  return user >= Number.MAX_SAFE_INTEGER || system >= Number.MAX_SAFE_INTEGER ? null : { user, system };
}

/**
 * v1 cpuacct.usage_all: a `cpu user system` header, then one `N USER SYSTEM` line (nanoseconds) per possible CPU.
 * The sums over the CPUs, as cpuacct.usage_user and cpuacct.usage_sys give them; past 2^53 summed exactly (BigInt),
 * so the one rounding is Number()'s, as for those files.
 */
export function parseUsageAll(input: Buffer | string, path = '<input>'): { user: number; system: number } {
  if (typeof input !== 'string') {
    const fast = usageAllBytes(input);
    if (fast !== null) return fast;
  }
  const text = typeof input === 'string' ? input : input.toString('latin1');
  const lines = text.split('\n');
  if (lines[0]!.trim().split(/\s+/).join(' ') !== 'cpu user system')
    throw new ParseError(path, `not a cpuacct.usage_all header: ${JSON.stringify(lines[0]!.slice(0, 40))}`);
  const rows: [string, string][] = [];
  let user = 0;
  let system = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const f = line.split(/\s+/);
    if (f.length !== 3 || !UINT.test(f[0]!) || !UINT.test(f[1]!) || !UINT.test(f[2]!))
      throw new ParseError(path, `line ${i + 1}: not "cpu user system": ${JSON.stringify(line.slice(0, 80))}`);
    rows.push([f[1]!, f[2]!]);
    user += Number(f[1]);
    system += Number(f[2]);
  }
  const exact = (k: 0 | 1) => Number(rows.reduce((t, r) => t + BigInt(r[k]), 0n));
  if (user >= Number.MAX_SAFE_INTEGER) user = exact(0);
  if (system >= Number.MAX_SAFE_INTEGER) system = exact(1);
  return { user, system };
}
