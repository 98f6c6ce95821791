import * as fs from 'node:fs';
import { parsePartitions } from '../../../../src/probes/linux/parse/partitions';
import { ParseError } from '../../../../src/probes/errors';
import { own } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

describe('parsePartitions', () => {
  test('our fixture', () => {
    const p = own('disk-basic', 'proc', 'partitions');
    expect(parsePartitions(fs.readFileSync(p), p)).toEqual([
      { major: 8, minor: 0, blocks: 500107608, name: 'sda' },
      { major: 8, minor: 1, blocks: 524288, name: 'sda1' },
      { major: 259, minor: 0, blocks: 250059096, name: 'nvme0n1' },
      { major: 259, minor: 1, blocks: 524288, name: 'nvme0n1p1' },
    ]);
  });

  test('the live /proc/partitions parses', () => {
    expect(() => parsePartitions(fs.readFileSync('/proc/partitions'), '/proc/partitions')).not.toThrow();
  });

  test('a header alone means no block devices', () => {
    expect(parsePartitions('major minor  #blocks  name\n\n')).toEqual([]);
  });

  test.each([
    ['a short line', 'major minor  #blocks  name\n\n 8 0 sda\n'],
    ['a non-number', 'major minor  #blocks  name\n\n 8 x 100 sda\n'],
  ])('%s -> ParseError', (_n, text) => {
    expect(() => parsePartitions(text, '/x/partitions')).toThrow(ParseError);
    expect(() => parsePartitions(text, '/x/partitions')).toThrow(/\/x\/partitions/);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parsePartitions(input, '/g/partitions')).toThrow(ParseError);
  });
});
