/**
 * createPsutil(): the whole API bound to a set of roots. Each area module contributes its functions; the default
 * instance (src/index.ts) uses /proc, /sys and / unless HOST_PROC, HOST_SYS or HOST_ROOT say otherwise.
 */
import { createContext, type Context } from './context';
import { netApi } from './net';
import { rootsFromEnv, type Roots } from './linux/procfs';
import { cpuApi } from './cpu';
import { memoryApi } from './memory';
import { hostApi } from './host';
import { diskApi } from './disk';
import { sensorsApi } from './sensors';
import { heapApi } from './heap';
import { testApi } from './pstable';
import { cgroupsApi } from './cgroups';
import { platformApi } from './platform';
import { subsystemsApi } from './subsystems';
// './process/index', not './process': a dist/ built before the split keeps a stale process.js, which Node would
// resolve before the folder (tsc never deletes an output).
import { processApi } from './process/index';

export interface PsutilOptions {
  procfs?: string;
  sysfs?: string;
  rootfs?: string;
}

function resolveRoots(opts: PsutilOptions): Roots {
  const env = rootsFromEnv();
  for (const k of ['procfs', 'sysfs', 'rootfs'] as const) {
    const v = opts[k];
    if (v !== undefined && (typeof v !== 'string' || v === '')) {
      throw new TypeError(`${k} must be a non-empty string path, got ${JSON.stringify(v)}`);
    }
  }
  return {
    procfs: (opts.procfs ?? env.procfs).replace(/\/+$/, '') || '/',
    sysfs: (opts.sysfs ?? env.sysfs).replace(/\/+$/, '') || '/',
    rootfs: opts.rootfs ?? env.rootfs,
  };
}

function build(ctx: Context) {
  const processes = processApi(ctx);
  return {
    /** The roots this instance reads. */
    roots: ctx.roots,
    ...cpuApi(ctx),
    ...memoryApi(ctx),
    ...hostApi(ctx),
    ...netApi(ctx),
    ...diskApi(ctx),
    ...sensorsApi(ctx),
    ...heapApi(ctx),
    ...cgroupsApi(ctx),
    ...platformApi(ctx),
    ...subsystemsApi(ctx),
    ...processes,
    // psutil's test(): the table of this instance's processes.
    ...testApi(processes.processIter),
  };
}

export type Psutil = ReturnType<typeof build>;

export function createPsutil(opts: PsutilOptions = {}): Psutil {
  if (opts === null || typeof opts !== 'object') throw new TypeError('options must be an object');
  return Object.freeze(build(createContext(resolveRoots(opts))));
}
