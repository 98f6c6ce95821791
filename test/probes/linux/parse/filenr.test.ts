import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

import { parseFileNr } from '../../../../src/probes/linux/parse/filenr';

describe('parseFileNr', () => {
  test('our files: tab-separated, the 64-bit default maximum of Linux 5.x+ (LONG_MAX, beyond 2^53) and a 4.x one', () => {
    const p = own('parse', 'sysctl', 'file-nr');
    expect(parseFileNr(fs.readFileSync(p), p)).toEqual({ allocated: 2144, unused: 0, maximum: 9223372036854775807 });
    expect(parseFileNr(fs.readFileSync(own('parse', 'sysctl', 'file-nr-4.x')))).toEqual({
      allocated: 35712,
      unused: 0,
      maximum: 1631329,
    });
  });

  testPeer("node_exporter's fixture: allocated, unused, maximum", () => {
    const p = path.join(NODE_EXPORTER_FIXTURES, 'proc/sys/fs/file-nr');
    expect(parseFileNr(fs.readFileSync(p), p)).toEqual({ allocated: 1024, unused: 0, maximum: 1631329 });
  });

  test('the live file: three numbers, allocated within the maximum', () => {
    const r = parseFileNr(fs.readFileSync('/proc/sys/fs/file-nr'));
    expect(r.allocated).toBeGreaterThan(0);
    expect(r.allocated).toBeLessThanOrEqual(r.maximum);
  });

  test.each([
    ['two numbers', '1024\t0\n'],
    ['four numbers', '1 2 3 4\n'],
    ['not a number', '1024\t0\tmany\n'],
    ['empty', ''],
    ['binary', '\u0000\u0001'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseFileNr(body, '/proc/sys/fs/file-nr')).toThrow(ParseError);
    expect(() => parseFileNr(body, '/proc/sys/fs/file-nr')).toThrow('/proc/sys/fs/file-nr');
  });

  test('fuzz: random bytes and mutated fixtures give a record or ParseError, nothing else', () => {
    onlyParseErrors(
      (b) => parseFileNr(b, 'x'),
      [fs.readFileSync(own('parse', 'sysctl', 'file-nr')), fs.readFileSync(own('parse', 'sysctl', 'file-nr-4.x'))],
    );
  });
});
