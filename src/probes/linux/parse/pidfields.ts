/**
 * The few fields per-process OTLP needs of /proc/<pid>/stat, status and io, read straight from the bytes of the
 * kernel's own layout into a caller's Float64Array: no string, no object per file. The agent reads these three files
 * for every exported process on every pass (up to otlp.processes.max, 1,000 by default), and the general parsers
 * (pidstat.ts, pidstatus.ts, pidio.ts) make a PidStat of 30 fields, a latin1 string of the ~1.5 KiB status and an
 * io object each time. Each function answers false for anything it does not know to be the kernel's layout (a
 * missing line, a sign, 16+ digits): the caller then reads the process the general way, which reports such a file.
 */

/** Field slots of statFields' output. */
export const ST = {
  ppid: 0,
  minflt: 1,
  majflt: 2,
  utime: 3,
  stime: 4,
  numThreads: 5,
  starttime: 6,
  /** delayacct_blkio_ticks (field 42); 0 where the kernel prints no such field (psutil #2455). */
  blkio: 7,
  /** The state letter's char code (90 'Z': a zombie). */
  state: 8,
  /** Byte offsets of the comm between the first '(' and the last ')'. */
  commStart: 9,
  commEnd: 10,
} as const;
export const ST_SIZE = 11;

/** Field slots of statusFields' output. */
export const SS = {
  uid: 0,
  /** Bytes; 0 where the line is absent (a kernel thread), as statusKb. */
  vmSize: 1,
  vmRss: 2,
  threads: 3,
  /** Signals set in ShdPnd; -1 where the line is absent. */
  shdPnd: 4,
  voluntary: 5,
  nonvoluntary: 6,
} as const;
export const SS_SIZE = 7;

/** Field slots of ioFields' output. */
export const IO = { syscr: 0, syscw: 1, readBytes: 2, writeBytes: 3 } as const;
export const IO_SIZE = 4;

const SPACE = 0x20;
const NL = 0x0a;

/**
 * The unsigned decimal at `i` (up to 15 digits: exact) ending at a space or newline, written to out[slot]; the
 * position after it, or -1.
 */
