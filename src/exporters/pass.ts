/**
 * The types of one collection pass, shared by whoever runs it (engine.ts, in this thread or the worker), whoever
 * holds its outcome (snapshot.ts) and whoever renders it (prometheus.ts, otlp.ts). A leaf: it imports types only, and
 * from no renderer, so the engine depends on nothing that renders and the renderers depend on the engine's types
 * without depending on the engine.
 *
 * A collector's result is one of three kinds: it failed (an error, no data), it carries the collector's raw data
 * (--once, tests: rendered where the snapshot is served), or it was rendered where it ran (the agent's worker: the
 * exposition blocks, and OTLP metrics when OTLP is on, instead of the data).
 */
import type { OtlpMetric } from './catalog';
import type { PackedOtlp } from './otlp-pack';
import type { FamilyBlock, FamilyLimited } from './exposition/types';

export interface CollectorPlan {
  readonly name: string;
  readonly timeoutMs: number;
  readonly options: Readonly<Record<string, unknown>>;
}

interface ResultBase {
  readonly name: string;
  readonly durationSeconds: number;
  /** Set when the collector served its data but said series are missing from it: success 0, the data kept. */
  readonly incomplete?: string;
}

export interface FailedResult extends ResultBase {
  readonly kind: 'failed';
  readonly ok: false;
  readonly error: string;
}

export interface DataResult extends ResultBase {
  readonly kind: 'data';
  readonly ok: true;
  readonly data: unknown;
  /** Never set: lets `r.error` be read on any result. */
  readonly error?: undefined;
}

export interface RenderedResult extends ResultBase {
  readonly kind: 'rendered';
  readonly ok: true;
  readonly error?: undefined;
  /** The collector's families as exposition blocks, limits applied (exposition/render.ts). */
  readonly families: readonly FamilyBlock[];
  /** What the limits cut from which family. */
  readonly limited: readonly FamilyLimited[];
  /** The collector's OTLP metrics, when OTLP is on and the mapping worked. */
  readonly otlp?: readonly OtlpMetric[];
  /** Those of the collector's OTLP metrics with a resource of their own (per process), packed (otlp-pack.ts). */
  readonly otlpPacked?: PackedOtlp;
  /** Set when the OTLP mapping threw: OTLP loses this collector's metrics only. */
  readonly otlpError?: string;
}

export type CollectorResult = FailedResult | DataResult | RenderedResult;

export interface PassOutcome {
  readonly results: readonly CollectorResult[];
  /** Boot time (epoch seconds) for OTLP start times; null when the library could not say. */
  readonly bootTime: number | null;
  /** Wall time of the collectors alone (rendering in the worker left out), when the runner measured it. */
  readonly collectionSeconds?: number;
}

export function failedResult(name: string, durationSeconds: number, error: string): FailedResult {
  return { kind: 'failed', ok: false, name, durationSeconds, error };
}

export function dataResult(name: string, durationSeconds: number, data: unknown): DataResult {
  return { kind: 'data', ok: true, name, durationSeconds, data };
}
