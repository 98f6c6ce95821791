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

type Resource = Readonly<Record<string, string | number>>;

/**
 * Resources as their protobuf bytes, encoded once per process in the worker (processRecordPack): a structured clone
 * of 1,000 resource objects (7 keys and values each) and their encoding in the main thread on every export cost about
 * 1 ms and 2 ms of an export's CPU, where these bytes clone as one buffer and are copied into the request as they are.
 */
export interface EncodedResources {
  /** Resource.attributes entries (field 1: tag, length, KeyValue) of the resources, one resource after another. */
  readonly bytes: Uint8Array;
  /** Per resource: start and end of its entries in `bytes` (-1, -1: the resource is an object in `resources`). */
  readonly spans: Int32Array;
  /** The attribute keys of the resources, in order, by key list (keySetOf[r]: its index here). */
  readonly keySets: ReadonlyArray<readonly string[]>;
  readonly keySetOf: Int32Array;
}

export interface PackedOtlp {
  readonly descriptors: readonly Descriptor[];
  readonly attributeSets: readonly OtlpAttributes[];
  /** Per resource: its attributes, or null where `encoded` holds them as bytes. */
  readonly resources: ReadonlyArray<Resource | null>;
  readonly encoded?: EncodedResources;
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
  const resources: Resource[] = [];
  const resourceIndex = new Map<Resource, number>();
  const index = new Int32Array(withResource.length * 4 + points);
  const values = new Float64Array(points);
  let i = 0;
  let v = 0;
  for (const m of withResource) {
    const res = m.resource as Resource;
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

/** A varint at `at` of `b` below 2^53 and the position after it (readVarint's answer, in varintEnd). */
let varintEnd = 0;
function readVarint(b: Uint8Array, at: number): number {
  let v = 0;
  let scale = 1;
  for (;;) {
    const c = b[at++];
    if (c === undefined || scale > 2 ** 49) throw new Error('packed resource: a varint past its bytes or 2^53');
    v += (c & 0x7f) * scale;
    scale *= 0x80;
    if (c < 0x80) break;
  }
  varintEnd = at;
  return v;
}

/**
 * Resource.attributes entries back as the object they were encoded from (encodeResourceAttributes in
 * otlp-process-encode.ts writes only well-formed strings and integers below 2^53, so nothing is lost).
 */
export function decodeResourceAttributes(b: Uint8Array, start: number, end: number): Resource {
  const out: Record<string, string | number> = {};
  const text = (from: number, to: number): string => Buffer.from(b.buffer, b.byteOffset + from, to - from).toString();
  let i = start;
  const expect = (tag: number): number => {
    if (b[i] !== tag) throw new Error(`packed resource: tag 0x${tag.toString(16)} expected at ${i}`);
    const len = readVarint(b, i + 1);
    i = varintEnd;
    return i + len;
  };
  while (i < end) {
    const kvEnd = expect(0x0a); // Resource.attributes
    const keyEnd = expect(0x0a); // KeyValue.key
    const key = text(i, keyEnd);
    i = keyEnd;
    const valueEnd = expect(0x12); // KeyValue.value
    if (b[i] === 0x0a) {
      const sEnd = expect(0x0a); // string_value
      out[key] = text(i, sEnd);
    } else if (b[i] === 0x18) {
      out[key] = readVarint(b, i + 1); // int_value
    } else throw new Error(`packed resource: value type 0x${(b[i] ?? 0).toString(16)} at ${i}`);
    if (valueEnd !== kvEnd) throw new Error('packed resource: a KeyValue with more than its key and value');
    i = kvEnd;
  }
  return out;
}

/** Resource `r` of a pack, as an object (decoded from its bytes where it was sent encoded). */
export function packedResource(p: PackedOtlp, r: number): Resource {
  const o = p.resources[r];
  if (o !== null && o !== undefined) return o;
  const spans = p.encoded?.spans;
  if (spans === undefined || (spans[2 * r] as number) < 0) throw new Error(`packed resource ${r}: no object, no bytes`);
  return decodeResourceAttributes(
    (p.encoded as EncodedResources).bytes,
    spans[2 * r] as number,
    spans[2 * r + 1] as number,
  );
}

/** The packed metrics back as OtlpMetric objects, in their order. */
export function unpackOtlp(p: PackedOtlp): OtlpMetric[] {
  const out: OtlpMetric[] = [];
  const { index, values } = p;
  // One object per resource, shared by its metrics (those sent as bytes decoded once).
  const resources: Array<Resource | undefined> = [];
  let i = 0;
  while (i < index.length) {
    const r = index[i] as number;
    const resource = (resources[r] ??= packedResource(p, r));
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
