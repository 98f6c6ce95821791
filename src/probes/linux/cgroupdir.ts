/**
 * The files of cgroup directories on a real cgroup filesystem, read cheaply pass after pass (the cgroups collector
 * reads a dozen files of each of hundreds of cgroups every scrape). What it saves, measured on a hybrid host
 * (bench/cgroups.js, docs/cgroups.md):
 * - Each directory is opened once and kept (an O_DIRECTORY fd, no seq_file buffer behind it), and its files are opened
 *   relative to it with openat(2): the kernel looks up one path component instead of nine (kernfs revalidates each).
 * - The directory's file set is listed once, when it is opened: a cgroup's files never change during its life, so an
 *   absent file (memory.peak before 5.19, memsw without swap accounting) costs no syscall, and no access(2) checks
 *   whether the directory exists.
 * - A walk lists a kept directory's child cgroups through its fd (lseek, then one getdents64(2)), not by path (open,
 *   fstat, two getdents64, close, and the path looked up again): 345 directories a pass on the bench's host.
 * - open/read/close go through libc (native-io.ts) into one reusable buffer, with no final read of 0 bytes: every
 *   cgroup file is a single-record seq_file, generated whole by the first read, so a short read has all of it.
 * A kept directory that was removed, or removed and made again under the same name, answers ENOENT for a file of its
 * set (checked on this kernel: its dentry is dead) and to getdents64: the directory is then opened again by path,
 * once.
 * Directory mtimes cannot tell whether a walk may be skipped: kernfs leaves a directory's mtime alone when a child
 * cgroup is made (unless the directory's attributes were ever set), so every pass lists the directories it walks.
 */
import * as nodeFs from 'node:fs';
import { OsError } from '../errors';
import { b, errnoName, koffi, LITTLE_ENDIAN, prlimit } from './native';
import * as nativeIo from './native-io';
import { toOsError } from './procfs';
import { RLIMIT_NOFILE } from '../constants';

interface DirHandle {
  readonly fd: number;
  /** Opened beyond the fd budget: closed by done(), at the end of the call that opened it. */
  readonly transient: boolean;
  /** The names of the directory's regular files, listed when it was opened. */
  readonly files: ReadonlySet<string>;
  /** Its subdirectories as listed when it was opened, for a walk in the same pass (then listed again each pass). */
  readonly subdirs: readonly string[];
  /** The pass that opened it. */
  readonly opened: number;
  /** The pass that last used it: handles left unused for a pass are closed (their cgroups are gone or not wanted). */
  used: number;
}

const ENOENT = 2;
const SEEK_SET = 0;
/** linux_dirent64 d_type values. */
const DT_UNKNOWN = 0;
const DT_DIR = 4;
/**
 * The largest linux_dirent64 record: 19 bytes of header, a 255-byte name and its NUL, aligned to 8. getdents64 stops at
 * the first entry that does not fit, so a call that leaves this much of the buffer unused has listed everything.
 */
const MAX_DIRENT = 280;
const DIRENT_BUF = 64 * 1024;
let dirents: Buffer | null = null;
const ENODEV = 19;
const ENOTDIR = 20;

/**
 * Every read is capped at 1 MiB, as ProcFs caps its own (a blkio file of a host with thousands of devices is far
 * below). A cgroup file is one seq_file record, generated whole on the first read: a short read is its end.
 */
const buf = new nativeIo.ReadBuffer(64 * 1024, 1 << 20);

const registry = new FinalizationRegistry<Map<string, DirHandle>>((dirs) => {
  for (const h of dirs.values()) nodeFs.closeSync(h.fd);
  dirs.clear();
});

function osError(errno: number, syscall: string, p: string): OsError {
  const code = errnoName(errno);
  return new OsError(code, errno, syscall, p, `${code}: ${syscall} '${p}'`);
}

/**
 * Kept cgroup directories of one caller (the collector keeps one for its life; a one-off read makes one and closes
 * it). Not shared: a caller's passes decide which handles to drop. Closed when garbage-collected, or by close().
 */
