/**
 * /proc/diskstats: one line per block device, every column kept raw (sectors, not bytes; milliseconds, not seconds).
 * Pure: text in, records out, ParseError on anything malformed.
 *
 * Column counts by kernel (Documentation/admin-guide/iostats.rst, psutil's disk_io_counters):
 * - 14: 2.6+ disk line: major minor name + 11 counters
 * - 18: 4.18+ adds 4 discard counters; 20: 5.5+ adds 2 flush counters (more from a future kernel are ignored, as
 *   psutil does with `flen >= 18`)
 * - 7: 2.6 partition line: reads, sectors read, writes, sectors written
 * - 15: 2.4 (/proc/partitions with stats): psutil reads it as `major minor reads name merged sectors ...`
 * Anything else (8-13, 16, 17 columns) is not a format any kernel wrote: ParseError.
 */
import { ParseError } from '../../errors';

export interface DiskstatsEntry {
  readonly major: number;
  readonly minor: number;
  /** The kernel's device name; may contain '/' (cciss/c0d0). */
  readonly name: string;
  /** How many columns the line had (7, 14, 15, 18, 20, ...): tells which of the nullable fields exist. */
  readonly columns: number;
  readonly readsCompleted: number;
  readonly readsMerged: number | null;
  readonly sectorsRead: number;
  readonly readTimeMs: number | null;
  readonly writesCompleted: number;
  readonly writesMerged: number | null;
  readonly sectorsWritten: number;
  readonly writeTimeMs: number | null;
  readonly ioInProgress: number | null;
  readonly ioTimeMs: number | null;
  readonly weightedIoTimeMs: number | null;
  /** 4.18+ (18 columns and more). */
  readonly discardsCompleted: number | null;
  readonly discardsMerged: number | null;
  readonly sectorsDiscarded: number | null;
  readonly discardTimeMs: number | null;
  /** 5.5+ (20 columns and more). */
  readonly flushRequestsCompleted: number | null;
  readonly flushTimeMs: number | null;
}

const UINT = /^\d+$/;

export function parseDiskstats(input: Buffer | string, path = '<input>'): readonly DiskstatsEntry[] {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const out: DiskstatsEntry[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    const f = line.trim().split(/\s+/);
    if (f.length === 1 && f[0] === '') continue;
    const n = f.length;
    const num = (i: number): number => {
      const tok = f[i];
      if (tok === undefined || !UINT.test(tok)) {
        throw new ParseError(
          path,
          `line ${lineNo}: column ${i + 1} is not an unsigned integer: ${JSON.stringify((tok ?? '').slice(0, 40))}`,
        );
      }
      return Number(tok);
    };
    const opt = (i: number): number | null => (i < n ? num(i) : null);
    let e: DiskstatsEntry;
    if (n === 14 || n >= 18) {
      e = {
        major: num(0),
        minor: num(1),
        name: f[2]!,
        columns: n,
        readsCompleted: num(3),
        readsMerged: num(4),
        sectorsRead: num(5),
        readTimeMs: num(6),
        writesCompleted: num(7),
        writesMerged: num(8),
        sectorsWritten: num(9),
        writeTimeMs: num(10),
        ioInProgress: num(11),
        ioTimeMs: num(12),
        weightedIoTimeMs: num(13),
        discardsCompleted: opt(14),
        discardsMerged: opt(15),
        sectorsDiscarded: opt(16),
        discardTimeMs: opt(17),
        flushRequestsCompleted: opt(18),
        flushTimeMs: opt(19),
      };
    } else if (n === 15) {
      // Linux 2.4: the name is the 4th column and psutil takes the 3rd as the read count (its test_linux fixture).
      e = {
        major: num(0),
        minor: num(1),
        name: f[3]!,
        columns: n,
        readsCompleted: num(2),
        readsMerged: num(4),
        sectorsRead: num(5),
        readTimeMs: num(6),
        writesCompleted: num(7),
        writesMerged: num(8),
        sectorsWritten: num(9),
        writeTimeMs: num(10),
        ioInProgress: num(11),
        ioTimeMs: num(12),
        weightedIoTimeMs: num(13),
        discardsCompleted: null,
        discardsMerged: null,
        sectorsDiscarded: null,
        discardTimeMs: null,
        flushRequestsCompleted: null,
        flushTimeMs: null,
      };
    } else if (n === 7) {
      e = {
        major: num(0),
        minor: num(1),
        name: f[2]!,
        columns: n,
        readsCompleted: num(3),
        readsMerged: null,
        sectorsRead: num(4),
        readTimeMs: null,
        writesCompleted: num(5),
        writesMerged: null,
        sectorsWritten: num(6),
        writeTimeMs: null,
        ioInProgress: null,
        ioTimeMs: null,
        weightedIoTimeMs: null,
        discardsCompleted: null,
        discardsMerged: null,
        sectorsDiscarded: null,
        discardTimeMs: null,
        flushRequestsCompleted: null,
        flushTimeMs: null,
      };
    } else {
      throw new ParseError(path, `line ${lineNo}: expected 7, 14, 15 or at least 18 columns, got ${n}`);
    }
    out.push(Object.freeze(e));
  }
  return Object.freeze(out);
}
