/**
 * Linux host backend: boot time (/proc/stat btime) and logged-in users (utmp under the rootfs).
 * Plain functions taking the ProcFs first.
 */
import type { ProcFs } from './procfs';
import { readStatBtime } from './cpu';
import { parseUtmp, type UtmpRecord } from './parse/utmp';
import { OsError, ParseError } from '../errors';

/** Epoch seconds of the boot, as the kernel computes it now (it moves with wall-clock steps; psutil does not cache). */
export function bootTime(fs: ProcFs): number {
  const p = fs.proc('stat');
  const btime = readStatBtime(fs);
  if (btime === null) throw new ParseError(p, "line 'btime' not found");
  return btime;
}

/** glibc's _PATH_UTMP, then where systemd distributions keep it. */
const UTMP_PATHS = ['/var/run/utmp', '/run/utmp'];
/** utmp holds one 384-byte record per tty/session ever used since boot: a few KiB; 16 MiB means something is wrong. */
const UTMP_CAP = 16 << 20;

/**
 * The utmp records, or [] where there is no utmp (systemd builds without it, Debian 13: psutil #2597 returns []
 * too). Other read errors propagate as OsError.
 */
export function readUtmp(fs: ProcFs): readonly UtmpRecord[] {
  for (const rel of UTMP_PATHS) {
    const p = fs.root(rel);
    // Most systemd machines have none: an existence check is far cheaper than a failed open's exception.
    if (!fs.exists(p)) continue;
    let read;
    try {
      read = fs.readCapped(p, UTMP_CAP);
    } catch (err) {
      // Removed between the check and the open: same as absent.
      if (err instanceof OsError && (err.osCode === 'ENOENT' || err.osCode === 'ENOTDIR')) continue;
      throw err;
    }
    if (read.truncated) throw new ParseError(p, `larger than ${UTMP_CAP} bytes`);
    return parseUtmp(read.buf, p);
  }
  return [];
}
