/**
 * /proc/stat: the aggregate and per-CPU time lines (in clock ticks), ctxt, btime, intr and softirq totals, the
 * per-vector softirq counts, processes (forks), procs_running and procs_blocked.
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

/** psutil 7.x order. The kernel gives 7 (before 2.6.11), 8 (steal), 9 (guest) or 10 (guest_nice) of them. */
export const CPU_TIME_FIELDS = [
  'user',
  'nice',
  'system',
  'idle',
  'iowait',
  'irq',
  'softirq',
  'steal',
  'guest',
  'guestNice',
] as const;
export type CpuTimeField = (typeof CPU_TIME_FIELDS)[number];

/** The softirq vectors in the kernel's order (include/linux/interrupt.h), named as node_exporter labels them. */
export const SOFTIRQ_VECTORS = [
  'hi',
  'timer',
  'net_tx',
  'net_rx',
  'block',
  'block_iopoll',
  'tasklet',
  'sched',
  'hrtimer',
  'rcu',
] as const;
export type SoftirqVector = (typeof SOFTIRQ_VECTORS)[number];

export interface StatCpuLine {
  /** -1 for the aggregate `cpu` line, N for `cpuN`. */
  readonly cpu: number;
  /** Ticks in CPU_TIME_FIELDS order, always 10 long: fields the kernel does not give are 0 (psutil 8 style). */
  readonly ticks: readonly number[];
}

export interface StatRecord {
  readonly total: StatCpuLine;
  readonly cpus: readonly StatCpuLine[];
  /** How many time fields the aggregate line had (7..10; more on a future kernel, ignored). */
  readonly fieldCount: number;
  readonly ctxt: number | null;
  readonly btime: number | null;
  /** The first number of the `intr` line: all interrupts serviced since boot. */
  readonly intr: number | null;
  /** The first number of the `softirq` line: all softirqs since boot. */
  readonly softirq: number | null;
  /** The per-vector numbers of the `softirq` line; null when the line is absent. Unknown extra vectors are dropped. */
  readonly softirqs: Readonly<Partial<Record<SoftirqVector, number>>> | null;
  readonly processes: number | null;
  readonly procsRunning: number | null;
  readonly procsBlocked: number | null;
}

const UINT = /^\d+$/;

function num(tok: string | undefined, path: string, what: string): number {
  if (tok === undefined || !UINT.test(tok)) {
    throw new ParseError(
      path,
      `${what}: expected an unsigned integer, got ${tok === undefined ? 'nothing' : JSON.stringify(tok.slice(0, 40))}`,
    );
  }
  return Number(tok);
}

/** The first number after the key, without splitting the (often multi-KiB) `intr` line. */
function firstNumber(line: string, key: string, path: string): number {
  let i = key.length;
  while (line.charCodeAt(i) === 32) i++;
  let j = i;
  // Digits are summed on the way (exact up to 15 of them); anything else goes through num(), which names the problem.
  let v = 0;
  let digits = true;
  for (let c = 0; j < line.length && (c = line.charCodeAt(j)) !== 32; j++) {
    if (c >= 48 && c <= 57) v = v * 10 + (c - 48);
    else digits = false;
  }
  if (digits && j > i && j - i <= 15) return v;
  return num(line.slice(i, j), path, `'${key}' line`);
}

/**
 * The common case of a cpu line, read in place: `cpu` or `cpuN`, then unsigned decimal fields separated by spaces or
 * tabs. Anything else (other whitespace, a sign, a letter, a number too long to add up exactly, fewer than 4 fields)
 * gives null and the line goes through cpuLine, which gives the result or the error. `count`: how many fields.
 */
