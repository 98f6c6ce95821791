/**
 * open(2), read(2) and close(2) through koffi, for ProcFs's per-process reads of a real procfs (native.ts holds the
 * other bindings; same rules: koffi loads on the first call). Node's fs.openSync/readSync/closeSync spend about as
 * much CPU in argument checks, request setup and error contexts as the kernel spends generating a small /proc file:
 * a walk reading stat, status, cmdline and statm of every process took 2.1x the CPU of the same walk in C through
 * Node's fs, 1.35x through these bindings. Each call returns the result or -errno, so an expected failure (a
 * process gone between the listing and the read) builds no error object here.
 */
import { b, koffi, LITTLE_ENDIAN, NativeError, optionalFunc, type Fn } from './native';

/** O_RDONLY | O_CLOEXEC (asm-generic's 0o2000000, which every architecture Node runs on uses). */
const O_RDONLY_CLOEXEC = 0o2000000;

interface IoFns {
  open: Fn;
  openat: Fn;
  read: Fn;
  pread: Fn;
  close: Fn;
  /** null where glibc lacks close_range (before 2.34). */
  closeRange: Fn | null;
  /** null where glibc lacks statx (before 2.28). */
  statx: Fn | null;
  inotifyInit1: Fn;
  inotifyAddWatch: Fn;
  inotifyRmWatch: Fn;
}

let io: IoFns | null = null;

function fns(): IoFns {
  if (io !== null) return io;
  const libc = koffi().load('libc.so.6');
  io = {
    open: libc.func('int open(const char *path, int flags)'),
    openat: libc.func('int openat(int dirfd, const char *path, int flags)'),
    read: libc.func('long read(int fd, void *buf, size_t count)'),
    pread: libc.func('long pread(int fd, void *buf, size_t count, long offset)'),
    close: libc.func('int close(int fd)'),
    closeRange: optionalFunc(libc, 'int close_range(unsigned int first, unsigned int last, int flags)'),
    statx: optionalFunc(libc, 'int statx(int dirfd, const char *path, int flags, unsigned int mask, void *buf)'),
    inotifyInit1: libc.func('int inotify_init1(int flags)'),
    inotifyAddWatch: libc.func('int inotify_add_watch(int fd, const char *path, uint32_t mask)'),
    inotifyRmWatch: libc.func('int inotify_rm_watch(int fd, int wd)'),
  };
  return io;
}

/** inotify_init1, inotify_add_watch and inotify_rm_watch, raw (-1 and errno on failure): the cgroup walk's watches. */
export function inotify(): { init1: Fn; addWatch: Fn; rmWatch: Fn } {
  const f = fns();
  return (inotifyView ??= { init1: f.inotifyInit1, addWatch: f.inotifyAddWatch, rmWatch: f.inotifyRmWatch });
}
let inotifyView: { init1: Fn; addWatch: Fn; rmWatch: Fn } | null = null;

/** open(path, O_RDONLY | O_CLOEXEC): the fd, or -errno. */
export function openRead(path: string): number {
  const fd = fns().open(path, O_RDONLY_CLOEXEC) as number;
  return fd >= 0 ? fd : -koffi().errno();
}

/**
 * openat(dirfd, name, O_RDONLY | O_CLOEXEC): the fd, or -errno. A name relative to a kept directory fd costs the
 * kernel one path component to look up instead of every component of the full path (nine for a kubelet container's
 * cgroup file under /sys/fs/cgroup/<controller>).
 */
export function openReadAt(dirfd: number, name: string): number {
  const fd = fns().openat(dirfd, name, O_RDONLY_CLOEXEC) as number;
  return fd >= 0 ? fd : -koffi().errno();
}

/** read(2) of up to `count` bytes into `buf` from `offset`: the byte count (0 at the end), or -errno. */
export function readAt(fd: number, buf: Buffer, offset: number, count: number): number {
  // The kernel writes where it is told: a count past the buffer's end would overwrite memory that is not the buffer's.
  if (offset < 0 || count < 0 || offset + count > buf.length) throw new RangeError('readAt: outside the buffer');
  const n = Number(fns().read(fd, offset === 0 ? buf : buf.subarray(offset), count));
  return n >= 0 ? n : -koffi().errno();
}

