/**
 * Argument checks of the process area (TypeError for a wrong type, RangeError for a wrong value, each naming the
 * function and the argument: tests assert the wording), signal numbers, and the clock and sleep the waits use.
 * Unlike ../options.ts, an options argument of null reads as "no options" here (psutil's None).
 */
import { constants as osConstants } from 'node:os';

export function options<T extends object>(fn: string, opts: unknown, known: readonly string[]): Partial<T> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new TypeError(`${fn}: options must be an object, got ${Array.isArray(opts) ? 'an array' : typeof opts}`);
  }
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw new TypeError(`${fn}: unknown option '${k}' (known: ${known.join(', ')})`);
  }
  return opts;
}

export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

export function integerArg(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new TypeError(`${fn}: ${name} must be an integer, got ${describeValue(v)}`);
  return v;
}

/** Seconds >= 0, or null for "no limit". */
export function secondsArg(fn: string, name: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || Number.isNaN(v))
    throw new TypeError(`${fn}: ${name} must be a number of seconds, got ${describeValue(v)}`);
  if (v < 0) throw new RangeError(`${fn}: ${name} must be >= 0, got ${v}`);
  return v;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function nowSeconds(): number {
  return performance.now() / 1000;
}

/** Signal numbers by name (SIGTERM -> 15), from Node's table. */
export const SIGNALS = osConstants.signals as Readonly<Record<string, number>>;
const SIGNAL_MAX = 64;

export function signalArg(fn: string, sig: unknown): number {
  if (typeof sig === 'string') {
    const n = Object.prototype.hasOwnProperty.call(SIGNALS, sig) ? SIGNALS[sig] : undefined;
    if (n === undefined) throw new RangeError(`${fn}: unknown signal name ${JSON.stringify(sig)}`);
    return n;
  }
  if (typeof sig !== 'number' || !Number.isInteger(sig))
    throw new TypeError(`${fn}: sig must be a signal number or name, got ${describeValue(sig)}`);
  if (sig < 0 || sig > SIGNAL_MAX) throw new RangeError(`${fn}: sig must be in 0..${SIGNAL_MAX}, got ${sig}`);
  return sig;
}

/** Node reports a signal death by name; psutil's returncode is then -signum. */
export function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return signal !== null ? -(SIGNALS[signal] ?? 0) : 0;
}
