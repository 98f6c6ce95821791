/**
 * Numbers as sysfs attributes of storage and fabric drivers print them: decimal, or 0x-prefixed hexadecimal (fibre
 * channel statistics), up to 2^64 - 1, which drivers use for "not implemented". Read the way procfs' value parser
 * reads them (Go's strconv.ParseUint(s, 0, 64)). Pure: text in, bigint out, ParseError on anything else.
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
