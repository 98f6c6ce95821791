import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { fsencode } from '../../../../src/util/fsencoding';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE, onlyParseErrors } from '../../../helpers/garbage';

import { parseSwaps } from '../../../../src/probes/linux/parse/swaps';

const ours = (f: string): Buffer => fs.readFileSync(own('parse', 'swaps', f));

describe('parseSwaps', () => {
  test('our two areas: path, type, KiB in bytes, priority', () => {
    expect(parseSwaps(ours('two'), 'swaps')).toEqual([
      { path: '/dev/dm-1', type: 'partition', sizeBytes: 16777212 * 1024, usedBytes: 1048576 * 1024, priority: -2 },
      { path: '/swapfile', type: 'file', sizeBytes: 2097148 * 1024, usedBytes: 0, priority: -3 },
    ]);
  });

  test('escapes undone, a deleted file kept as the kernel names it, bytes kept, one tab past 10^7 KiB', () => {
    const r = parseSwaps(ours('escaped'));
    expect(r.map((s) => s.path)).toEqual(['/var/swap files/a\\b', '/old swap (deleted)', '/swap\udcff', '/dev/zram0']);
    // The undecodable byte round-trips through fsencode.
    expect(fsencode(r[2]?.path ?? '')).toEqual(Buffer.from([0x2f, 0x73, 0x77, 0x61, 0x70, 0xff]));
    expect(r[3]).toEqual({
      path: '/dev/zram0',
      type: 'partition',
      sizeBytes: 33554428 * 1024,
      usedBytes: 12000000 * 1024,
      priority: 100,
    });
  });

  test('no swap: the header alone is an empty list', () => {
    expect(parseSwaps(ours('none'))).toEqual([]);
  });

  testPeer("procfs's and node_exporter's fixtures: one area each", () => {
    const p = path.join(PROCFS_FIXTURES, 'proc', 'swaps');
    expect(parseSwaps(fs.readFileSync(p), p)).toEqual([
      { path: '/dev/dm-2', type: 'partition', sizeBytes: 131068 * 1024, usedBytes: 176 * 1024, priority: -2 },
    ]);
    const n = path.join(NODE_EXPORTER_FIXTURES, 'proc', 'swaps');
    expect(parseSwaps(fs.readFileSync(n), n)).toEqual([
      { path: '/dev/zram0', type: 'partition', sizeBytes: 8388604 * 1024, usedBytes: 76 * 1024, priority: 100 },
    ]);
  });

  test.each([
    ...GARBAGE,
    ['no header', '/dev/sda2 partition 100 0 -2\n'],
    ['a missing column', 'Filename Type Size Used Priority\n/dev/sda2 partition 100 -2\n'],
    ['a negative size', 'Filename Type Size Used Priority\n/dev/sda2 partition -100 0 -2\n'],
    ['a word for the priority', 'Filename Type Size Used Priority\n/dev/sda2 partition 100 0 high\n'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseSwaps(body, '/proc/swaps')).toThrow(ParseError);
    expect(() => parseSwaps(body, '/proc/swaps')).toThrow('/proc/swaps');
  });

  test('fuzz: random bytes and mutated fixtures give a list or ParseError, nothing else', () => {
    onlyParseErrors((b) => parseSwaps(b, 'x'), [ours('two'), ours('escaped')]);
  });
});
