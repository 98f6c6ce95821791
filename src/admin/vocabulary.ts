/**
 * The words the admin API accepts: signal names, I/O priority classes, rlimit resources. Each is a closed allowlist
 * resolved to the number the library takes, so no number from a request ever reaches a syscall unmapped (signal 0,
 * real-time signals and `kill(-1)` style values cannot be expressed at all).
 */
import * as os from 'node:os';
import {
  IOPRIO_CLASS_NONE,
  IOPRIO_CLASS_RT,
  IOPRIO_CLASS_BE,
  IOPRIO_CLASS_IDLE,
  RLIMIT_CPU,
  RLIMIT_FSIZE,
  RLIMIT_DATA,
  RLIMIT_STACK,
  RLIMIT_CORE,
  RLIMIT_RSS,
  RLIMIT_NPROC,
  RLIMIT_NOFILE,
  RLIMIT_MEMLOCK,
  RLIMIT_AS,
  RLIMIT_LOCKS,
  RLIMIT_SIGPENDING,
  RLIMIT_MSGQUEUE,
  RLIMIT_NICE,
  RLIMIT_RTPRIO,
  RLIMIT_RTTIME,
} from '../constants'; // not '../index': the config check runs in the main thread, which never loads the library

/**
 * Signals an operator may ask for. Excluded on purpose: 0 (a probe, not an action), the real-time range (their
 * numbers vary with the C library), and the synchronous fault signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP,
 * SIGSYS), which only make sense raised by the CPU.
 */
export const SIGNAL_NAMES = [
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGABRT',
  'SIGKILL',
  'SIGUSR1',
  'SIGUSR2',
  'SIGALRM',
  'SIGTERM',
  'SIGCONT',
  'SIGSTOP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGWINCH',
] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];

const SIGNALS: ReadonlyMap<string, number> = new Map(
  SIGNAL_NAMES.map((n) => {
    const num = (os.constants.signals as Record<string, number | undefined>)[n];
    if (typeof num !== 'number') throw new Error(`os.constants.signals lacks ${n}`);
    return [n, num] as const;
  }),
);

/** The signal number for an allowlisted name, or null. A Map lookup: 'constructor' or 'toString' are just absent. */
export function signalNumber(name: string): number | null {
  return SIGNALS.get(name) ?? null;
}

export const IOCLASS_NAMES = ['none', 'realtime', 'best-effort', 'idle'] as const;
export type IoClassName = (typeof IOCLASS_NAMES)[number];

const IOCLASSES: ReadonlyMap<string, number> = new Map<string, number>([
  ['none', IOPRIO_CLASS_NONE],
  ['realtime', IOPRIO_CLASS_RT],
  ['best-effort', IOPRIO_CLASS_BE],
  ['idle', IOPRIO_CLASS_IDLE],
]);

export function ioclassNumber(name: string): number | null {
  return IOCLASSES.get(name) ?? null;
}

export function ioclassName(n: number): IoClassName | null {
  for (const [k, v] of IOCLASSES) if (v === n) return k as IoClassName;
  return null;
}

/** rlimit resources by their short name (`NOFILE`); `RLIMIT_NOFILE` is accepted too and normalized. */
export const RLIMIT_RESOURCES: ReadonlyMap<string, number> = new Map<string, number>([
  ['CPU', RLIMIT_CPU],
  ['FSIZE', RLIMIT_FSIZE],
  ['DATA', RLIMIT_DATA],
  ['STACK', RLIMIT_STACK],
  ['CORE', RLIMIT_CORE],
  ['RSS', RLIMIT_RSS],
  ['NPROC', RLIMIT_NPROC],
  ['NOFILE', RLIMIT_NOFILE],
  ['MEMLOCK', RLIMIT_MEMLOCK],
  ['AS', RLIMIT_AS],
  ['LOCKS', RLIMIT_LOCKS],
  ['SIGPENDING', RLIMIT_SIGPENDING],
  ['MSGQUEUE', RLIMIT_MSGQUEUE],
  ['NICE', RLIMIT_NICE],
  ['RTPRIO', RLIMIT_RTPRIO],
  ['RTTIME', RLIMIT_RTTIME],
]);

/** `NOFILE` or `RLIMIT_NOFILE` -> `NOFILE`; anything else -> null. */
export function rlimitName(name: string): string | null {
  const short = name.startsWith('RLIMIT_') ? name.slice(7) : name;
  return RLIMIT_RESOURCES.has(short) ? short : null;
}

/** Lowest and highest nice values on Linux. */
export const NICE_MIN = -20;
export const NICE_MAX = 19;
