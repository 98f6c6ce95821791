/**
 * Per-process resources (otlp.processes) encoded straight to OTLP protobuf: the same bytes as building one SDK
 * ResourceMetrics per process (processResourceMetrics in otlp.ts) and serializing each with the otlp-transformer's
 * ProtobufMetricsSerializer, concatenated, without the SDK object trees in between. For 1,000 processes those trees
 * (15,000 MetricData, 25,000 data points, a Resource each) and the serializer writing the same names, descriptions,
 * units and attribute keys 1,000 times were most of an export's CPU (bench/otlp-processes.js). Here what repeats is
 * encoded once per call: the host's attributes, the scope, each metric's name/description/unit, each distinct point
 * attribute set. test/exporters/otlp-process-encode.test.ts holds the bytes against the serializer's.
 *
 * Wire layout (opentelemetry-proto metrics.proto, common.proto, resource.proto), in the serializer's field order:
 * ExportMetricsServiceRequest{1: ResourceMetrics{1: Resource{1: KeyValue..., 2: 0}, 2: ScopeMetrics{1: scope,
 * 2: Metric{1: name, 2: description, 3: unit, 5: Gauge | 7: Sum{1: NumberDataPoint..., 2: temporality,
 * 3: is_monotonic}}}}}, NumberDataPoint{2: start, 3: time, 4: as_double | 6: as_int, 7: KeyValue...}. Each process is one
 * single-resource request; a request's only field is repeated, so the concatenation is one request.
 */
import type { OtlpAttributes, OtlpMetric } from './catalog';
import { wellFormed } from '../util/fsencoding';
import { packOtlp, type EncodedResources, type PackedOtlp } from './otlp-pack';

type AttributeValue = string | number | boolean;

/** A growable buffer with protobuf's primitives; lengths are reserved as one byte and widened when longer. */
class Writer {
  buf: Buffer;
  pos = 0;

