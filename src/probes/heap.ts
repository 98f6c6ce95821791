/**
 * C heap facade: heapInfo and heapTrim, psutil 7.2's heap_info() and heap_trim() (docs/api.rst, "C heap
 * introspection"): the native allocator of this process, not of the roots an instance reads, so every instance
 * answers the same. For finding leaks in native code (addons, koffi calls) that the JS heap and RSS hide: take
 * heapInfo() before and after many calls, with heapTrim() first to cut the allocator's noise.
 * Linux with glibc only, as psutil on Linux (it builds them against glibc: musl has no mallinfo); elsewhere they throw
 * UnsupportedOperation, where psutil lacks the attribute.
 */
import type { Context } from './context';

/** psutil's pheap on Linux (heap_count is Windows-only there), in bytes. */
export interface HeapInfo {
  /** Bytes currently allocated with malloc() and kept in its arenas: small allocations (glibc's uordblks). */
  readonly heapUsed: number;
  /** Bytes currently allocated with mmap(): large malloc() allocations, 128 KiB and up by default (glibc's hblkhd). */
  readonly mmapUsed: number;
}

export function heapApi(ctx: Context) {
  return {
    /** This process's C heap statistics (psutil heap_info): glibc's mallinfo2() uordblks and hblkhd. */
    heapInfo(): HeapInfo {
      const r = ctx.os.heap.heapInfo();
      return Object.freeze({ heapUsed: r.heapUsed, mmapUsed: r.mmapUsed });
    },
    /**
     * Asks glibc to give unused heap memory back to the system (psutil heap_trim: malloc_trim(0)). Returns nothing,
     * as psutil's heap_trim() returns None.
     */
    heapTrim(): void {
      ctx.os.heap.heapTrim();
    },
  };
}
