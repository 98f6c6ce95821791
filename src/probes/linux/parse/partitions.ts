/**
 * /proc/partitions: `major minor  #blocks  name` (a header line, a blank line, then one line per block device; #blocks
 * counts 1 KiB blocks). Used to turn /dev/root into the real device (psutil's RootFsDeviceFinder).
 * Pure: text in, records out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export interface PartitionEntry {
  readonly major: number;
  readonly minor: number;
  readonly blocks: number;
  readonly name: string;
}

const UINT = /^\d+$/;

export function parsePartitions(input: Buffer | string, path = '<input>'): readonly PartitionEntry[] {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const out: PartitionEntry[] = [];
  let lineNo = 0;
  let header = false;
  for (const line of text.split('\n')) {
    lineNo++;
    const f = line.trim().split(/\s+/);
    if (f.length === 1 && f[0] === '') continue;
    if (f[0] === 'major') {
      header = true;
      continue;
    }
    if (f.length < 4 || !UINT.test(f[0]!) || !UINT.test(f[1]!) || !UINT.test(f[2]!)) {
      throw new ParseError(
        path,
        `line ${lineNo}: expected 'major minor #blocks name', got ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    out.push(Object.freeze({ major: Number(f[0]), minor: Number(f[1]), blocks: Number(f[2]), name: f[3]! }));
  }
  // The kernel always writes the header, even with no block device: a file without it is not /proc/partitions.
  if (!header && out.length === 0) throw new ParseError(path, "no 'major minor #blocks name' header and no entries");
  return Object.freeze(out);
}
