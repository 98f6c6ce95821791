/**
 * /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat: one line, `pid (comm) state ppid ...` (man 5 proc).
 * Parsed from the bytes: the comm is cut at TASK_COMM_LEN bytes (possibly inside a UTF-8 character), so its byte
 * length matters for psutil's name-extension rule, and the numbers are read without building strings.
 */
import { ParseError } from '../../errors';
import { fsdecodeRange, fsencode } from '../../../util/fsencoding';

export interface PidStat {
  readonly pid: number;
  /** The comm between the first `(` and the last `)`, each byte kept (fsdecode: invalid UTF-8 as U+DC80-U+DCFF). */
  readonly comm: string;
  /** The comm's length in bytes (the kernel truncates at 15 bytes, not characters). */
  readonly commBytes: number;
  /** The state letter (R, S, D, Z, T, t, X, x, K, W, P, I). */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  readonly session: number;
  readonly ttyNr: number;
  readonly tpgid: number;
  /** The task's PF_* flags (field 9). */
  readonly flags: number;
  /** PF_KTHREAD is set in flags: a kernel thread (no user space; kthreadd and its children). */
  readonly kernelThread: boolean;
  readonly minflt: number;
  readonly cminflt: number;
  readonly majflt: number;
  readonly cmajflt: number;
  /** Clock ticks. */
  readonly utime: number;
  readonly stime: number;
  readonly cutime: number;
  readonly cstime: number;
  readonly priority: number;
  readonly nice: number;
  readonly numThreads: number;
  /**
   * Clock ticks since boot: the process identity with the pid. A number is exact below 2^53 ticks (2.8 million
   * years of uptime at 100 Hz).
   */
  readonly starttime: number;
  /** Bytes. */
  readonly vsize: number;
  /** Pages. */
  readonly rss: number;
  /** Fields 39-42 may be missing on old kernels: 0 then (psutil #2455). */
  readonly processor: number;
  readonly rtPriority: number;
  readonly policy: number;
  readonly blkioTicks: number;
}

/** include/linux/sched.h: the task is a kernel thread. */
export const PF_KTHREAD = 0x00200000;

const LPAREN = 0x28;
const RPAREN = 0x29;
const SPACE = 0x20;
const NL = 0x0a;
const MINUS = 0x2d;

/** Field positions after the `)`, as man 5 proc numbers them minus 3 (psutil's convention). */
const F_STARTTIME = 19;
const F_RSS = 21;
const F_PROCESSOR = 36;
const F_BLKIO = 39;

/**
 * Reused between calls: the parser is synchronous and copies what it keeps. A generic array (started with null, so
 * V8 never makes it a double array), not a Float64Array: every number read from a Float64Array is boxed, so each
 * PidStat made of them held 26 HeapNumbers (~780 bytes a line); small integers kept as tagged values stay unboxed.
 */
const fields = new Array<number | null>(64).fill(null) as number[];

function fail(path: string, msg: string): never {
  throw new ParseError(path, msg);
}

/** A decimal integer, possibly negative; beyond 15 digits Number() rounds correctly where accumulation would not. */
function parseNumber(buf: Buffer, start: number, end: number, path: string): number {
  let i = start;
  const neg = buf[i] === MINUS;
  if (neg) i++;
  if (i >= end) fail(path, 'empty number');
  if (end - i > 15) {
    const s = buf.toString('latin1', start, end);
    const v = Number(s);
    if (!Number.isFinite(v) || !/^-?\d+$/.test(s)) fail(path, `bad number ${JSON.stringify(s.slice(0, 40))}`);
    return v;
  }
  let v = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9)
      fail(path, `bad number ${JSON.stringify(buf.toString('latin1', start, Math.min(end, start + 40)))}`);
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

/** Where the state token after the comm's last `)` ends (it starts at r + 2); throws without a space or a state. */
function stateEnd(buf: Buffer, r: number, path: string): number {
  if (buf[r + 1] !== SPACE) fail(path, "no space after ')'");
  const n = buf.length;
  let i = r + 2;
  while (i < n && buf[i] !== SPACE && buf[i] !== NL) i++;
  if (i === r + 2) fail(path, 'no state');
  return i;
}

