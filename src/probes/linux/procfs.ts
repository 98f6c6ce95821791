/**
 * The one place that reads /proc and /sys (and the rootfs for statvfs paths and utmp).
 * Roots live on the object, never in a global (procfs.NewFS style). Every read is capped (1 MiB by default) and every
 * errno becomes an OsError carrying the code and the path; the process backend maps those to psutil's process errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { types } from 'node:util';
import { OsError } from '../errors';
import { RLIMIT_NOFILE } from '../constants';
import * as native from './native';
import * as nativeIo from './native-io';
import { fsdecodeRange, osPath } from '../../util/fsencoding';

export interface Roots {
  procfs: string;
  sysfs: string;
  rootfs: string;
}

export const DEFAULT_READ_CAP = 1 << 20;

/** Shared scratch buffer: /proc reads are tiny and synchronous, so one buffer serves them all without allocation. */
let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Files (and directories) kept open for ProcFs.readHot and readdirHotOrEmpty, path -> fd, least recently used
 * first. Process-wide (keys are full paths, so instances with different roots never share an entry), bounded so that
 * a many-CPU or many-disk host cannot use up the fd limit: past HOT_MAX the least recently used one is closed. Node
 * opens with O_CLOEXEC, so children never inherit them.
 */
const hot = new Map<string, number>();
const HOT_MAX = 64;

/**
 * Kept fds at most: HOT_MAX, and no more than an eighth of the soft fd limit (asked at each new keep: prlimit can
 * lower it under a running agent). Under `ulimit -n 40` the 22 fds a pass keeps took every fd left, and the agent's
 * listener then closed every connection it accepted (libuv's EMFILE handling) with nothing logged.
 */
function hotMax(): number {
  const [soft] = native.prlimit(0, RLIMIT_NOFILE);
  return soft < 0 ? HOT_MAX : Math.min(HOT_MAX, Math.floor(soft / 8));
}

/** Adds a kept fd (a file's path, or 'dir:' + a directory's), closing the least recently used ones past hotMax(). */
function keep(key: string, fd: number): void {
  const max = hotMax();
  while (hot.size > 0 && hot.size >= max) {
    const [oldest, oldFd] = hot.entries().next().value as [string, number];
    hot.delete(oldest);
    fs.closeSync(oldFd);
  }
  hot.set(key, fd);
}

