/**
 * The OTLP push's transport and shape settings: protocol (http/protobuf, http/json, grpc) and endpoint per protocol
 * with the OTEL_* variables' precedence (OTLP exporter spec: the signal's variable over the general one, a blank one
 * unset, both over the config file), gRPC's TLS rule, otlp.metrics selection, and delta temporality across exports.
 */
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { parseConfig } from '../../src/config/load';
import { defineCollector, metrics, otel } from '../../src/exporters/catalog';
import { resolveOtlp, SnapshotProducer, toMetricData } from '../../src/exporters/otlp';
import { grpcUsesTls } from '../../src/exporters/otlp-grpc';
import { DELTA_FORGET_AFTER_EXPORTS, DeltaConverter, metricSelector } from '../../src/exporters/otlp-views';
import type { ActiveCollector } from '../../src/exporters/prometheus';
import { SnapshotSource, type PassRunner } from '../../src/exporters/snapshot';

const http = parseConfig('').otlp;
const grpc = parseConfig('otlp: {protocol: grpc}').otlp;

describe('protocol and endpoint', () => {
  test('each protocol has its default endpoint: 4318/v1/metrics over HTTP, 4317 over gRPC', () => {
    expect(resolveOtlp(http, {})).toMatchObject({ protocol: 'http/protobuf', url: 'http://localhost:4318/v1/metrics' });
    expect(resolveOtlp(grpc, {})).toMatchObject({ protocol: 'grpc', url: 'http://localhost:4317' });
    // The protocol chosen by a variable picks its own default too.
    expect(resolveOtlp(http, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).url).toBe('http://localhost:4317');
  });

  test('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL over OTEL_EXPORTER_OTLP_PROTOCOL over otlp.protocol; blank is unset', () => {
    const both = { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc' };
    expect(resolveOtlp(http, both).protocol).toBe('grpc');
    expect(resolveOtlp(grpc, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).protocol).toBe('http/json');
    expect(
      resolveOtlp(grpc, { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: '  ', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })
        .protocol,
    ).toBe('http/json');
    expect(resolveOtlp(grpc, { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: '' }).protocol).toBe('grpc');
    expect(() => resolveOtlp(http, { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc/json' })).toThrow(
      /OTEL_EXPORTER_OTLP_METRICS_PROTOCOL must be http\/protobuf, http\/json, grpc/,
    );
  });

  test('over gRPC the general endpoint variable is the target as is; over HTTP it is a base for /v1/metrics', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4317/' };
    expect(resolveOtlp(grpc, env).url).toBe('https://collector:4317/');
    expect(resolveOtlp(http, env).url).toBe('https://collector:4317/v1/metrics');
    const both = { ...env, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'collector-b:4317' };
    expect(resolveOtlp(grpc, both).url).toBe('collector-b:4317');
    // The config's endpoint is used when no variable is set.
    const c = parseConfig('otlp: {protocol: grpc, endpoint: "otel.example:443"}').otlp;
    expect(resolveOtlp(c, {}).url).toBe('otel.example:443');
  });

  test('a bare host:port is a gRPC target only; a config that cannot be pushed to is refused at load', () => {
    expect(() => resolveOtlp(http, { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'collector:4318' })).toThrow(RangeError);
    expect(() => parseConfig('otlp: {endpoint: "collector:4318"}')).toThrow(/otlp\.endpoint: expected an http/);
    expect(() => parseConfig('otlp: {protocol: grpc, endpoint: "collector:4317"}')).not.toThrow();
    expect(() => parseConfig('otlp: {protocol: grpc, endpoint: "ftp://collector:4317"}')).toThrow(/or host:port/);
    expect(() => parseConfig('otlp: {tls: {cert_file: /c.pem}}')).toThrow(/cert_file and key_file together/);
  });

  test('gRPC TLS: https:// always, http:// never, a bare target unless insecure (config, then the variables)', () => {
    expect(grpcUsesTls('https://c:4317', true)).toBe(true);
    expect(grpcUsesTls('http://c:4317', false)).toBe(false);
    expect(grpcUsesTls('c:4317', false)).toBe(true);
    expect(grpcUsesTls('c:4317', true)).toBe(false);
    const c = parseConfig('otlp: {protocol: grpc, tls: {insecure: true, ca_file: /etc/ca.pem}}').otlp;
    expect(resolveOtlp(c, {}).tls).toEqual({ insecure: true, caFile: '/etc/ca.pem', certFile: null, keyFile: null });
    expect(
      resolveOtlp(c, {
        OTEL_EXPORTER_OTLP_INSECURE: 'true',
        OTEL_EXPORTER_OTLP_METRICS_INSECURE: 'no',
        OTEL_EXPORTER_OTLP_CERTIFICATE: '/a.pem',
        OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE: '/b.pem',
        OTEL_EXPORTER_OTLP_CLIENT_KEY: '/k.pem',
        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: '/c.pem',
      }).tls,
    ).toEqual({ insecure: false, caFile: '/b.pem', certFile: '/c.pem', keyFile: '/k.pem' });
    expect(resolveOtlp(grpc, { OTEL_EXPORTER_OTLP_INSECURE: 'TRUE' }).tls.insecure).toBe(true);
  });

  test('temporality: otlp.temporality, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE (any case) over it', () => {
    expect(resolveOtlp(http, {}).temporality).toBe('cumulative');
    const d = parseConfig('otlp: {temporality: delta}').otlp;
    expect(resolveOtlp(d, {}).temporality).toBe('delta');
    expect(resolveOtlp(d, { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'LowMemory' }).temporality).toBe(
      'lowmemory',
    );
    expect(() => resolveOtlp(d, { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'deltas' })).toThrow(
      /OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE/,
    );
    expect(() => parseConfig('otlp: {temporality: low_memory}')).toThrow(/otlp\.temporality/);
  });
});

describe('otlp.metrics', () => {
  test('a name over a set, a longer set over a shorter one, * under all; unnamed metrics stay on', () => {
    const keep = metricSelector({
      '*': { enabled: true },
      'process.*': { enabled: false },
      'process.cpu.*': { enabled: true },
      'process.cpu.utilization': { enabled: false },
      'system.paging.faults': { enabled: false },
    });
    expect(
      [
        'system.cpu.time',
        'system.paging.faults',
        'system.paging.usage',
        'process.memory.usage',
        'process.cpu.time',
        'process.cpu.utilization',
        'processes',
      ].filter(keep),
    ).toEqual(['system.cpu.time', 'system.paging.usage', 'process.cpu.time', 'processes']);
    expect(['a.b', 'c'].filter(metricSelector({ '*': { enabled: false }, c: { enabled: true } }))).toEqual(['c']);
  });

  test('the config key: names and sets, each {enabled}; a malformed name or entry is refused', () => {
    expect(
      parseConfig('otlp: {metrics: {system.disk.*: {enabled: false}, system.disk.io: {enabled: true}}}').otlp.metrics,
    ).toEqual({
      'system.disk.*': { enabled: false },
      'system.disk.io': { enabled: true },
    });
    expect(() => parseConfig('otlp: {metrics: {"system.*.io": {enabled: false}}}')).toThrow(/otlp\.metrics/);
    expect(() => parseConfig('otlp: {metrics: {system.disk.io: {}}}')).toThrow(/otlp\.metrics/);
  });
});

/** A cumulative monotonic sum (and a gauge) as the producer makes them, `start`/`end` in ms. */
function cumulative(points: Array<[Record<string, string>, number]>, startMs: number, endMs: number): MetricData[] {
  const c = otel('system.network.io', 'counter', 'By', 'io', 'int');
  const g = otel('system.memory.usage', 'updowncounter', 'By', 'mem', 'int');
  for (const [a, v] of points) c.add(a, v);
  g.add({}, 100);
  return [toMetricData(c.metric, startMs, endMs), toMetricData(g.metric, startMs, endMs)];
}

/** A sum's point values (the agent makes no histograms). */
function values(m: MetricData | undefined): number[] {
  return (m?.dataPoints ?? []).map((p) => p.value as number);
}

function sec(t: [number, number]): number {
  return t[0] + t[1] / 1e9;
}

describe('DeltaConverter', () => {
  const BOOT = 1_000_000; // ms
  const AGENT = 5_000_000;
  const eth0 = { 'network.interface.name': 'eth0' };

  test('a series counting from before the agent sends nothing first, then increases from the last point', () => {
    const d = new DeltaConverter(AGENT);
    const first = d.convert('', cumulative([[eth0, 1000]], BOOT, AGENT + 10_000));
    d.endExport();
    // The up-down counter passes unchanged and cumulative; the counter has no point yet.
    expect(first.map((m) => m.descriptor.name)).toEqual(['system.memory.usage']);
    expect(first[0]?.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
    const second = d.convert('', cumulative([[eth0, 1600]], BOOT, AGENT + 20_000));
    d.endExport();
    const third = d.convert('', cumulative([[eth0, 1650]], BOOT, AGENT + 30_000));
    d.endExport();
    for (const [out, value, from, to] of [
      [second, 600, 5010, 5020],
      [third, 50, 5020, 5030],
    ] as const) {
      const io = out.find((m) => m.descriptor.name === 'system.network.io');
      expect(io?.aggregationTemporality).toBe(AggregationTemporality.DELTA);
      expect(io && 'isMonotonic' in io ? io.isMonotonic : null).toBe(true);
      expect(io?.dataPoints).toHaveLength(1);
      expect(io?.dataPoints[0]?.value).toBe(value);
      expect(sec(io?.dataPoints[0]?.startTime as [number, number])).toBe(from);
      expect(sec(io?.dataPoints[0]?.endTime as [number, number])).toBe(to);
    }
  });

  test('a series started after the agent sends its whole count first; a reset counts from 0; a new start starts over', () => {
    const d = new DeltaConverter(AGENT);
    const value = (out: MetricData[]): number[] =>
      out.filter((m) => m.descriptor.name === 'system.network.io').flatMap(values);
    // Started 2 s after the agent: 300 counted since then.
    expect(value(d.convert('', cumulative([[eth0, 300]], AGENT + 2000, AGENT + 10_000)))).toEqual([300]);
    d.endExport();
    // Below the last value, same start: a reset; the value is what was counted since.
    const reset = d.convert('', cumulative([[eth0, 40]], AGENT + 2000, AGENT + 20_000));
    d.endExport();
    expect(value(reset)).toEqual([40]);
    expect(sec(reset[0]?.dataPoints[0]?.startTime as [number, number])).toBe(5010);
    // The same series restarted (a new process on the same pid): its count since its new start, from that start.
    const again = d.convert('', cumulative([[eth0, 70]], AGENT + 25_000, AGENT + 30_000));
    d.endExport();
    expect(value(again)).toEqual([70]);
    expect(sec(again[0]?.dataPoints[0]?.startTime as [number, number])).toBe(5025);
    // A start that moves by a few ms is the same start.
    expect(value(d.convert('', cumulative([[eth0, 90]], AGENT + 25_004, AGENT + 40_000)))).toEqual([20]);
  });

  test('series are told apart by resource and attributes; one gone for a few exports is forgotten', () => {
    const d = new DeltaConverter(0);
    const eth1 = { 'network.interface.name': 'eth1' };
    d.convert(
      '',
      cumulative(
        [
          [eth0, 10],
          [eth1, 20],
        ],
        1,
        1000,
      ),
    );
    d.convert('pid=1', cumulative([[eth0, 5]], 1, 1000));
    d.endExport();
    const out = d.convert(
      '',
      cumulative(
        [
          [eth0, 15],
          [eth1, 26],
        ],
        1,
        2000,
      ),
    );
    expect(values(out[0])).toEqual([5, 6]);
    d.endExport();
    expect(d.size).toBe(3);
    for (let i = 0; i < DELTA_FORGET_AFTER_EXPORTS; i++) {
      d.convert('', cumulative([[eth0, 15]], 1, 3000 + i));
      d.endExport();
    }
    expect(d.size).toBe(1);
  });

  test('per-process resources are converted each on its own', () => {
    const d = new DeltaConverter(0);
    const rm = (pid: number, v: number, end: number): ResourceMetrics => ({
      resource: resourceFromAttributes({ 'process.pid': pid }),
      scopeMetrics: [{ scope: { name: 's' }, metrics: cumulative([[{}, v]], 10, end) }],
    });
    d.convertResources([rm(1, 100, 1000), rm(2, 7, 1000)]);
    d.endExport();
    const out = d.convertResources([rm(1, 150, 2000), rm(2, 9, 2000)]);
    expect(out.map((r) => r.scopeMetrics[0]?.metrics[0]?.dataPoints[0]?.value)).toEqual([50, 2]);
  });
});

describe('SnapshotProducer with otlp.metrics and delta, through a real reader', () => {
  let rx = 1000;
  const nic = defineCollector<null, null>({
    name: 'nic',
    help: '',
    options: () => null,
    create: () => () => null,
    prometheus: () => [],
    otlp: () => {
      const io = otel('system.network.io', 'counter', 'By', 'io', 'int');
      io.add({ 'network.interface.name': 'eth0', 'network.io.direction': 'receive' }, rx);
      const drops = otel('system.network.dropped', 'counter', '{packets}', 'd', 'int');
      drops.add({ 'network.interface.name': 'eth0' }, 1);
      return metrics(io, drops);
    },
  });
  const active = new Map<string, ActiveCollector>([['nic', { def: nic, options: null }]]);

  test('a dropped metric never leaves; the kept counter leaves as deltas that add up to the cumulative change', async () => {
    const runner: PassRunner = {
      run: async () => ({
        results: [{ kind: 'data', name: 'nic', ok: true, durationSeconds: 0, data: null }],
        bootTime: 1_700_000_000,
      }),
      abandon: () => undefined,
      close: async () => undefined,
    };
    const source = new SnapshotSource(runner, {
      plans: [{ name: 'nic', timeoutMs: 100, options: {} }],
      maxAgeMs: 0,
      timeoutMs: 1000,
    });
    const exporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
    const producer = new SnapshotProducer(source, active, Date.now(), undefined, undefined, {
      keep: metricSelector({ 'system.network.dropped': { enabled: false } }),
      delta: new DeltaConverter(Date.now()),
    });
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: 3_600_000,
      metricProducers: [producer],
    });
    const provider = new MeterProvider({ readers: [reader] });
    try {
      const seen: Array<Array<{ name: string; temporality: AggregationTemporality; values: number[] }>> = [];
      for (const v of [1000, 1500, 1500, 4000]) {
        rx = v;
        exporter.reset();
        await provider.forceFlush();
        seen.push(
          exporter
            .getMetrics()
            .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
            .map((m) => ({
              name: m.descriptor.name,
              temporality: m.aggregationTemporality,
              values: values(m),
            })),
        );
      }
      // The first export: the counter counts from boot, before the agent: no point (and no dropped metric ever).
      expect(seen.map((s) => s.map((m) => m.name))).toEqual([
        [],
        ['system.network.io'],
        ['system.network.io'],
        ['system.network.io'],
      ]);
      expect(seen.slice(1).map((s) => s[0]?.values)).toEqual([[500], [0], [2500]]);
      expect(seen[1]?.[0]?.temporality).toBe(AggregationTemporality.DELTA);
      // The deltas add up to the cumulative change over the same exports.
      expect(seen.slice(1).reduce((a, s) => a + (s[0]?.values[0] ?? 0), 0)).toBe(4000 - 1000);
    } finally {
      await provider.shutdown();
    }
  });
});
