/**
 * The main thread's side of per-container OTLP (otlp-containers.ts): the container metrics the cgroups collector
 * mapped in the worker, taken out of the host's metrics and sent as one resource per container.
 */
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { OtlpMetric } from './catalog';
import { CONTAINER_RESOURCE_KEYS } from './otlp-containers';
import { agentVersion } from './prometheus';
import { SCOPE_NAME, toMetricData, type ProcessBatch } from './otlp-data';

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
interface Container {
  readonly attrs: Record<string, string | number>;
  readonly metrics: OtlpMetric[];
  last: OtlpMetric | null;
  lastOut: OtlpMetric | null;
}

const NONE: Record<string, never> = Object.freeze({});

export function containerResourceMetrics(
  list: readonly OtlpMetric[],
  host: Resource,
  startMs: number,
  endMs: number,
): ResourceMetrics[] {
  // By container id: its resource attributes, and its metrics (each point without them) in the list's order.
  const byId = new Map<string, Container>();
  for (const m of list) {
    for (const p of m.points) {
      const a = p.attributes;
      const id = a['container.id'];
      if (typeof id !== 'string') continue;
      let c = byId.get(id);
      if (c === undefined) {
        const attrs: Record<string, string | number> = {};
        for (const k of CONTAINER_RESOURCE_KEYS) {
          const v = a[k];
          if (typeof v === 'string' || typeof v === 'number') attrs[k] = v;
        }
        byId.set(id, (c = { attrs, metrics: [], last: null, lastOut: null }));
      }
      // The mapping sends a point of no attributes of its own as the resource's object itself: nothing to copy.
      let own: Record<string, string | number | boolean> = NONE;
      for (const k in a) {
        if (CONTAINER_RESOURCE_KEYS.has(k)) continue;
        if (own === NONE) own = {};
        own[k] = a[k] as string | number | boolean;
      }
      // One metric per container and metric (c.last is this container's own: others' points in between are fine).
      if (c.last !== m || c.lastOut === null) {
        c.last = m;
        c.lastOut = { ...m, points: [] };
        c.metrics.push(c.lastOut);
      }
      c.lastOut.points.push({ attributes: own, value: p.value });
    }
  }
  const scope = { name: SCOPE_NAME, version: agentVersion() };
  const hostAttrs = host.attributes;
  const out: ResourceMetrics[] = [];
  for (const c of byId.values()) {
    out.push({
      resource: resourceFromAttributes({ ...hostAttrs, ...c.attrs }),
      scopeMetrics: [{ scope, metrics: c.metrics.map((m) => toMetricData(m, startMs, endMs)) }],
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