/**
 * pread(2) of up to `count` bytes into the start of `buf` from the file's offset `pos`: the byte count, or -errno. At
 * offset 0 a seq_file (/proc/<pid>/stat and the like) prints its content afresh, so a kept fd reads it again without
 * the open(2)/close(2) pair.
 */
export function preadAt(fd: number, buf: Buffer, count: number, pos: number): number {
  if (count < 0 || count > buf.length) throw new RangeError('preadAt: outside the buffer');
  const n = Number(fns().pread(fd, buf, count, pos));
  return n >= 0 ? n : -koffi().errno();
}

/**
 * A read buffer kept for the process's life that grows by doubling up to `cap`, and reads one file whole: from where
 * the fd stands (read(2)) or positionally from offset 0 (pread(2), which makes a kept seq_file print afresh), until a
 * short read or the cap. A short read is the end: a sysfs attribute, a cgroup file and a per-process /proc file are
 * generated as far as each read can go. Bytes past the cap are dropped.
 */
export class ReadBuffer {
  /** Holds the bytes of the last fill at its start (the buffer may be a new one after a fill: read it after). */
  buf: Buffer;

  constructor(
    initial: number,
    private readonly cap: number,
  ) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /**
   * Reads fd into `buf`: the byte count, or -errno of the failed read. `from`: bytes already read into `buf` by the
   * caller (a full first read).
   */
  fill(fd: number, positional = false, from = 0): number {
    let n = from;
    for (;;) {
      if (n === this.buf.length) {
        if (n >= this.cap) return n;
        const bigger = Buffer.allocUnsafe(Math.min(this.cap, this.buf.length * 2));
        this.buf.copy(bigger, 0, 0, n);
        this.buf = bigger;
      }
      const want = this.buf.length - n;
      const got = positional
        ? preadAt(fd, n === 0 ? this.buf : this.buf.subarray(n), want, n)
        : readAt(fd, this.buf, n, want);
      if (got < 0) return got;
      n += got;
      if (got < want) return n;
    }
  }

  /** openat(dirfd, name), fill, close: the byte count in `buf`, or -errno of the open or the read. */
  fillAt(dirfd: number, name: string): number {
    // The bindings called directly, and the first read with no checks around it: a file smaller than the buffer
    // (nearly every one) costs three calls and nothing else (the cgroups collector reads thousands a pass).
    const f = fns();
    const fd = f.openat(dirfd, name, O_RDONLY_CLOEXEC) as number;
    if (fd < 0) return -koffi().errno();
    const want = this.buf.length;
    const got = Number(f.read(fd, this.buf, want));
    if (got >= 0 && got < want) {
      f.close(fd);
      return got;
    }
    // errno before close(2), which may set it.
    const errno = got < 0 ? koffi().errno() : 0;
    try {
      return got < 0 ? -errno : this.fill(fd, false, got);
    } finally {
      f.close(fd);
    }
  }
}

const STATX_UID = 0x8;
const STATX_SIZE = 0x200;
/** struct statx is the same on every architecture: stx_uid at 20 (u32), stx_size at 40 (u64). */
const statxBuf = Buffer.alloc(256);

/**
 * statx(2) of `name` relative to `dirfd` for its size and owner (stx_size, stx_uid): 0 with `out` filled, -errno, or
 * null where glibc has no statx. The size of /proc/<pid>/fd is its open fd count (Linux 6.2+).
 */
export function statxSizeUid(dirfd: number, name: string, out: { size: number; uid: number }): number | null {
  const fn = fns().statx;
  if (fn === null) return null;
  const r = fn(dirfd, name, 0, STATX_SIZE | STATX_UID, statxBuf) as number;
  if (r < 0) return -koffi().errno();
  out.uid = LITTLE_ENDIAN ? statxBuf.readUInt32LE(20) : statxBuf.readUInt32BE(20);
  // An fd count or a /proc file's size: far below 2^53.
  out.size = Number(LITTLE_ENDIAN ? statxBuf.readBigUInt64LE(40) : statxBuf.readBigUInt64BE(40));
  return 0;
}

