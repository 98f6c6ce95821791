import {
  parseUtmp,
  UTMP_RECORD_SIZE,
  UT_BOOT_TIME,
  UT_USER_PROCESS,
  UT_DEAD_PROCESS,
} from '../../../../src/probes/linux/parse/utmp';
import { ParseError } from '../../../../src/probes/errors';
import { randomBytes } from '../../../helpers/garbage';
import { utmpFile } from '../../../helpers/utmp';

describe('parseUtmp', () => {
  test('a user and host with bytes that are not UTF-8 keep them as escapes', () => {
    const buf = utmpFile([{ type: UT_USER_PROCESS, pid: 1, line: 'pts/3', user: 'ann', host: 'h' }]);
    buf.set([0xff, 0xc0, 0x80], 44 + 3); // after "ann"
    buf.set([0xe9], 76 + 1); // after "h"
    const [r] = parseUtmp(buf);
    expect(r).toMatchObject({ user: 'ann\udcff\udcc0\udc80', host: 'h\udce9' });
  });

  test('records decoded at the glibc x86_64 offsets', () => {
    const buf = utmpFile([
      { type: UT_BOOT_TIME, line: '~', user: 'reboot', host: '6.1.0', tvSec: 1700000000 },
      {
        type: UT_USER_PROCESS,
        pid: 4242,
        line: 'pts/0',
        id: 'ts/0',
        user: 'alice',
        host: '10.0.0.7',
        session: 9,
        tvSec: 1700000123,
        tvUsec: 456,
      },
      { type: UT_DEAD_PROCESS, pid: 17, line: 'pts/1', user: '' },
    ]);
    expect(buf.length).toBe(3 * UTMP_RECORD_SIZE);
    const recs = parseUtmp(buf, '/r/var/run/utmp');
    expect(recs).toHaveLength(3);
    expect(recs[1]).toEqual({
      type: UT_USER_PROCESS,
      pid: 4242,
      line: 'pts/0',
      id: 'ts/0',
      user: 'alice',
      host: '10.0.0.7',
      exitTermination: 0,
      exitStatus: 0,
      session: 9,
      tvSec: 1700000123,
      tvUsec: 456,
    });
    expect(recs[0]?.user).toBe('reboot');
  });

  test('fields that fill their whole width have no NUL and are not overrun', () => {
    const user = 'u'.repeat(32);
    const line = 'l'.repeat(32);
    const recs = parseUtmp(utmpFile([{ type: UT_USER_PROCESS, user, line, id: 'abcd', host: 'h'.repeat(256) }]));
    expect(recs[0]?.user).toBe(user);
    expect(recs[0]?.line).toBe(line);
    expect(recs[0]?.id).toBe('abcd');
    expect(recs[0]?.host).toHaveLength(256);
  });

  test('an empty file has no records', () => {
    expect(parseUtmp(Buffer.alloc(0))).toEqual([]);
  });

  test('a torn file (not a multiple of 384 bytes) -> ParseError naming it', () => {
    const buf = utmpFile([{ type: UT_USER_PROCESS, user: 'a' }]).subarray(0, 200);
    expect(() => parseUtmp(buf, '/r/run/utmp')).toThrow(ParseError);
    expect(() => parseUtmp(buf, '/r/run/utmp')).toThrow(/\/r\/run\/utmp/);
  });

  test('random bytes -> ParseError (bad size or impossible ut_type)', () => {
    expect(() => parseUtmp(randomBytes(64 * 1024), '/g/utmp')).toThrow(ParseError);
    expect(() => parseUtmp(randomBytes(UTMP_RECORD_SIZE * 8), '/g/utmp')).toThrow(ParseError);
  });

  test('a string instead of bytes -> ParseError', () => {
    expect(() => parseUtmp('not bytes' as unknown as Buffer, '/g/utmp')).toThrow(ParseError);
  });
});
