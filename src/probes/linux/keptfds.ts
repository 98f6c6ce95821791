/**
 * Kept fds another thread can close: a PidFdReader (pidfds.ts) running in a worker thread keeps up to
 * otlp.processes.max /proc fds open from pass to pass, and fds belong to the process, not the thread. A worker
 * terminated mid-pass (the agent abandons one stuck past its deadline) runs no cleanup of its own (no 'exit'
 * listener, no finalizer), so without this its kept fds would stay open for the agent's life, a thousand at a time.
 *
 * Where the thread's owner asks for it (setKeptFdSink, the agent's collection worker), each reader writes the fds it
 * keeps into an Int32Array on a SharedArrayBuffer handed to the sink once (the worker posts it to the main thread);
 * once that thread has ended, closeOrphanedFds() closes what the table still holds. An fd is written after its
 * open and cleared before its close, so the table never names an fd number the reader has given back (at worst an
 * fd opened or closed at the very moment of termination is left open). No import besides node:fs: the main thread
 * loads this file, and none of the library.
 */
import * as fs from 'node:fs';

export type KeptFdSink = (table: Int32Array) => void;

let sink: KeptFdSink | null = null;

/** Readers made from now on note their fds in tables handed to `fn` (null: none, the default: plain library use). */
export function setKeptFdSink(fn: KeptFdSink | null): void {
  sink = fn;
}

/** The sink a reader made now notes its fds for (it keeps it for its life). */
export function keptFdSink(): KeptFdSink | null {
  return sink;
}

/** A table of `size` fd slots (all -1), handed to `to` before any fd is written to it. */
export function keptFdTable(to: KeptFdSink, size: number): Int32Array {
  const table = new Int32Array(new SharedArrayBuffer(size * 4)).fill(-1);
  to(table);
  return table;
}

/**
 * Closes the fds a table still holds, once the thread that kept them has ended (never while it runs: the numbers
 * would be closed under it). The number closed.
 */
export function closeOrphanedFds(table: Int32Array): number {
  let closed = 0;
  for (let i = 0; i < table.length; i++) {
    const fd = Atomics.exchange(table, i, -1);
    if (fd < 0) continue;
    try {
      fs.closeSync(fd);
      closed++;
    } catch (e) {
      // EBADF: closed already by other means (the reader clears a slot before its own close): nothing to close.
      if ((e as NodeJS.ErrnoException).code !== 'EBADF') throw e;
    }
  }
  return closed;
}
