/**
 * What the OTLP push keeps and how its sums count: `otlp.metrics` (metrics or sets of them switched off or on, as the
 * hostmetrics receiver's per-metric `enabled`) and `otlp.temporality` (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE).
 *
 * Every metric the agent pushes is observed (read from the kernel), as an asynchronous instrument's is. The OTLP metrics
 * exporter spec's preferences then mean: `delta`, asynchronous counters (monotonic sums) as deltas and asynchronous
 * up-down counters (non-monotonic sums) cumulative; `lowmemory`, delta only for synchronous counters and histograms,
 * none of which the agent has, so every sum stays cumulative; gauges have no temporality.
 */
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { HrTime } from '@opentelemetry/api';
import type { OtlpTemporality } from '../config/defaults';

/**
 * `otlp.metrics` as a predicate on metric names: the most specific entry wins (an exact name, then the longest
 * `prefix.*` set, then `*`); a name no entry covers is kept. Answers are cached per name (a few hundred names).
 */
export function metricSelector(
  rules: Readonly<Record<string, { readonly enabled: boolean }>>,
): (name: string) => boolean {
  const entries = Object.entries(rules);
  if (entries.length === 0) return () => true;
  const exact = new Map<string, boolean>();
  const sets: Array<{ prefix: string; enabled: boolean }> = [];
  for (const [k, v] of entries) {
    if (k === '*') sets.push({ prefix: '', enabled: v.enabled });
    else if (k.endsWith('.*')) sets.push({ prefix: k.slice(0, -1), enabled: v.enabled });
    else exact.set(k, v.enabled);
  }
  // Longest prefix first: the first that matches is the most specific.
  sets.sort((a, b) => b.prefix.length - a.prefix.length);
  const cache = new Map<string, boolean>();
  return (name) => {
    let on = cache.get(name);
    if (on === undefined) {
      on = exact.get(name) ?? sets.find((s) => name.startsWith(s.prefix))?.enabled ?? true;
      cache.set(name, on);
    }
    return on;
  };
}

/** Whether a preference turns the agent's monotonic sums into deltas (see the file's comment). */
export function deltaSums(t: OtlpTemporality): boolean {
  return t === 'delta';
}

function ms(t: HrTime): number {
  return t[0] * 1000 + t[1] / 1e6;
}

function hr(msTime: number): HrTime {
  const s = Math.floor(msTime / 1000);
  return [s, Math.round((msTime - s * 1000) * 1e6)];
}

interface Last {
  /** The cumulative value last seen, its series' start, and when it was seen (the next delta's start). */
  value: number;
  startMs: number;
  endMs: number;
  /** The export it was last seen in (for eviction). */
  seen: number;
}

/**
 * A series' start times that differ by less than this are the same start: a process's start is worked out as the
 * snapshot's time minus its uptime, which moves by the few ms between the worker's clock and the main thread's.
 */
const SAME_START_MS = 1000;

/**
 * A series not seen for this many exports is forgotten (processes and NICs come and go); one missing for fewer (a
 * collector that failed a pass) goes on from its last value, so no count is lost across the gap.
 */
export const DELTA_FORGET_AFTER_EXPORTS = 3;

/**
 * Cumulative monotonic sums -> deltas, series by series (resource, metric name, attributes), across exports:
 * - A series' first point is sent (its whole count, from its start) only when the series started after the agent did
 *   (a process started since); one counting from before (a host counter from boot) is not: its count since boot is
 *   not what happened in an interval. This is the OpenTelemetry Collector cumulativetodelta processor's
 *   `initial_value: auto`.
 * - Later points: the increase since the series' last point, from that point's time to this one's.
 * - A series whose start time changed (a new process on the same pid, a reboot) starts over: its count since its new
 *   start. A value below the last one with the same start (a counter reset) counts from 0: the value itself, from
 *   the last point's time (what Prometheus' rate() assumes too).
 * Non-monotonic sums and gauges pass unchanged.
 */
export class DeltaConverter {
  private readonly last = new Map<string, Last>();
  private exports = 0;

  constructor(private readonly agentStartMs: number) {}

  /** The number of series remembered (tests: eviction). */
  get size(): number {
    return this.last.size;
  }

  /** One resource's metrics; `resourceKey` names the resource (the host's is ''). */
  convert(resourceKey: string, metrics: readonly MetricData[]): MetricData[] {
    const out: MetricData[] = [];
    for (const m of metrics) {
      if (m.dataPointType !== DataPointType.SUM || !m.isMonotonic) {
        out.push(m);
        continue;
      }
      const points: (typeof m.dataPoints)[number][] = [];
      const base = `${resourceKey}\u0000${m.descriptor.name}\u0000`;
      for (const p of m.dataPoints) {
        const key = base + JSON.stringify(p.attributes);
        const startMs = ms(p.startTime);
        const endMs = ms(p.endTime);
        const prev = this.last.get(key);
        this.last.set(key, { value: p.value, startMs, endMs, seen: this.exports });
        if (prev === undefined || Math.abs(prev.startMs - startMs) >= SAME_START_MS) {
          if (startMs > this.agentStartMs || prev !== undefined) points.push(p);
          continue;
        }
        if (p.value < prev.value) {
          points.push({ ...p, startTime: hr(prev.endMs) });
          continue;
        }
        points.push({ ...p, startTime: hr(prev.endMs), value: p.value - prev.value });
      }
      if (points.length > 0)
        out.push({ ...m, aggregationTemporality: AggregationTemporality.DELTA, dataPoints: points });
    }
    return out;
  }

  /** Per-process resources: each keyed by its attributes. */
  convertResources(rms: readonly ResourceMetrics[]): ResourceMetrics[] {
    return rms.map((rm) => ({
      resource: rm.resource,
      scopeMetrics: rm.scopeMetrics.map((sm) => ({
        scope: sm.scope,
        metrics: this.convert(JSON.stringify(rm.resource.attributes), sm.metrics),
      })),
    }));
  }

  /** Ends an export: series not seen lately are forgotten. */
  endExport(): void {
    for (const [k, v] of this.last) if (this.exports - v.seen >= DELTA_FORGET_AFTER_EXPORTS) this.last.delete(k);
    this.exports++;
  }
}
