/**
 * open(2), read(2) and close(2) through koffi, for ProcFs's per-process reads of a real procfs (native.ts holds the
 * other bindings; same rules: koffi loads on the first call). Node's fs.openSync/readSync/closeSync spend about as
 * much CPU in argument checks, request setup and error contexts as the kernel spends generating a small /proc file:
 * a walk reading stat, status, cmdline and statm of every process took 2.1x the CPU of the same walk in C through
 * Node's fs, 1.35x through these bindings. Each call returns the result or -errno, so an expected failure (a
 * process gone between the listing and the read) builds no error object here.
 */
import { koffi, type Fn } from './native';

/** O_RDONLY | O_CLOEXEC (asm-generic's 0o2000000, which every architecture Node runs on uses). */
const O_RDONLY_CLOEXEC = 0o2000000;

let io: { open: Fn; read: Fn; close: Fn } | null = null;

function fns(): { open: Fn; read: Fn; close: Fn } {
  if (io !== null) return io;
  const libc = koffi().load('libc.so.6');
  io = {
    open: libc.func('int open(const char *path, int flags)'),
    read: libc.func('long read(int fd, void *buf, size_t count)'),
    close: libc.func('int close(int fd)'),
  };
  return io;
}

/** open(path, O_RDONLY | O_CLOEXEC): the fd, or -errno. */
export function openRead(path: string): number {
  const fd = fns().open(path, O_RDONLY_CLOEXEC) as number;
  return fd >= 0 ? fd : -koffi().errno();
}

/** read(2) of up to `count` bytes into `buf` from `offset`: the byte count (0 at the end), or -errno. */
export function readAt(fd: number, buf: Buffer, offset: number, count: number): number {
  // The kernel writes where it is told: a count past the buffer's end would overwrite memory that is not the buffer's.
  if (offset < 0 || count < 0 || offset + count > buf.length) throw new RangeError('readAt: outside the buffer');
  const n = Number(fns().read(fd, offset === 0 ? buf : buf.subarray(offset), count));
  return n >= 0 ? n : -koffi().errno();
}

/** close(2); its errors are dropped, as a read-only fd of a pseudo file has nothing left to flush. */
export function closeFd(fd: number): void {
  fns().close(fd);
}