/** close(2); its errors are dropped, as a read-only fd of a pseudo file has nothing left to flush. */
export function closeFd(fd: number): void {
  fns().close(fd);
}

/** Whether close_range(2) is there to call: false once it failed (Linux before 5.9: ENOSYS; a seccomp filter). */
let closeRangeWorks = true;

/**
 * Closes the first `n` fds of `fds`, each open and the caller's own (none given twice): each run of consecutive
 * numbers with one close_range(2), the rest one close(2) each. A reader that opens, reads and closes many small files
 * in a row gets consecutive numbers (the kernel gives the lowest free one) and pays one system call for their closes
 * instead of one each: on this project's machine a system call costs ~1.3 us of CPU before any work (entry and exit),
 * and the closes of 1,000 processes' stat, status and io were 3,000 of the 10,000 calls of a per-process OTLP pass.
 * A run is closed by range only when every number in it is one of `fds`: another thread's fd can never be inside.
 */
export function closeFds(fds: Int32Array, n: number): void {
  const f = fns();
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && fds[j] === fds[j - 1]! + 1) j++;
    if (j - i > 1 && closeRangeWorks && f.closeRange !== null) {
      // With flags 0 the call closes the whole range or, failing (ENOSYS, EPERM from seccomp), nothing at all: the
      // fds are still open and closed one by one below.
      if ((f.closeRange(fds[i], fds[j - 1], 0) as number) === 0) {
        i = j;
        continue;
      }
      closeRangeWorks = false;
    }
    for (; i < j; i++) f.close(fds[i]);
  }
}

// ---- the pids of a procfs root ----

const SEEK_SET = 0;
/** One getdents64 call lists about 2,700 pids (24-byte records): two or three calls on a busy host. */
const PID_DIRENT_BUF = 64 * 1024;
let pidDirents: Buffer | null = null;

/**
 * The numeric entries of an open procfs root (its pids), listed again from the start (lseek to 0, then getdents64(2)
 * until it returns 0), ascending. Numbers are read straight from the records' bytes: no string is made for a name.
 * A name counts when all its bytes are ASCII digits (psutil's `x.isdigit()` on the bytes of os.listdir). null where
 * glibc lacks getdents64 (before 2.30); throws NativeError when the directory cannot be listed.
 */
export function listPidsFd(fd: number): number[] | null {
  const fns = b();
  const getdents = fns.getdents64;
  if (getdents === null) return null;
  const buf = (pidDirents ??= Buffer.alloc(PID_DIRENT_BUF));
  if (Number(fns.lseek(fd, 0, SEEK_SET)) < 0) throw new NativeError('lseek', koffi().errno());
  const out: number[] = [];
  let sorted = true;
  let last = -1;
  for (;;) {
    const n = Number(getdents(fd, buf, PID_DIRENT_BUF));
    if (n < 0) throw new NativeError('getdents64', koffi().errno());
    if (n === 0) break;
    // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name (NUL-terminated, padded).
    for (let off = 0; off < n;) {
      const reclen = LITTLE_ENDIAN ? buf.readUInt16LE(off + 16) : buf.readUInt16BE(off + 16);
      if (reclen === 0) break;
      const end = off + reclen;
      let i = off + 19;
      off = end;
      let v = 0;
      let digits = 0;
      for (; i < end; i++) {
        const d = buf[i]! - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
        digits++;
      }
      // Digits up to the NUL only: `self`, `1a` and the like are not pids; 16 digits would pass 2^53.
      if (digits === 0 || digits > 15 || i >= end || buf[i] !== 0) continue;
      if (v < last) sorted = false;
      last = v;
      out.push(v);
    }
  }
  // The kernel lists pids ascending: the sort is for a procfs that would not.
  return sorted ? out : out.sort((x, y) => x - y);
}
