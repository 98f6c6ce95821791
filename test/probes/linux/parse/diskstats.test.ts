import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDiskstats } from '../../../../src/probes/linux/parse/diskstats';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

const read = (p: string) => parseDiskstats(fs.readFileSync(p), p);

describe('parseDiskstats', () => {
  test('14 columns (2.6+): the 11 classic counters, the 4.18/5.5 ones null', () => {
    const [e] = parseDiskstats(
      '   8       0 sda 25354637 34367663 1003346126 18492372 28444756 11134226 505697032 63877960 0 9653880 82621804\n',
    );
    expect(e).toEqual({
      major: 8,
      minor: 0,
      name: 'sda',
      columns: 14,
      readsCompleted: 25354637,
      readsMerged: 34367663,
      sectorsRead: 1003346126,
      readTimeMs: 18492372,
      writesCompleted: 28444756,
      writesMerged: 11134226,
      sectorsWritten: 505697032,
      writeTimeMs: 63877960,
      ioInProgress: 0,
      ioTimeMs: 9653880,
      weightedIoTimeMs: 82621804,
      discardsCompleted: null,
      discardsMerged: null,
      sectorsDiscarded: null,
      discardTimeMs: null,
      flushRequestsCompleted: null,
      flushTimeMs: null,
    });
    expect(Object.isFrozen(e)).toBe(true);
  });

  test('18 columns (4.18+): discards', () => {
    const [e] = parseDiskstats(
      '8 16 sdb 326552 841 9657779 84 41822 2895 1972905 5007 0 60730 67070 68851 1 1925173784 11130',
    );
    expect(e).toMatchObject({
      columns: 18,
      discardsCompleted: 68851,
      discardsMerged: 1,
      sectorsDiscarded: 1925173784,
      discardTimeMs: 11130,
      flushRequestsCompleted: null,
      flushTimeMs: null,
    });
  });

  test('20 columns (5.5+): flushes', () => {
    const [e] = parseDiskstats(
      '8 32 sdc 126552 141 1657779 14 11822 1895 172905 1007 3 10730 17070 18851 0 125173784 11130 1555 1944',
    );
    expect(e).toMatchObject({ columns: 20, ioInProgress: 3, flushRequestsCompleted: 1555, flushTimeMs: 1944 });
  });

  test('a future kernel with more columns: the known ones are read, the rest ignored (psutil: flen >= 18)', () => {
    const [e] = parseDiskstats('8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19');
    expect(e).toMatchObject({ columns: 22, readsCompleted: 1, flushTimeMs: 17 });
  });

  test('7 columns (2.6 partition): reads, sectors read, writes, sectors written; the rest null', () => {
    const [e] = parseDiskstats('   3    1   hda1 8 16 24 32');
    expect(e).toMatchObject({
      name: 'hda1',
      columns: 7,
      readsCompleted: 8,
      sectorsRead: 16,
      writesCompleted: 24,
      sectorsWritten: 32,
      readsMerged: null,
      readTimeMs: null,
      writesMerged: null,
      writeTimeMs: null,
      ioInProgress: null,
      ioTimeMs: null,
      weightedIoTimeMs: null,
    });
  });

  test('15 columns (2.4): name in column 4, reads in column 3 (psutil test_disk_io_counters_kernel_2_4_mocked)', () => {
    const [e] = parseDiskstats('   3     0   1 hda 2 3 4 5 6 7 8 9 10 11 12');
    expect(e).toMatchObject({
      name: 'hda',
      columns: 15,
      readsCompleted: 1,
      readsMerged: 2,
      sectorsRead: 3,
      readTimeMs: 4,
      writesCompleted: 5,
      writesMerged: 6,
      sectorsWritten: 7,
      writeTimeMs: 8,
      ioInProgress: 9,
      ioTimeMs: 10,
      weightedIoTimeMs: 11,
    });
  });

  test('names with a slash (cciss/c0d0) are kept as the kernel writes them', () => {
    expect(parseDiskstats('104 0 cciss/c0d0 1 2 3 4 5 6 7 8 9 10 11')[0]!.name).toBe('cciss/c0d0');
  });

  test('our 5.5+ file: 20 columns on every line, flushes and discards, u64 and u32 extremes kept', () => {
    const p = own('parse', 'diskstats', 'diskstats-5.5');
    const rows = read(p);
    expect(rows.map((r) => [r.name, r.columns])).toEqual([
      ['loop0', 20],
      ['nvme0n1', 20],
      ['nvme0n1p1', 20],
      ['nvme0n1p2', 20],
      ['dm-0', 20],
      ['sr0', 20],
      ['sda', 20],
    ]);
    expect(rows[1]).toMatchObject({
      major: 259,
      minor: 0,
      readsCompleted: 812004,
      sectorsWritten: 130233445,
      ioInProgress: 2,
      weightedIoTimeMs: 3700111,
      discardsCompleted: 44012,
      sectorsDiscarded: 901234567,
      discardTimeMs: 5012,
      flushRequestsCompleted: 77013,
      flushTimeMs: 30221,
    });
    expect(rows[5]).toMatchObject({ name: 'sr0', readsCompleted: 0, flushTimeMs: 0 });
    // A wrapped u64 counter and the in-flight underflow some kernels print as 2^32 - 1.
    expect(rows[6]).toMatchObject({
      readsCompleted: 18446744073709551615,
      readTimeMs: 4294967295,
      ioInProgress: 4294967295,
    });
  });

  test('our 4.18 file: 18 columns, discards read, flushes null', () => {
    const rows = read(own('parse', 'diskstats', 'diskstats-4.18'));
    expect(rows.map((r) => r.columns)).toEqual([18, 18, 18]);
    expect(rows[0]).toMatchObject({
      name: 'sda',
      readsCompleted: 402117,
      weightedIoTimeMs: 80123,
      discardsCompleted: 51002,
      discardsMerged: 2,
      sectorsDiscarded: 1700443321,
      discardTimeMs: 9021,
      flushRequestsCompleted: null,
      flushTimeMs: null,
    });
    expect(rows[2]).toMatchObject({ name: 'sdb', ioInProgress: 1, discardsCompleted: 0 });
  });

  test('our 2.6.18 file: 14-column disks, 7-column partitions, a cciss/ name with a slash', () => {
    const rows = read(own('parse', 'diskstats', 'diskstats-2.6.18'));
    expect(rows.map((r) => [r.name, r.columns])).toEqual([
      ['cciss/c0d0', 14],
      ['cciss/c0d0p1', 7],
      ['cciss/c0d0p2', 7],
      ['hda', 14],
    ]);
    expect(rows[0]).toMatchObject({
      readsCompleted: 901223,
      writesCompleted: 3300221,
      weightedIoTimeMs: 14301335,
      discardsCompleted: null,
    });
    expect(rows[2]).toMatchObject({
      readsCompleted: 892401,
      sectorsRead: 22934071,
      writesCompleted: 3299020,
      sectorsWritten: 80211396,
      readTimeMs: null,
    });
  });

  test("our 2.4 /proc/partitions with statistics: 15 columns, the name fourth, the rest by psutil's positions", () => {
    const rows = read(own('parse', 'diskstats', 'partitions-2.4'));
    expect(rows.map((r) => [r.name, r.columns])).toEqual([
      ['hda', 15],
      ['hda1', 15],
    ]);
    // psutil reads column 3 (#blocks here) as reads and columns 5..14 as the rest, so every counter sits one
    // column off the 2.4 header and aveq is dropped: kept as psutil reports it.
    expect(rows[0]).toMatchObject({
      readsCompleted: 39082680,
      readsMerged: 446216,
      sectorsRead: 784926,
      readTimeMs: 9550688,
      writesCompleted: 4382310,
      ioInProgress: 19310380,
      ioTimeMs: 0,
      weightedIoTimeMs: 3376340,
    });
  });

  testPeer('prometheus/procfs fixture: every line (14, 18 and 20 columns)', () => {
    const rows = read(path.join(PROCFS_FIXTURES, 'proc', 'diskstats'));
    expect(rows.length).toBe(
      fs
        .readFileSync(path.join(PROCFS_FIXTURES, 'proc', 'diskstats'), 'utf8')
        .trim()
        .split('\n').length,
    );
    expect(new Set(rows.map((r) => r.columns))).toEqual(new Set([14, 18, 20]));
    expect(rows.find((r) => r.name === 'sdc' && r.columns === 20)).toMatchObject({
      flushRequestsCompleted: 127,
      flushTimeMs: 182,
    });
  });

  testPeer("node_exporter fixture agrees with node_exporter's own output for sdc", () => {
    const rows = read(path.join(NODE_EXPORTER_FIXTURES, 'proc', 'diskstats'));
    const sdc = rows.find((r) => r.name === 'sdc')!;
    // e2e-output.txt: node_disk_flush_requests_total{device="sdc"} 1555, ..._time_seconds_total 1.944,
    // node_disk_discarded_sectors_total{device="sdc"} 1.25173784e+08
    expect(sdc).toMatchObject({ flushRequestsCompleted: 1555, flushTimeMs: 1944, sectorsDiscarded: 125173784 });
  });

  test('our mixed-format fixture', () => {
    const rows = read(own('disk-basic', 'proc', 'diskstats'));
    expect(rows.map((r) => [r.name, r.columns])).toEqual([
      ['loop0', 14],
      ['sda', 20],
      ['sda1', 20],
      ['sda2', 7],
      ['nvme0n1', 18],
      ['nvme0n1p1', 18],
      ['dm-0', 14],
      ['cciss/c0d0', 14],
      ['sr0', 14],
    ]);
  });

  test('blank lines are skipped; an empty file means no block devices', () => {
    expect(parseDiskstats('')).toEqual([]);
    expect(parseDiskstats('\n\n8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n\n')).toHaveLength(1);
  });

  test.each([
    ['3 columns', '8 0 sda'],
    ['8 columns', '8 0 sda 1 2 3 4 5'],
    ['13 columns', '8 0 sda 1 2 3 4 5 6 7 8 9 10'],
    ['16 columns', '8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13'],
    ['17 columns', '8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14'],
    ['a non-number', '8 0 sda 1 2 x 4 5 6 7 8 9 10 11'],
    ['a negative number', '8 0 sda 1 2 -3 4 5 6 7 8 9 10 11'],
    ['a bad major', 'a 0 sda 1 2 3 4 5 6 7 8 9 10 11'],
  ])('%s -> ParseError naming the file and line', (_n, text) => {
    expect(() => parseDiskstats('8 1 sda1 1 2 3 4\n' + text, '/x/diskstats')).toThrow(ParseError);
    expect(() => parseDiskstats('8 1 sda1 1 2 3 4\n' + text, '/x/diskstats')).toThrow(/\/x\/diskstats: line 2/);
  });

  test.each(GARBAGE.filter(([n]) => n !== 'empty' && n !== 'newlines only'))(
    'garbage (%s) -> ParseError',
    (_n, input) => {
      expect(() => parseDiskstats(input, '/g/diskstats')).toThrow(ParseError);
    },
  );
});
