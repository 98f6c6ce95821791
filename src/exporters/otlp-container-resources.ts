/**
 * The main thread's side of per-container OTLP (otlp-containers.ts): the container metrics the cgroups collector
 * mapped in the worker, taken out of the host's metrics and sent as one resource per container.
 */
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { OtlpMetric } from './catalog';
import { CONTAINER_RESOURCE_KEYS } from './otlp-containers';
import { agentVersion } from './prometheus';
import { SCOPE_NAME, toMetricData, type ProcessBatch } from './otlp';

/** Whether a host-level metric is one of containerMetrics' (its points carry the container's resource). */
export function isContainerMetric(m: OtlpMetric): boolean {
  return (
    m.resource === undefined &&
    m.name.startsWith('container.') &&
    m.points.length > 0 &&
    m.points.every((p) => typeof p.attributes['container.id'] === 'string')
  );
}

/**
 * containerMetrics' output as one ResourceMetrics per container: the host's attributes, then the container's;
 * counters cumulative from `startMs`, every point at `endMs`.
 */
export function containerResourceMetrics(
  list: readonly OtlpMetric[],
  host: Resource,
  startMs: number,
  endMs: number,
): ResourceMetrics[] {
  // By container id: its resource attributes, and per metric name the points without them.
  const byId = new Map<string, { attrs: Record<string, string | number>; metrics: Map<OtlpMetric, OtlpMetric> }>();
  for (const m of list) {
    for (const p of m.points) {
      const attrs: Record<string, string | number> = {};
      const own: Record<string, string | number | boolean> = {};
      for (const [k, v] of Object.entries(p.attributes)) {
        if (CONTAINER_RESOURCE_KEYS.has(k) && typeof v !== 'boolean') attrs[k] = v;
        else own[k] = v;
      }
      const id = String(attrs['container.id']);
      let c = byId.get(id);
      if (c === undefined) byId.set(id, (c = { attrs, metrics: new Map() }));
      let mine = c.metrics.get(m);
      if (mine === undefined) c.metrics.set(m, (mine = { ...m, points: [] }));
      mine.points.push({ attributes: own, value: p.value });
    }
  }
  const scope = { name: SCOPE_NAME, version: agentVersion() };
  const hostAttrs = host.attributes;
  const out: ResourceMetrics[] = [];
  for (const c of byId.values()) {
    out.push({
      resource: resourceFromAttributes({ ...hostAttrs, ...c.attrs }),
      scopeMetrics: [{ scope, metrics: [...c.metrics.values()].map((m) => toMetricData(m, startMs, endMs)) }],
    });
  }
  return out;
}

/** The per-process batch of an export with the container resources added (sent after the processes'). */
export function withContainers(
  batch: ProcessBatch | null,
  containers: readonly ResourceMetrics[],
): ProcessBatch | null {
  if (containers.length === 0) return batch;
  if (batch === null) return { kind: 'resources', resources: containers };
  if (batch.kind === 'resources') return { kind: 'resources', resources: [...batch.resources, ...containers] };
  return { ...batch, extra: [...(batch.extra ?? []), ...containers] };
}