/** The kept O_DIRECTORY fd of `p` under `key`, opened and kept on first use, moved to the LRU's end when reused. */
function keptDir(key: string, p: string): number {
  const fd = hot.get(key);
  if (fd !== undefined) {
    hot.delete(key); // re-inserted: Map order is the LRU order
    hot.set(key, fd);
    return fd;
  }
  let opened: number;
  try {
    opened = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch (err) {
    throw toOsError(err, 'scandir', p);
  }
  keep(key, opened);
  return opened;
}

/** Lists a kept directory fd; where the native listing fails the fd is dropped and closed, and the answer is null. */
function listKept<T>(key: string, fd: number, list: (fd: number) => T): T | null {
  try {
    return list(fd);
  } catch (err) {
    if (!(err instanceof native.NativeError)) throw err;
    hot.delete(key);
    fs.closeSync(fd);
    return null;
  }
}

/** statfs f_type of the kernel filesystems whose files are generated on read (linux/magic.h). */
const PROC_SUPER_MAGIC = 0x9fa0;
const SYSFS_MAGIC = 0x62656572;

/** Whether `dir` is a mount of the given kernel filesystem (false for fixture trees and for anything unreadable). */
function isMountOf(dir: string, magic: number): boolean {
  try {
    return fs.statfsSync(dir).type === magic;
  } catch (err) {
    // Not fatal: an absent or unreadable root only means reads there go the ordinary way (and fail there, named).
    toOsError(err, 'statfs', dir);
    return false;
  }
}

/**
 * When a read that returned less than asked has reached the end of the file, which spares the read of 0 bytes that
 * otherwise proves it (for /proc/net/tcp that last read walks the whole established-connections hash again: ~1.7 ms
 * with 256 Ki buckets).
 * - 'eof': only a read of 0 bytes ends the file (any file).
 * - 'short': any short read ends it: single_open files (/proc/stat, meminfo, loadavg), sysfs attributes, which the
 *   kernel prints as one record, whole, and regular files.
 * - a number N: a seq_file whose records (lines) are never longer than N bytes. A read stops before the end only when
 *   the next record does not fit in the kernel's buffer, which holds at least a page (4096 bytes): a read that
 *   returned fewer than 4096 - N bytes stopped at the end.
 */
export type ReadEnd = 'eof' | 'short' | number;

/** The smallest seq_file buffer (one page on any Linux). */
const SEQ_MIN_BUFFER = 4096;

function endedShort(got: number, ends: ReadEnd): boolean {
  if (ends === 'eof') return false;
  if (ends === 'short') return true;
  return got < SEQ_MIN_BUFFER - ends;
}

/** One entry of ProcFs.readlinksIn. */
export interface LinkEntry {
  name: string;
  /** The link's target when it starts with the prefix asked for, else null (also when it could not be read). */
  target: string | null;
  /** Why the link could not be read (ENOENT, EACCES, ...), null when it was. */
  osCode: string | null;
  errno: number;
}

export interface CappedRead {
  buf: Buffer;
  truncated: boolean;
}

/** Turns a Node fs error into an OsError that names the path; anything else is rethrown unchanged. */
export function toOsError(err: unknown, syscall: string, p: string): OsError {
  if (err instanceof OsError) return err;
  // isNativeError, not instanceof Error: fs errors come from Node's realm, and under jest the test realm's Error differs.
  if (types.isNativeError(err) && typeof (err as NodeJS.ErrnoException).code === 'string') {
    const e = err as NodeJS.ErrnoException;
    const errno = typeof e.errno === 'number' ? Math.abs(e.errno) : 0;
    return new OsError(
      e.code as string,
      errno,
      syscall,
      p,
      `${e.code}: ${syscall} '${p}': ${errnoText(e.code as string)}`,
    );
  }
  throw err;
}

/** The OsError of a libc call that failed with `errno`, as toOsError makes it of the same failure through Node's fs. */
function errnoError(errno: number, syscall: string, p: string): OsError {
  const code = native.errnoName(errno);
  return new OsError(code, errno, syscall, p, `${code}: ${syscall} '${p}': ${errnoText(code)}`);
}

function errnoText(code: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
      return 'permission denied';
    case 'EPERM':
      return 'operation not permitted';
    case 'ESRCH':
      return 'no such process';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EINVAL':
      return 'invalid argument';
    case 'ENAMETOOLONG':
      return 'file name too long';
    default:
      return code.toLowerCase();
  }
}

/**
 * Reads an open fd from its current offset into the scratch buffer (growing it up to `cap`), until a read of 0 or, per
 * `ends`, a short read. Node's fs errors are thrown as they are.
 */
function fillScratch(fd: number, cap: number, ends: ReadEnd): { n: number; truncated: boolean } {
  let n = 0;
  for (;;) {
    if (n === scratch.length) {
      if (n >= cap) break;
      const bigger = Buffer.allocUnsafe(Math.min(cap, scratch.length * 2));
      scratch.copy(bigger, 0, 0, n);
      scratch = bigger;
    }
    const want = Math.min(scratch.length, cap) - n;
    if (want <= 0) break;
    const got = fs.readSync(fd, scratch, n, want, null);
    if (got === 0) return { n, truncated: false };
    n += got;
    if (got < want && endedShort(got, ends)) return { n, truncated: false };
  }
  // At the cap: one more byte tells whether the file goes on.
  const probe = Buffer.allocUnsafe(1);
  const more = fs.readSync(fd, probe, 0, 1, null);
  return { n, truncated: more > 0 };
}

/** An fs error carrying an errno code (what toOsError turns into an OsError), as opposed to a bug. */
function isErrnoError(err: unknown): boolean {
  return types.isNativeError(err) && typeof (err as NodeJS.ErrnoException).code === 'string';
}

export class ProcFs {
  readonly procfs: string;
  readonly sysfs: string;
  readonly rootfs: string;

  /** Prefixes under which readHot may keep files open: the roots that are real procfs/sysfs mounts (lazy). */
  private hotPrefixes: string[] | null = null;

  constructor(roots: Roots) {
    this.procfs = roots.procfs;
    this.sysfs = roots.sysfs;
    this.rootfs = roots.rootfs;
  }

  /** `<procfs>/<rel>` */
  proc(rel: string): string {
    return this.procfs + '/' + rel;
  }

  /** `<sysfs>/<rel>` */
  sys(rel: string): string {
    return this.sysfs + '/' + rel;
  }