function cpuLineFast(text: string, start: number, end: number): { line: StatCpuLine; count: number } | null {
  let i = start + 3;
  let cpu = -1;
  let c = text.charCodeAt(i);
  if (c >= 48 && c <= 57) {
    let n = 0;
    const from = i;
    for (; i < end && (c = text.charCodeAt(i)) >= 48 && c <= 57; i++) n = n * 10 + (c - 48);
    if (i - from > 9) return null;
    cpu = n;
    if (i >= end) return null;
  }
  const ticks = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  let count = 0;
  for (;;) {
    // A separator is required before each field: the label must not run into the first number.
    c = text.charCodeAt(i);
    if (i < end && c !== 32 && c !== 9) return null;
    while (i < end && ((c = text.charCodeAt(i)) === 32 || c === 9)) i++;
    if (i >= end) break;
    let v = 0;
    const from = i;
    for (; i < end && (c = text.charCodeAt(i)) >= 48 && c <= 57; i++) v = v * 10 + (c - 48);
    // No digits here (a letter, a sign), or more than 15 (past 2^53 the sum would not be Number(tok)).
    if (i === from || i - from > 15) return null;
    if (count < 10) ticks[count] = v;
    count++;
  }
  if (count < 4) return null;
  return { line: { cpu, ticks }, count };
}

/**
 * The common case of the softirq line, read in place: `softirq` then unsigned decimal numbers separated by spaces or
 * tabs, each of at most 15 digits. null for anything else, and the line goes the general way (same result or error).
 */
function softirqFast(line: string): { total: number; per: Readonly<Partial<Record<SoftirqVector, number>>> } | null {
  const nums: number[] = [];
  const end = line.length;
  let i = 7; // 'softirq'
  let c = 0;
  for (;;) {
    if (i < end && (c = line.charCodeAt(i)) !== 32 && c !== 9) return null;
    while (i < end && ((c = line.charCodeAt(i)) === 32 || c === 9)) i++;
    if (i >= end) break;
    const from = i;
    let v = 0;
    for (; i < end && (c = line.charCodeAt(i)) >= 48 && c <= 57; i++) v = v * 10 + (c - 48);
    if (i === from || i - from > 15) return null;
    nums.push(v);
  }
  if (nums.length === 0) return null;
  if (nums.length >= 11) {
    // Every vector present (any kernel since 2.6.31): one literal, in SOFTIRQ_VECTORS order.
    return {
      total: nums[0]!,
      per: Object.freeze({
        hi: nums[1]!,
        timer: nums[2]!,
        net_tx: nums[3]!,
        net_rx: nums[4]!,
        block: nums[5]!,
        block_iopoll: nums[6]!,
        tasklet: nums[7]!,
        sched: nums[8]!,
        hrtimer: nums[9]!,
        rcu: nums[10]!,
      }),
    };
  }
  const per: Partial<Record<SoftirqVector, number>> = {};
  for (let k = 0; k < SOFTIRQ_VECTORS.length && k + 1 < nums.length; k++)
    per[SOFTIRQ_VECTORS[k] as SoftirqVector] = nums[k + 1]!;
  return { total: nums[0]!, per: Object.freeze(per) };
}

function cpuLine(line: string, path: string): StatCpuLine {
  const toks = line.split(/\s+/).filter((t) => t !== '');
  const head = toks[0] ?? '';
  let cpu = -1;
  if (head !== 'cpu') {
    const n = head.slice(3);
    if (!UINT.test(n)) throw new ParseError(path, `bad cpu line label ${JSON.stringify(head.slice(0, 40))}`);
    cpu = Number(n);
  }
  const count = toks.length - 1;
  // 2.4 kernels gave only user nice system idle; anything shorter is not a cpu line.
  if (count < 4) throw new ParseError(path, `${head} line has ${count} fields, expected at least 4`);
  const ticks = new Array<number>(CPU_TIME_FIELDS.length).fill(0);
  const n = Math.min(count, CPU_TIME_FIELDS.length);
  for (let k = 0; k < n; k++) ticks[k] = num(toks[k + 1], path, `${head} field ${CPU_TIME_FIELDS[k]}`);
  return { cpu, ticks };
}

