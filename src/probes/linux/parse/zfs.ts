/**
 * OpenZFS kstats under /proc/spl/kstat/zfs, as node_exporter's zfs collector reads them: the named tables
 * (arcstats, dmu_tx, zil, ..., and each pool's objset-*: a header line, then `name type data` rows; only the integer
 * types 3 (int64) and 4 (uint64) are numbers, type 7 is a string), and each pool's `io` file (a line of column names
 * over a line of values). Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export interface KstatEntry {
  readonly name: string;
  readonly value: number;
}

export interface KstatTable {
  /** The integer rows, in file order. */
  readonly numbers: readonly KstatEntry[];
  /** The string rows (type 7: an objset's dataset_name), by name. */
  readonly strings: Readonly<Record<string, string>>;
}

const KSTAT_DATA_INT64 = '3';
const KSTAT_DATA_UINT64 = '4';
const KSTAT_DATA_STRING = '7';

export function parseKstatTable(input: Buffer | string, path = '<input>'): KstatTable {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const lines = text.split('\n');
  const headerAt = lines.findIndex((l) => /^name\s+type\s+data\s*$/.test(l));
  if (headerAt < 0) throw new ParseError(path, 'no `name type data` header line');
  const numbers: KstatEntry[] = [];
  const strings: Record<string, string> = {};
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const m = /^(\S+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m === null) throw new ParseError(path, `line ${i + 1}: not a kstat row: ${JSON.stringify(line.slice(0, 60))}`);
    const [, name, type, data] = m as unknown as [string, string, string, string];
    if (type === KSTAT_DATA_UINT64 || type === KSTAT_DATA_INT64) {
      if (!(type === KSTAT_DATA_INT64 ? /^-?\d+$/ : /^\d+$/).test(data))
        throw new ParseError(path, `line ${i + 1}: ${name}: not an integer: ${JSON.stringify(data.slice(0, 40))}`);
      numbers.push(Object.freeze({ name, value: Number(data) }));
    } else if (type === KSTAT_DATA_STRING) {
      strings[name] = data.trim();
    }
  }
  return Object.freeze({ numbers: Object.freeze(numbers), strings: Object.freeze(strings) });
}

/** A pool's `io` kstat (KSTAT_TYPE_IO): its column names over its values. */
export function parseZpoolIo(input: Buffer | string, path = '<input>'): KstatEntry[] {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const at = lines.findIndex((l) => /^nread(\s|$)/.test(l));
  if (at < 0 || lines[at + 1] === undefined) throw new ParseError(path, 'no nread... header with a line of values');
  const names = (lines[at] as string).trim().split(/\s+/);
  const values = (lines[at + 1] as string).trim().split(/\s+/);
  if (names.length !== values.length)
    throw new ParseError(path, `${names.length} column names over ${values.length} values`);
  return names.map((name, i) => {
    const v = values[i] as string;
    if (!/^\d+$/.test(v)) throw new ParseError(path, `${name}: not a count: ${JSON.stringify(v.slice(0, 40))}`);
    return Object.freeze({ name, value: Number(v) });
  });
}
