/**
 * What every facade function is bound to: the roots (one ProcFs), the platform backend, and per-instance state
 * (percent samples, nowrap reminders, the process table). createPsutil() makes one; nothing here is global.
 */
import { ProcFs, type Roots } from './linux/procfs';
import { linuxBackend, type Backend } from './linux/backend';
import { UnsupportedOperation } from './errors';

export interface Context {
  readonly fs: ProcFs;
  readonly roots: Readonly<Roots>;
  /** The platform backend: Linux now; elsewhere every call throws UnsupportedOperation. */
  readonly os: Backend;
  /** Free-form per-instance state, keyed by the facade module that owns it. */
  readonly state: Map<string, unknown>;
  /** Gets or creates a piece of per-instance state. */
  slot<T>(key: string, init: () => T): T;
}

/** Every call on another platform throws UnsupportedOperation naming it (gopsutil's fallback files, as one object). */
function unsupportedBackend(platform: string): Backend {
  const area = (name: string) =>
    new Proxy(
      {},
      {
        get(_t, fn) {
          return () => {
            throw new UnsupportedOperation(`${name}.${String(fn)}`, platform);
          };
        },
      },
    );
  return new Proxy({} as Backend, { get: (_t, name) => area(String(name)) });
}

export function createContext(roots: Roots, platform: string = process.platform): Context {
  const state = new Map<string, unknown>();
  return {
    fs: new ProcFs(roots),
    roots: Object.freeze({ ...roots }),
    os: platform === 'linux' ? linuxBackend : unsupportedBackend(platform),
    state,
    slot<T>(key: string, init: () => T): T {
      if (!state.has(key)) state.set(key, init());
      return state.get(key) as T;
    },
  };
}
