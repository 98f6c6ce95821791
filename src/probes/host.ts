/**
 * Host facade: bootTime and users (psutil 7.x semantics), plus the host's identity and kernel-wide state for the
 * agent's collectors, ours (docs/library-extensions.md): uname, osRelease, clocksources, procPressure, fileNr,
 * randomEntropy. The reading is in linux/host.ts, linux/sysinfo.ts and linux/kstat.ts.
 */
import type { Context } from './context';
import { UT_USER_PROCESS } from './linux/parse/utmp';
import type { FileNr, PressureRecord } from './linux/kstat';
export type { FileNr, PressureLine, PressureRecord } from './linux/kstat';

/** psutil's suser. */
export interface User {
  readonly name: string;
  /** The tty (`pts/0`), or null when the record has none. */
  readonly terminal: string | null;
  /** The remote host as utmp records it: '' for a local (console) login; the X displays `:0` and `:0.0` read
   * `localhost` (psutil 7.x's users.c maps those two only). */
  readonly host: string;
  /** Login time, epoch seconds. */
  readonly started: number;
  readonly pid: number;
}

// psutil 6.1.1+ (arch/linux/users.c) maps exactly these two X display names to 'localhost' and keeps every other
// ut_host as it is, '' included (psutil 5.9 did the same in _pslinux.users; psutil 8.0's docs announce None for '').
const LOCAL_HOSTS = new Set([':0', ':0.0']);

/** uname(2) fields, plus the NIS domain name (null where /proc does not say). */
export interface Uname {
  readonly sysname: string;
  readonly nodename: string;
  readonly release: string;
  readonly version: string;
  readonly machine: string;
  readonly domainname: string | null;
}

/** os-release(5) of the host (under the rootfs): the file read and its KEY=value fields. */
export interface OsRelease {
  readonly path: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface Clocksource {
  readonly device: string;
  readonly available: readonly string[];
  readonly current: string | null;
}

/** /proc/pressure/*: null for a resource the kernel does not report (irq before 6.1). */
export interface ProcPressure {
  readonly cpu: PressureRecord | null;
  readonly io: PressureRecord | null;
  readonly memory: PressureRecord | null;
  readonly irq: PressureRecord | null;
}

export interface RandomEntropy {
  /** /proc/sys/kernel/random/entropy_avail. */
  readonly availableBits: number;
  /** /proc/sys/kernel/random/poolsize. */
  readonly poolSizeBits: number;
}

export function hostApi(ctx: Context) {
  return {
    /** Boot time in epoch seconds (psutil boot_time), from /proc/stat btime; re-read on every call (clock steps move it). */
    bootTime(): number {
      return ctx.os.host.bootTime(ctx.fs);
    },
    /**
     * Users logged in (psutil users): USER_PROCESS records of <rootfs>/var/run/utmp (or /run/utmp). [] where the
     * system keeps no utmp (systemd without it, psutil #2597).
     */
    users(): readonly User[] {
      const out: User[] = [];
      for (const r of ctx.os.host.readUtmp(ctx.fs)) {
        if (r.type !== UT_USER_PROCESS) continue;
        out.push(
          Object.freeze({
            name: r.user,
            terminal: r.line === '' ? null : r.line,
            host: LOCAL_HOSTS.has(r.host) ? 'localhost' : r.host,
            started: r.tvSec,
            pid: r.pid,
          }),
        );
      }
      return Object.freeze(out);
    },

    // ---- ours (not psutil's; docs/library-extensions.md) ----
    /** The running kernel's uname(2) and domain name. */
    uname(): Uname {
      return Object.freeze({ ...ctx.os.sysinfo.uname(ctx.fs) });
    },
    /** <rootfs>/etc/os-release (else usr/lib/os-release) parsed; null when the host has neither. */
    osRelease(): OsRelease | null {
      const r = ctx.os.sysinfo.osRelease(ctx.fs);
      return r === null ? null : Object.freeze({ path: r.path, fields: r.fields });
    },
    /** Clocksources per device from sysfs ([] where sysfs has none). */
    clocksources(): readonly Clocksource[] {
      return Object.freeze(
        ctx.os.sysinfo
          .clocksources(ctx.fs)
          .map((c) => Object.freeze({ device: c.device, available: Object.freeze(c.available), current: c.current })),
      );
    },
    /** Pressure stall information per resource (totals in microseconds). Throws OsError ENOENT without PSI. */
    procPressure(): ProcPressure {
      const cpu = ctx.os.kstat.procPressure(ctx.fs, 'cpu');
      const io = ctx.os.kstat.procPressure(ctx.fs, 'io');
      const memory = ctx.os.kstat.procPressure(ctx.fs, 'memory');
      const irq = ctx.os.kstat.procPressure(ctx.fs, 'irq');
      return Object.freeze({ cpu, io, memory, irq });
    },
    /** /proc/sys/fs/file-nr: file handles allocated, unused (0 since 2.6) and the maximum. */
    fileNr(): FileNr {
      return ctx.os.kstat.fileNr(ctx.fs);
    },
    /** The random pool's available entropy and size in bits. */
    randomEntropy(): RandomEntropy {
      return Object.freeze({
        availableBits: ctx.os.kstat.sysctlUint(ctx.fs, 'sys/kernel/random/entropy_avail'),
        poolSizeBits: ctx.os.kstat.sysctlUint(ctx.fs, 'sys/kernel/random/poolsize'),
      });
    },
  };
}
