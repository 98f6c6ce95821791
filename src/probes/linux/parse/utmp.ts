/**
 * utmp (/var/run/utmp): glibc's `struct utmp` records, as laid out on 64-bit Linux (x86_64, aarch64, ...), where
 * ut_tv keeps 32-bit fields for compatibility with 32-bit programs (__WORDSIZE_TIME64_COMPAT32):
 *
 *   off  size  field
 *     0     2  ut_type (short) + 2 bytes padding
 *     4     4  ut_pid
 *     8    32  ut_line   (tty name without /dev/)
 *    40     4  ut_id
 *    44    32  ut_user
 *    76   256  ut_host
 *   332     4  ut_exit {short e_termination, short e_exit}
 *   336     4  ut_session
 *   340     8  ut_tv {int32 tv_sec, int32 tv_usec}
 *   348    16  ut_addr_v6
 *   364    20  reserved                                   = 384 bytes
 *
 * Strings are NUL-padded, not always NUL-terminated (a full 32-byte user name has no NUL). Little-endian hosts only
 * (the file is written in host byte order). Pure: bytes in, records out, ParseError on a torn file.
 */
import { ParseError } from '../../errors';
import { fsdecodeRange } from '../../../util/fsencoding';

export const UTMP_RECORD_SIZE = 384;

export const UT_EMPTY = 0;
export const UT_RUN_LVL = 1;
export const UT_BOOT_TIME = 2;
export const UT_NEW_TIME = 3;
export const UT_OLD_TIME = 4;
export const UT_INIT_PROCESS = 5;
export const UT_LOGIN_PROCESS = 6;
export const UT_USER_PROCESS = 7;
export const UT_DEAD_PROCESS = 8;
export const UT_ACCOUNTING = 9;

export interface UtmpRecord {
  readonly type: number;
  readonly pid: number;
  readonly line: string;
  readonly id: string;
  readonly user: string;
  readonly host: string;
  readonly exitTermination: number;
  readonly exitStatus: number;
  readonly session: number;
  readonly tvSec: number;
  readonly tvUsec: number;
}

/** A NUL-padded field, its bytes kept (fsdecode: psutil decodes user, tty and host with surrogateescape). */
function cstr(buf: Buffer, off: number, len: number): string {
  const end = buf.subarray(off, off + len).indexOf(0);
  return fsdecodeRange(buf, off, end === -1 ? off + len : off + end);
}

export function parseUtmp(input: Buffer, path = '<input>'): readonly UtmpRecord[] {
  if (!Buffer.isBuffer(input)) throw new ParseError(path, 'utmp is binary: expected a Buffer');
  if (input.length % UTMP_RECORD_SIZE !== 0) {
    throw new ParseError(path, `size ${input.length} is not a multiple of the ${UTMP_RECORD_SIZE}-byte utmp record`);
  }
  const out: UtmpRecord[] = [];
  for (let off = 0; off < input.length; off += UTMP_RECORD_SIZE) {
    const type = input.readInt16LE(off);
    // A type outside EMPTY..ACCOUNTING means this is not a utmp file (or not this layout): say so, do not guess.
    if (type < UT_EMPTY || type > UT_ACCOUNTING) {
      throw new ParseError(path, `record ${off / UTMP_RECORD_SIZE} has ut_type ${type}, not a utmp record type`);
    }
    out.push(
      Object.freeze({
        type,
        pid: input.readInt32LE(off + 4),
        line: cstr(input, off + 8, 32),
        id: cstr(input, off + 40, 4),
        user: cstr(input, off + 44, 32),
        host: cstr(input, off + 76, 256),
        exitTermination: input.readInt16LE(off + 332),
        exitStatus: input.readInt16LE(off + 334),
        session: input.readInt32LE(off + 336),
        tvSec: input.readInt32LE(off + 340),
        tvUsec: input.readInt32LE(off + 344),
      }),
    );
  }
  return Object.freeze(out);
}
