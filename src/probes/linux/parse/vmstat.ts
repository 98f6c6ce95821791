/**
 * /proc/vmstat: one `name value` pair per line, as { name: value } in file order.
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export type Vmstat = Readonly<Record<string, number>>;

// Counters are printed as unsigned longs, but a few nr_* gauges are signed sums of per-CPU deltas and can dip below 0.
const LINE = /^([A-Za-z0-9_]+)\s+(-?\d+)\s*$/;

export function parseVmstat(input: Buffer | string, path = '<input>'): Vmstat {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  const out: Record<string, number> = {};
  let lineNo = 0;
  let count = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    if (raw.trim() === '') continue;
    const m = LINE.exec(raw);
    if (m === null) throw new ParseError(path, `line ${lineNo} is not 'name value': ${JSON.stringify(raw.slice(0, 60))}`);
    out[m[1] as string] = Number(m[2]);
    count++;
  }
  if (count === 0) throw new ParseError(path, 'no fields');
  return Object.freeze(out);
}
