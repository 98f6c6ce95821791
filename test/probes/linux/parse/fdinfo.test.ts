import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileFlagsToMode, parseFdinfo } from '../../../../src/probes/linux/parse/fdinfo';
import { ParseError } from '../../../../src/probes/errors';
import { PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

describe('parseFdinfo', () => {
  test('our fds: a tty, a log appended past 2^40, a file at an offset, inotify and eventfd with their extra lines', () => {
    const fd = (n: string): Buffer => fs.readFileSync(own('parse', 'pid', '4321', 'fdinfo', n));
    expect(parseFdinfo(fd('0'))).toEqual({ pos: 0, flags: 0o100002 });
    expect(parseFdinfo(fd('1'))).toEqual({ pos: 1099511627776, flags: 0o102001 });
    expect(parseFdinfo(fd('3'))).toEqual({ pos: 8192, flags: 0o2100000 });
    expect(parseFdinfo(fd('5'))).toEqual({ pos: 0, flags: 0o2004000 });
    expect(parseFdinfo(fd('7'))).toEqual({ pos: 0, flags: 0o2004002 });
    expect(['0', '1', '3'].map((n) => fileFlagsToMode(parseFdinfo(fd(n)).flags))).toEqual(['r+', 'a', 'r']);
  });

  testPeer('procfs 26231 fd 0 (inotify, with extra lines) and fd 1', () => {
    const dir = path.join(PROCFS_FIXTURES, 'proc', '26231', 'fdinfo');
    expect(parseFdinfo(fs.readFileSync(path.join(dir, '0')))).toEqual({ pos: 0, flags: 0o2004000 });
    expect(parseFdinfo(fs.readFileSync(path.join(dir, '1')))).toEqual({ pos: 0, flags: 0o2004002 });
  });

  test('a large position', () => {
    expect(parseFdinfo('pos:\t1099511627776\nflags:\t0100001\nmnt_id:\t9\n')).toEqual({
      pos: 1099511627776,
      flags: 0o100001,
    });
  });

  test.each([
    ['no flags', 'pos:\t0\n'],
    ['decimal-looking flags with 8 or 9', 'pos:\t0\nflags:\t0189\n'],
  ])('%s -> ParseError', (_n, t) => {
    expect(() => parseFdinfo(t, '/p/1/fdinfo/3')).toThrow(ParseError);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parseFdinfo(input)).toThrow(ParseError);
  });
});

describe('fileFlagsToMode (psutil file_flags_to_mode)', () => {
  test.each([
    [0o0, 'r'],
    [0o1, 'w'],
    [0o2, 'r+'],
    [0o2001, 'a'],
    [0o2002, 'a+'],
    [0o2100000, 'r'],
    [0o1101, 'w'],
  ])('flags %o -> %s', (flags, mode) => {
    expect(fileFlagsToMode(flags)).toBe(mode);
  });
});
