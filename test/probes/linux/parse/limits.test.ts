import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseLimits } from '../../../../src/probes/linux/parse/limits';
import { ParseError } from '../../../../src/probes/errors';
import {
  RLIMIT_AS,
  RLIMIT_CORE,
  RLIMIT_CPU,
  RLIMIT_MEMLOCK,
  RLIMIT_NICE,
  RLIMIT_NOFILE,
  RLIMIT_NPROC,
  RLIMIT_RTTIME,
  RLIMIT_STACK,
} from '../../../../src/probes/constants';
import { PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

describe('parseLimits', () => {
  test('our python3 process: 16 rows, unlimited as -1, rows with an empty unit, a near-u64-max value exact', () => {
    const l = parseLimits(fs.readFileSync(own('parse', 'pid', '4321', 'limits')));
    expect(l.size).toBe(16);
    expect(l.get(RLIMIT_CPU)).toEqual([-1, -1]);
    expect(l.get(RLIMIT_STACK)).toEqual([8388608, -1]);
    expect(l.get(RLIMIT_CORE)).toEqual([0, -1]);
    expect(l.get(RLIMIT_NPROC)).toEqual([63412, 63412]);
    expect(l.get(RLIMIT_NOFILE)).toEqual([1024, 524288]);
    // 2^64 - 4096: a double holds it exactly.
    expect(l.get(RLIMIT_MEMLOCK)).toEqual([18446744073709547520, 18446744073709547520]);
    expect(l.get(RLIMIT_AS)).toEqual([-1, -1]);
    expect(l.get(RLIMIT_NICE)).toEqual([0, 0]);
    expect(l.get(RLIMIT_RTTIME)).toEqual([-1, -1]);
  });

  testPeer('procfs 26231: every RLIMIT_*, unlimited as -1, a u64 value exact', () => {
    const l = parseLimits(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', '26231', 'limits')));
    expect(l.size).toBe(16);
    expect(l.get(RLIMIT_CPU)).toEqual([-1, -1]);
    expect(l.get(RLIMIT_STACK)).toEqual([8388608, -1]);
    expect(l.get(RLIMIT_NOFILE)).toEqual([2048, 4096]);
    expect(l.get(RLIMIT_MEMLOCK)).toEqual([18446744073708503040, 18446744073708503040]);
    expect(l.get(RLIMIT_AS)).toEqual([8589934592, -1]);
    expect(l.get(RLIMIT_NICE)).toEqual([0, 0]);
    expect(l.get(RLIMIT_RTTIME)).toEqual([-1, -1]);
  });

  test('a row with a bad value -> ParseError', () => {
    expect(() =>
      parseLimits('Max open files            lots                 4096                 files\n', '/p/1/limits'),
    ).toThrow(ParseError);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parseLimits(input)).toThrow(ParseError);
  });
});
