/**
 * The collection worker's results in shared memory: each finished collector's result is appended to a
 * SharedArrayBuffer that the main thread reads when the pass is done, or when it is cut short (the worker stuck or
 * dead: what was appended before is there all the same, as it was on the results port).
 *
 * A postMessage per collector (about 45 a pass with the default config) woke the main thread once each (an eventfd
 * write in the worker, an epoll wake-up and an eventfd read in the main thread) and cloned and transferred each
 * result; on this project's 2-core VM the wake-ups alone were about 300 of the main thread's system calls a pass.
 * Appending is one JSON.stringify of the result's few fields and two copies into shared memory; the main thread
 * copies the pass's entries out in one piece (the snapshot must not hold views of memory the next pass overwrites).
 *
 * Layout: a header of two Int32s (the end of the committed entries, the pass they belong to), then entries of
 * [u32 JSON bytes][u32 sample bytes][JSON: {r: the result, families empty; e: the blocks' ends; h: their heads}]
 * [sample bytes]. Only the worker writes; it publishes each entry by storing the new end (Atomics), and the main
 * thread reads no further than that, so a read racing a worker still running sees whole entries only. A new pass
 * resets the end before naming the pass, and the worker starts a pass only when the main thread asked for it, after
 * reading the last one.
 *
 * What does not fit (or carries OTLP metrics, which are objects: `fits`) crosses by postMessage as before; the next
 * pass then starts in a larger arena, announced on the results port before any of its entries.
 */
import type { WireBlocks } from './exposition/types';
import type { CollectorResult } from './pass';

const HEADER_BYTES = 8;
const END = 0;
const PASS = 1;
export const ARENA_INITIAL_BYTES = 256 * 1024;
/** Past this, results cross by postMessage: an arena stays resident for the worker's life. */
export const ARENA_MAX_BYTES = 16 * 1024 * 1024;

interface EntryMeta {
  readonly r: CollectorResult;
  readonly e?: readonly number[];
  readonly h?: WireBlocks['heads'];
}

/** One result read back; `wire` when it carried blocks (samples as views of the pass's copy). */
export interface ArenaEntry {
  readonly result: CollectorResult;
  readonly wire?: WireBlocks;
}

const utf8 = new TextEncoder();

/** Whether a result can cross in the arena: OTLP metrics (objects, packed resources) cannot. */
export function fits(r: CollectorResult): boolean {
  return r.kind === 'failed' || (r.kind === 'rendered' && r.otlp === undefined && r.otlpPacked === undefined);
}

/** Worker side. */
export class ArenaWriter {
  private bytes = new Uint8Array(new SharedArrayBuffer(0));
  private view = new DataView(this.bytes.buffer);
  private header = new Int32Array(this.bytes.buffer, 0, 0);
  private at = HEADER_BYTES;
  /** The size the last pass needed, when it outgrew the arena. */
  private wanted = 0;

  constructor(private readonly initialBytes = ARENA_INITIAL_BYTES) {}

  /**
   * Starts pass `pass`'s entries. Returns a new arena for the main thread to be told of (before any entry of this
   * pass) on the first pass and after a pass outgrew the arena; null otherwise.
   */
  begin(pass: number): SharedArrayBuffer | null {
    let grown: SharedArrayBuffer | null = null;
    const size = this.bytes.length;
    if (size === 0 || (this.wanted > size && size < ARENA_MAX_BYTES)) {
      let next = Math.max(this.initialBytes, size);
      while (next < this.wanted && next < ARENA_MAX_BYTES) next *= 2;
      grown = new SharedArrayBuffer(Math.min(next, ARENA_MAX_BYTES));
      this.bytes = new Uint8Array(grown);
      this.view = new DataView(grown);
      this.header = new Int32Array(grown, 0, 2);
    }
    this.wanted = 0;
    this.at = HEADER_BYTES;
    // The end first: a reader that sees this pass's number sees its empty start too (Atomics are ordered).
    Atomics.store(this.header, END, HEADER_BYTES);
    Atomics.store(this.header, PASS, pass);
    return grown;
  }

  /**
   * Appends a result (its families crossing as `wire`); false when it does not fit, and nothing of it was published
   * (the caller sends it by postMessage).
   */
  append(result: CollectorResult, wire: WireBlocks | null): boolean {
    const meta: EntryMeta = wire === null ? { r: result } : { r: result, e: wire.ends, h: wire.heads };
    const json = JSON.stringify(meta);
    const start = this.at;
    const metaAt = start + 8;
    const samples = wire === null ? 0 : wire.bytes.length;
    if (metaAt <= this.bytes.length) {
      const { read, written } = utf8.encodeInto(json, this.bytes.subarray(metaAt));
      const samplesAt = metaAt + written;
      if (read === json.length && samplesAt + samples <= this.bytes.length) {
        if (wire !== null) this.bytes.set(wire.bytes, samplesAt);
        this.view.setUint32(start, written, true);
        this.view.setUint32(start + 4, samples, true);
        this.at = samplesAt + samples;
        Atomics.store(this.header, END, this.at);
        return true;
      }
    }
    // Worst case of the JSON's UTF-8: 3 bytes per UTF-16 unit.
    this.wanted = Math.max(this.wanted, metaAt + 3 * json.length + samples);
    return false;
  }
}

const EMPTY: readonly ArenaEntry[] = Object.freeze([]);

/**
 * Main side: the entries of pass `pass` in `arena` (none when the worker has not started that pass), decoded from one
 * copy of them.
 */
export function readArena(arena: SharedArrayBuffer, pass: number): readonly ArenaEntry[] {
  const header = new Int32Array(arena, 0, 2);
  if (Atomics.load(header, PASS) !== pass) return EMPTY;
  const end = Atomics.load(header, END);
  if (end <= HEADER_BYTES) return EMPTY;
  const copy = Buffer.from(new Uint8Array(arena, HEADER_BYTES, end - HEADER_BYTES));
  const out: ArenaEntry[] = [];
  for (let at = 0; at + 8 <= copy.length;) {
    const metaBytes = copy.readUInt32LE(at);
    const samples = copy.readUInt32LE(at + 4);
    const metaAt = at + 8;
    const samplesAt = metaAt + metaBytes;
    const meta = JSON.parse(copy.toString('utf8', metaAt, samplesAt)) as EntryMeta;
    at = samplesAt + samples;
    out.push(
      meta.e === undefined
        ? { result: meta.r }
        : {
            result: meta.r,
            wire: { bytes: copy.subarray(samplesAt, at), ends: meta.e, heads: meta.h ?? null },
          },
    );
  }
  return out;
}
