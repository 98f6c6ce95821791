/**
 * The files of cgroup directories on a real cgroup filesystem, read cheaply pass after pass (the cgroups collector
 * reads a dozen files of each of hundreds of cgroups every scrape). What it saves, measured on a hybrid host
 * (bench/cgroups.js, docs/cgroups.md):
 * - Each directory is opened once and kept (an O_DIRECTORY fd, no seq_file buffer behind it), and its files are opened
 *   relative to it with openat(2): the kernel looks up one path component instead of nine (kernfs revalidates each).
 * - The directory's file set is listed when it is opened, and kept: an absent file (memory.peak before 5.19, memsw
 *   without swap accounting) costs no syscall, and no access(2) checks whether the directory exists. A v1 cgroup's
 *   files are fixed by its hierarchy for its life; a v2 cgroup's are not: `+memory` written to its parent's
 *   cgroup.subtree_control makes the memory.* files in every child directory, `-memory` removes them, with no event
 *   in the child (checked on this kernel with hugetlb). So a non-root v2 cgroup lists its files again once its
 *   parent's watch saw that file written (below), and where nothing watches its parent, at each pass.
 * - A walk lists a kept directory's child cgroups through its fd (lseek, then one getdents64(2)), not by path (open,
 *   fstat, two getdents64, close, and the path looked up again): 345 directories a pass on the bench's host.
 * - open/read/close go through libc (native-io.ts) into one reusable buffer, with no final read of 0 bytes: every
 *   cgroup file is a single-record seq_file, generated whole by the first read, so a short read has all of it.
 * A kept directory that was removed, or removed and made again under the same name, answers ENOENT for a file of its
 * set (checked on this kernel: its dentry is dead) and to getdents64: the directory is then opened again by path,
 * once. A file removed by `-ctl` in the parent's subtree_control during a pass (after begin()) answers ENOENT too: the
 * directory is opened again the same way, its files listed anew, and the file read as absent.
 * Directory mtimes cannot tell whether a walk may be skipped: kernfs leaves a directory's mtime alone when a child
 * cgroup is made (unless the directory's attributes were ever set). inotify can (a reader made with `watch`): cgroups
 * are made, removed and renamed only by mkdir(2), rmdir(2) and rename(2), which the VFS reports (IN_CREATE, IN_DELETE,
 * IN_MOVED_*) to a watch on the parent, and a limit changes only by a write to a file of the cgroup, which vfs_write
 * (and writev, sendfile, splice, io_uring) reports as IN_MODIFY with the file's name (checked on this kernel: mkdir,
 * writes to memory.limit_in_bytes and memory.soft_limit_in_bytes, rename and rmdir each gave their event). So each
 * kept directory is watched from before it is listed: a walk lists again only the directories with an event since,
 * and generation() tells a caller keeping limits whether a file of the directory was written since it read them. A
 * write to a kept directory's cgroup.subtree_control marks the file sets of its kept children stale, with a new
 * generation (limits in a newly enabled controller are new values): each is listed again (lseek, one getdents64) at
 * its next use or generation(). A directory without a watch (fs.inotify.max_user_watches reached, no inotify) is
 * listed every pass it is walked and has no generation; a non-root v2 cgroup whose parent is not kept with a watch
 * added before the cgroup's listing lists its files at each pass's first use (the walk keeps every parent of what it
 * lists, so the collector's steady pass lists nothing); an event queue overflow (IN_Q_OVERFLOW) counts as an event
 * in every directory.
 */
import * as nodeFs from 'node:fs';
import { OsError } from '../errors';
import { b, errnoName, koffi, LITTLE_ENDIAN, prlimit } from './native';
import * as nativeIo from './native-io';
import { toOsError } from './procfs';
import { RLIMIT_NOFILE } from '../constants';

