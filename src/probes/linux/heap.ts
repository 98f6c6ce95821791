/**
 * Linux backend of heapInfo/heapTrim (psutil 7.2's heap_info/heap_trim): glibc's allocator statistics of this
 * process, through native.ts. psutil's Linux heap.c reads `uordblks` as heap_used and `hblkhd` as mmap_used.
 */
import { mallinfo, mallocTrim } from './native-heap';

export interface HeapRecord {
  /** mallinfo2's uordblks: bytes in use in chunks malloc carved from its arenas (small allocations). */
  heapUsed: number;
  /** mallinfo2's hblkhd: bytes in chunks malloc mapped with mmap(2) on their own (allocations from 128 KiB). */
  mmapUsed: number;
}

export function heapInfo(): HeapRecord {
  const m = mallinfo();
  return { heapUsed: m.uordblks, mmapUsed: m.hblkhd };
}

/** malloc_trim(0): whether memory went back to the system (psutil's C layer returns it; its heap_trim() does not). */
export function heapTrim(): boolean {
  return mallocTrim(0);
}
