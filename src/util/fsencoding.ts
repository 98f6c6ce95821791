/**
 * Bytes the kernel gives (paths, arguments, environment values, names) as strings that keep every byte: Python's
 * `surrogateescape` (PEP 383), which psutil uses for all of them. Valid UTF-8 decodes as usual; each byte that is not
 * part of a valid UTF-8 sequence becomes the lone surrogate U+DC80 + (byte - 0x80), so `fsencode(fsdecode(b))` is `b`
 * and a path read from /proc can be opened again. Valid means what Python's strict decoder accepts: no overlong forms
 * (C0 80), no encoded surrogates (ED A0 80), nothing above U+10FFFF. Where a sequence breaks off, the bytes read so
 * far are escaped one by one and decoding resumes at the next byte (the lead's continuation bytes can start nothing,
 * so this is Python's "maximal subpart" rule, byte for byte). A leaf: it imports only node:buffer.
 *
 * Text that leaves the process (Prometheus labels, OTLP attributes, JSON) must be well-formed: `wellFormed` turns each
 * lone surrogate into U+FFFD there.
 */
import { isUtf8 } from 'node:buffer';

/** Length of the valid UTF-8 sequence at `i` (a lead byte >= 0x80), or 0 when it is not one (Python's strict rules). */
function sequenceLength(buf: Uint8Array, i: number, end: number): number {
  const b0 = buf[i] as number;
  let need: number;
  // The allowed range of the second byte is what excludes overlongs (E0 80, F0 80), surrogates (ED A0) and > 10FFFF.
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) need = 1;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 2;
    if (b0 === 0xe0) lo = 0xa0;
    else if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 3;
    if (b0 === 0xf0) lo = 0x90;
    else if (b0 === 0xf4) hi = 0x8f;
  } else return 0; // 80-C1 (continuation bytes, overlong leads) and F5-FF start nothing
  if (i + need >= end) return 0; // cut short by the end: Python escapes the bytes there are
  const b1 = buf[i + 1] as number;
  if (b1 < lo || b1 > hi) return 0;
  for (let k = 2; k <= need; k++) {
    const b = buf[i + k] as number;
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return need + 1;
}

/** The surrogateescape decoding of bytes that are known not to be valid UTF-8. */
function decodeEscaped(buf: Uint8Array, start: number, end: number): string {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let out = '';
  let run = start;
  let i = start;
  while (i < end) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = sequenceLength(b, i, end);
    if (n > 0) {
      i += n;
      continue;
    }
    if (run < i) out += b.toString('utf8', run, i);
    out += String.fromCharCode(0xdc00 + c);
    run = ++i;
  }
  if (run < end) out += b.toString('utf8', run, end);
  return out;
}

/**
 * `bytes[start:end].decode('utf-8', 'surrogateescape')` for the library's parsers. Valid UTF-8 (nearly all of it)
 * takes Node's decoder after one validation (`isUtf8`, simdutf); only invalid input takes the byte-by-byte path.
 */
export function fsdecodeRange(buf: Buffer, start: number, end: number): string {
  // A short range (a comm, most arguments) is checked for ASCII here: cheaper than a subarray and a call into C++.
  if (end - start <= 32) {
    let i = start;
    while (i < end && (buf[i] as number) < 0x80) i++;
    if (i === end) return buf.toString('latin1', start, end);
  }
  if (start === 0 && end === buf.length) {
    return isUtf8(buf) ? buf.toString('utf8', 0, end) : decodeEscaped(buf, 0, end);
  }
  const part = buf.subarray(start, end);
  return isUtf8(part) ? buf.toString('utf8', start, end) : decodeEscaped(buf, start, end);
}

/**
 * Bytes as a string that keeps them all: Python's `os.fsdecode` on Linux (`b.decode('utf-8', 'surrogateescape')`).
 * A string is returned unchanged, as `os.fsdecode` returns a str.
 */
