import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseStatm } from '../../../../src/probes/linux/parse/statm';
import { ParseError } from '../../../../src/probes/errors';
import { PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

describe('parseStatm', () => {
  test('our python3 process and a kernel thread', () => {
    expect(parseStatm(fs.readFileSync(own('parse', 'pid', '4321', 'statm')))).toEqual({
      size: 62779,
      resident: 6211,
      shared: 3100,
      text: 682,
      lib: 0,
      data: 10233,
      dirty: 0,
    });
    expect(parseStatm(fs.readFileSync(own('parse', 'pid', '17', 'statm')))).toEqual({
      size: 0,
      resident: 0,
      shared: 0,
      text: 0,
      lib: 0,
      data: 0,
      dirty: 0,
    });
  });

  testPeer('procfs 26231, including a u64 maximum', () => {
    const m = parseStatm(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', '26231', 'statm')));
    expect(m).toEqual({
      size: 149919,
      resident: 12547,
      shared: 2 ** 64 /* u64 max as the nearest double */,
      text: 19864,
      lib: 0,
      data: 14531,
      dirty: 0,
    });
  });

  test('a kernel thread: seven zeros', () => {
    expect(parseStatm('0 0 0 0 0 0 0\n')).toEqual({
      size: 0,
      resident: 0,
      shared: 0,
      text: 0,
      lib: 0,
      data: 0,
      dirty: 0,
    });
  });

  test.each([
    ['six fields', '1 2 3 4 5 6\n'],
    ['a negative', '1 2 3 4 5 -6 7\n'],
    ['a word', '1 2 3 four 5 6 7\n'],
  ])('%s -> ParseError', (_n, t) => {
    expect(() => parseStatm(t, '/p/1/statm')).toThrow(ParseError);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parseStatm(input)).toThrow(ParseError);
  });
  test.each([
    ['the kernel form', '149919 12547 2861 19864 0 14531 0\n'],
    ['no newline', '1 2 3 4 5 6 7'],
    ['16 digits', '1234567890123456 2 3 4 5 6 7\n'],
    ['15 digits', '123456789012345 2 3 4 5 6 7\n'],
    ['two spaces', '1  2 3 4 5 6 7\n'],
    ['an eighth field', '1 2 3 4 5 6 7 8\n'],
    ['trailing blanks', '1 2 3 4 5 6 7 \n\n'],
    ['a leading blank', ' 1 2 3 4 5 6 7\n'],
    ['a tab', '1\t2 3 4 5 6 7\n'],
    ['six fields', '1 2 3 4 5 6\n'],
    ['a sign', '1 2 3 4 5 +6 7\n'],
  ])('bytes and text parse alike: %s', (_n, t) => {
    const outcome = (input: Buffer | string): unknown => {
      try {
        return parseStatm(input, '/p/1/statm');
      } catch (e) {
        return e instanceof ParseError ? 'ParseError' : e;
      }
    };
    expect(outcome(Buffer.from(t, 'latin1'))).toEqual(outcome(t));
  });
});
