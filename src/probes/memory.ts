/**
 * Memory facade: virtualMemory, swapMemory (psutil 7.x semantics), plus the raw readers the agent needs for
 * node_exporter's meminfo and vmstat families and per-device swap: procMeminfo, procVmstat, procSwaps.
 */
import type { Context } from './context';
import { runtimeWarning } from './cpu';
import type { SwapArea } from './linux/parse/swaps';

export type { SwapArea } from './linux/parse/swaps';

/** psutil's svmem, in bytes. `used` is `total - available` (psutil 7.1+, what `free` prints). */
export interface VirtualMemory {
  readonly total: number;
  readonly available: number;
  readonly percent: number;
  readonly used: number;
  readonly free: number;
  readonly active: number;
  readonly inactive: number;
  readonly buffers: number;
  /** Cached + SReclaimable, as `free` counts it. */
  readonly cached: number;
  /** Shmem (MemShared on 2.4 kernels). */
  readonly shared: number;
  readonly slab: number;
}

/** psutil's sswap, in bytes; sin/sout are cumulative bytes swapped in/out since boot. */
export interface SwapMemory {
  readonly total: number;
  readonly used: number;
  readonly free: number;
  readonly percent: number;
  readonly sin: number;
  readonly sout: number;
}

export function memoryApi(ctx: Context) {
  return {
    /** System memory in bytes (psutil virtual_memory): fields the kernel lacks are 0, with a RuntimeWarning. */
    virtualMemory(): VirtualMemory {
      const r = ctx.os.memory.virtualMemory(ctx.fs);
      if (r.missing.length > 0) {
        runtimeWarning(
          ctx,
          `${r.missing.join(', ')} memory stats couldn't be determined and ${r.missing.length === 1 ? 'was' : 'were'} set to 0`,
        );
      }
      return Object.freeze({
        total: r.total,
        available: r.available,
        percent: r.percent,
        used: r.used,
        free: r.free,
        active: r.active,
        inactive: r.inactive,
        buffers: r.buffers,
        cached: r.cached,
        shared: r.shared,
        slab: r.slab,
      });
    },
    /** Swap in bytes (psutil swap_memory); sin/sout are 0 with a RuntimeWarning when /proc/vmstat lacks them. */
    swapMemory(): SwapMemory {
      const r = ctx.os.memory.swapMemory(ctx.fs);
      for (const w of r.warnings) runtimeWarning(ctx, w);
      return Object.freeze({
        total: r.total,
        used: r.used,
        free: r.free,
        percent: r.percent,
        sin: r.sin,
        sout: r.sout,
      });
    },

    // ---- not psutil: raw readers for the agent ----

    /**
     * Every /proc/meminfo line as { Field: value } with the kernel's field names (`MemTotal`, `Active(anon)`,
     * `HugePages_Total`), in file order. Lines with a `kB` unit are in bytes; unit-less lines (page counts) as is.
     */
    procMeminfo(): Readonly<Record<string, number>> {
      return ctx.os.memory.readMeminfo(ctx.fs);
    },
    /** Every /proc/vmstat line as { name: value } (`pgfault`, `pswpin`, `oom_kill`, ...), in file order. */
    procVmstat(): Readonly<Record<string, number>> {
      return ctx.os.memory.readVmstat(ctx.fs);
    },
    /**
     * /proc/swaps: each active swap area's path, type (`partition`, `file`), size and use in bytes and priority;
     * psutil's swap_memory() gives only their sum.
     */
    procSwaps(): readonly SwapArea[] {
      return ctx.os.memory.readSwaps(ctx.fs);
    },
  };
}
