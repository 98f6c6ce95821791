import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePidIo } from '../../../../src/probes/linux/parse/pidio';
import { ParseError } from '../../../../src/probes/errors';
import { PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

describe('parsePidIo', () => {
  test('our python3 process: the seven counters', () => {
    expect(parsePidIo(fs.readFileSync(own('parse', 'pid', '4321', 'io')))).toEqual({
      rchar: 9023411,
      wchar: 120334,
      syscr: 3311,
      syscw: 402,
      readBytes: 4096000,
      writeBytes: 81920,
      cancelledWriteBytes: 12288,
    });
  });

  testPeer('procfs 26231, with a negative cancelled_write_bytes', () => {
    expect(parsePidIo(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', '26231', 'io')))).toEqual({
      rchar: 750339,
      wchar: 818609,
      syscr: 7405,
      syscw: 5245,
      readBytes: 1024,
      writeBytes: 2048,
      cancelledWriteBytes: -1024,
    });
  });

  test('blank and odd lines are skipped (psutil #1004)', () => {
    const t = '\nrchar: 1\nwchar: 2\n  \nodd line\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\n';
    expect(parsePidIo(t)).toMatchObject({
      rchar: 1,
      wchar: 2,
      syscr: 3,
      syscw: 4,
      readBytes: 5,
      writeBytes: 6,
      cancelledWriteBytes: 0,
    });
  });

  test('a missing field -> ParseError naming it', () => {
    expect(() => parsePidIo('rchar: 1\nwchar: 2\n', '/p/1/io')).toThrow(/syscr/);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parsePidIo(input)).toThrow(ParseError);
  });
});
