/**
 * Host facade: bootTime and users (psutil 7.x semantics).
 */
import type { Context } from './context';
import { UT_USER_PROCESS } from './linux/parse/utmp';

/** psutil's suser. */
export interface User {
  readonly name: string;
  /** The tty (`pts/0`), or null when the record has none. */
  readonly terminal: string | null;
  /** The remote host; local X displays (`:0`, `:0.0`) and empty hosts read `localhost`. */
  readonly host: string;
  /** Login time, epoch seconds. */
  readonly started: number;
  readonly pid: number;
}

// psutil maps the X display names; an empty host is a local (console) login as well.
const LOCAL_HOSTS = new Set(['', ':0', ':0.0']);

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
        out.push(Object.freeze({
          name: r.user,
          terminal: r.line === '' ? null : r.line,
          host: LOCAL_HOSTS.has(r.host) ? 'localhost' : r.host,
          started: r.tvSec,
          pid: r.pid,
        }));
      }
      return Object.freeze(out);
    },
  };
}