export function parseStat(input: Buffer | string, path = '<input>'): StatRecord {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  let total: StatCpuLine | null = null;
  let fieldCount = 0;
  const cpus: StatCpuLine[] = [];
  let ctxt: number | null = null;
  let btime: number | null = null;
  let intr: number | null = null;
  let softirq: number | null = null;
  let softirqs: Partial<Record<SoftirqVector, number>> | null = null;
  let processes: number | null = null;
  let procsRunning: number | null = null;
  let procsBlocked: number | null = null;

  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const lineStart = start;
    start = end + 1;
    if (text.startsWith('cpu', lineStart)) {
      const fast = cpuLineFast(text, lineStart, end);
      const line = fast === null ? text.slice(lineStart, end) : '';
      const c = fast === null ? cpuLine(line, path) : fast.line;
      if (c.cpu === -1) {
        if (total !== null) throw new ParseError(path, 'two aggregate cpu lines');
        total = c;
        fieldCount = fast === null ? line.split(/\s+/).filter((t) => t !== '').length - 1 : fast.count;
      } else {
        cpus.push(c);
      }
      continue;
    }
    const line = text.slice(lineStart, end);
    if (line.startsWith('ctxt ')) {
      ctxt = firstNumber(line, 'ctxt', path);
    } else if (line.startsWith('btime ')) {
      btime = firstNumber(line, 'btime', path);
    } else if (line.startsWith('intr ')) {
      intr = firstNumber(line, 'intr', path);
    } else if (line.startsWith('softirq ')) {
      const fast = softirqFast(line);
      if (fast !== null) {
        softirq = fast.total;
        softirqs = fast.per;
        continue;
      }
      const toks = line.split(/\s+/).filter((t) => t !== '');
      softirq = num(toks[1], path, "'softirq' line");
      const per: Partial<Record<SoftirqVector, number>> = {};
      for (let k = 0; k < SOFTIRQ_VECTORS.length && k + 2 < toks.length; k++) {
        const vector = SOFTIRQ_VECTORS[k] as SoftirqVector;
        per[vector] = num(toks[k + 2], path, `'softirq' vector ${vector}`);
      }
      softirqs = Object.freeze(per);
    } else if (line.startsWith('processes ')) {
      processes = firstNumber(line, 'processes', path);
    } else if (line.startsWith('procs_running ')) {
      procsRunning = firstNumber(line, 'procs_running', path);
    } else if (line.startsWith('procs_blocked ')) {
      procsBlocked = firstNumber(line, 'procs_blocked', path);
    }
    // Other lines (page/swap on 2.4 kernels, future keys) carry nothing we report.
  }
  if (total === null) throw new ParseError(path, "no aggregate 'cpu' line");
  return { total, cpus, fieldCount, ctxt, btime, intr, softirq, softirqs, processes, procsRunning, procsBlocked };
}

/**
 * Only the btime line: what bootTime() needs. The cpu lines and the intr line (hundreds of counters) come before
 * it, so a full parse splits and converts all of them for one number; this finds the line by its key instead.
 * Returns null where the file has no btime line, as parseStat's btime is then.
 */
export function parseStatBtime(input: Buffer | string, path = '<input>'): number | null {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  let at = 0;
  if (!text.startsWith('btime ')) {
    at = text.indexOf('\nbtime ') + 1;
    if (at === 0) return null;
  }
  let end = text.indexOf('\n', at);
  if (end === -1) end = text.length;
  return firstNumber(text.slice(at, end), 'btime', path);
}

/** Only the aggregate line: what cpuTimes() needs, without walking the rest of the file. */
export function parseStatTotal(input: Buffer | string, path = '<input>'): StatCpuLine {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  let end = text.indexOf('\n');
  if (end === -1) end = text.length;
  const line = text.slice(0, end);
  // The aggregate line is always first; if it is not, fall back to the full parse (which names the problem).
  if (!line.startsWith('cpu ')) return parseStat(text, path).total;
  const fast = cpuLineFast(text, 0, end);
  return fast !== null && fast.line.cpu === -1 ? fast.line : cpuLine(line, path);
}