interface DirHandle {
  readonly dir: string;
  readonly fd: number;
  /** Opened beyond the fd budget: closed by done(), at the end of the call that opened it. */
  readonly transient: boolean;
  /** The names of the directory's regular files, as last listed (when it was opened, or when `stale` since). */
  files: ReadonlySet<string>;
  /**
   * Whether the file set is to be listed again at its next use (or generation()): on the unified hierarchy, a write
   * to its parent's cgroup.subtree_control (a controller's files made or removed in each child) since it was listed,
   * an event queue overflow, or no watch on the parent to tell (then at each pass).
   */
  stale: boolean;
  /**
   * The parent's key (no trailing slash) where the file set follows the parent's subtree_control: a non-root cgroup
   * of the unified hierarchy (it has cgroup.events, which v1 cgroups and a v2 root lack); null elsewhere.
   */
  readonly up: string | null;
  /**
   * The parent's handle as last found (by `up`): looked up again only where it has no watch (forgotten handles lose
   * theirs), so that a pass checks a field, not the map.
   */
  parent: DirHandle | null;
  /** When its watch was added (the reader's sequence): a child listed before that may have missed a change. */
  readonly watchedAt: number;
  /** When its files were last listed (the reader's sequence). */
  listedAt: number;
  /**
   * Its subdirectories as last listed: with the files (when opened or stale), for a walk in the same pass; after
   * that, while `listed` (watched, no directory event since), without listing it again.
   */
  subdirs: readonly string[];
  /** Whether `subdirs` is known to be current: its inotify watch was added before that listing and saw no change. */
  listed: boolean;
  /** Its inotify watch descriptor; -1 without one. */
  wd: number;
  /** The reader's event count when a file of the directory was last written, or when it was opened. */
  gen: number;
  /** The pass of its last listing with the files (when opened, or stale since). */
  listedIn: number;
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

/**
 * Views of the shared buffer's start by length, made once per length (a Buffer view is an object to make and collect,
 * thousands a pass): the same view for the same length until the buffer grows. Each is valid until the next read,
 * as read() says. Lengths up to VIEWS only (every cgroup file but a big host's memory.stat or blkio file).
 */
const VIEWS = 4096;
let views = new Array<Buffer | undefined>(VIEWS + 1);
let viewsOf: Buffer | null = null;

function view(n: number): Buffer {
  const whole = buf.buf;
  if (whole !== viewsOf) {
    views = new Array<Buffer | undefined>(VIEWS + 1);
    viewsOf = whole;
  }
  if (n > VIEWS) return whole.subarray(0, n);
  return (views[n] ??= whole.subarray(0, n));
}

/** What a dropped reader's finalizer closes: its directory fds and its inotify fd. */
interface Held {
  readonly dirs: Map<string, DirHandle>;
  /** The inotify fd; -1 none (not asked for, not made yet, or not available here). */
  ino: number;
}

const registry = new FinalizationRegistry<Held>((held) => {
  for (const h of held.dirs.values()) nodeFs.closeSync(h.fd);
  held.dirs.clear();
  if (held.ino >= 0) nodeFs.closeSync(held.ino);
  held.ino = -1;
});

/** inotify(7) masks (linux/inotify.h). */
const IN_MODIFY = 0x2;
const IN_MOVED_FROM = 0x40;
const IN_MOVED_TO = 0x80;
const IN_CREATE = 0x100;
const IN_DELETE = 0x200;
const IN_DELETE_SELF = 0x400;
const IN_MOVE_SELF = 0x800;
const IN_Q_OVERFLOW = 0x4000;
const IN_IGNORED = 0x8000;
const IN_ONLYDIR = 0x1000000;
const IN_ISDIR = 0x40000000;
const WATCH_MASK =
  IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
/** inotify_init1 flags: IN_NONBLOCK (O_NONBLOCK) and IN_CLOEXEC (O_CLOEXEC), as on every architecture Node runs on. */
const IN_NONBLOCK_CLOEXEC = 0o4000 | 0o2000000;
const EAGAIN = 11;
/**
 * Files the kernel itself marks modified (kernfs_notify: populated, frozen, memory.high and OOM events), which no
 * write changes and which are not limits: their IN_MODIFY does not count as a write to the directory.
 */
const NOTIFIED = /\.events(?:\.local)?$/;

/** The buffer inotify events are read into: room for hundreds of events a read (16 bytes and a padded name each). */
let events: Buffer | null = null;

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
  private readonly held: Held;
  /** The kept handles by watch descriptor. */
  private readonly byWd = new Map<number, DirHandle>();
  /** Events seen so far (each a new generation for the directories it touches). */
  private events = 0;
  /** Orders watches and listings: a child's file set is known current where its parent was watched before it. */
  private seq = 0;
  /** Whether inotify is still to be set up (a reader made with `watch`, before its first begin()). */
  private wantWatch: boolean;
  private pass = 0;
  /** At most this many kept fds (an eighth of the soft fd limit, read at each pass); beyond, opened and closed. */
  private max = 0;
  /** Handles kept (not transient). */
  private kept = 0;
  /** Kept directories found removed during this call (a read through them answered ENOENT, and so did their path). */
  private readonly vanished = new Set<string>();

