/**
 * The direct protobuf encoding of per-process resources (otlp-process-encode.ts) against the path it replaces: one SDK
 * ResourceMetrics per process (processResourceMetrics) serialized by the otlp-transformer's ProtobufMetricsSerializer,
 * concatenated. Byte for byte where the host and the process share no attribute key; where they do, decoded with the
 * official OTLP proto files (those @elastic/mockotlpserver decodes with) and compared as data. The packed form the
 * worker sends them in (otlp-pack.ts) gives back the same metrics and, encoded as it arrives, the same bytes.
 */
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { createPsutil } from '../../src/index';
import type { OtlpMetric } from '../../src/exporters/catalog';
import { processResourceMetrics, SCOPE_NAME } from '../../src/exporters/otlp';
import * as v8 from 'node:v8';
import { encodePackedResources, encodeProcessResources, type BodyLease } from '../../src/exporters/otlp-process-encode';
import { packOtlp, unpackOtlp, type PackedOtlp } from '../../src/exporters/otlp-pack';
import {
  processKey,
  processRecordMetrics,
  processRecordPack,
  processResource,
  ProcessRecorder,
  type CpuSample,
  type ProcessRecord,
} from '../../src/exporters/otlp-processes';
import { agentVersion } from '../../src/exporters/prometheus';