  /** `reuse`: a buffer of an earlier request, written over when it holds `size` bytes. */
  constructor(size: number, reuse?: Buffer | null) {
    this.buf = reuse != null && reuse.length >= size ? reuse : Buffer.allocUnsafe(Math.max(64, size));
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** An unsigned varint of a non-negative integer below 2^53 (larger ints go through int64()). */
  varint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  /** An int64 varint as the serializer writes it (two's complement for negative numbers, 10 bytes). */
  int64(value: number): void {
    if (value >= 0 && value <= 0xffffffff) {
      this.varint(value);
      return;
    }
    let [low, high] = split64(value);
    this.ensure(10);
    while (high > 0 || low > 0x7f) {
      this.buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    this.buf[this.pos++] = low & 0x7f;
  }

  fixed64(low: number, high: number): void {
    this.ensure(8);
    this.buf.writeUInt32LE(low >>> 0, this.pos);
    this.buf.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A length-delimited UTF-8 string (a lone surrogate becomes U+FFFD, as TextEncoder writes it). */
  string(s: string): void {
    this.ensure(5 + s.length * 3);
    const at = this.begin();
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.end(at);
  }

  /** Reserves one byte for a length; end() writes it, moving the content when the length needs more bytes. */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  end(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    const size = varintSize(len);
    this.ensure(size - 1);
    this.buf.copy(this.buf, at + size, at + 1, this.pos);
    this.pos += size - 1;
    let v = len;
    let i = at;
    while (v >= 0x80) {
      this.buf[i++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[i] = v;
  }

  take(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

/** A signed integer as [low32, high32] of its 64-bit two's complement (the serializer's writeSfixed64 split). */
function split64(value: number): [number, number] {
  if (value >= 0) return [value >>> 0, (value / 0x100000000) >>> 0];
  const abs = Math.abs(value);
  let low = ~(abs >>> 0) >>> 0;
  let high = ~((abs / 0x100000000) >>> 0) >>> 0;
  low = (low + 1) >>> 0;
  if (low === 0) high = (high + 1) >>> 0;
  return [low, high];
}

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** One KeyValue's body (key, then AnyValue), as the serializer's writeKeyValue for string, bool and number values. */
function keyValue(w: Writer, key: string, value: AttributeValue): void {
  w.byte(0x0a); // key
  w.string(key);
  w.byte(0x12); // value: AnyValue
  const v = w.begin();
  if (typeof value === 'string') {
    w.byte(0x0a); // string_value
    w.string(value);
  } else if (typeof value === 'boolean') {
    w.byte(0x10); // bool_value
    w.byte(value ? 1 : 0);
  } else if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
    w.byte(0x18); // int_value
    w.int64(value);
  } else {
    w.byte(0x21); // double_value
    w.double(value);
  }
  w.end(v);
}

/** `field`: one KeyValue per attribute, in the object's order. */
function attributes(w: Writer, field: number, attrs: Readonly<Record<string, AttributeValue>>): void {
  for (const k in attrs) {
    if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
    w.byte((field << 3) | 2);
    const at = w.begin();
    keyValue(w, k, attrs[k] as AttributeValue);
    w.end(at);
  }
}

/** One Resource.attributes entry (field 1) of a resource's own attribute: what a null or undefined value skips. */
function resourceAttribute(w: Writer, key: Uint8Array, v: string | number): void {
  w.byte(0x0a); // Resource.attributes
  const kv = w.begin();
  w.byte(0x0a); // KeyValue.key
  w.bytes(key);
  w.byte(0x12); // KeyValue.value
  const av = w.begin();
  if (typeof v === 'string') {
    w.byte(0x0a);
    w.string(v);
  } else if (Number.isInteger(v) && v >= MIN_INT64 && v < MAX_INT64) {
    w.byte(0x18);
    w.int64(v);
  } else {
    w.byte(0x21);
    w.double(v);
  }
  w.end(av);
  w.end(kv);
}

/** A key's bytes as resourceAttribute writes it (length and UTF-8), made once per key. */
const keyBytes = new Map<string, Buffer>();
function keyChunk(k: string): Buffer {
  let c = keyBytes.get(k);
  if (c === undefined) {
    c = chunk((w) => w.string(k));
    // Keys are a few constant names per resource kind; anything else is not kept for the process's life.
    if (keyBytes.size < 256) keyBytes.set(k, c);
  }
  return c;
}

/**
 * A resource's own attributes as encodePackedResources writes them (Resource.attributes entries), for the worker to
 * encode a process's once (processRecordPack; otlp-pack.ts's EncodedResources). null where the bytes would not give
 * the object back (otlp-pack.ts's decodeResourceAttributes): a string that is not well-formed (its UTF-8 says U+FFFD),
 * a number that is not an integer from 0 to 2^53, a null value. Such a resource is sent as the object.
 */
export function encodeResourceAttributes(attrs: Readonly<Record<string, string | number>>): Uint8Array | null {
  const w = new Writer(512);
  for (const k in attrs) {
    if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
    const v = attrs[k];
    if (wellFormed(k) !== k) return null;
    if (typeof v === 'string') {
      if (wellFormed(v) !== v) return null;
    } else if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return null;
    resourceAttribute(w, keyChunk(k), v);
  }
  return new Uint8Array(w.take());
}

/** Encodes into a scratch writer and returns a copy: a chunk written many times. */
function chunk(fill: (w: Writer) => void): Buffer {
  const w = new Writer(256);
  fill(w);
  return Buffer.from(w.take());
}

/** A point's attributes with keys and string values well-formed (as otlp.ts's wellFormedAttributes). */
function pointAttributes(a: OtlpAttributes): Buffer {
  const clean: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(a)) clean[wellFormed(k)] = typeof v === 'string' ? wellFormed(v) : v;
  return chunk((w) => attributes(w, 7, clean));
}

/** Metric fields 1-3 and the data's tag: the same for every process. */
function metricHead(m: Pick<OtlpMetric, 'name' | 'description' | 'unit'>): Buffer {
  return chunk((w) => {
    w.byte(0x0a);
    w.string(m.name);
    if (m.description) {
      w.byte(0x12);
      w.string(m.description);
    }
    if (m.unit) {
      w.byte(0x1a);
      w.string(m.unit);
    }
  });
}

export interface EncodeScope {
  readonly name: string;
  readonly version?: string | undefined;
}

/**
 * The per-process resources among `metrics` (those with a resource) as one ExportMetricsServiceRequest's bytes: the
 * host's attributes (`host`, a process's own attribute of the same key wins) then the process's, one scope, each
 * counter a cumulative sum from the process's start (now - process.uptime), each gauge at `endMs`. Empty when no
 * metric has a resource.
 */
export function encodeProcessResources(
  metrics: readonly OtlpMetric[],
  host: Readonly<Record<string, unknown>>,
  endMs: number,
  scope: EncodeScope,
): Buffer {
  const { packed } = packOtlp(metrics);
  return packed === undefined ? Buffer.alloc(0) : encodePackedResources([packed], host, endMs, scope);
}

const EMPTY = new Uint8Array(0);

/** hrParts' result: the low and high 32 bits of a time's fixed64 nanoseconds. */
let hrLow = 0;
let hrHigh = 0;

/**
 * Milliseconds since the epoch as the SDK's HrTime, then as fixed64 nanoseconds, into hrLow and hrHigh: exactly
 * otlp.ts's hr() and the serializer's writeHrTimeAsFixed64 (which keeps every product below 2^53).
 */
function hrParts(ms: number): void {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  const lowerNanos = (seconds & 0xffff) * 1e9;
  const upperNanos = ((seconds / 0x10000) >>> 0) * 1e9;
  const low = (lowerNanos >>> 0) + (((upperNanos & 0xffff) * 0x10000) >>> 0) + nanos;
  hrLow = low >>> 0;
  hrHigh =
    (Math.floor(lowerNanos / 0x100000000) + ((upperNanos / 0x10000) >>> 0) + Math.floor(low / 0x100000000)) >>> 0;
}

/** Little-endian 32 bits of `v` at `at`. */
function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = v >>> 24;
}

/** A point's fields 2 and 3 (start and time, fixed64 each, with their tags): 18 bytes. */
function timesHeader(out: Uint8Array, startMs: number, endMs: number): void {
  hrParts(startMs);
  out[0] = 0x11; // start_time_unix_nano
  put32(out, 1, hrLow);
  put32(out, 5, hrHigh);
  hrParts(endMs);
  out[9] = 0x19; // time_unix_nano
  put32(out, 10, hrLow);
  put32(out, 14, hrHigh);
}

/** Scratch for a double's bytes, in the machine's order (reversed on a big-endian one). */
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The buffer a request body is written into, lent by the exporter for one export: encodePackedResources writes over
 * `buf` when it is big enough and leaves in it the buffer the body is in (a slice of it), which the exporter takes
 * back once that export has ended. A fresh ~2.2 MiB buffer per export of 1,000 processes is a fresh mapping each time
 * under the agent's fixed mmap threshold (mallocmode.ts): ~560 page faults an export.
 */
export interface BodyLease {
  buf: Buffer | null;
}

/**
 * encodeProcessResources on metrics as the worker sends them (otlp-pack.ts), without making them objects again: the
 * descriptors and attribute sets are encoded once per pack, each point is its value.
 */
export function encodePackedResources(
  packs: readonly PackedOtlp[],
  host: Readonly<Record<string, unknown>>,
  endMs: number,
  scope: EncodeScope,
  around: { readonly before?: Uint8Array; readonly after?: Uint8Array; readonly body?: BodyLease } = {},
): Buffer {
  type Res = Readonly<Record<string, string | number>>;
  const NONE: readonly string[] = [];
  // Runs of consecutive metrics of one pack with one resource (a process's metrics are one run as processRecordPack
  // writes them), grouped by resource object in first-seen order, as processResourceMetrics groups them. A run is
  // [pack, first metric's offset in its index, end offset, the group's next run (-1: none)].
  // A resource is its object, or for one sent as bytes its pack and index (pack * 2^32 + index: a number).
  const groupOf = new Map<Res | number, number>();
  const groupPack: number[] = [];
  const groupRes: number[] = [];
  const groupFirst: number[] = [];
  const groupLast: number[] = [];
  let runs = new Int32Array(4 * 1024);
  let nRuns = 0;
  for (let pk = 0; pk < packs.length; pk++) {
    const { index, resources } = packs[pk] as PackedOtlp;
    for (let i = 0; i < index.length;) {
      const r = index[i] as number;
      const start = i;
      do i += 4 + (index[i + 2] as number);
      while (i < index.length && index[i] === r);
      if ((nRuns + 1) * 4 > runs.length) {
        const bigger = new Int32Array(runs.length * 2);
        bigger.set(runs);
        runs = bigger;
      }
      const at = nRuns * 4;
      runs[at] = pk;
      runs[at + 1] = start;
      runs[at + 2] = i;
      runs[at + 3] = -1;
      const res = resources[r] ?? pk * 0x100000000 + r;
      const g = groupOf.get(res);
      if (g === undefined) {
        groupOf.set(res, groupRes.length);
        groupPack.push(pk);
        groupRes.push(r);
        groupFirst.push(nRuns);
        groupLast.push(nRuns);
      } else {
        runs[(groupLast[g] as number) * 4 + 3] = nRuns;
        groupLast[g] = nRuns;
      }
      nRuns++;
    }
  }
  const before = around.before;
  const after = around.after;
  if (groupRes.length === 0) {
    if (before === undefined && after === undefined) return Buffer.alloc(0);
    return Buffer.concat([before ?? EMPTY, after ?? EMPTY]);
  }
  const hostKeys = Object.keys(host);
  /** The host's KeyValues, once per set of keys its processes override (normally none). */
  const hostChunks = new Map<string, Buffer>();
  const hostChunkOf = (shadowed: readonly string[]): Buffer => {
    const key = shadowed.join('\0');
    let c = hostChunks.get(key);
    if (c === undefined) {
      const kept: Record<string, AttributeValue> = {};
      for (const k of hostKeys) {
        const v = host[k];
        // Resource.attributes drops null and undefined; a resource attribute is a string, number or boolean.
        if (shadowed.includes(k) || v === null || v === undefined) continue;
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') kept[k] = v;
      }
      c = chunk((w) => attributes(w, 1, kept));
      hostChunks.set(key, c);
    }
    return c;
  };
  const hostAll = hostChunkOf([]);
  const hostChunk = (attrs: Res): Buffer => {
    let shadowed: string[] | null = null;
    for (const k of hostKeys) if (Object.prototype.hasOwnProperty.call(attrs, k)) (shadowed ??= []).push(k);
    return shadowed === null ? hostAll : hostChunkOf(shadowed);
  };
  // The host's chunk for each key list of the resources sent as bytes.
  const hostByKeys = packs.map((p) =>
    (p.encoded?.keySets ?? NONE).map((keys) => {
      const shadowed = hostKeys.filter((k) => (keys as readonly string[]).includes(k));
      return shadowed.length === 0 ? hostAll : hostChunkOf(shadowed);
    }),
  );
  const scopeChunk = chunk((w) => {
    w.byte(0x0a); // ScopeMetrics.scope
    const at = w.begin();
    w.byte(0x0a);
    w.string(scope.name);
    if (scope.version) {
      w.byte(0x12);
      w.string(scope.version);
    }
    w.end(at);
  });
  // Packs from different collectors or passes may repeat the same attribute set: encoded once by its text.
  const attrsByText = new Map<string, Buffer>();
  const attrsOf = (a: OtlpAttributes): Buffer => {
    let text = '';
    for (const k in a) {
      if (!Object.prototype.hasOwnProperty.call(a, k)) continue;
      const v = a[k];
      text += `${k}\0${typeof v}\0${String(v)}\u0001`;
    }
    let c = attrsByText.get(text);
    if (c === undefined) attrsByText.set(text, (c = pointAttributes(a)));
    return c;
  };
  // Each pack's descriptors (the metric's head, whether it is process.uptime) and attribute sets, encoded once, and
  // each set's point size beyond the fixed part.
  const heads = packs.map((p) => p.descriptors.map((d) => metricHead(d)));
  const uptime = packs.map((p) => p.descriptors.map((d) => d.name === 'process.uptime'));
  const attrs = packs.map((p) => p.attributeSets.map((a) => attrsOf(a)));
  /** A point's bytes with its tag and length: start (1 + 8), time (1 + 8), value (1 + 8), attributes. */
  const pointSizes = attrs.map((list) =>
    list.map((a) => {
      const body = 27 + a.length;
      return 1 + varintSize(body) + body;
    }),
  );
  const gaugeTimes = new Uint8Array(18);
  timesHeader(gaugeTimes, endMs, endMs);
  const sumTimes = new Uint8Array(18);

  // Every length is known before its bytes are written (each point is a fixed-size body plus its attribute set's
  // bytes), so no length is reserved and widened: end() moving a message past 127 bytes was, for 1,000 processes,
  // three moves of each resource's ~2 KiB. The resource's attributes go to a scratch writer first for their length.
  // The request's other resources (`around`) are written in place: a concatenation after would copy the ~2 MiB
  // again, and each copy is external memory the main isolate's collector counts towards its next full collection.
  const w = new Writer((before?.length ?? 0) + groupRes.length * 2600 + (after?.length ?? 0), around.body?.buf);
  if (before !== undefined) w.bytes(before);
  const res = new Writer(1024);
  const t = new GroupTables(
    packs,
    runs,
    heads,
    uptime,
    attrs,
    pointSizes,
    hostByKeys,
    hostChunk,
    scopeChunk,
    endMs,
    gaugeTimes,
    sumTimes,
    w,
    res,
  );
  for (let g = 0; g < groupRes.length; g++)
    encodeGroup(t, groupPack[g] as number, groupRes[g] as number, groupFirst[g] as number);
  if (after !== undefined) w.bytes(after);
  if (around.body !== undefined) around.body.buf = w.buf;
  return w.take();
}

/** What encodeGroup needs of one encodePackedResources call (a class: one shape for every call). */
class GroupTables {
  sizes = new Int32Array(64);
  constructor(
    readonly packs: readonly PackedOtlp[],
    readonly runs: Int32Array,
    readonly heads: readonly Buffer[][],
    readonly uptime: readonly boolean[][],
    readonly attrs: readonly Buffer[][],
    readonly pointSizes: readonly number[][],
    readonly hostByKeys: readonly Buffer[][],
    readonly hostChunk: (attrs: Readonly<Record<string, string | number>>) => Buffer,
    readonly scopeChunk: Buffer,
    readonly endMs: number,
    readonly gaugeTimes: Uint8Array,
    readonly sumTimes: Uint8Array,
    readonly w: Writer,
    readonly res: Writer,
  ) {}
}

/**
 * One resource's ResourceMetrics (resource `r` of pack `pk`, its metrics in the runs from `first`) into t.w. Apart
 * from encodePackedResources, which runs once per export: a loop of 1,000 resources inside that one function had V8
 * compile it on the stack (OSR) again and again in the agent (its per-call tables and closures are new objects each
 * export: a wrong map, a wrong call target), 40-120 ms of compiler CPU each time; a function called per resource
 * is compiled once.
 */
function encodeGroup(t: GroupTables, pk: number, r: number, first: number): void {
  const { packs, runs, heads, uptime, attrs, pointSizes, hostByKeys, scopeChunk, endMs, gaugeTimes, sumTimes, w, res } =
    t;
  const hostChunk = t.hostChunk;
  let sizes = t.sizes;
  const gp = packs[pk] as PackedOtlp;
  const resource = gp.resources[r] ?? null;
  // Sizes: per metric, its data's length then the metric's (sizes[2m], sizes[2m + 1]); then the scope's. The
  // process's start: process.uptime back from endMs (the last such metric's first value).
  let startMs = endMs;
  let smLen = scopeChunk.length;
  let m = 0;
  for (let run = first; run >= 0; run = runs[run * 4 + 3] as number) {
    const rpk = runs[run * 4] as number;
    const p = packs[rpk] as PackedOtlp;
    const { index, descriptors } = p;
    const packHeads = heads[rpk] as Buffer[];
    const packUptime = uptime[rpk] as boolean[];
    const sizesOf = pointSizes[rpk] as number[];
    const end = runs[run * 4 + 2] as number;
    for (let i = runs[run * 4 + 1] as number; i < end; i += 4 + (index[i + 2] as number)) {
      const di = index[i + 1] as number;
      if (packUptime[di] === true) startMs = endMs - (p.values[index[i + 3] as number] ?? 0) * 1000;
      const kind = (descriptors[di] as PackedOtlp['descriptors'][number]).kind;
      let dataLen = kind === 'gauge' ? 0 : kind === 'counter' ? 4 : 2;
      const n = index[i + 2] as number;
      for (let k = 0; k < n; k++) dataLen += sizesOf[index[i + 4 + k] as number] as number;
      const mLen = (packHeads[di] as Buffer).length + 1 + varintSize(dataLen) + dataLen;
      if (sizes.length < 2 * m + 2) {
        const bigger = new Int32Array(sizes.length * 2);
        bigger.set(sizes);
        sizes = bigger;
      }
      sizes[2 * m] = dataLen;
      sizes[2 * m + 1] = mLen;
      smLen += 1 + varintSize(mLen) + mLen;
      m++;
    }
  }
  timesHeader(sumTimes, startMs >= endMs ? endMs : startMs, endMs);

  // The Resource: the host's attributes (those the process does not override), the process's, then
  // dropped_attributes_count 0; as bytes the worker encoded (EncodedResources), or from the object.
  let head: Buffer;
  let from = 0;
  let to = 0;
  res.pos = 0;
  if (resource === null) {
    const enc = gp.encoded as EncodedResources;
    head = (hostByKeys[pk] as Buffer[])[enc.keySetOf[r] as number] as Buffer;
    from = enc.spans[2 * r] as number;
    to = enc.spans[2 * r + 1] as number;
  } else {
    head = hostChunk(resource);
    for (const k in resource) {
      if (!Object.prototype.hasOwnProperty.call(resource, k)) continue;
      const v = resource[k];
      if (v === null || v === undefined) continue;
      resourceAttribute(res, keyChunk(k), v);
    }
  }
  res.byte(0x10); // Resource.dropped_attributes_count: 0
  res.byte(0);
  const resLen = head.length + (to - from) + res.pos;
  const rmLen = 1 + varintSize(resLen) + resLen + 1 + varintSize(smLen) + smLen;

  // Room for the whole resource, and for varint()'s own 10-byte check at its end: `buf` is never replaced below.
  w.ensure(1 + varintSize(rmLen) + rmLen + 10);
  const buf = w.buf;
  w.byte(0x0a); // ExportMetricsServiceRequest.resource_metrics
  w.varint(rmLen);
  w.byte(0x0a); // ResourceMetrics.resource
  w.varint(resLen);
  w.bytes(head);
  if (to > from) w.bytes((gp.encoded as EncodedResources).bytes.subarray(from, to));
  res.buf.copy(buf, w.pos, 0, res.pos);
  w.pos += res.pos;
  w.byte(0x12); // ResourceMetrics.scope_metrics
  w.varint(smLen);
  w.bytes(scopeChunk);
  m = 0;
  for (let run = first; run >= 0; run = runs[run * 4 + 3] as number) {
    const rpk = runs[run * 4] as number;
    const p = packs[rpk] as PackedOtlp;
    const { index, values, descriptors } = p;
    const packHeads = heads[rpk] as Buffer[];
    const packAttrs = attrs[rpk] as Buffer[];
    const end = runs[run * 4 + 2] as number;
    for (let i = runs[run * 4 + 1] as number; i < end; i += 4 + (index[i + 2] as number)) {
      const di = index[i + 1] as number;
      const d = descriptors[di] as PackedOtlp['descriptors'][number];
      const n = index[i + 2] as number;
      let v = index[i + 3] as number;
      w.byte(0x12); // ScopeMetrics.metrics
      w.varint(sizes[2 * m + 1] as number);
      w.bytes(packHeads[di] as Buffer);
      const gauge = d.kind === 'gauge';
      const int = d.valueType === 'int';
      w.byte(gauge ? 0x2a : 0x3a); // Metric.gauge (5) or Metric.sum (7)
      w.varint(sizes[2 * m] as number);
      m++;
      const times = gauge ? gaugeTimes : sumTimes;
      let pos = w.pos;
      for (let k = 0; k < n; k++) {
        const a = packAttrs[index[i + 4 + k] as number] as Buffer;
        const value = values[v++] as number;
        const body = 27 + a.length;
        buf[pos++] = 0x0a; // data_points
        if (body < 0x80) buf[pos++] = body;
        else {
          w.pos = pos;
          w.varint(body);
          pos = w.pos;
        }
        for (let b = 0; b < 18; b++) buf[pos + b] = times[b] as number;
        pos += 18;
        if (int) {
          buf[pos] = 0x31; // as_int (sfixed64)
          const x = Math.round(value);
          if (x >= 0 && x <= Number.MAX_SAFE_INTEGER) {
            put32(buf, pos + 1, x >>> 0);
            put32(buf, pos + 5, (x / 0x100000000) >>> 0);
          } else {
            const [low, high] = split64(x);
            put32(buf, pos + 1, low);
            put32(buf, pos + 5, high);
          }
        } else {
          buf[pos] = 0x21; // as_double
          f64[0] = value;
          if (LE) for (let b = 0; b < 8; b++) buf[pos + 1 + b] = f64Bytes[b] as number;
          else for (let b = 0; b < 8; b++) buf[pos + 1 + b] = f64Bytes[7 - b] as number;
        }
        pos += 9;
        for (let b = 0; b < a.length; b++) buf[pos + b] = a[b] as number;
        pos += a.length;
      }
      w.pos = pos;
      if (!gauge) {
        w.byte(0x10); // aggregation_temporality: CUMULATIVE
        w.byte(2);
        if (d.kind === 'counter') {
          w.byte(0x18); // is_monotonic
          w.byte(1);
        }
      }
    }
  }
  t.sizes = sizes;
}
