/**
 * /proc/meminfo (also the per-node /sys/devices/system/node/nodeN/meminfo lines once their prefix is cut):
 * every line as { Field: value }, keeping the kernel's names (`Active(anon)`, `HugePages_Total`), in file order.
 * Values with a `kB` unit are converted to bytes; unit-less values (page counts such as HugePages_Total) stay as is.
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export type Meminfo = Readonly<Record<string, number>>;

// `Key:   123 kB`, `Key: 123` and, on some kernels and emulators, `Key:123` with no space (psutil 8 #2809).
const LINE = /^([^\s:]+)\s*:\s*(\d+)(?:\s+(kB))?\s*$/;
// 2.4 kernels open with a byte-count table (`   total:  used:  free: ...`, `Mem:  n n n ...`, `Swap: n n n`) that
// repeats the fields below it: skipped.
const V24_HEADER = /^\s+total:\s+used:/;
const V24_ROW = /^(Mem|Swap):\s+\d+(?:\s+\d+)+\s*$/;

export function parseMeminfo(input: Buffer | string, path = '<input>'): Meminfo {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  const out: Record<string, number> = {};
  let lineNo = 0;
  let count = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const m = LINE.exec(raw);
    if (m === null) {
      if (raw.trim() === '' || V24_HEADER.test(raw) || V24_ROW.test(raw)) continue;
      throw new ParseError(path, `line ${lineNo} is not 'Key: value [kB]': ${JSON.stringify(raw.slice(0, 60))}`);
    }
    const key = m[1] as string;
    const value = Number(m[2]);
    out[key] = m[3] === 'kB' ? value * 1024 : value;
    count++;
  }
  if (count === 0) throw new ParseError(path, 'no fields');
  return Object.freeze(out);
}