interface ProtoType {
  decode(b: Uint8Array): { toJSON(): unknown };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the mock server's proto loader is CommonJS without types
const { getProtoRoot } = require('@elastic/mockotlpserver/lib/proto') as {
  getProtoRoot: () => { lookupType(name: string): ProtoType };
};
const Request = getProtoRoot().lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');

const scope = { name: SCOPE_NAME, version: agentVersion() };

/** The previous path: SDK objects, then the transformer's serializer, one request per process. */
function viaSdk(metrics: readonly OtlpMetric[], host: Resource, endMs: number): Buffer {
  const parts = processResourceMetrics(metrics, host, endMs).map((rm) => {
    const b = ProtobufMetricsSerializer.serializeRequest(rm);
    if (b === undefined) throw new Error('the serializer refused a ResourceMetrics');
    return b;
  });
  return Buffer.concat(parts);
}

const base: ProcessRecord = {
  pid: 42,
  ppid: 1,
  name: 'java',
  exe: '/usr/bin/java',
  argv: ['java', '-jar', 'a b.jar'],
  owner: 'root',
  createTime: 1_733_540_000.37,
  cpuUser: 12.34,
  cpuSystem: 4,
  cpuWait: 0.5,
  rss: 4096,
  vms: 2 ** 40 + 8192,
  io: { readBytes: 1, writeBytes: 2 ** 33, readCount: 3, writeCount: 4 },
  minorFaults: 7,
  majorFaults: 0,
  signalsPending: 1,
  threads: 3,
  fds: 12,
  ctxVoluntary: 9,
  ctxInvoluntary: 2,
};

const records: ProcessRecord[] = [
  base,
  // Nothing optional: no io, fds, owner or ShdPnd line.
  { ...base, pid: 43, owner: null, io: null, fds: null, signalsPending: null, argv: [], exe: '' },
  // Non-ASCII and an escaped byte (U+DCFF: fsdecode of 0xff) in the name, path and arguments.
  { ...base, pid: 44, name: 'café', exe: '/opt/caf\udcff', argv: ['café', '\udcff', 'ü'] },
  // A command line past 127 bytes (two-byte lengths) and past 16 KiB (three-byte lengths).
  { ...base, pid: 45, argv: ['sh', '-c', 'x'.repeat(300)] },
  { ...base, pid: 46, argv: ['sh', '-c', 'y'.repeat(20_000)] },
  // Started after the snapshot's time (clock steps): counters start at the end time, uptime clamps to 0.
  { ...base, pid: 47, createTime: 1_733_550_000 },
];

describe('per-process resources encoded straight to protobuf', () => {
  const host = resourceFromAttributes({
    'service.name': 'psutil-exporter',
    'host.name': 'h1',
    'host.id': '0123456789abcdef0123456789abcdef',
    'deployment.count': 3,
    'x.ratio': 0.25,
    'x.flag': true,
  });
  const now = 1_733_549_999.5;
  const endMs = now * 1000 + 0.375; // a fraction of a millisecond: nanoseconds round as otlp.ts's hr()
  const prev = new Map<string, CpuSample>(
    records.map((r) => [processKey(r), { at: now - 10, user: r.cpuUser - 1, system: r.cpuSystem, wait: 0 }]),
  );

  test('the same bytes as the SDK objects through the transformer serializer', () => {
    // First pass (no utilization) and a later one (utilization, memory utilization).
    for (const [p, memTotal] of [
      [new Map<string, CpuSample>(), 0],
      [prev, 16 * 2 ** 30],
    ] as const) {
      const metrics = processRecordMetrics(records, p, now, 2, memTotal);
      const direct = encodeProcessResources(metrics, host.attributes, endMs, scope);
      const sdk = viaSdk(metrics, host, endMs);
      expect(direct.length).toBe(sdk.length);
      expect(Buffer.compare(direct, sdk)).toBe(0);
    }
  });

  test('int values beyond 32 bits and negative, doubles, and point attributes of every type', () => {
    const resource = { 'process.pid': 7, 'x.big': 2 ** 53 + 2, 'x.neg': -3, 'x.double': 1.5 };
    const metrics: OtlpMetric[] = [
      {
        name: 'x.sum',
        unit: '',
        description: '',
        kind: 'updowncounter',
        valueType: 'int',
        points: [
          { attributes: { a: -1, b: true, c: 2.5, d: 'é', e: '\udc80' }, value: -(2 ** 40) },
          { attributes: {}, value: 2 ** 62 },
          { attributes: {}, value: 3.6 },
          // A point longer than 127 bytes: its length takes two bytes.
          { attributes: { long: 'x'.repeat(200) }, value: 1 },
        ],
        resource,
      },
      { name: 'x.gauge', unit: '1', description: 'd', kind: 'gauge', valueType: 'double', points: [], resource },
      {
        name: 'x.counter',
        unit: 's',
        description: 'd',
        kind: 'counter',
        valueType: 'double',
        points: [{ attributes: { state: 'user' }, value: -0.5 }],
        resource,
      },
      // A host metric (no resource) is not a process's.
      { name: 'x.host', unit: '', description: '', kind: 'gauge', valueType: 'int', points: [] },
    ];
    expect(
      Buffer.compare(encodeProcessResources(metrics, host.attributes, endMs, scope), viaSdk(metrics, host, endMs)),
    ).toBe(0);
  });

  test('no process metric: no bytes', () => {
    expect(encodeProcessResources([], host.attributes, endMs, scope).length).toBe(0);
  });

  test("a host attribute a process also sets: the process's value, as the SDK path merges them", () => {
    const clash = resourceFromAttributes({ 'service.name': 's', 'process.pid': 'host-level', 'host.name': 'h' });
    const metrics = processRecordMetrics(records.slice(0, 2), new Map(), now, 2, 0);
    const direct = Request.decode(encodeProcessResources(metrics, clash.attributes, endMs, scope)).toJSON();
    const sdk = Request.decode(viaSdk(metrics, clash, endMs)).toJSON();
    type Decoded = { resourceMetrics: Array<{ resource: { attributes: Array<{ key: string }> } }> };
    const sorted = (d: unknown): unknown => {
      const out = structuredClone(d) as Decoded;
      for (const rm of out.resourceMetrics) rm.resource.attributes.sort((a, b) => a.key.localeCompare(b.key));
      return out;
    };
    expect(sorted(direct)).toEqual(sorted(sdk));
    const attrs = (direct as Decoded).resourceMetrics[0]?.resource.attributes;
    expect(attrs?.filter((a) => a.key === 'process.pid')).toEqual([{ key: 'process.pid', value: { intValue: '42' } }]);
  });

  test("this machine's processes, read by the recorder: the same bytes both ways", () => {
    const psutil = createPsutil({ procfs: '/proc', sysfs: '/sys', rootfs: '/' });
    const recorder = new ProcessRecorder({ include: null, exclude: null, max: 200 });
    for (const p of psutil.processIter()) p.oneshot(() => recorder.visit(p));
    const { records: live } = recorder.take();
    expect(live.length).toBeGreaterThan(0);
    const t = Date.now();
    const metrics = processRecordMetrics(live, new Map(), t / 1000, 2, psutil.virtualMemory().total);
    const direct = encodeProcessResources(metrics, host.attributes, t, scope);
    expect(Buffer.compare(direct, viaSdk(metrics, host, t))).toBe(0);
    // And it decodes with the official proto files: one resource per process.
    const decoded = Request.decode(direct).toJSON() as { resourceMetrics: unknown[] };
    expect(decoded.resourceMetrics).toHaveLength(live.length);
  });
});

describe('per-process metrics packed for the trip from the worker (otlp-pack.ts)', () => {
  const host = resourceFromAttributes({ 'service.name': 'psutil-exporter', 'host.name': 'h1' });
  const now = 1_733_549_999.5;
  const hostMetric: OtlpMetric = {
    name: 'system.memory.usage',
    description: 'd',
    unit: 'By',
    kind: 'updowncounter',
    valueType: 'int',
    points: [{ attributes: { state: 'used' }, value: 5 }],
  };
  /** What postMessage does to the result: v8's serializer there and back. */
  const cloned = (p: PackedOtlp): PackedOtlp => v8.deserialize(v8.serialize(p)) as PackedOtlp;

  test('metrics without a resource stay as they are; those with one come back equal, in order', () => {
    const metrics = processRecordMetrics(records, new Map(), now, 2, 8 * 2 ** 30);
    const { plain, packed } = packOtlp([hostMetric, ...metrics]);
    expect(plain).toEqual([hostMetric]);
    expect(packed).toBeDefined();
    const back = unpackOtlp(cloned(packed as PackedOtlp));
    expect(back).toEqual(metrics);
    // One resource object per process, shared by its metrics, as the mapping made them.
    expect(new Set(back.map((m) => m.resource)).size).toBe(records.length);
    expect(packOtlp([hostMetric]).packed).toBeUndefined();
  });

  test('encoded as it arrives: the same bytes as the SDK path on the unpacked metrics, over one or two packs', () => {
    const metrics = processRecordMetrics(records, new Map(), now, 2, 0);
    const endMs = now * 1000;
    const sdk = viaSdk(metrics, host, endMs);
    const one = packOtlp(metrics).packed as PackedOtlp;
    expect(Buffer.compare(encodePackedResources([cloned(one)], host.attributes, endMs, scope), sdk)).toBe(0);
    const a = packOtlp(metrics.filter((m) => m.resource?.['process.pid'] === 42)).packed as PackedOtlp;
    const b = packOtlp(metrics.filter((m) => m.resource?.['process.pid'] !== 42)).packed as PackedOtlp;
    expect(Buffer.compare(encodePackedResources([a, b], host.attributes, endMs, scope), sdk)).toBe(0);
  });

  test('written between the other resources of the request: the bytes of the three concatenated', () => {
    const metrics = processRecordMetrics(records, new Map(), now, 2, 0);
    const endMs = now * 1000;
    const packed = packOtlp(metrics).packed as PackedOtlp;
    const alone = encodePackedResources([cloned(packed)], host.attributes, endMs, scope);
    // Longer than one Writer step and not a multiple of anything the encoder writes.
    const before = Buffer.from(Array.from({ length: 3001 }, (_, i) => (i * 7) & 0xff));
    const after = Buffer.from([1, 2, 3]);
    const both = encodePackedResources([cloned(packed)], host.attributes, endMs, scope, { before, after });
    expect(Buffer.compare(both, Buffer.concat([before, alone, after]))).toBe(0);
    const onlyBefore = encodePackedResources([cloned(packed)], host.attributes, endMs, scope, { before });
    expect(Buffer.compare(onlyBefore, Buffer.concat([before, alone]))).toBe(0);
    // No process at all: what is around is still the request.
    expect(
      Buffer.compare(
        encodePackedResources([], host.attributes, endMs, scope, { before, after }),
        Buffer.concat([before, after]),
      ),
    ).toBe(0);
    expect(encodePackedResources([], host.attributes, endMs, scope).length).toBe(0);
  });

  test("written into the buffer lent for the body (BodyLease): the same bytes, over the last body's, kept for the next", () => {
    const metrics = processRecordMetrics(records, new Map(), now, 2, 0);
    const endMs = now * 1000;
    const packed = packOtlp(metrics).packed as PackedOtlp;
    const before = Buffer.from([9, 8, 7]);
    const want = encodePackedResources([cloned(packed)], host.attributes, endMs, scope, { before });
    // Nothing lent: a buffer of its own, left in the lease for the next export.
    const body: BodyLease = { buf: null };
    const first = Buffer.from(encodePackedResources([cloned(packed)], host.attributes, endMs, scope, { before, body }));
    expect(Buffer.compare(first, want)).toBe(0);
    const kept = body.buf as Buffer;
    expect(kept.length).toBeGreaterThanOrEqual(want.length);
    // Lent again, full of the last body and of garbage past it: written over in place, the same bytes.
    kept.fill(0xa5, want.length);
    const second = encodePackedResources([cloned(packed)], host.attributes, endMs, scope, { before, body });
    expect(second.buffer).toBe(kept.buffer);
    expect(second.byteOffset).toBe(kept.byteOffset);
    expect(Buffer.compare(second, want)).toBe(0);
    expect(body.buf).toBe(kept);
    // A lent buffer too small for this body is not used: a new one, left in the lease instead.
    const small: BodyLease = { buf: Buffer.alloc(16, 0xff) };
    const third = encodePackedResources([cloned(packed)], host.attributes, endMs, scope, { before, body: small });
    expect(Buffer.compare(third, want)).toBe(0);
    expect((small.buf as Buffer).length).toBeGreaterThanOrEqual(want.length);
    expect((small.buf as Buffer).buffer).toBe(third.buffer);
  });

  test('resources cross as bytes and come back equal; one with a lone surrogate crosses as its object', () => {
    // Utilization too: a previous sample per process.
    const prev = new Map<string, CpuSample>(
      records.map((r) => [processKey(r), { at: now - 10, user: r.cpuUser - 1, system: r.cpuSystem, wait: 0 }]),
    );
    const packed = processRecordPack(records, prev, now, 2, 8 * 2 ** 30) as PackedOtlp;
    const spans = packed.encoded?.spans as Int32Array;
    // Record 2 (pid 44) has an escaped byte in its name, path and arguments: its UTF-8 would say U+FFFD.
    expect(records.map((_, r) => packed.resources[r] === null)).toEqual(records.map((r) => r.pid !== 44));
    expect(records.map((_, r) => spans[2 * r]! >= 0)).toEqual(records.map((r) => r.pid !== 44));
    const back = unpackOtlp(cloned(packed));
    expect(back).toEqual(processRecordMetrics(records, prev, now, 2, 8 * 2 ** 30));
    expect(back.filter((m) => m.name === 'process.uptime').map((m) => m.resource)).toEqual(
      records.map((r) => processResource(r)),
    );
    // The bytes path of the encoder: the SDK serializer's bytes.
    const endMs = now * 1000;
    expect(
      Buffer.compare(encodePackedResources([cloned(packed)], host.attributes, endMs, scope), viaSdk(back, host, endMs)),
    ).toBe(0);
    // A host attribute the processes override (process.owner: all records but pid 43 have one) is left out for them
    // only (compared as data, in key order: the SDK's spread keeps the host's key position).
    const clash = resourceFromAttributes({ ...host.attributes, 'process.owner': 'host-level' });
    type Decoded = { resourceMetrics: Array<{ resource: { attributes: Array<{ key: string; value: unknown }> } }> };
    const sorted = (b: Uint8Array): Decoded => {
      const out = Request.decode(b).toJSON() as Decoded;
      for (const rm of out.resourceMetrics) rm.resource.attributes.sort((x, y) => x.key.localeCompare(y.key));
      return out;
    };
    const direct = sorted(encodePackedResources([cloned(packed)], clash.attributes, endMs, scope));
    expect(direct).toEqual(sorted(viaSdk(back, clash, endMs)));
    expect(
      direct.resourceMetrics.map((rm) => rm.resource.attributes.filter((a) => a.key === 'process.owner').length),
    ).toEqual(records.map(() => 1));
    expect(direct.resourceMetrics[1]?.resource.attributes.find((a) => a.key === 'process.owner')?.value).toEqual({
      stringValue: 'host-level',
    });
  });

  test("a process's metrics apart (interleaved with another's, or over two packs): one resource, in first-seen order", () => {
    const metrics = processRecordMetrics(records, new Map(), now, 2, 0);
    const endMs = now * 1000;
    // Every other metric of each process, in turns: each resource's metrics come in several runs.
    const interleaved = [...metrics.filter((_, i) => i % 2 === 0), ...metrics.filter((_, i) => i % 2 === 1)];
    const sdk = viaSdk(interleaved, host, endMs);
    expect(processResourceMetrics(interleaved, host, endMs).length).toBe(records.length);
    expect(Buffer.compare(encodeProcessResources(interleaved, host.attributes, endMs, scope), sdk)).toBe(0);
    // The same resource objects over two packs that were not cloned apart.
    const half = interleaved.length >> 1;
    const a = packOtlp(interleaved.slice(0, half)).packed as PackedOtlp;
    const b = packOtlp(interleaved.slice(half)).packed as PackedOtlp;
    expect(Buffer.compare(encodePackedResources([a, b], host.attributes, endMs, scope), sdk)).toBe(0);
  });
});