  /**
   * `watch`: keep an inotify watch on each kept directory, so that a walk lists only the directories changed since and
   * generation() answers (for a caller that makes passes; a one-off read has no use for it).
   */
  constructor(options: { watch?: boolean } = {}) {
    this.held = { dirs: this.dirs, ino: -1 };
    this.wantWatch = options.watch === true;
    registry.register(this, this.held, this);
  }

  /** Starts a pass: the events since the last one are taken in; handles not used since the previous pass are closed. */
  begin(): void {
    if (this.wantWatch) {
      this.wantWatch = false;
      // No inotify (ENOSYS under a seccomp filter, EMFILE at fs.inotify.max_user_instances): no watches; every
      // directory is then listed each pass, as without `watch`.
      const fd = nativeIo.inotify().init1(IN_NONBLOCK_CLOEXEC) as number;
      this.held.ino = fd >= 0 ? fd : -1;
    }
    if (this.held.ino >= 0) this.drain();
    for (const [k, h] of this.dirs) {
      if (h.used < this.pass) this.forget(k, h);
      // Where no watch on the parent would have seen its subtree_control written since the listing, the files are
      // listed again at the pass's first use (a walked directory without a watch was listed every pass already: the
      // same getdents64, its files taken too). A map look-up a pass, no syscall, where the parent is kept (the walk
      // keeps every parent of what it lists).
      else if (h.up !== null && !h.stale && !this.parentWatches(h)) h.stale = true;
    }
    this.pass++;
    const [soft] = prlimit(0, RLIMIT_NOFILE);
    this.max = soft < 0 ? 1024 : Math.floor(soft / 8);
  }

  close(): void {
    for (const h of this.dirs.values()) nodeFs.closeSync(h.fd);
    this.dirs.clear();
    this.byWd.clear();
    this.kept = 0;
    if (this.held.ino >= 0) nodeFs.closeSync(this.held.ino);
    this.held.ino = -1;
    registry.unregister(this);
  }

  /**
   * A number that changes whenever a file of `dir` may have been written since it was last asked (as of this pass's
   * begin(): a write during the pass shows at the next), or null where that cannot be known: the directory not kept,
   * or kept without a watch. Writes to the files the kernel marks modified itself (`*.events`) do not count.
   */
  generation(dir: string): number | null {
    const h = this.dirs.get(dir);
    if (h === undefined || h.wd < 0) return null;
    if (!h.stale) return h.gen;
    // Listed now (its first use this pass would list it anyway): a controller's files made or removed since are new
    // limits, to be told before the caller decides whether to read them.
    const now = this.relist(dir, h);
    return now === null || now.wd < 0 ? null : now.gen;
  }