function uint(b: Uint8Array, i: number, n: number, out: Float64Array, slot: number): number {
  let v = 0;
  const start = i;
  for (; i < n; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  const digits = i - start;
  if (digits === 0 || digits > 15) return -1;
  out[slot] = v;
  return i;
}

/** The position of the next field after a space-separated field ending at `i` (past its space), or -1. */
function skipField(b: Uint8Array, i: number, n: number): number {
  for (; i < n; i++) if (b[i] === SPACE) return i + 1;
  return -1;
}

/**
 * stat's fields (ST) from `b[0, n)`. Fields after the comm's last ')', numbered as in man 5 proc minus 3: state 0,
 * ppid 1, minflt 7, majflt 9, utime 11, stime 12, num_threads 17, starttime 19, delayacct_blkio_ticks 39.
 */
export function statFields(b: Uint8Array, n: number, out: Float64Array): boolean {
  let l = -1;
  for (let i = 0; i < n; i++)
    if (b[i] === 0x28) {
      l = i;
      break;
    }
  let r = -1;
  for (let i = n - 1; i > l; i--)
    if (b[i] === 0x29) {
      r = i;
      break;
    }
  if (l < 0 || r < 0 || b[r + 1] !== SPACE || r + 3 >= n) return false;
  out[ST.commStart] = l + 1;
  out[ST.commEnd] = r;
  out[ST.state] = b[r + 2]!;
  out[ST.blkio] = 0;
  let i = r + 2;
  for (let field = 0; field <= 39; field++) {
    let slot = -1;
    if (field === 1) slot = ST.ppid;
    else if (field === 7) slot = ST.minflt;
    else if (field === 9) slot = ST.majflt;
    else if (field === 11) slot = ST.utime;
    else if (field === 12) slot = ST.stime;
    else if (field === 17) slot = ST.numThreads;
    else if (field === 19) slot = ST.starttime;
    else if (field === 39) slot = ST.blkio;
    if (slot >= 0) {
      const e = uint(b, i, n, out, slot);
      if (e < 0 || (b[e] !== SPACE && b[e] !== NL && e !== n)) return false;
      i = e;
    }
    if (field === 39) break;
    i = skipField(b, i, n);
    // Fields 39-42 are missing on old kernels: blkio stays 0 (parsePidStat's convention).
    if (i < 0 || i >= n) return field >= 19;
  }
  return true;
}

/** Whether the line at `i` starts with `key` followed by ':'. */
function keyAt(b: Uint8Array, i: number, n: number, key: Uint8Array): boolean {
  if (i + key.length >= n) return false;
  for (let k = 0; k < key.length; k++) if (b[i + k] !== key[k]) return false;
  return b[i + key.length] === 0x3a;
}

const K_UID = Buffer.from('Uid', 'latin1');
const K_VMSIZE = Buffer.from('VmSize', 'latin1');
const K_VMRSS = Buffer.from('VmRSS', 'latin1');
const K_THREADS = Buffer.from('Threads', 'latin1');
const K_SHDPND = Buffer.from('ShdPnd', 'latin1');
const K_VOL = Buffer.from('voluntary_ctxt_switches', 'latin1');
const K_NONVOL = Buffer.from('nonvoluntary_ctxt_switches', 'latin1');

/** The first unsigned decimal after `Key:` and its tabs or spaces at `i` (the key's length `k`); end, or -1. */
function valueAfter(b: Uint8Array, i: number, n: number, k: number, out: Float64Array, slot: number): number {
  let j = i + k + 1;
  while (j < n && (b[j] === 9 || b[j] === SPACE)) j++;
  return uint(b, j, n, out, slot);
}

/** Bits set in a hex digit. */
const BITS = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

/** Bits set in the hex digits from `i` to the end of the line, or -1 for a character that is not one. */
function hexBits(b: Uint8Array, i: number, n: number): number {
  let bits = 0;
  let digits = 0;
  for (; i < n && b[i] !== NL; i++) {
    const c = b[i]!;
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else return -1;
    bits += BITS[d]!;
    digits++;
  }
  return digits === 0 ? -1 : bits;
}

/**
 * voluntary_ctxt_switches and nonvoluntary_ctxt_switches from the last lines of status (they end the file, but for
 * arch lines after them: x86_Thread_features on kernels with user shadow stacks), read backwards from the end: the
 * ~20 lines between ShdPnd and them (signal and capability masks, Mems_allowed's 512+ bytes) are not scanned.
 * Whether both were found.
 */
function ctxtFromEnd(b: Uint8Array, n: number, out: Float64Array): boolean {
  let found = 0;
  let end = n;
  for (let lines = 0; lines < 6 && end > 0; lines++) {
    let i = end - 2;
    while (i >= 0 && b[i] !== NL) i--;
    const start = i + 1;
    if (b[start] === 0x76 /* v */ && keyAt(b, start, n, K_VOL)) {
      if (valueAfter(b, start, n, K_VOL.length, out, SS.voluntary) < 0) return false;
      found |= 1;
    } else if (b[start] === 0x6e /* n */ && keyAt(b, start, n, K_NONVOL)) {
      if (valueAfter(b, start, n, K_NONVOL.length, out, SS.nonvoluntary) < 0) return false;
      found |= 2;
    }
    if (found === 3) return true;
    end = start;
  }
  return false;
}

/**
 * status's fields (SS) from `b[0, n)`: the real uid of `Uid:`, VmSize and VmRSS in bytes, Threads, the signals of
 * ShdPnd, voluntary and nonvoluntary_ctxt_switches. One pass over the lines, each told by its first byte. false when
 * Uid, Threads or a ctxt_switches line is missing or malformed (the general path reports it).
 */
export function statusFields(b: Uint8Array, n: number, out: Float64Array): boolean {
  out[SS.vmSize] = 0;
  out[SS.vmRss] = 0;
  out[SS.shdPnd] = -1;
  let seen = 0;
  for (let i = 0; i < n;) {
    const c = b[i];
    let e = 0;
    if (c === 0x55 /* U */ && keyAt(b, i, n, K_UID)) {
      e = valueAfter(b, i, n, K_UID.length, out, SS.uid);
      seen |= 1;
    } else if (c === 0x56 /* V */ && keyAt(b, i, n, K_VMSIZE)) {
      e = valueAfter(b, i, n, K_VMSIZE.length, out, SS.vmSize);
      out[SS.vmSize] = out[SS.vmSize]! * 1024;
      seen |= 16;
    } else if (c === 0x56 && keyAt(b, i, n, K_VMRSS)) {
      e = valueAfter(b, i, n, K_VMRSS.length, out, SS.vmRss);
      out[SS.vmRss] = out[SS.vmRss]! * 1024;
      seen |= 32;
    } else if (c === 0x54 /* T */ && keyAt(b, i, n, K_THREADS)) {
      e = valueAfter(b, i, n, K_THREADS.length, out, SS.threads);
      seen |= 2;
    } else if (c === 0x53 /* S */ && keyAt(b, i, n, K_SHDPND)) {
      let j = i + K_SHDPND.length + 1;
      while (j < n && (b[j] === 9 || b[j] === SPACE)) j++;
      const bits = hexBits(b, j, n);
      if (bits < 0) return false;
      out[SS.shdPnd] = bits;
      // Past ShdPnd, with everything before it read (a kernel thread has no Vm lines: it reads on), the
      // ctxt_switches lines are all that is left: read from the end, where they are.
      if ((seen & 51) === 51 && ctxtFromEnd(b, n, out)) return true;
    } else if (c === 0x76 /* v */ && keyAt(b, i, n, K_VOL)) {
      e = valueAfter(b, i, n, K_VOL.length, out, SS.voluntary);
      seen |= 4;
    } else if (c === 0x6e /* n */ && keyAt(b, i, n, K_NONVOL)) {
      e = valueAfter(b, i, n, K_NONVOL.length, out, SS.nonvoluntary);
      seen |= 8;
    }
    if (e < 0) return false;
    // On to the next line.
    while (i < n && b[i] !== NL) i++;
    i++;
  }
  return (seen & 15) === 15;
}

const IO_KEYS = ['rchar', 'wchar', 'syscr', 'syscw', 'read_bytes', 'write_bytes', 'cancelled_write_bytes'].map((k) =>
  Buffer.from(`${k}: `, 'latin1'),
);
/** IO slot of each of io's lines, -1 for the lines not kept. */
const IO_SLOTS = [-1, -1, IO.syscr, IO.syscw, IO.readBytes, IO.writeBytes, -1];
const scratch = new Float64Array(1);

/** io's syscr, syscw, read_bytes and write_bytes (IO) from `b[0, n)`, in the kernel's exact seven lines. */
export function ioFields(b: Uint8Array, n: number, out: Float64Array): boolean {
  let i = 0;
  for (let k = 0; k < IO_KEYS.length; k++) {
    const key = IO_KEYS[k]!;
    if (i + key.length > n) return false;
    for (let j = 0; j < key.length; j++) if (b[i + j] !== key[j]) return false;
    const slot = IO_SLOTS[k]!;
    const e = slot < 0 ? uint(b, i + key.length, n, scratch, 0) : uint(b, i + key.length, n, out, slot);
    if (e < 0 || b[e] !== NL) return false;
    i = e + 1;
  }
  return i === n;
}
