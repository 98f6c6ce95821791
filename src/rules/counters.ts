/**
 * The grouper's counter arithmetic (grouper.ts): a process's absolute values, the increase since the last ones
 * (counters only go up), the carried baseline, and process-exporter's five state buckets.
 */
import type { ProcMetrics, ThreadMetrics } from './types';

/** Monotonic values of a process, thread or group (seconds, bytes, counts); NaN where unreadable. */
export interface Counters {
  cpuUser: number;
  cpuSystem: number;
  readBytes: number;
  writeBytes: number;
  majorFaults: number;
  minorFaults: number;
  ctxVoluntary: number;
  ctxInvoluntary: number;
}

export const zero = (): Counters => ({
  cpuUser: 0,
  cpuSystem: 0,
  readBytes: 0,
  writeBytes: 0,
  majorFaults: 0,
  minorFaults: 0,
  ctxVoluntary: 0,
  ctxInvoluntary: 0,
});

/**
 * A process's voluntary (or involuntary) context switches: with its threads read (process-exporter's way), the sum
 * over its threads, as /proc/<pid>/status counts the main thread only.
 */
function ctxSwitches(m: ProcMetrics, threads: readonly ThreadMetrics[] | null, voluntary: boolean): number {
  if (!threads) return voluntary ? m.ctxVoluntary : m.ctxInvoluntary;
  let n = 0;
  for (const th of threads) n += voluntary ? th.ctxVoluntary : th.ctxInvoluntary;
  return n;
}

/**
 * A process's absolute counter values. With its threads read (process-exporter's way), context switches are the sum
 * over its threads: /proc/<pid>/status counts the main thread only.
 */
export function absolute(m: ProcMetrics, threads: readonly ThreadMetrics[] | null): Counters {
  const vol = ctxSwitches(m, threads, true);
  const inv = ctxSwitches(m, threads, false);
  return {
    cpuUser: m.cpuUser,
    cpuSystem: m.cpuSystem,
    readBytes: m.readBytes ?? NaN,
    writeBytes: m.writeBytes ?? NaN,
    majorFaults: m.majorFaults,
    minorFaults: m.minorFaults,
    ctxVoluntary: vol,
    ctxInvoluntary: inv,
  };
}

/**
 * One process's cycle, in place: adds the increase of its values in `m` since `last` into its group's `acc`, and moves
 * `last` on to them; what absolute(), diff(), carry() and addInto() do, without an object per process and cycle.
 * `first`: `last` holds nothing yet (the process's first read): it adds everything when the process was born in the
 * window, else nothing. An unreadable value (null: NaN) adds nothing and keeps the last readable one. Returns the CPU
 * seconds added (per-process ranking).
 */
export function advance(
  acc: Counters,
  last: Counters,
  first: boolean,
  born: boolean,
  m: ProcMetrics,
  threads: readonly ThreadMetrics[] | null,
): number {
  const vol = ctxSwitches(m, threads, true);
  const inv = ctxSwitches(m, threads, false);
  const all = first && born;
  let d = increase(m.cpuUser, last.cpuUser, first, all);
  if (d > 0) acc.cpuUser += d;
  let cpu = d > 0 ? d : 0;
  d = increase(m.cpuSystem, last.cpuSystem, first, all);
  if (d > 0) acc.cpuSystem += d;
  cpu += d > 0 ? d : 0;
  const rb = m.readBytes ?? NaN;
  const wb = m.writeBytes ?? NaN;
  d = increase(rb, last.readBytes, first, all);
  if (d > 0) acc.readBytes += d;
  d = increase(wb, last.writeBytes, first, all);
  if (d > 0) acc.writeBytes += d;
  d = increase(m.majorFaults, last.majorFaults, first, all);
  if (d > 0) acc.majorFaults += d;
  d = increase(m.minorFaults, last.minorFaults, first, all);
  if (d > 0) acc.minorFaults += d;
  d = increase(vol, last.ctxVoluntary, first, all);
  if (d > 0) acc.ctxVoluntary += d;
  d = increase(inv, last.ctxInvoluntary, first, all);
  if (d > 0) acc.ctxInvoluntary += d;
  // carry(): on the first read every value, NaN included; later a NaN keeps the last readable value.
  if (first || m.cpuUser === m.cpuUser) last.cpuUser = m.cpuUser;
  if (first || m.cpuSystem === m.cpuSystem) last.cpuSystem = m.cpuSystem;
  if (first || rb === rb) last.readBytes = rb;
  if (first || wb === wb) last.writeBytes = wb;
  if (first || m.majorFaults === m.majorFaults) last.majorFaults = m.majorFaults;
  if (first || m.minorFaults === m.minorFaults) last.minorFaults = m.minorFaults;
  if (first || vol === vol) last.ctxVoluntary = vol;
  if (first || inv === inv) last.ctxInvoluntary = inv;
  return cpu;
}

/** The increase of one value (NaN or negative: nothing, left to the caller's `> 0`). */
function increase(now: number, last: number, first: boolean, all: boolean): number {
  return first ? (all ? now : 0) : now - last;
}

export function threadCounters(th: ThreadMetrics): Counters {
  return {
    cpuUser: th.cpuUser,
    cpuSystem: th.cpuSystem,
    readBytes: th.readBytes ?? NaN,
    writeBytes: th.writeBytes ?? NaN,
    majorFaults: th.majorFaults,
    minorFaults: th.minorFaults,
    ctxVoluntary: th.ctxVoluntary,
    ctxInvoluntary: th.ctxInvoluntary,
  };
}

const KEYS: ReadonlyArray<keyof Counters> = [
  'cpuUser',
  'cpuSystem',
  'readBytes',
  'writeBytes',
  'majorFaults',
  'minorFaults',
  'ctxVoluntary',
  'ctxInvoluntary',
];

/**
 * Increase since the last values. A value that went down (a thread exited from a summed count, a counter reset)
 * or that is unreadable (NaN: io of another user's process) adds nothing: counters only go up.
 */
export function diff(now: Counters, last: Counters): Counters {
  const d = zero();
  for (const k of KEYS) {
    const v = now[k] - last[k];
    d[k] = v > 0 ? v : 0;
  }
  return d;
}

/** The new baseline: unreadable values keep the last readable one, so the next readable value adds only its increase. */
export function carry(now: Counters, last: Counters | null): Counters {
  const out = { ...now };
  for (const k of KEYS) if (Number.isNaN(out[k]) && last !== null) out[k] = last[k];
  return out;
}

export function addInto(acc: Counters, d: Counters): void {
  for (const k of KEYS) {
    const v = d[k];
    if (v > 0) acc[k] += v; // NaN and 0 add nothing
  }
}

export function addState(
  s: { running: number; sleeping: number; waiting: number; zombie: number; other: number },
  st: string,
): void {
  switch (st) {
    case 'R':
      s.running++;
      break;
    case 'S':
      s.sleeping++;
      break;
    case 'D':
      s.waiting++;
      break;
    case 'Z':
      s.zombie++;
      break;
    default:
      s.other++;
  }
}