  /** Reads the queued inotify events: directories changed lose their listing, written ones get a new generation. */
  private drain(): void {
    const ino = this.held.ino;
    const buf = (events ??= Buffer.alloc(64 * 1024));
    for (;;) {
      const n = nativeIo.readAt(ino, buf, 0, buf.length);
      if (n === -EAGAIN) return;
      if (n < 0) throw osError(-n, 'read', 'inotify');
      // struct inotify_event: wd (i32), mask (u32), cookie (u32), len (u32), name (len bytes, NUL-padded).
      for (let off = 0; off + 16 <= n;) {
        const wd = LITTLE_ENDIAN ? buf.readInt32LE(off) : buf.readInt32BE(off);
        const mask = LITTLE_ENDIAN ? buf.readUInt32LE(off + 4) : buf.readUInt32BE(off + 4);
        const len = LITTLE_ENDIAN ? buf.readUInt32LE(off + 12) : buf.readUInt32BE(off + 12);
        const nameAt = off + 16;
        off = nameAt + len;
        this.events++;
        if (mask & IN_Q_OVERFLOW) {
          // Events were lost: every directory may have changed.
          for (const h of this.dirs.values()) {
            h.listed = false;
            h.stale = true;
            h.gen = this.events;
          }
          continue;
        }
        const h = this.byWd.get(wd);
        if (h === undefined) continue;
        if (mask & IN_IGNORED) {
          // The watch is gone (the filesystem unmounted, the inode dropped): the directory is as one never watched.
          this.byWd.delete(wd);
          h.wd = -1;
          h.listed = false;
          continue;
        }
        if (mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
          h.listed = false;
          h.gen = this.events;
          continue;
        }
        let end = nameAt;
        while (end < off && buf[end] !== 0) end++;
        const name = buf.toString('utf8', nameAt, end);
        if (mask & IN_ISDIR && mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)) {
          h.listed = false;
          // The child's kept handle is of the directory that was there: removed or moved away (a cgroup of the same
          // name made since is another), it is opened again by path when next used.
          if (mask & (IN_DELETE | IN_MOVED_FROM | IN_CREATE | IN_MOVED_TO)) {
            const child = h.dir.endsWith('/') ? h.dir + name : h.dir + '/' + name;
            const c = this.dirs.get(child);
            if (c !== undefined) this.forget(child, c);
          }
        } else if (mask & IN_MODIFY && !NOTIFIED.test(name)) {
          h.gen = this.events;
          if (name === 'cgroup.subtree_control') this.childrenChanged(h);
        }
      }
    }
  }

  /**
   * Whether the parent of `h` is kept (and stays kept this pass), watched, and was watched before the files of `h`
   * were listed: then a write to its subtree_control since is an event (childrenChanged).
   */
  private parentWatches(h: DirHandle): boolean {
    let p = h.parent;
    if (p === null || p.wd < 0) {
      const up = h.up!;
      // A hierarchy's root is kept under its mount point with a trailing slash (the walk's path.join of it and '/').
      p = h.parent = this.dirs.get(up) ?? this.dirs.get(up + '/') ?? null;
    }
    return p !== null && p.wd >= 0 && p.used >= this.pass && p.watchedAt < h.listedAt;
  }

  /**
   * A write to the cgroup.subtree_control of `h` (v2) may have enabled or disabled a controller for its children:
   * each makes or removes that controller's files in every child directory, with no event of its own (kernfs adds
   * and removes them; only the write is seen). The kept children list their files again at their next use, with a
   * new generation: limits in a newly enabled controller are new values. Only the direct children: a controller can
   * be enabled for a cgroup's children only where the cgroup has it (its parent enabled it), and disabled only where
   * no child enables it further. cgroup.type makes no difference to the files: a cgroup cannot become threaded while
   * a domain controller is enabled in its parent, nor can one be enabled above a threaded child (EOPNOTSUPP, checked
   * on this kernel).
   */
  private childrenChanged(h: DirHandle): void {
    const dir = trimSlash(h.dir);
    // A scan of the kept directories: such writes are rare (a unit or a container made, a daemon-reload).
    for (const c of this.dirs.values()) {
      if (c.up === dir) {
        c.stale = true;
        c.gen = this.events;
      }
    }
  }

  /** The kept handle of `dir`, opened on first use; null when the directory does not exist. */
  private handle(dir: string): DirHandle | null {
    const h = this.dirs.get(dir);
    if (h !== undefined) {
      h.used = this.pass;
      return h.stale ? this.relist(dir, h) : h;
    }
    return this.knownAbsent(dir) ? null : this.open(dir);
  }

  /**
   * Lists a kept directory again, files and subdirectories, where its file set may have changed (`stale`): lseek and
   * one getdents64 through its fd. Found removed (maybe made again), it is opened again by path. A file set that
   * changed gives a new generation (a parent's write seen as an event gave one already).
   */
  private relist(dir: string, h: DirHandle): DirHandle | null {
    const listing = listFd(h.fd, dir, true) ?? listPath(dir);
    if (listing === null || listing === GONE) {
      this.drop(dir, h);
      const again = this.knownAbsent(dir) ? null : this.open(dir);
      if (again === null) this.vanished.add(dir);
      return again;
    }
    if (!sameNames(h.files, listing.files)) h.gen = ++this.events;
    h.files = listing.files;
    h.listedAt = ++this.seq;
    h.subdirs = listing.subdirs;
    // Listed after the watch was added: current while the watch sees no change.
    h.listed = h.wd >= 0;
    h.stale = false;
    h.listedIn = this.pass;
    return h;
  }

  /**
   * Whether `dir` is known not to exist without asking the kernel: its parent is kept, its watch saw no child made,
   * removed or renamed since its listing, and the listing lacks it; or its parent is known not to exist. A cgroup absent from some hierarchies (a systemd
   * unit without memory or CPU accounting has no directory in those v1 hierarchies) then costs no failing open by
   * path each pass.
   */
  private knownAbsent(dir: string): boolean {
    const i = dir.lastIndexOf('/');
    if (i <= 0) return false;
    const up = dir.slice(0, i);
    // A hierarchy's root is kept under its mount point with a trailing slash (the walk's path.join of it and '/').
    const parent = this.dirs.get(up) ?? this.dirs.get(up + '/');
    // Below a directory known absent, nothing is there either.
    if (parent === undefined) return this.knownAbsent(up);
    return parent.listed && !parent.subdirs.includes(dir.slice(i + 1));
  }

  private open(dir: string): DirHandle | null {
    // libc's open: a directory that is not there (a cgroup missing from one hierarchy) is an errno, not an Error with
    // its stack trace. O_RDONLY opens a directory too; openat() below it then fails ENOTDIR on anything else.
    const fd = nativeIo.openRead(dir);
    if (fd === -ENOENT || fd === -ENOTDIR) return null;
    if (fd < 0) throw osError(-fd, 'open', dir);
    const transient = this.kept >= this.max;
    // The watch before the listing: a change after the watch is added is an event, one before it is in the listing.
    // Without one (fs.inotify.max_user_watches reached: ENOSPC), the directory is listed every pass as before.
    const wd =
      transient || this.held.ino < 0 ? -1 : (nativeIo.inotify().addWatch(this.held.ino, dir, WATCH_MASK) as number);
    const watchedAt = ++this.seq;
    let listing: Listing | typeof GONE | null;
    try {
      listing = listFd(fd, dir, true) ?? listPath(dir);
    } catch (err) {
      nodeFs.closeSync(fd);
      throw err;
    }
    if (listing === null || listing === GONE) {
      nodeFs.closeSync(fd);
      if (wd >= 0) this.unwatch(wd);
      return null;
    }
    const h: DirHandle = {
      dir,
      fd,
      transient,
      files: listing.files,
      stale: false,
      up: listing.files.has('cgroup.events') ? parentOf(dir) : null,
      parent: null,
      watchedAt,
      listedAt: ++this.seq,
      subdirs: listing.subdirs,
      listed: wd >= 0,
      wd,
      // A generation of its own: a directory opened again (removed and made anew) is not taken for the one before.
      gen: ++this.events,
      listedIn: this.pass,
      used: this.pass,
    };
    if (!h.transient) this.kept++;
    this.dirs.set(dir, h);
    if (wd >= 0) {
      // The same inode watched already (a directory kept under another path): its watch is this one's now.
      const other = this.byWd.get(wd);
      if (other !== undefined) {
        other.wd = -1;
        other.listed = false;
      }
      this.byWd.set(wd, h);
    }
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
    if (h.listedIn === this.pass || h.listed) return h.subdirs;
    const listing = listFd(h.fd, dir, false);
    if (listing === null) return listPath(dir)?.subdirs ?? null;
    if (listing !== GONE) {
      // Kept for the next passes where the watch (added before this listing) sees no change.
      h.subdirs = listing.subdirs;
      h.listed = h.wd >= 0;
      return listing.subdirs;
    }
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
    return view(n);
  }

  private drop(dir: string, h: DirHandle): void {
    if (this.dirs.get(dir) === h) this.forget(dir, h);
  }

  private forget(dir: string, h: DirHandle): void {
    this.dirs.delete(dir);
    if (!h.transient) this.kept--;
    nodeFs.closeSync(h.fd);
    if (h.wd >= 0 && this.byWd.get(h.wd) === h) {
      this.byWd.delete(h.wd);
      this.unwatch(h.wd);
    }
    h.wd = -1;
  }

  /** inotify_rm_watch; EINVAL (the watch already gone with its inode) is no error: nothing is left to remove. */
  private unwatch(wd: number): void {
    if (this.held.ino >= 0) nativeIo.inotify().rmWatch(this.held.ino, wd);
  }
}

/** `dir` without its trailing slash (a hierarchy's root is kept under its mount point with one). */
function trimSlash(dir: string): string {
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}

/** The directory `dir` is in, without a trailing slash. */
function parentOf(dir: string): string {
  const d = trimSlash(dir);
  const i = d.lastIndexOf('/');
  return i <= 0 ? '/' : d.slice(0, i);
}

function sameNames(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const n of a) if (!b.has(n)) return false;
  return true;
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
