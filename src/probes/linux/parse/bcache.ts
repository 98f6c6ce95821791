/**
 * bcache's sysfs values (drivers/md/bcache/sysfs.c): plain integers, or bch_hprint's human-readable sizes (`1.2k`,
 * `20.4G`: a power of 1024 and one "decimal" digit that is really tenths of 1024ths), the writeback_rate_debug block
 * and the cache device's priority_stats. Read as procfs's bcache package reads them, so that node_bcache_* equals
 * node_exporter's.
 */
import { ParseError } from '../../errors';

const MULTIPLIERS: Readonly<Record<string, number>> = {
  k: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40,
  P: 2 ** 50,
  E: 2 ** 60,
  Z: 2 ** 70,
  Y: 2 ** 80,
};

function num(s: string, text: string, path: string): number {
  if (!/^\d+$/.test(s)) throw new ParseError(path, `not a bcache value: ${JSON.stringify(text)}`);
  return Number(s);
}

/**
 * One value as bch_hprint printed it, in units (bytes, sectors, counts). Its fraction is `frac * 10 / 1024` printed as
 * a decimal digit, so procfs divides the digit(s) by 10.24 to get 1024ths back: `1.1M` is (1 + 1/10.24) * 2^20.
 * The result is truncated to an integer as procfs's uint64 conversion does. A leading `-` (the writeback
 * controller's terms and change can be negative) negates it.
 */
export function parseBcacheValue(text: string, path: string): number {
  let s = text.trim();
  const neg = s.startsWith('-');
  if (neg) s = s.slice(1);
  if (s === '') throw new ParseError(path, 'empty bcache value');
  let mul = 1;
  const last = s.charAt(s.length - 1);
  let mant: number;
  if (last >= '0' && last <= '9') {
    // Not humanized: procfs's ParseFloat takes a plain decimal too.
    if (!/^\d+(\.\d+)?$/.test(s)) throw new ParseError(path, `not a bcache value: ${JSON.stringify(text)}`);
    mant = Number(s);
  } else {
    const m = MULTIPLIERS[last];
    if (m === undefined) throw new ParseError(path, `unknown bcache size suffix: ${JSON.stringify(text)}`);
    mul = m;
    const [int = '', frac] = s.slice(0, -1).split('.');
    mant = num(int, text, path) + (frac === undefined ? 0 : num(frac, text, path) / 10.24);
  }
  const v = Math.trunc(mant * mul);
  return neg ? -v : v;
}

/** writeback_rate_debug of a backing device (bytes, bytes per second); `next io` is left out as node_exporter does. */
export interface BcacheWritebackRateDebug {
  rate: number;
  dirty: number;
  target: number;
  proportional: number;
  integral: number;
  change: number;
}

const WRD_KEYS: ReadonlyArray<readonly [string, keyof BcacheWritebackRateDebug]> = [
  ['rate', 'rate'],
  ['dirty', 'dirty'],
  ['target', 'target'],
  ['proportional', 'proportional'],
  ['integral', 'integral'],
  ['change', 'change'],
];

/** `rate:           1.1M/sec` lines; a key the kernel does not print stays 0, as in procfs. */
export function parseWritebackRateDebug(text: string, path: string): BcacheWritebackRateDebug {
  const out: BcacheWritebackRateDebug = { rate: 0, dirty: 0, target: 0, proportional: 0, integral: 0, change: 0 };
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const hit = WRD_KEYS.find(([k]) => k === key);
    if (hit === undefined) continue;
    const raw = line.slice(colon + 1).trim();
    out[hit[1]] = parseBcacheValue(raw.endsWith('/sec') ? raw.slice(0, -4) : raw, path);
  }
  return out;
}

/** priority_stats' `Unused:\t\t99%` and `Metadata:\t0%`, in percent; the bucket quantiles are not used. */
export function parsePriorityStats(text: string, path: string): { unusedPercent: number; metadataPercent: number } {
  const out = { unusedPercent: 0, metadataPercent: 0 };
  for (const line of text.split('\n')) {
    const m = /^(Unused|Metadata):\s+(\S+?)%?$/.exec(line.trim());
    if (m === null) continue;
    const v = num(m[2] ?? '', line, path);
    if (m[1] === 'Unused') out.unusedPercent = v;
    else out.metadataPercent = v;
  }
  return out;
}
