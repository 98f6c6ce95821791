/**
 * Argument checks shared by the system-wide facades (disk, net, sensors): an options object and its boolean
 * fields. Errors are TypeErrors whose message names the function and the argument (tests assert the wording).
 */

/** Checks an options object: undefined or a plain object with only known keys. Returns it (or {}). */
export function options<T extends object>(fn: string, opts: unknown, known: readonly string[]): Partial<T> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new TypeError(
      `${fn}: options must be an object, got ${opts === null ? 'null' : Array.isArray(opts) ? 'an array' : typeof opts}`,
    );
  }
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw new TypeError(`${fn}: unknown option '${k}' (known: ${known.join(', ')})`);
  }
  return opts;
}

/** A boolean option: `dflt` when undefined, a TypeError naming `name` when not a boolean. */
export function bool(fn: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new TypeError(`${fn}: ${name} must be a boolean, got ${typeof v}`);
  return v;
}
