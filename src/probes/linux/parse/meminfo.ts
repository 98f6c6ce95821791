/**
 * /proc/meminfo (also the per-node /sys/devices/system/node/nodeN/meminfo lines once their prefix is cut):
 * every line as { Field: value }, keeping the kernel's names (`Active(anon)`, `HugePages_Total`), in file order.
 * Values with a `kB` unit are converted to bytes; unit-less values (page counts such as HugePages_Total) stay as is.
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export type Meminfo = Readonly<Record<string, number>>;

// Accepted: `Key:   123 kB`, `Key: 123` and, on some kernels and emulators, `Key:123` with no space (psutil 8 #2809).
// 2.4 kernels open with a byte-count table (`   total:  used:  free: ...`, `Mem:  n n n ...`, `Swap: n n n`) that
// repeats the fields below it: skipped.
const V24_HEADER = /^\s+total:\s+used:/;
const V24_ROW = /^(Mem|Swap):\s+\d+(?:\s+\d+)+\s*$/;

/**
 * `Key: 123 kB` at text[from, to) -> [key, bytes-or-count], or null when the line has another shape. Hand-rolled:
 * virtualMemory() parses this ~55-line file on every call.
 */
/**
 * The keys of the previous parse, by line number. The kernel prints the same keys in the same order on every read, so
 * a key is taken from here when the text matches, instead of slicing a fresh string that then has to be interned as a
 * property name (most of the parse's cost otherwise). Only a cache: the result is the same either way.
 */
const keyCache: string[] = [];

function line(text: string, from: number, to: number, lineNo: number): [string, number] | null {
  const colon = text.indexOf(':', from);
  if (colon === -1 || colon >= to) return null;
  let keyEnd = colon;
  while (keyEnd > from && text.charCodeAt(keyEnd - 1) === 32) keyEnd--; // s390x: `Key   : value`
  if (keyEnd === from) return null;
  // The key's characters are checked and compared with the cached key in the same pass.
  let key = keyCache[lineNo];
  let same = key !== undefined && key.length === keyEnd - from;
  for (let j = from; j < keyEnd; j++) {
    const c = text.charCodeAt(j);
    if (c <= 32 || c === 58) return null;
    if (same && key!.charCodeAt(j - from) !== c) same = false;
  }
  let j = colon + 1;
  while (j < to && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
  const start = j;
  let v = 0;
  for (; j < to; j++) {
    const c = text.charCodeAt(j) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  if (j === start) return null;
  let kb = false;
  let k = j;
  while (k < to && text.charCodeAt(k) === 32) k++;
  if (k > j && text.startsWith('kB', k)) {
    kb = true;
    k += 2;
  }
  while (k < to && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 13)) k++;
  if (k !== to) return null;
  if (!same || key === undefined) {
    key = text.slice(from, keyEnd);
    if (lineNo < 512) keyCache[lineNo] = key;
  }
  return [key, kb ? v * 1024 : v];
}

export function parseMeminfo(input: Buffer | string, path = '<input>'): Meminfo {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  const out: Record<string, number> = {};
  let lineNo = 0;
  let count = 0;
  let i = 0;
  while (i < text.length) {
    lineNo++;
    let end = text.indexOf('\n', i);
    if (end === -1) end = text.length;
    const kv = line(text, i, end, lineNo);
    if (kv === null) {
      const raw = text.slice(i, end);
      if (!(raw.trim() === '' || V24_HEADER.test(raw) || V24_ROW.test(raw))) {
        throw new ParseError(path, `line ${lineNo} is not 'Key: value [kB]': ${JSON.stringify(raw.slice(0, 60))}`);
      }
    } else {
      out[kv[0]] = kv[1];
      count++;
    }
    i = end + 1;
  }
  if (count === 0) throw new ParseError(path, 'no fields');
  return Object.freeze(out);
}
