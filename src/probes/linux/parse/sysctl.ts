/**
 * One-number kernel files: /proc/sys/kernel/random/{entropy_avail,poolsize},
 * /proc/sys/net/netfilter/nf_conntrack_{count,max} and the like.
 * Pure: text in, number out, ParseError on anything else.
 */
import { ParseError } from '../../errors';

/** The file's single unsigned decimal integer (surrounding whitespace allowed). */
export function parseSysctlUint(input: Buffer | string, path = '<input>'): number {
  const text = (typeof input === 'string' ? input : input.toString('utf8')).trim();
  if (!/^\d+$/.test(text)) throw new ParseError(path, `not an unsigned integer: ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}
