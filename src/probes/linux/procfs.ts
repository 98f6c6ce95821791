/**
 * The one place that reads /proc and /sys (and the rootfs for statvfs paths and utmp).
 * Roots live on the object, never in a global (procfs.NewFS style). Every read is capped (1 MiB by default) and every
 * errno becomes an OsError carrying the code and the path; the process backend maps those to psutil's process errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { types } from 'node:util';
import { OsError } from '../errors';

export interface Roots {
  procfs: string;
  sysfs: string;
  rootfs: string;
}

export const DEFAULT_READ_CAP = 1 << 20;

/** Shared scratch buffer: /proc reads are tiny and synchronous, so one buffer serves them all without allocation. */
let scratch = Buffer.allocUnsafe(64 * 1024);

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
    return new OsError(e.code as string, errno, syscall, p, `${e.code}: ${syscall} '${p}': ${errnoText(e.code as string)}`);
  }
  throw err;
}

function errnoText(code: string): string {
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': return 'permission denied';
    case 'EPERM': return 'operation not permitted';
    case 'ESRCH': return 'no such process';
    case 'ENOTDIR': return 'not a directory';
    case 'EINVAL': return 'invalid argument';
    case 'ENAMETOOLONG': return 'file name too long';
    default: return code.toLowerCase();
  }
}

export class ProcFs {
  readonly procfs: string;
  readonly sysfs: string;
  readonly rootfs: string;

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
  private readIntoScratch(p: string, cap: number): { n: number; truncated: boolean } {
    let fd: number;
    try {
      fd = fs.openSync(p, 'r');
    } catch (err) {
      throw toOsError(err, 'open', p);
    }
    try {
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
      }
      // At the cap: one more byte tells whether the file goes on.
      const probe = Buffer.allocUnsafe(1);
      const more = fs.readSync(fd, probe, 0, 1, null);
      return { n, truncated: more > 0 };
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
    let fd: number;
    try {
      fd = fs.openSync(p, 'r');
    } catch (err) {
      throw toOsError(err, 'open', p);
    }
    try {
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
        n += got;
        if (got < want) break;
      }
      return scratch.subarray(0, n);
    } catch (err) {
      throw toOsError(err, 'read', p);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Reads a file as latin1-safe UTF-8 text (lossy: invalid bytes become U+FFFD). */
  readText(p: string, cap: number = DEFAULT_READ_CAP): string {
    const { n } = this.readIntoScratch(p, cap);
    return scratch.toString('utf8', 0, n);
  }

  /** Reads a file's bytes (a private copy), with whether the cap cut it. */
  readCapped(p: string, cap: number = DEFAULT_READ_CAP): CappedRead {
    const { n, truncated } = this.readIntoScratch(p, cap);
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

  /** A sysfs attribute: the trimmed text, or null if absent or unreadable (sysfs attributes can EINVAL/ENODEV/EIO). */
  readAttr(p: string): string | null {
    try {
      return this.readText(p, 64 * 1024).trim();
    } catch (err) {
      if (err instanceof OsError) return null;
      throw err;
    }
  }

  readlink(p: string): string {
    try {
      return fs.readlinkSync(p);
    } catch (err) {
      throw toOsError(err, 'readlink', p);
    }
  }

  readdir(p: string): string[] {
    try {
      return fs.readdirSync(p);
    } catch (err) {
      throw toOsError(err, 'scandir', p);
    }
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
    return fs.existsSync(p);
  }

  stat(p: string): fs.Stats {
    try {
      return fs.statSync(p);
    } catch (err) {
      throw toOsError(err, 'stat', p);
    }
  }

  /** lstat-free existence check that does not follow into the target of /proc/pid/exe and the like. */
  lexists(p: string): boolean {
    try {
      fs.lstatSync(p);
      return true;
    } catch {
      // lstat fails only when the entry is not there or not reachable: both mean "absent" here.
      return false;
    }
  }
}

/** Roots from the environment (gopsutil's HOST_PROC / HOST_SYS / HOST_ROOT), defaulting to the real ones. */
export function rootsFromEnv(env: NodeJS.ProcessEnv = process.env): Roots {
  return {
    procfs: env['HOST_PROC'] || '/proc',
    sysfs: env['HOST_SYS'] || '/sys',
    rootfs: env['HOST_ROOT'] || '/',
  };
}