export class CgroupDirReader {
  private readonly dirs = new Map<string, DirHandle>();
  private pass = 0;
  /** At most this many kept fds (an eighth of the soft fd limit, read at each pass); beyond, opened and closed. */
  private max = 0;
  /** Handles kept (not transient). */
  private kept = 0;
  /** Kept directories found removed during this call (a read through them answered ENOENT, and so did their path). */
  private readonly vanished = new Set<string>();

  constructor() {
    registry.register(this, this.dirs, this);
  }

  /** Starts a pass: handles not used since the previous pass are closed. */
  begin(): void {
    for (const [k, h] of this.dirs) {
      if (h.used < this.pass) this.forget(k, h);
    }
    this.pass++;
    const [soft] = prlimit(0, RLIMIT_NOFILE);
    this.max = soft < 0 ? 1024 : Math.floor(soft / 8);
  }

  close(): void {
    for (const h of this.dirs.values()) nodeFs.closeSync(h.fd);
    this.dirs.clear();
    this.kept = 0;
    registry.unregister(this);
  }

  /** The kept handle of `dir`, opened on first use; null when the directory does not exist. */
  private handle(dir: string): DirHandle | null {
    const h = this.dirs.get(dir);
    if (h !== undefined) {
      h.used = this.pass;
      return h;
    }
    return this.open(dir);
  }

  private open(dir: string): DirHandle | null {
    // libc's open: a directory that is not there (a cgroup missing from one hierarchy) is an errno, not an Error with
    // its stack trace. O_RDONLY opens a directory too; openat() below it then fails ENOTDIR on anything else.
    const fd = nativeIo.openRead(dir);
    if (fd === -ENOENT || fd === -ENOTDIR) return null;
    if (fd < 0) throw osError(-fd, 'open', dir);
    let listing: Listing | typeof GONE | null;
    try {
      listing = listFd(fd, dir, true) ?? listPath(dir);
    } catch (err) {
      nodeFs.closeSync(fd);
      throw err;
    }
    if (listing === null || listing === GONE) {
      nodeFs.closeSync(fd);
      return null;
    }
    const h: DirHandle = {
      fd,
      transient: this.kept >= this.max,
      files: listing.files,
      subdirs: listing.subdirs,
      opened: this.pass,
      used: this.pass,
    };
    if (!h.transient) this.kept++;
    this.dirs.set(dir, h);
    return h;
  }

  /**
   * The names of the subdirectories of `dir` (child cgroups), listed now through its kept handle (lseek and one
   * getdents64 in place of open, fstat, two getdents64 and close of the path); null when the directory does not exist.
   * A kept directory that was removed (maybe made again since) fails ENOENT: it is opened again by path.
   */
  subdirs(dir: string): readonly string[] | null {
    let h = this.handle(dir);
    if (h === null) return null;
    if (h.opened === this.pass) return h.subdirs;
    const listing = listFd(h.fd, dir, false);
    if (listing === null) return listPath(dir)?.subdirs ?? null;
    if (listing !== GONE) return listing.subdirs;
    this.drop(dir, h);
    h = this.handle(dir);
    return h === null ? null : h.subdirs;
  }

  /** Whether `dir`, existing when its handle was opened, was found removed during this call. */
  gone(dir: string): boolean {
    return this.vanished.has(dir);
  }

  /** Closes the directories opened beyond the fd budget during this call. */
  done(): void {
    this.vanished.clear();
    for (const [k, h] of this.dirs) if (h.transient) this.forget(k, h);
  }

  /** Whether the directory exists (opening and keeping it). */
  exists(dir: string): boolean {
    return this.handle(dir) !== null;
  }

