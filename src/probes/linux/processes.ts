/**
 * The process table of a procfs (psutil's _pslinux module functions): the pids, pid_exists, the ppid map that
 * children() walks, the terminal map, our own pid as the procfs numbers it, and the user names of uids. One process's
 * files are linux/process.ts's.
 */
import type { ProcFs } from './procfs';
import * as native from './native';
import { NativeError } from './native';
import { OsError, ParseError } from '../errors';
import { parsePidStat, type PidStat } from './parse/pidstat';

/** psutil's exe guess check: a regular file with an execute bit, under the rootfs (os.access X_OK, for root). */
export function isExecutableFile(fs: ProcFs, path: string): boolean {
  try {
    const st = fs.stat(fs.root(path));
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch (err) {
    if (err instanceof OsError) return false;
    throw err;
  }
}

/** The numeric entries of the procfs root, ascending (psutil pids()). Thread ids are not listed there. */
export function pids(fs: ProcFs): number[] {
  const hot = fs.pidsHot();
  if (hot !== null) return hot;
  const out: number[] = [];
  for (const name of fs.readdir(fs.procfs)) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const n = Number(name);
    if (Number.isSafeInteger(n)) out.push(n);
  }
  return out.sort((a, b) => a - b);
}

/** The user name of a uid (getpwuid(3), through NSS), or null when it has none. */
export function userName(uid: number): string | null {
  const pw = native.getpwuid(uid);
  return pw === null ? null : pw.name;
}

/** Whether a libc call failed with EINVAL (an argument the kernel refused: limits, CPU sets). */
export function isInvalidArgument(err: unknown): boolean {
  return err instanceof NativeError && err.osCode === 'EINVAL';
}

/**
 * Our own pid as this procfs numbers it (`<procfs>/self`, resolved in the procfs's PID namespace: a host's /proc
 * mounted in a container gives our host pid), or null when the root has no usable self link.
 */
export function selfPid(fs: ProcFs): number | null {
  try {
    const n = Number(fs.readlink(fs.proc('self')));
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  } catch (err) {
    if (err instanceof OsError) return null;
    throw err;
  }
}

/** Whether this procfs root shows our own PID namespace (so pids can be passed to kill, prlimit, ...). */
export function isNativeProcfs(fs: ProcFs): boolean {
  return selfPid(fs) === process.pid;
}

/**
 * psutil pid_exists: kill(pid, 0) first where the procfs is ours (ESRCH -> false, EPERM -> exists), then the Tgid
 * of /proc/<pid>/status must equal pid, since /proc/<tid> resolves for thread ids too (#687); when status cannot be
 * read, membership in pids().
 */
export function pidExists(fs: ProcFs, pid: number, nativeProcfs: boolean): boolean {
  if (nativeProcfs) {
    try {
      native.kill(pid, 0);
    } catch (err) {
      if (!(err instanceof NativeError)) throw err;
      if (err.osCode === 'ESRCH') return false;
      // EPERM: it exists but belongs to someone else; go on to tell a pid from a tid.
    }
  }
  const p = fs.proc(`${pid}/status`);
  try {
    const v = fs.readView(p);
    const text = v.toString('latin1', 0, v.length);
    const i = text.indexOf('\nTgid:');
    if (i >= 0) {
      const m = /^\s*(\d+)/.exec(text.slice(i + 6, i + 40));
      if (m !== null) return Number(m[1]) === pid;
    }
  } catch (err) {
    if (!(err instanceof OsError)) throw err;
    if (err.osCode === 'ENOENT' || err.osCode === 'ESRCH') return false;
  }
  return pids(fs).includes(pid);
}

export interface PpidEntry {
  readonly ppid: number;
  readonly stat: PidStat;
}

/** One pass over every /proc/<pid>/stat (psutil ppid_map); processes that vanish or deny are left out. */
export function ppidMap(fs: ProcFs): Map<number, PpidEntry> {
  const out = new Map<number, PpidEntry>();
  for (const pid of pids(fs)) {
    const p = fs.proc(`${pid}/stat`);
    try {
      const st = parsePidStat(fs.readView(p), p);
      out.set(pid, { ppid: st.ppid, stat: st });
    } catch (err) {
      if (err instanceof OsError || err instanceof ParseError) continue;
      throw err;
    }
  }
  return out;
}

/**
 * tty_nr -> device path, from the st_rdev of /dev/tty* and /dev/pts/* (psutil get_terminal_map; later entries win,
 * as in psutil's dict). The kernel's new_encode_dev and glibc's makedev agree for every tty major.
 */
export function terminalMap(fs: ProcFs): Map<number, string> {
  const map = new Map<number, string>();
  const add = (dir: string, filter: (name: string) => boolean): void => {
    for (const name of fs.readdirOrEmpty(fs.root(dir)).filter(filter).sort()) {
      const path = `${dir}/${name}`;
      try {
        map.set(fs.stat(fs.root(path)).rdev, path);
      } catch (err) {
        // A pty closed between readdir and stat: nothing to map.
        if (!(err instanceof OsError)) throw err;
      }
    }
  };
  add('/dev', (n) => n.startsWith('tty'));
  add('/dev/pts', () => true);
  return map;
}
