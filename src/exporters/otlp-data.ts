/**
 * The SDK-form pieces of an OTLP export that more than one module builds with: a point list to the SDK's MetricData
 * (toMetricData), per-process resources (processResourceMetrics) and the per-process batch type. Apart from otlp.ts
 * so that otlp-container-resources.ts can use them without an import circle; otlp.ts re-exports them.
 */
import { ValueType, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { OtlpAttributes, OtlpMetric } from './catalog';
import type { PackedOtlp } from './otlp-pack';
import type { BodyLease } from './otlp-process-encode';
import { agentVersion } from './prometheus';
import { wellFormed } from '../util/fsencoding';

export const SCOPE_NAME = 'psutil-exporter';

function hr(ms: number): HrTime {
  const s = Math.floor(ms / 1000);
  return [s, Math.round((ms - s * 1000) * 1e6)];
}

/**
 * A point's attributes with every string well-formed: a name, path or argument from the kernel may hold escaped
 * bytes (lone surrogates U+DC80-U+DCFF, which fsencode turns back into them); OTLP strings are UTF-8, so each
 * becomes U+FFFD here, the one place they leave, whichever protocol (protobuf or JSON) carries them.
 */
function wellFormedAttributes(a: OtlpAttributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(a)) out[wellFormed(k)] = typeof v === 'string' ? wellFormed(v) : v;
  return out;
}

/** OtlpMetric -> the SDK's MetricData: counters and up-down counters are cumulative sums from `startMs`. */
export function toMetricData(m: OtlpMetric, startMs: number, endMs: number): MetricData {
  const descriptor = {
    name: m.name,
    description: m.description,
    unit: m.unit,
    valueType: m.valueType === 'int' ? ValueType.INT : ValueType.DOUBLE,
  };
  const end = hr(endMs);
  const value = (v: number): number => (m.valueType === 'int' ? Math.round(v) : v);
  if (m.kind === 'gauge') {
    return {
      descriptor,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints: m.points.map((p) => ({
        startTime: end,
        endTime: end,
        attributes: wellFormedAttributes(p.attributes),
        value: value(p.value),
      })),
    };
  }
  const start = hr(Math.min(startMs, endMs));
  return {
    descriptor,
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: m.kind === 'counter',
    dataPoints: m.points.map((p) => ({
      startTime: start,
      endTime: end,
      attributes: wellFormedAttributes(p.attributes),
      value: value(p.value),
    })),
  };
}

/**
 * Per-process resources (otlp.processes): the host's resource plus each process's attributes, one ResourceMetrics
 * each. A process's counters start at its own start (process.uptime back from the snapshot's time).
 */
export function processResourceMetrics(
  metrics: readonly OtlpMetric[],
  host: Resource,
  endMs: number,
): ResourceMetrics[] {
  const byResource = new Map<Readonly<Record<string, string | number>>, OtlpMetric[]>();
  const startOf = new Map<Readonly<Record<string, string | number>>, number>();
  for (const m of metrics) {
    if (m.resource === undefined) continue;
    let list = byResource.get(m.resource);
    if (list === undefined) byResource.set(m.resource, (list = []));
    if (m.name === 'process.uptime') startOf.set(m.resource, endMs - (m.points[0]?.value ?? 0) * 1000);
    list.push(m);
  }
  const out: ResourceMetrics[] = [];
  const scope = { name: SCOPE_NAME, version: agentVersion() };
  // One plain spread per process: Resource.merge costs about twice as much (bench/otlp-processes.js).
  const hostAttrs = host.attributes;
  for (const [attrs, list] of byResource) {
    const start = startOf.get(attrs) ?? endMs;
    out.push({
      resource: resourceFromAttributes({ ...hostAttrs, ...attrs }),
      scopeMetrics: [{ scope, metrics: list.map((m) => toMetricData(m, start, endMs)) }],
    });
  }
  return out;
}

/**
 * The per-process metrics of one collect(), for the exporter. Without views (every metric, cumulative) as the worker
 * packed them with what their resources need, encoded straight to protobuf (otlp-process-encode.ts) or through SDK
 * ResourceMetrics (processResourceMetrics) for JSON; with otlp.metrics or delta temporality applied, as the
 * ResourceMetrics the views made (the delta converter works on SDK metric data).
 */
export type ProcessBatch =
  | {
      readonly kind: 'packed';
      readonly packs: readonly PackedOtlp[];
      readonly host: Resource;
      readonly endMs: number;
      /** Per-container resources, sent after the processes' (otlp-container-resources.ts). */
      readonly extra?: readonly ResourceMetrics[];
      /** The exporter's buffer for this export's body (otlp-process-encode.ts). */
      body?: BodyLease;
    }
  | { readonly kind: 'resources'; readonly resources: readonly ResourceMetrics[] };
