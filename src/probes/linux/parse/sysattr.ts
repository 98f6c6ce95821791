/**
 * Values as sysfs attributes of storage and fabric drivers print them: numbers in decimal or 0x-prefixed hexadecimal
 * (fibre channel statistics) up to 2^64 - 1, which drivers use for "not implemented", read as procfs' value parser
 * reads them (Go's strconv.ParseUint(s, 0, 64)); InfiniBand port states (`4: ACTIVE`) and rates (`40 Gb/sec (4X QDR)`).
 * Pure: text in, value out, ParseError on anything else.
 */
import { ParseError } from '../../errors';

export const U64_MAX = (1n << 64n) - 1n;

export function parseSysfsUint64(input: Buffer | string, path = '<input>'): bigint {
  const t = (typeof input === 'string' ? input : input.toString('utf8')).trim().replace(/_/g, '');
  let v: bigint | null = null;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) v = BigInt(t);
  else if (/^0[oO]?[0-7]+$/.test(t)) v = BigInt('0o' + t.replace(/^0[oO]?/, ''));
  else if (/^0[bB][01]+$/.test(t)) v = BigInt(t);
  else if (/^\d+$/.test(t)) v = BigInt(t);
  if (v === null || v > U64_MAX)
    throw new ParseError(path, `not an unsigned 64-bit integer: ${JSON.stringify(t.slice(0, 40))}`);
  return v;
}

/** An InfiniBand `state` or `phys_state` (`4: ACTIVE`, `5: LinkUp`): the number before the colon. */
export function parseIbState(input: Buffer | string, path = '<input>'): number {
  const t = (typeof input === 'string' ? input : input.toString('utf8')).trim();
  const m = /^(\d+):/.exec(t);
  if (m === null) throw new ParseError(path, `expected 'N: NAME', got ${JSON.stringify(t.slice(0, 40))}`);
  return Number(m[1]);
}

/** An InfiniBand `rate` (`40 Gb/sec (4X QDR)`, `2.5 Gb/sec (1X SDR)`) in bytes per second, as procfs computes it. */
export function parseIbRate(input: Buffer | string, path = '<input>'): number {
  const t = (typeof input === 'string' ? input : input.toString('utf8')).trim();
  const m = /^(\d+(?:\.\d+)?) Gb\/sec/.exec(t);
  if (m === null) throw new ParseError(path, `expected 'N Gb/sec ...', got ${JSON.stringify(t.slice(0, 40))}`);
  return (Number(m[1]) * 1e9) / 8;
}