  /**
   * The bytes of `dir/file` as a view of the shared buffer (valid until the next read), or null where the directory
   * or the file does not exist (or went away during the read). Other errors are OsErrors, as ProcFs throws them.
   */
  read(dir: string, file: string): Buffer | null {
    let h = this.handle(dir);
    if (h === null || !h.files.has(file)) return null;
    let n = buf.fillAt(h.fd, file);
    if (n === -ENOENT) {
      // Listed, yet not there: the directory was removed (and maybe made again). Once more from its path.
      this.drop(dir, h);
      h = this.handle(dir);
      if (h === null) this.vanished.add(dir);
      if (h === null || !h.files.has(file)) return null;
      n = buf.fillAt(h.fd, file);
    }
    // A removed cgroup's open file reads ENODEV: gone, as a missing one.
    if (n === -ENOENT || n === -ENODEV || n === -ENOTDIR) return null;
    if (n < 0) throw osError(-n, 'read', `${dir}/${file}`);
    return buf.buf.subarray(0, n);
  }

  private drop(dir: string, h: DirHandle): void {
    if (this.dirs.get(dir) === h) this.forget(dir, h);
  }

  private forget(dir: string, h: DirHandle): void {
    this.dirs.delete(dir);
    if (!h.transient) this.kept--;
    nodeFs.closeSync(h.fd);
  }
}

interface Listing {
  /** Names of the entries that are not directories. */
  readonly files: Set<string>;
  readonly subdirs: string[];
}

/** listFd's answer for a directory that was removed: getdents64 fails ENOENT on it (iterate_dir's IS_DEADDIR). */
const GONE = Symbol('gone');

/**
 * The entries of an open directory from its start (lseek to 0, then getdents64(2) until a call leaves room for one
 * more record: one call for a cgroup directory), `.` and `..` left out; the names of files only with `files` (a walk
 * wants the subdirectories: a few among 30 to 90 files). GONE when the directory was removed. null where this cannot
 * be done (glibc before 2.30 has no getdents64; an entry of unknown type): the caller lists by path.
 */
function listFd(fd: number, dir: string, withFiles: boolean): Listing | typeof GONE | null {
  const fns = b();
  const getdents = fns.getdents64;
  if (getdents === null) return null;
  const buf = (dirents ??= Buffer.alloc(DIRENT_BUF));
  if (Number(fns.lseek(fd, 0, SEEK_SET)) < 0) throw osError(koffi().errno(), 'lseek', dir);
  const files = new Set<string>();
  const subdirs: string[] = [];
  for (;;) {
    const n = Number(getdents(fd, buf, DIRENT_BUF));
    if (n < 0) {
      const errno = koffi().errno();
      if (errno === ENOENT) return GONE;
      throw osError(errno, 'getdents64', dir);
    }
    // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name (NUL-terminated, padded).
    for (let off = 0; off < n;) {
      const reclen = LITTLE_ENDIAN ? buf.readUInt16LE(off + 16) : buf.readUInt16BE(off + 16);
      if (reclen === 0) break;
      const type = buf[off + 18]!;
      const start = off + 19;
      const next = off + reclen;
      off = next;
      if (type === DT_UNKNOWN) return null;
      if (type !== DT_DIR && !withFiles) continue;
      // The name ends at its NUL, within the record's padding.
      let end = start;
      while (end < next && buf[end] !== 0) end++;
      if (buf[start] === 46 && (end - start === 1 || (end - start === 2 && buf[start + 1] === 46))) continue;
      const name = buf.toString('utf8', start, end);
      if (type === DT_DIR) subdirs.push(name);
      else files.add(name);
    }
    if (n + MAX_DIRENT <= DIRENT_BUF) break;
  }
  return { files, subdirs };
}

/** The entries of `dir` by path (fs.readdirSync); null when it does not exist (cgroups come and go). */
export function listPath(dir: string): Listing | null {
  let entries: nodeFs.Dirent[];
  try {
    entries = nodeFs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const e = toOsError(err, 'scandir', dir);
    if (e.osCode === 'ENOENT' || e.osCode === 'ENOTDIR') return null;
    throw e;
  }
  const files = new Set<string>();
  const subdirs: string[] = [];
  for (const e of entries) {
    if (e.isDirectory()) subdirs.push(e.name);
    else files.add(e.name);
  }
  return { files, subdirs };
}
