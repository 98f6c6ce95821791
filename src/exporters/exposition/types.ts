/**
 * The exposition's data shapes, shared with the pass types (pass.ts) that carry rendered blocks between threads.
 * Types only: plain objects that cross threads by structured clone.
 */
import type { PromType } from '../catalog';

/**
 * One family rendered: its text 0.0.4 block (HELP, TYPE, samples; no trailing newline), and what OpenMetrics needs
 * besides (the type and the unescaped HELP; the sample lines are the same in both formats and start at `samplesAt`).
 */
export interface FamilyBlock {
  readonly name: string;
  readonly type: PromType;
  /** The HELP text before escaping (well-formed: lone surrogates already replaced). */
  readonly help: string;
  readonly text: string;
  /** Offset in `text` of the first sample line (`text.length` when the family has none). */
  readonly samplesAt: number;
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
