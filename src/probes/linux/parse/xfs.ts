/**
 * XFS statistics (/sys/fs/xfs/<device>/stats/stats, and the global /proc/fs/xfs/stat): `name v1 v2 ...` lines
 * (fs/xfs/xfs_stats.c), read as prometheus/procfs reads them for node_exporter's xfs collector: the lines it knows,
 * each with its exact column count, by procfs' field names; other lines (log, push_ail, buf, the v2 btrees, xpc, ...)
 * are skipped, and a known line that is absent reads as zeros. Pure: text in, record out, ParseError on anything
 * malformed.
 */
import { ParseError } from '../../errors';

/** The lines read, their columns in the kernel's order. */
export const XFS_LINES = {
  extent_alloc: ['extentsAllocated', 'blocksAllocated', 'extentsFreed', 'blocksFreed'],
  abt: ['lookups', 'compares', 'recordsInserted', 'recordsDeleted'],
  blk_map: [
    'reads',
    'writes',
    'unmaps',
    'extentListInsertions',
    'extentListDeletions',
    'extentListLookups',
    'extentListCompares',
  ],
  bmbt: ['lookups', 'compares', 'recordsInserted', 'recordsDeleted'],
  dir: ['lookup', 'create', 'remove', 'getdents'],
  ig: ['attempts', 'found', 'recycle', 'missed', 'duplicate', 'reclaims', 'attributeChange'],
  rw: ['write', 'read'],
  vnodes: ['active', 'allocate', 'get', 'hold', 'release', 'reclaim', 'remove', 'free'],
} as const;

export type XfsLine = keyof typeof XFS_LINES;
export type XfsStats = { readonly [L in XfsLine]: { readonly [F in (typeof XFS_LINES)[L][number]]: number } };

export function parseXfsStats(input: Buffer | string, path = '<input>'): XfsStats {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const found = new Map<string, number[]>();
  let lineNo = 0;
  let lines = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    lines++;
    const [name, ...cols] = line.split(/\s+/);
    if (!/^[a-z_0-9]+$/.test(name as string))
      throw new ParseError(path, `line ${lineNo}: not a statistics line: ${JSON.stringify(line.slice(0, 60))}`);
    if (!Object.prototype.hasOwnProperty.call(XFS_LINES, name as string)) continue;
    const want = XFS_LINES[name as XfsLine].length;
    if (cols.length !== want)
      throw new ParseError(path, `line ${lineNo}: ${name} has ${cols.length} values, expected ${want}`);
    const values = cols.map((c) => {
      if (!/^\d+$/.test(c)) throw new ParseError(path, `line ${lineNo}: ${name}: not a count: ${JSON.stringify(c)}`);
      return Number(c);
    });
    if (found.has(name as string)) throw new ParseError(path, `line ${lineNo}: a second ${name} line`);
    found.set(name as string, values);
  }
  if (lines === 0) throw new ParseError(path, 'no statistics lines');
  const out: Record<string, Record<string, number>> = {};
  for (const [name, fields] of Object.entries(XFS_LINES)) {
    const values = found.get(name);
    out[name] = Object.freeze(Object.fromEntries(fields.map((f, i) => [f, values?.[i] ?? 0])));
  }
  return Object.freeze(out) as unknown as XfsStats;
}