  /** A host path (such as a mount point) under the rootfs prefix: `/host/root` + `/var` -> `/host/root/var`. */
  root(hostPath: string): string {
    if (this.rootfs === '/' || this.rootfs === '') return hostPath;
    return path.join(this.rootfs, hostPath);
  }

  /** Reads a whole file into the scratch buffer, up to `cap` bytes. Returns the byte count; the caller copies. */
  private readIntoScratch(p: string, cap: number, ends: ReadEnd = 'eof'): { n: number; truncated: boolean } {
    let fd: number;
    try {
      fd = fs.openSync(p, 'r');
    } catch (err) {
      throw toOsError(err, 'open', p);
    }
    try {
      return fillScratch(fd, cap, ends);
    } catch (err) {
      throw toOsError(err, 'read', p);
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * The per-process fast path (stat, status, statm, cmdline, io: seq_file-backed /proc files, where the kernel fills
   * every read as far as it can, so a short read is the end of the file). One read(2) per 64 KiB instead of a final
   * read returning 0, which saves ~10% on a 1,000-process walk. Returns a view of the shared scratch buffer, valid
   * only until the next read through any ProcFs: parse it at once, never keep it. Content beyond `cap` is dropped.
   */
  readView(p: string, cap: number = DEFAULT_READ_CAP): Buffer {
    // A real procfs or sysfs: libc's calls through koffi, a third of the CPU of Node's fs for these small files.
    if (this.mayKeep(p)) return this.readViewLibc(p, cap);
    return this.readView0(p, cap, 'short');
  }

  /**
   * readView through native-io.ts: open(2), read(2) into the scratch buffer until a short read (or the cap), close(2).
   * The same bytes as readView0, and the same OsError (code, errno, syscall, path, message) as toOsError makes of
   * Node's fs errors.
   */
  private readViewLibc(p: string, cap: number): Buffer {
    const fd = nativeIo.openRead(p);
    if (fd < 0) throw errnoError(-fd, 'open', p);
    let n = 0;
    try {
      for (;;) {
        if (n === scratch.length) {
          if (n >= cap) break;
          const bigger = Buffer.allocUnsafe(Math.min(cap, scratch.length * 2));
          scratch.copy(bigger, 0, 0, n);
          scratch = bigger;
        }
        const want = Math.min(scratch.length, cap) - n;
        if (want <= 0) break;
        const got = nativeIo.readAt(fd, scratch, n, want);
        if (got < 0) throw errnoError(-got, 'read', p);
        n += got;
        // Per-process files are seq_files filled as far as each read can go: a short read is the end.
        if (got < want) break;
      }
    } finally {
      nativeIo.closeFd(fd);
    }
    return scratch.subarray(0, n);
  }

  /**
   * The fast path for the system-wide files read on every call (/proc/stat, meminfo, vmstat, loadavg, net/dev,
   * /sys/devices/system/cpu/online, cpufreq attributes): under a root that is a real procfs or sysfs mount the file is
   * kept open and read again with pread(2) from offset 0, which makes seq_file and kernfs generate it afresh, so the
   * open(2)/close(2) pair (most of the cost of a small /proc read) is paid once. Same bytes, cap and errors as
   * readText; a kept fd that fails (a removed sysfs node gives ENODEV) is closed and the file opened again, so errors
   * come from a fresh open. Only for paths whose identity cannot change under the same name: never per-pid files,
   * never names that can move to another device (/sys/class/net/<nic>). Fixture trees always go the ordinary way:
   * their files can be replaced, and a kept fd would read the old one. Returns a view of the shared scratch buffer,
   * valid until the next read through any ProcFs.
   */
  readHot(p: string, cap: number = DEFAULT_READ_CAP, ends: ReadEnd = 'eof'): Buffer {
    let fd = hot.get(p);
    if (fd === undefined) {
      if (!this.mayKeep(p)) return this.readView0(p, cap, ends);
      try {
        fd = fs.openSync(p, 'r');
      } catch (err) {
        throw toOsError(err, 'open', p);
      }
      keep(p, fd);
    } else {
      hot.delete(p); // re-inserted below: Map order is the LRU order
      hot.set(p, fd);
    }
    let n: number;
    try {
      n = this.preadAll(fd, cap, ends);
    } catch (err) {
      hot.delete(p);
      fs.closeSync(fd);
      // isNativeError: only fs errors get the second try (a fresh open gives the proper error, or succeeds).
      if (!types.isNativeError(err)) throw err;
      return this.readView0(p, cap, ends);
    }
    return scratch.subarray(0, n);
  }

  /** The ordinary read (open, read, close) as a view of the scratch buffer, which the read may have replaced. */
  private readView0(p: string, cap: number, ends: ReadEnd): Buffer {
    const { n } = this.readIntoScratch(p, cap, ends);
    return scratch.subarray(0, n);
  }

  /** readHot as text (UTF-8, like readText). */
  readHotText(p: string, cap: number = DEFAULT_READ_CAP, ends: ReadEnd = 'eof'): string {
    const view = this.readHot(p, cap, ends);
    return view.toString('utf8', 0, view.length);
  }

  /** readHot, or null when the file does not exist (ENOENT/ENOTDIR); other errors throw. */
  readHotTextOrNull(p: string, cap: number = DEFAULT_READ_CAP, ends: ReadEnd = 'eof'): string | null {
    try {
      return this.readHotText(p, cap, ends);
    } catch (err) {
      if (err instanceof OsError && (err.osCode === 'ENOENT' || err.osCode === 'ENOTDIR')) return null;
      throw err;
    }
  }

  /** readHot for a sysfs attribute: the trimmed text, or null if absent or unreadable (as readAttr). */
  readHotAttr(p: string): string | null {
    try {
      // A sysfs attribute is one record (at most a page): a short read has all of it.
      return this.readHotText(p, 64 * 1024, 'short').trim();
    } catch (err) {
      if (err instanceof OsError) return null;
      throw err;
    }
  }

  /** Whether `p` lies under a root that is a real procfs or sysfs mount (not a fixture tree). */
  isKernelPath(p: string): boolean {
    return this.mayKeep(p);
  }

  private mayKeep(p: string): boolean {
    if (this.hotPrefixes === null) {
      this.hotPrefixes = [];
      if (isMountOf(this.procfs, PROC_SUPER_MAGIC)) this.hotPrefixes.push(this.procfs + '/');
      if (isMountOf(this.sysfs, SYSFS_MAGIC)) this.hotPrefixes.push(this.sysfs + '/');
    }
    for (const prefix of this.hotPrefixes) if (p.startsWith(prefix) && !p.includes('/..')) return true;
    return false;
  }

  /**
   * Reads a kept fd whole into the scratch buffer with positional reads: offset 0 restarts the generation, and each
   * next read continues where the previous one ended, up to a read of 0 (a multi-record seq_file such as vmstat or
   * net/dev can return less than asked before its end). Bytes past `cap` are dropped, as readText drops them.
   */
  private preadAll(fd: number, cap: number, ends: ReadEnd): number {
    let n = 0;
    for (;;) {
      if (n === scratch.length) {
        if (n >= cap) return n;
        const bigger = Buffer.allocUnsafe(Math.min(cap, scratch.length * 2));
        scratch.copy(bigger, 0, 0, n);
        scratch = bigger;
      }
      const want = Math.min(scratch.length, cap) - n;
      if (want <= 0) return n;
      const got = fs.readSync(fd, scratch, n, want, n);
      if (got === 0) return n;
      n += got;
      if (got < want && endedShort(got, ends)) return n;
    }
  }

  /**
   * Reads a file as UTF-8 text that keeps every byte (fsdecode: one that is not valid UTF-8 becomes U+DC80-U+DCFF,
   * psutil's surrogateescape), so the paths in mounts, mountinfo and smaps can be opened again.
   */
  readText(p: string, cap: number = DEFAULT_READ_CAP): string {
    const { n } = this.readIntoScratch(p, cap);
    return fsdecodeRange(scratch, 0, n);
  }

  /** Reads a file's bytes (a private copy), with whether the cap cut it; `ends` as for readHot. */
  readCapped(p: string, cap: number = DEFAULT_READ_CAP, ends: ReadEnd = 'eof'): CappedRead {
    const { n, truncated } = this.readIntoScratch(p, cap, ends);
    return { buf: Buffer.from(scratch.subarray(0, n)), truncated };
  }

  readBytes(p: string, cap: number = DEFAULT_READ_CAP): Buffer {
    return this.readCapped(p, cap).buf;
  }

  /** Reads a text file, or returns null when it does not exist (ENOENT/ENOTDIR); other errors throw. */
  readTextOrNull(p: string, cap: number = DEFAULT_READ_CAP): string | null {
    try {
      return this.readText(p, cap);
    } catch (err) {
      if (err instanceof OsError && (err.osCode === 'ENOENT' || err.osCode === 'ENOTDIR')) return null;
      throw err;
    }
  }

  /**
   * <procfs>/1/mountinfo (the host's mount table under a host procfs), or null when init's is absent or not ours to
   * read (EACCES/EPERM without privileges): the callers then fall back to self/mountinfo.
   */
  initMountinfoOrNull(): { text: string; path: string } | null {
    const p = this.proc('1/mountinfo');
    try {
      const text = this.readTextOrNull(p);
      return text === null ? null : { text, path: p };
    } catch (err) {
      if (err instanceof OsError && (err.osCode === 'EACCES' || err.osCode === 'EPERM')) return null;
      throw err;
    }
  }

  /**
   * A sysfs attribute: the trimmed text, or null if absent or unreadable (sysfs attributes can EINVAL/ENODEV/EIO).
   * An attribute is one record of at most a page, generated whole by the first read(2): a short read has all of it,
   * so the final read returning 0 (a third of the cost of a small attribute) is skipped. The same holds for the
   * single-value /proc/sys files and the regular files of fixture trees this also reads.
   */
  readAttr(p: string): string | null {
    // The read is inlined rather than readIntoScratch's: a refused attribute (EINVAL from carrier/speed of a down or
    // virtual NIC, EOPNOTSUPP from phys_port_id) is common, and null needs no OsError built (each formats a stack).
    let fd: number;
    try {
      fd = fs.openSync(p, 'r');
    } catch (err) {
      if (isErrnoError(err)) return null;
      throw err;
    }
    try {
      const { n } = fillScratch(fd, 64 * 1024, 'short');
      return scratch.toString('utf8', 0, n).trim();
    } catch (err) {
      if (isErrnoError(err)) return null;
      throw err;
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * readlink(2) through native.ts (half the cost of fs.readlinkSync), the target's bytes kept (fsdecode); errors are
   * OsError as from any other read.
   */
  readlink(p: string): string {
    try {
      return native.readlink(p);
    } catch (err) {
      if (err instanceof native.NativeError) {
        throw new OsError(
          err.osCode,
          err.errno,
          'readlink',
          p,
          `${err.osCode}: readlink '${p}': ${errnoText(err.osCode)}`,
        );
      }
      throw err;
    }
  }

  readdir(p: string): string[] {
    try {
      return fs.readdirSync(p);
    } catch (err) {
      throw toOsError(err, 'scandir', p);
    }
  }

  /**
   * readdirOrEmpty for directories that live as long as the system (class directories such as
   * /sys/class/power_supply, /sys/block): under a real sysfs/procfs root the directory is kept open and listed again
   * from its start (lseek, getdents64), which spares the open(2)/close(2) pair, two thirds of listing a small sysfs
   * directory. Same names in the same order as readdir; a kept fd that fails is closed and the directory listed
   * afresh, so errors come from a fresh open. An absent (or unreachable) directory is [] after one existence check,
   * with no exception built.
   */
  readdirHotOrEmpty(p: string): string[] {
    const key = 'dir:' + p;
    if (!hot.has(key)) {
      if (!fs.existsSync(p)) return [];
      if (!this.mayKeep(p) || !native.canListDir()) return this.readdirOrEmpty(p);
    }
    let fd: number;
    try {
      fd = keptDir(key, p);
    } catch (err) {
      if (err instanceof OsError && (err.osCode === 'ENOENT' || err.osCode === 'ENOTDIR')) return [];
      throw err;
    }
    return listKept(key, fd, native.listDirFd) ?? this.readdirOrEmpty(p);
  }

  /**
   * The pids of the procfs root, ascending, from a kept fd of it listed again from its start (native-io's listPidsFd:
   * numbers parsed from the getdents64 records, no string per entry), which spares the open(2)/close(2) pair and the
   * ~60 names a readdir decodes for nothing. null where the root is not a real procfs mount (a fixture tree), where
   * glibc lacks getdents64, or where the kept fd fails (then closed): the caller lists it with readdir, whose errors
   * are the proper ones.
   */
  pidsHot(): number[] | null {
    const p = this.procfs;
    const key = 'dir:' + p;
    if (!hot.has(key) && (!this.mayKeep(this.proc('')) || !native.canListDir())) return null;
    let fd: number;
    try {
      fd = keptDir(key, p);
    } catch (err) {
      // Not fatal here: readdir of the same path then fails with the error the caller reports.
      if (err instanceof OsError) return null;
      throw err;
    }
    return listKept(key, fd, nativeIo.listPidsFd);
  }

  /**
   * Each entry of a directory of symlinks (/proc/<pid>/fd) with its target when the target starts with `prefix`
   * (null otherwise): one open of the directory, then getdents64 and readlinkat relative to it (native.readlinksAt),
   * where readdir plus readlink would look every link's path up from / again. Entries in the directory's own order
   * (ascending fd numbers in /proc). Listing errors throw OsError as readdir's ('scandir'); a link that cannot be read
   * comes back with its errno name in `osCode` (no error object is built: pid 1's fds, EACCES each, are common) and
   * readlinkError() makes the OsError readlink would have thrown. A failure whose code is in `stopOn` ends the list
   * (the caller gives up on the directory there, so the remaining links are not read).
   */
  readlinksIn(dir: string, prefix: string, stopOn: ReadonlySet<string> = new Set()): LinkEntry[] {
    if (!native.canListDir()) {
      return this.readdir(dir).map((name) => {
        try {
          const t = this.readlink(`${dir}/${name}`);
          return { name, target: t.startsWith(prefix) ? t : null, osCode: null, errno: 0 };
        } catch (err) {
          if (err instanceof OsError) return { name, target: null, osCode: err.osCode, errno: err.errno };
          throw err;
        }
      });
    }
    let fd: number;
    try {
      fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    } catch (err) {
      throw toOsError(err, 'scandir', dir);
    }
    try {
      const stop = new Set<number>();
      for (const code of stopOn) if (native.ERRNO[code] !== undefined) stop.add(native.ERRNO[code]);
      const out = native.readlinksAt(fd, prefix, stop) as LinkEntry[];
      for (const e of out) e.osCode = e.errno === 0 ? null : native.errnoName(e.errno);
      return out;
    } catch (err) {
      if (err instanceof native.NativeError) {
        throw new OsError(
          err.osCode,
          err.errno,
          'scandir',
          dir,
          `${err.osCode}: scandir '${dir}': ${errnoText(err.osCode)}`,
        );
      }
      throw err;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The OsError a readlink of `<dir>/<name>` gives for an entry of readlinksIn that failed. */
  readlinkError(dir: string, e: LinkEntry): OsError {
    const code = e.osCode ?? 'EIO';
    const p = `${dir}/${e.name}`;
    return new OsError(code, e.errno, 'readlink', p, `${code}: readlink '${p}': ${errnoText(code)}`);
  }

  /** Directory entries, or [] when the directory does not exist. */
  readdirOrEmpty(p: string): string[] {
    try {
      return fs.readdirSync(p);
    } catch (err) {
      const e = toOsError(err, 'scandir', p);
      if (e.osCode === 'ENOENT' || e.osCode === 'ENOTDIR') return [];
      throw e;
    }
  }

  exists(p: string): boolean {
    return fs.existsSync(osPath(p));
  }

  /** stat(2) of a path that may hold escaped bytes (a target readlink gave): they are passed as the bytes they are. */
  stat(p: string): fs.Stats {
    try {
      return fs.statSync(osPath(p));
    } catch (err) {
      throw toOsError(err, 'stat', p);
    }
  }

  /** lstat-free existence check that does not follow into the target of /proc/pid/exe and the like. */
  lexists(p: string): boolean {
    try {
      fs.lstatSync(osPath(p));
      return true;
    } catch {
      // lstat fails only when the entry is not there or not reachable: both mean "absent" here.
      return false;
    }
  }
}

/** Roots from the environment (gopsutil's HOST_PROC / HOST_SYS / HOST_ROOT), defaulting to the real ones. */
/**
 * The errno code a path lookup fails with (ENOENT, ENOTDIR, EACCES, ...), or null when the path resolves. Runs on
 * libuv's pool, never blocking the caller: used to name the error of an off-thread call that could not return errno.
 */
export function pathLookupError(p: string): Promise<string | null> {
  return fs.promises.stat(p).then(
    () => null,
    (err: unknown) => toOsError(err, 'stat', p).osCode,
  );
}

export function rootsFromEnv(env: NodeJS.ProcessEnv = process.env): Roots {
  return {
    procfs: env['HOST_PROC'] || '/proc',
    sysfs: env['HOST_SYS'] || '/sys',
    rootfs: env['HOST_ROOT'] || '/',
  };
}
