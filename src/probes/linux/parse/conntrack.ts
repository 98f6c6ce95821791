/**
 * /proc/net/stat/nf_conntrack: a header of field names, then one line per CPU of hexadecimal counters
 * (16 fields, 17 with search_restart since Linux 4.x). Pure: text in, per-CPU records out, ParseError on anything
 * malformed.
 */
import { ParseError } from '../../errors';

/** One CPU's counters, keyed by the header's names (`entries`, `searched`, `found`, `invalid`, `ignore`, ...). */
export type ConntrackStatCpu = Readonly<Record<string, number>>;

const HEX = /^[0-9a-fA-F]{1,16}$/;

export function parseConntrackStat(input: Buffer | string, path = '<input>'): ConntrackStatCpu[] {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').trim().split(/\s+/);
  if (header[0] !== 'entries')
    throw new ParseError(
      path,
      `expected a header starting with 'entries', got ${JSON.stringify((lines[0] ?? '').slice(0, 60))}`,
    );
  if (header.length < 16 || header.length > 17)
    throw new ParseError(path, `header has ${header.length} fields, expected 16 or 17`);
  const out: ConntrackStatCpu[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cols = (lines[i] ?? '').trim().split(/\s+/);
    if (cols.length !== header.length)
      throw new ParseError(path, `line ${i + 1}: ${cols.length} fields, the header has ${header.length}`);
    const rec: Record<string, number> = {};
    cols.forEach((c, j) => {
      // 64-bit counters beyond 2^53 lose their low bits, as Go's float64 does when node_exporter exports them.
      if (!HEX.test(c))
        throw new ParseError(path, `line ${i + 1}: not a hexadecimal number: ${JSON.stringify(c.slice(0, 40))}`);
      rec[header[j] ?? ''] = parseInt(c, 16);
    });
    out.push(Object.freeze(rec));
  }
  return out;
}