export function parsePidStat(input: Buffer | string, path = '<input>'): PidStat {
  const buf = typeof input === 'string' ? fsencode(input) : input;
  const n = buf.length;
  // The comm may hold spaces and parentheses, even ") Z 1 1": split at the last ')' (psutil #1179; procfs 584).
  const l = buf.indexOf(LPAREN);
  const r = buf.lastIndexOf(RPAREN);
  if (l < 1 || r < l) fail(path, "no '(comm)'");
  let pidEnd = l;
  while (pidEnd > 0 && buf[pidEnd - 1] === SPACE) pidEnd--;
  const pid = parseNumber(buf, 0, pidEnd, path);
  const stateStart = r + 2;
  let i = stateEnd(buf, r, path);
  // One-byte strings are V8's cached single characters: no allocation for the usual one-letter state.
  const state = i - stateStart === 1 ? String.fromCharCode(buf[stateStart]!) : buf.toString('latin1', stateStart, i);
  let count = 1;
  // The line ends at the first newline after the comm (a comm may hold newlines; nothing after the line counts).
  // Fields after the last one kept (blkio, field 42; Linux 6.x prints 52) are neither parsed nor checked.
  while (i < n && count <= F_BLKIO) {
    const c = buf[i]!;
    if (c === NL) break;
    if (c === SPACE) {
      i++;
      continue;
    }
    // The usual field, up to 15 plain digits, is read in this loop; anything else (a sign, a long number, a stray
    // byte) goes through parseNumber, which checks it.
    const s = i;
    let v = 0;
    for (let d = c - 48; d >= 0 && d <= 9; d = i < n ? buf[i]! - 48 : -1) {
      v = v * 10 + d;
      i++;
    }
    if (i === s || i - s > 15 || (i < n && buf[i] !== SPACE && buf[i] !== NL)) {
      while (i < n && buf[i] !== SPACE && buf[i] !== NL) i++;
      v = parseNumber(buf, s, i, path);
    }
    fields[count++] = v;
  }
  if (count <= F_RSS) fail(path, `${count} fields after the comm, want at least ${F_RSS + 1}`);
  // Fields 39-42 may be missing on old kernels: 0 then. Not counted fields are left over from the previous line.
  if (count <= F_BLKIO) fields.fill(0, count, F_BLKIO + 1);
  return {
    pid,
    // Kept byte for byte (psutil's surrogateescape): a comm cut at 15 bytes may end inside a character.
    comm: fsdecodeRange(buf, l + 1, r),
    commBytes: r - l - 1,
    state,
    ppid: fields[1]!,
    pgrp: fields[2]!,
    session: fields[3]!,
    ttyNr: fields[4]!,
    tpgid: fields[5]!,
    flags: fields[6]!,
    // flags is a u32 (printed as %u); & works on its low 32 bits, which is all of it.
    kernelThread: (fields[6]! & PF_KTHREAD) !== 0,
    minflt: fields[7]!,
    cminflt: fields[8]!,
    majflt: fields[9]!,
    cmajflt: fields[10]!,
    utime: fields[11]!,
    stime: fields[12]!,
    cutime: fields[13]!,
    cstime: fields[14]!,
    priority: fields[15]!,
    nice: fields[16]!,
    numThreads: fields[17]!,
    starttime: fields[F_STARTTIME]!,
    vsize: fields[20]!,
    rss: fields[F_RSS]!,
    processor: fields[F_PROCESSOR]!,
    rtPriority: fields[37]!,
    policy: fields[38]!,
    blkioTicks: fields[F_BLKIO]!,
  };
}

/** What processSummary counts from a stat line: the state letter and num_threads, nothing else. */
export interface PidStatState {
  readonly state: string;
  readonly numThreads: number;
}

/** num_threads' position after the `)` (man 5 proc field 20). */
const F_NUM_THREADS = 17;

/**
 * The state and num_threads of a /proc/<pid>/stat (or task stat) line, without parsing the other fields or decoding
 * the comm: the processes collector reads one per pid on every pass. The comm is skipped as parsePidStat skips it (at
 * the last `)`); the state is the token after it, num_threads the 18th field after the comm. Throws ParseError on what
 * it reads (no `(comm)`, no state, too few fields to reach num_threads, a non-numeric num_threads); the fields in
 * between are only counted, not checked, and the ones after num_threads are not looked at.
 */
export function parsePidStatState(input: Buffer | string, path = '<input>'): PidStatState {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const n = buf.length;
  const l = buf.indexOf(LPAREN);
  const r = buf.lastIndexOf(RPAREN);
  if (l < 1 || r < l) fail(path, "no '(comm)'");
  const stateStart = r + 2;
  let i = stateEnd(buf, r, path);
  // One-byte strings are V8's cached single characters: no allocation for the usual one-letter state.
  const state = i - stateStart === 1 ? String.fromCharCode(buf[stateStart]!) : buf.toString('latin1', stateStart, i);
  let count = 1;
  while (i < n) {
    const c = buf[i]!;
    if (c === NL) break;
    if (c === SPACE) {
      i++;
      continue;
    }
    const s = i;
    while (i < n && buf[i] !== SPACE && buf[i] !== NL) i++;
    if (count === F_NUM_THREADS) return { state, numThreads: parseNumber(buf, s, i, path) };
    count++;
  }
  return fail(path, `${count} fields after the comm, want at least ${F_NUM_THREADS + 1}`);
}
