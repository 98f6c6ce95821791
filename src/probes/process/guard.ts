/**
 * No OsError leaves a public Process method (psutil's errors, TypeError and RangeError only): each method's error,
 * thrown or rejected, gets the handle's last translation. Each class of the area wraps its own prototype once, when
 * its module loads, so every class made per context inherits the wrapped methods.
 */

/** The method a guarded wrapper calls, kept on the wrapper: asDict and processIter call it directly (see unguarded). */
const RAW: unique symbol = Symbol('psutil.process.raw');

/** What a guarded object offers: the translation of an error leaving one of its public methods. */
interface Guarded {
  _publicError(err: unknown): unknown;
}

/** Wraps the public methods (not the constructor, not `_`-prefixed ones, not accessors) defined on `proto` itself. */
export function guardPublicMethods(proto: object): void {
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === 'constructor' || key.startsWith('_')) continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (d === undefined || typeof d.value !== 'function') continue;
    const fn = d.value as (this: Guarded, ...a: unknown[]) => unknown;
    const guarded = function (this: Guarded, ...args: unknown[]): unknown {
      try {
        const r = fn.apply(this, args);
        return r instanceof Promise
          ? r.catch((e: unknown) => {
              throw this._publicError(e);
            })
          : r;
      } catch (e) {
        throw this._publicError(e);
      }
    };
    Object.defineProperty(guarded, 'name', { value: key });
    Object.defineProperty(guarded, RAW, { value: fn });
    Object.defineProperty(proto, key, { ...d, value: guarded });
  }
}

/**
 * Calls the method `key` of `obj` (looked up on the object: a subclass's override counts) without its guard: the
 * caller must translate what it throws with `_publicError`, as the wrapper does. processIter calls eight getters per
 * process, and the wrapper's rest arguments, apply and Promise check are a measurable part of a walk.
 */
export function callUnguarded(obj: object, key: string): unknown {
  const fn = (obj as Record<string, unknown>)[key] as ((this: object) => unknown) & {
    [RAW]?: (this: object) => unknown;
  };
  return (fn[RAW] ?? fn).call(obj);
}

/**
 * Each of `names`' readers, for asDict and processIter: `property` read as is (a getter), every other name's method
 * called through callUnguarded (looked up on the object: a subclass's override counts, as psutil's getattr).
 */
export function unguardedReaders<K extends string, T extends object>(
  names: readonly K[],
  property: K,
): Readonly<Record<K, (p: T) => unknown>> {
  const out = {} as Record<K, (p: T) => unknown>;
  for (const name of names) {
    out[name] =
      name === property ? (p) => (p as Record<string, unknown>)[name] : (p): unknown => callUnguarded(p, name);
  }
  return out;
}
