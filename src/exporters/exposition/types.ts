/**
 * The exposition's data shapes, shared with the pass types (pass.ts) that carry rendered blocks between threads.
 * Types only: plain objects that cross threads by structured clone (blocks as WireBlocks).
 */
import type { PromType } from '../catalog';

/**
 * One family rendered: its text 0.0.4 family lines and sample lines, and what OpenMetrics needs besides (the type and
 * the unescaped HELP; the sample lines are the same in both formats). Its text 0.0.4 block is `head`, then a newline
 * and `samples` when there are any (blockText).
 */
export interface FamilyBlock {
  readonly name: string;
  readonly type: PromType;
  /** The HELP text before escaping (well-formed: lone surrogates already replaced). */
  readonly help: string;
  /** `# HELP` and `# TYPE` lines of text 0.0.4 (no newline at the end). */
  readonly head: string;
  /**
   * The sample lines, one newline between two of them and none at the end (empty when the family has none): text
   * where the block was rendered in this thread, the UTF-8 bytes where it came from the collection worker (wire.ts),
   * which the main thread then copies into the body without ever making them a string.
   */
  readonly samples: string | Uint8Array;
}

/**
 * A collector's blocks as they cross from the collection worker to the main thread (wire.ts): every block's sample
 * lines in one buffer of UTF-8 that is transferred, not cloned, and the family lines only when they changed. A
 * structured clone of the blocks' strings cost both threads more than the rendering itself: the worker flattened and
 * copied every string, the main thread held them as heap strings for the snapshot's life, copied by each scavenge.
 */
export interface WireBlocks {
  /** Every block's sample lines, back to back (transferred: the sender's view is detached by the send). */
  readonly bytes: Uint8Array;
  /** Where each block's sample lines end in `bytes`. */
  readonly ends: readonly number[];
  /**
   * Each block's name, type and HELP; null when they are those of the last result this thread sent for the same
   * collector (the same families pass after pass: only their samples change).
   */
  readonly heads: {
    readonly names: readonly string[];
    readonly types: readonly PromType[];
    readonly helps: readonly string[];
  } | null;
}

export interface ExpositionLimits {
  /** Longest label value, in bytes of UTF-8 (0: no cap). Longer values are cut at a character boundary + "...". */
  readonly maxLabelValueBytes: number;
  /** Most series a family keeps (0: no cap); the rest are dropped and counted. */
  readonly maxSeriesPerFamily: number;
}

export interface FamilyLimited {
  readonly family: string;
  /** Series over the cap, left out of this rendering. */
  readonly droppedSeries: number;
  /** Label values cut to the length cap in this rendering. */
  readonly truncatedValues: number;
}

/** A set of families rendered, and what the limits cost them. */
export interface RenderedFamilies {
  readonly families: readonly FamilyBlock[];
  readonly limited: readonly FamilyLimited[];
}