export function fsdecode(bytes: Uint8Array | string): string {
  if (typeof bytes === 'string') return bytes;
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`fsdecode: bytes must be a Buffer, a Uint8Array or a string, not ${describe(bytes)}`);
  }
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return fsdecodeRange(buf, 0, buf.length);
}

/** Any UTF-16 surrogate: a string without one encodes to UTF-8 the ordinary way. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * A string as the bytes it stands for: Python's `os.fsencode` on Linux (`s.encode('utf-8', 'surrogateescape')`).
 * Each lone surrogate U+DC80-U+DCFF becomes the byte it escapes; any other lone surrogate is a RangeError (Python's
 * UnicodeEncodeError), as it stands for no byte. A Buffer or Uint8Array is returned as a Buffer of the same bytes.
 * `what` names the argument in errors (a function taking a path passes its own name).
 */
export function fsencode(s: string | Uint8Array, what = 'fsencode: s'): Buffer {
  if (typeof s !== 'string') {
    if (s instanceof Uint8Array) return Buffer.isBuffer(s) ? s : Buffer.from(s.buffer, s.byteOffset, s.byteLength);
    throw new TypeError(`${what} must be a string, a Buffer or a Uint8Array, not ${describe(s)}`);
  }
  if (!SURROGATE.test(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u < 0xd800 || u > 0xdfff) continue;
    if (u <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a pair: one character above U+FFFF, encoded with its run
        continue;
      }
    } else if (u >= 0xdc80 && u <= 0xdcff) {
      if (run < i) parts.push(Buffer.from(s.slice(run, i), 'utf8'));
      parts.push(Buffer.of(u - 0xdc00));
      run = i + 1;
      continue;
    }
    const hex = u.toString(16).toUpperCase();
    throw new RangeError(
      `${what} holds the lone surrogate U+${hex} at index ${i}, which stands for no byte ` +
        '(only U+DC80-U+DCFF escape bytes: surrogates not allowed)',
    );
  }
  if (run < s.length) parts.push(Buffer.from(s.slice(run), 'utf8'));
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

/**
 * A path for Node's fs functions: the string itself when it holds no surrogate (the common case, no copy), else its
 * bytes (fsencode), since Node would write a lone surrogate as U+FFFD and name another file.
 */
export function osPath(p: string | Uint8Array, what?: string): string | Buffer {
  if (typeof p === 'string' && !SURROGATE.test(p)) return p;
  return fsencode(p, what);
}

/**
 * A path for a `const char *` argument of a koffi binding: the string itself when it holds no surrogate (koffi
 * encodes it as UTF-8 and ends it with NUL), else its bytes with the NUL added, which koffi passes as they are.
 */
export function cPath(p: string): string | Buffer {
  if (!SURROGATE.test(p)) return p;
  return Buffer.concat([fsencode(p), NUL_BYTE]);
}

const NUL_BYTE = Buffer.of(0);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The string with each lone surrogate replaced by U+FFFD, so that its UTF-8 is valid: for text that leaves the
 * process (String.prototype.toWellFormed is in Node 20, not in the ES2022 lib this project compiles against).
 */
export function wellFormed(s: string): string {
  if (!SURROGATE.test(s)) return s;
  LONE_SURROGATE.lastIndex = 0;
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * JSON.stringify with every string and key made well-formed first. JSON.stringify alone writes a lone surrogate as
 * the escape `\udcff`, valid UTF-8 that many readers (Go's encoding/json, Prometheus) take as U+FFFD and some
 * (Python) as a surrogate: JSON that leaves the process says U+FFFD itself.
 */
export function wellFormedJson(value: unknown, space?: number): string {
  return JSON.stringify(
    value,
    (_key: string, v: unknown): unknown => {
      if (typeof v === 'string') return wellFormed(v);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      const keys = Object.keys(v);
      if (!keys.some((k) => SURROGATE.test(k))) return v;
      const copy: Record<string, unknown> = {};
      for (const k of keys) copy[wellFormed(k)] = (v as Record<string, unknown>)[k];
      return copy;
    },
    space,
  );
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}
