/**
 * /proc/<pid>/io: `key: value` lines (rchar, wchar, syscr, syscw, read_bytes, write_bytes, cancelled_write_bytes).
 * Blank or odd lines are skipped (psutil #1004); an empty file or a missing key is a ParseError.
 */
import { ParseError } from '../../errors';

export interface PidIo {
  readonly rchar: number;
  readonly wchar: number;
  readonly syscr: number;
  readonly syscw: number;
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly cancelledWriteBytes: number;
}

/** The kernel's lines, in its order (fs/proc/base.c do_io_accounting). */
const KEYS = ['rchar', 'wchar', 'syscr', 'syscw', 'read_bytes', 'write_bytes', 'cancelled_write_bytes'] as const;
const KEY_BYTES = KEYS.map((k) => Buffer.from(`${k}: `, 'latin1'));

/**
 * The kernel's exact layout read from the bytes (no string, no Map: this file is read for every exported process
 * on every pass), or null for anything else (other lines, a sign, 16+ digits), which the text parser then handles.
 */
function fromKernelBytes(b: Buffer): PidIo | null {
  const v = [0, 0, 0, 0, 0, 0, 0];
  let off = 0;
  for (let k = 0; k < KEY_BYTES.length; k++) {
    const key = KEY_BYTES[k]!;
    if (off + key.length > b.length) return null;
    for (let i = 0; i < key.length; i++) if (b[off + i] !== key[i]) return null;
    off += key.length;
    let n = 0;
    let digits = 0;
    for (; off < b.length; off++) {
      const d = b[off]! - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      digits++;
    }
    // Up to 15 digits the sum is exact, as Number() of the text would be.
    if (digits === 0 || digits > 15 || b[off] !== 10) return null;
    off++;
    v[k] = n;
  }
  if (off !== b.length) return null;
  return {
    rchar: v[0]!,
    wchar: v[1]!,
    syscr: v[2]!,
    syscw: v[3]!,
    readBytes: v[4]!,
    writeBytes: v[5]!,
    cancelledWriteBytes: v[6]!,
  };
}

export function parsePidIo(input: Buffer | string, path = '<input>'): PidIo {
  if (typeof input !== 'string') {
    const fast = fromKernelBytes(input);
    if (fast !== null) return fast;
  }
  const text = typeof input === 'string' ? input : input.toString('latin1', 0, input.length);
  // Read for every grouped process every pass: the fields go straight to locals (no line array, no map); a file
  // without one of them is parsed again below for the error's list of the keys found.
  let rchar = NaN;
  let wchar = NaN;
  let syscr = NaN;
  let syscw = NaN;
  let readBytes = NaN;
  let writeBytes = NaN;
  let cancelled = 0;
  for (let pos = 0; pos <= text.length;) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end).trim();
    pos = end + 1;
    const i = line.indexOf(': ');
    if (i <= 0) continue;
    const v = Number(line.slice(i + 2).trim());
    if (!Number.isFinite(v)) continue;
    switch (line.slice(0, i)) {
      case 'rchar':
        rchar = v;
        break;
      case 'wchar':
        wchar = v;
        break;
      case 'syscr':
        syscr = v;
        break;
      case 'syscw':
        syscw = v;
        break;
      case 'read_bytes':
        readBytes = v;
        break;
      case 'write_bytes':
        writeBytes = v;
        break;
      case 'cancelled_write_bytes':
        cancelled = v;
        break;
    }
  }
  // NaN !== NaN: every required field was found.
  if (
    rchar === rchar &&
    wchar === wchar &&
    syscr === syscr &&
    syscw === syscw &&
    readBytes === readBytes &&
    writeBytes === writeBytes
  )
    return { rchar, wchar, syscr, syscw, readBytes, writeBytes, cancelledWriteBytes: cancelled };
  return parseSlow(text, path);
}

/** The same parse through a map, for a file lacking a field: throws with the keys it has. */
function parseSlow(text: string, path: string): PidIo {
  const f = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const i = line.indexOf(': ');
    if (i <= 0) continue;
    const v = Number(line.slice(i + 2).trim());
    if (Number.isFinite(v)) f.set(line.slice(0, i), v);
  }
  if (f.size === 0) throw new ParseError(path, 'empty');
  const get = (k: string): number => {
    const v = f.get(k);
    if (v === undefined) throw new ParseError(path, `no '${k}' field; found ${[...f.keys()].join(', ')}`);
    return v;
  };
  return {
    rchar: get('rchar'),
    wchar: get('wchar'),
    syscr: get('syscr'),
    syscw: get('syscw'),
    readBytes: get('read_bytes'),
    writeBytes: get('write_bytes'),
    cancelledWriteBytes: f.get('cancelled_write_bytes') ?? 0,
  };
}
