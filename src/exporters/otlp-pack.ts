/**
 * The worker's OTLP metrics that carry their own resource (otlp.processes: ~15 per process) in a compact form for
 * the trip to the main thread. A structured clone of 15,000 metric objects writes and rebuilds every name,
 * description, unit and point object (about 90 ms of CPU for 1,000 processes on the project's loaded 2-core machine,
 * bench/otlp-processes.js), where the same data as distinct descriptors, attribute sets and resources plus two typed
 * arrays clones in a few ms. unpackOtlp gives back equal metrics, in the same order, sharing each resource and
 * attribute object as the worker's did.
 */
import type { OtlpAttributes, OtlpMetric, OtlpPoint } from './catalog';

interface Descriptor {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly kind: OtlpMetric['kind'];
  readonly valueType: OtlpMetric['valueType'];
}

export interface PackedOtlp {
  readonly descriptors: readonly Descriptor[];
  readonly attributeSets: readonly OtlpAttributes[];
  readonly resources: ReadonlyArray<Readonly<Record<string, string | number>>>;
  /**
   * Per metric: its resource, descriptor, point count and first value's offset in `values`, then each point's
   * attribute set (indexes into the lists above).
   */
  readonly index: Int32Array;
  /** Each point's value, in order. */
  readonly values: Float64Array;
}

/** Metric lists whose per-process metrics were made packed (attachPacked), by list. */
const attached = new WeakMap<readonly OtlpMetric[], PackedOtlp>();

/**
 * `metrics` with metrics already packed beside them (a collector's per-process metrics, built packed to skip the
 * objects): packOtlp sends that pack as it is, withPacked() gives every metric as an object.
 */
export function attachPacked(metrics: OtlpMetric[], packed: PackedOtlp | undefined): OtlpMetric[] {
  if (packed !== undefined) attached.set(metrics, packed);
  return metrics;
}

/** A list's metrics and those packed beside it (attachPacked), as objects. */
export function withPacked(metrics: readonly OtlpMetric[]): readonly OtlpMetric[] {
  const p = attached.get(metrics);
  return p === undefined ? metrics : metrics.concat(unpackOtlp(p));
}

/** The metrics without a resource as they are, and those with one packed (undefined when there are none). */
export function packOtlp(metrics: readonly OtlpMetric[]): { plain: OtlpMetric[]; packed: PackedOtlp | undefined } {
  const pre = attached.get(metrics);
  if (pre !== undefined) {
    // Sent as built unless the list has resource-carrying objects too (then everything is packed together).
    if (!metrics.some((m) => m.resource !== undefined)) return { plain: metrics.slice(), packed: pre };
    return packOtlp(withPacked(metrics));
  }
  const plain: OtlpMetric[] = [];
  const withResource: OtlpMetric[] = [];
  let points = 0;
  for (const m of metrics) {
    if (m.resource === undefined) plain.push(m);
    else {
      withResource.push(m);
      points += m.points.length;
    }
  }
  if (withResource.length === 0) return { plain, packed: undefined };
  const descriptors: Descriptor[] = [];
  // By name, then the first with the same description, unit, kind and value type (one per name in practice).
  const byName = new Map<string, number[]>();
  const attributeSets: OtlpAttributes[] = [];
  const attributeIndex = new Map<OtlpAttributes, number>();
  const resources: Array<Readonly<Record<string, string | number>>> = [];
  const resourceIndex = new Map<Readonly<Record<string, string | number>>, number>();
  const index = new Int32Array(withResource.length * 4 + points);
  const values = new Float64Array(points);
  let i = 0;
  let v = 0;
  for (const m of withResource) {
    const res = m.resource as Readonly<Record<string, string | number>>;
    let r = resourceIndex.get(res);
    if (r === undefined) {
      r = resources.push(res) - 1;
      resourceIndex.set(res, r);
    }
    let same = byName.get(m.name);
    if (same === undefined) byName.set(m.name, (same = []));
    let d = same.find((k) => {
      const x = descriptors[k] as Descriptor;
      return x.description === m.description && x.unit === m.unit && x.kind === m.kind && x.valueType === m.valueType;
    });
    if (d === undefined) {
      const { name, description, unit, kind, valueType } = m;
      d = descriptors.push({ name, description, unit, kind, valueType }) - 1;
      same.push(d);
    }
    index[i++] = r;
    index[i++] = d;
    index[i++] = m.points.length;
    index[i++] = v;
    for (const p of m.points) {
      let a = attributeIndex.get(p.attributes);
      if (a === undefined) {
        a = attributeSets.push(p.attributes) - 1;
        attributeIndex.set(p.attributes, a);
      }
      index[i++] = a;
      values[v++] = p.value;
    }
  }
  return { plain, packed: { descriptors, attributeSets, resources, index, values } };
}

/** The packed metrics back as OtlpMetric objects, in their order. */
export function unpackOtlp(p: PackedOtlp): OtlpMetric[] {
  const out: OtlpMetric[] = [];
  const { index, values } = p;
  let i = 0;
  while (i < index.length) {
    const resource = p.resources[index[i] as number] as Readonly<Record<string, string | number>>;
    const d = p.descriptors[index[i + 1] as number] as Descriptor;
    const n = index[i + 2] as number;
    let v = index[i + 3] as number;
    i += 4;
    const points: OtlpPoint[] = [];
    for (let k = 0; k < n; k++) {
      points.push({
        attributes: p.attributeSets[index[i++] as number] as OtlpAttributes,
        value: values[v++] as number,
      });
    }
    const { name, unit, kind, valueType, description } = d;
    out.push({ name, unit, kind, valueType, description, points, resource });
  }
  return out;
}
