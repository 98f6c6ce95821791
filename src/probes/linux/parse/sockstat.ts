/**
 * /proc/net/sockstat and /proc/net/sockstat6: `PROTO: key value key value ...` lines.
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

/** `{ sockets: { used: 229 }, TCP: { inuse: 4, orphan: 0, tw: 4, alloc: 17, mem: 1 }, ... }` in file order. */
export type SockStatRecord = Readonly<Record<string, Readonly<Record<string, number>>>>;

const INT = /^-?\d+$/;

export function parseSockStat(input: Buffer | string, path = '<input>'): SockStatRecord {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const out: Array<[string, Readonly<Record<string, number>>]> = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new ParseError(path, `line ${lineNo}: no 'PROTO:' prefix in ${JSON.stringify(line.slice(0, 80))}`);
    const proto = line.slice(0, colon).trim();
    const toks = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .filter((t) => t !== '');
    if (toks.length % 2 !== 0) throw new ParseError(path, `line ${lineNo} (${proto}): odd number of key/value tokens`);
    const fields: Array<[string, number]> = [];
    for (let i = 0; i < toks.length; i += 2) {
      const key = toks[i]!;
      const val = toks[i + 1]!;
      if (!INT.test(val))
        throw new ParseError(
          path,
          `line ${lineNo} (${proto} ${key}): not an integer: ${JSON.stringify(val.slice(0, 40))}`,
        );
      fields.push([key, Number(val)]);
    }
    out.push([proto, Object.freeze(Object.fromEntries(fields))]);
  }
  return Object.freeze(Object.fromEntries(out));
}
