import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { parseConfig } from '../../src/config/load';
import { defineCollector, otel, metrics } from '../../src/exporters/catalog';
import { failedResult } from '../../src/exporters/pass';
import {
  buildResource,
  parseKeyValueList,
  readMachineId,
  resolveOtlp,
  SnapshotProducer,
  snapshotMetrics,
  toMetricData,
} from '../../src/exporters/otlp';
import { processRecordMetrics, processSelector, type ProcessRecord } from '../../src/exporters/otlp-processes';
import type { ActiveCollector } from '../../src/exporters/prometheus';
import { SnapshotSource, type PassRunner } from '../../src/exporters/snapshot';

const cfg = parseConfig('').otlp;

describe('settings: config first, OTEL_* variables on top', () => {
  test('defaults', () => {
    expect(resolveOtlp(cfg, {})).toEqual({
      url: 'http://localhost:4318/v1/metrics',
      protocol: 'http/protobuf',
      headers: {},
      timeoutMs: 10000,
      intervalMs: 60000,
      compression: 'none',
      tls: { insecure: false, caFile: null, certFile: null, keyFile: null },
      temporality: 'cumulative',
    });
  });

  test('OTEL_EXPORTER_OTLP_ENDPOINT is a base URL; the metrics endpoint variable is used as is and wins', () => {
    expect(resolveOtlp(cfg, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).url).toBe(
      'http://collector:4318/v1/metrics',
    );
    expect(
      resolveOtlp(cfg, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:1',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://b:2/custom',
      }).url,
    ).toBe('https://b:2/custom');
  });

  test('headers merge, URL-decoded, signal-specific last; protocol, timeout, interval, compression', () => {
    const c = parseConfig('otlp: {headers: {a: "1", b: "2"}, interval: 30s}').otlp;
    const r = resolveOtlp(c, {
      OTEL_EXPORTER_OTLP_HEADERS: 'b=3,c=x%20y',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'c=z',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    });
    expect(r).toEqual({
      url: 'http://localhost:4318/v1/metrics',
      protocol: 'http/json',
      headers: { a: '1', b: '3', c: 'z' },
      timeoutMs: 2500,
      intervalMs: 5000,
      compression: 'gzip',
      tls: { insecure: false, caFile: null, certFile: null, keyFile: null },
      temporality: 'cumulative',
    });
    expect(resolveOtlp(c, { OTEL_EXPORTER_OTLP_TIMEOUT: '99999' }).timeoutMs).toBe(30000);
  });

  test('nonsense is refused with the variable named', () => {
    expect(() => resolveOtlp(cfg, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
    expect(() =>
      resolveOtlp(cfg, { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc ', OTEL_EXPORTER_OTLP_PROTOCOL: 'x' }),
    ).not.toThrow();
    expect(() => resolveOtlp(cfg, { OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' })).toThrow(/OTEL_EXPORTER_OTLP_TIMEOUT/);
    expect(() => resolveOtlp(cfg, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(RangeError);
  });

  test('parseKeyValueList', () => {
    expect(parseKeyValueList(' a = 1 ,, =x,b=%E2%9C%93,c=%zz')).toEqual({ a: '1', b: '\u2713', c: '%zz' });
  });
});

describe('resource', () => {
  test('service.name, host.name, host.id from <rootfs>/etc/machine-id, k8s.node.name; OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME win', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-mid-'));
    try {
      fs.mkdirSync(path.join(dir, 'etc'));
      fs.writeFileSync(path.join(dir, 'etc', 'machine-id'), '0123456789abcdef0123456789abcdef\n');
      expect(readMachineId(dir)).toBe('0123456789abcdef0123456789abcdef');
      const c = parseConfig('otlp: {resource_attributes: {deployment.environment: prod, team: a}}').otlp;
      const r = buildResource(c, dir, { K8S_NODE_NAME: 'node-7', OTEL_RESOURCE_ATTRIBUTES: 'team=b,region=eu' });
      expect(r.attributes).toMatchObject({
        'service.name': 'psutil-exporter',
        'host.name': os.hostname(),
        'host.id': '0123456789abcdef0123456789abcdef',
        'k8s.node.name': 'node-7',
        'deployment.environment': 'prod',
        team: 'b',
        region: 'eu',
      });
      expect(buildResource(c, dir, { OTEL_SERVICE_NAME: 'edge' }).attributes['service.name']).toBe('edge');
      expect(readMachineId(path.join(dir, 'absent'))).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('toMetricData', () => {
  test('counters are monotonic cumulative sums from the start time; gauges start at their end time; ints are rounded', () => {
    const c = toMetricData(otel('a', 'counter', 's', 'a').add({ k: 'v' }, 1.5).metric, 1_000_500, 2_000_000);
    expect(c).toMatchObject({
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
    });
    expect(c.dataPoints[0]).toMatchObject({
      startTime: [1000, 500_000_000],
      endTime: [2000, 0],
      attributes: { k: 'v' },
      value: 1.5,
    });
    const u = toMetricData(otel('b', 'updowncounter', 'By', 'b', 'int').add({}, 2.6).metric, 0, 1000);
    expect(u).toMatchObject({ dataPointType: DataPointType.SUM, isMonotonic: false });
    expect(u.dataPoints[0]?.value).toBe(3);
    const g = toMetricData(otel('c', 'gauge', '1', 'c').add({}, 0.5).metric, 0, 1000);
    expect(g.dataPointType).toBe(DataPointType.GAUGE);
    expect(g.dataPoints[0]?.startTime).toEqual([1, 0]);
  });

  test('attribute strings holding escaped bytes (lone surrogates) leave as U+FFFD; pairs and other values stay', () => {
    const m = otel('p', 'gauge', '1', 'p').add({ 'process.command': '/opt/a\udcffb', emoji: '\u{1f600}', n: 3 }, 1);
    const g = toMetricData(m.metric, 0, 1000);
    expect(g.dataPoints[0]?.attributes).toEqual({ 'process.command': '/opt/a\ufffdb', emoji: '\u{1f600}', n: 3 });
  });

  test('non-finite values never become points', () => {
    expect(otel('x', 'gauge', '1', 'x').add({}, NaN).add({}, Infinity).metric.points).toEqual([]);
  });
});

describe('SnapshotProducer through a real reader', () => {
  /** A collector whose data is the list of NICs to report. */
  const nics = defineCollector<string[], null>({
    name: 'nics',
    help: '',
    options: () => null,
    create: () => () => [],
    prometheus: () => [],
    otlp: (d) => {
      const io = otel('system.network.io', 'counter', 'By', 'io', 'int');
      for (const n of d) io.add({ 'network.interface.name': n, 'network.io.direction': 'receive' }, 100);
      return metrics(io);
    },
  });
  const active = new Map<string, ActiveCollector>([['nics', { def: nics, options: null }]]);

  test('series of a NIC that is gone are not exported again; start time is boot time', async () => {
    let present = ['eth0', 'eth1'];
    const runner: PassRunner = {
      run: async () => ({
        results: [{ kind: 'data', name: 'nics', ok: true, durationSeconds: 0, data: present }],
        bootTime: 1_700_000_000,
      }),
      abandon: () => undefined,
      close: async () => undefined,
    };
    const source = new SnapshotSource(runner, {
      plans: [{ name: 'nics', timeoutMs: 100, options: {} }],
      maxAgeMs: 0,
      timeoutMs: 1000,
    });
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: 3_600_000,
      metricProducers: [new SnapshotProducer(source, active)],
    });
    const provider = new MeterProvider({ readers: [reader] });
    const names = (): string[][] =>
      exporter
        .getMetrics()
        .map((rm) =>
          rm.scopeMetrics
            .flatMap((sm) => sm.metrics)
            .flatMap((m) => m.dataPoints.map((p) => String(p.attributes['network.interface.name']))),
        );
    await provider.forceFlush();
    present = ['eth0'];
    await provider.forceFlush();
    expect(names()).toEqual([['eth0', 'eth1'], ['eth0']]);
    const first = exporter.getMetrics()[0]?.scopeMetrics[0];
    expect(first?.scope.name).toBe('psutil-exporter');
    expect(first?.metrics[0]?.dataPoints[0]?.startTime).toEqual([1_700_000_000, 0]);
    await provider.shutdown();
  });

  test('a failed collector contributes no OTLP metrics', () => {
    const snap = { id: 1, startedAt: 0, finishedAt: 0, bootTime: null, results: [failedResult('nics', 0, 'x')] };
    expect(snapshotMetrics(snap, active)).toEqual([]);
  });
});

describe('per-process OTLP (otlp.processes)', () => {
  const rec: ProcessRecord = {
    pid: 42,
    ppid: 1,
    name: 'java',
    exe: '/usr/bin/java',
    argv: ['java', '-jar', 'a b.jar'],
    owner: null,
    createTime: 1000,
    cpuUser: 12,
    cpuSystem: 4,
    cpuWait: 0.5,
    rss: 4096,
    vms: 8192,
    io: null,
    minorFaults: 7,
    majorFaults: 1,
    signalsPending: null,
    threads: 3,
    fds: null,
    ctxVoluntary: 9,
    ctxInvoluntary: 2,
  };

  test('include then exclude, strict or regexp; no include keeps every name', () => {
    const sel = processSelector({
      include: { names: ['^j', 'sh'], matchType: 'regexp' },
      exclude: { names: ['jq'], matchType: 'strict' },
      max: 10,
    });
    expect(['java', 'bash', 'jq', 'ls'].filter(sel)).toEqual(['java', 'bash']);
    expect(['a', 'b'].filter(processSelector({ include: null, exclude: null, max: 1 }))).toEqual(['a', 'b']);
  });

  test('resource attributes; unreadable io, fds and owner leave their metrics and attribute out', () => {
    const ms = processRecordMetrics([rec], new Map(), 1010, 2, 0);
    expect(ms[0]?.resource).toEqual({
      'process.pid': 42,
      'process.parent_pid': 1,
      'process.executable.name': 'java',
      'process.executable.path': '/usr/bin/java',
      'process.command': 'java',
      'process.command_line': 'java -jar a b.jar',
    });
    // First pass: no utilization (the receiver's rule); no MemTotal: no memory utilization.
    expect(ms.map((m) => m.name)).toEqual([
      'process.cpu.time',
      'process.memory.usage',
      'process.memory.virtual',
      'process.paging.faults',
      'process.threads',
      'process.context_switches',
      'process.uptime',
    ]);
    expect(ms.find((m) => m.name === 'process.uptime')?.points[0]?.value).toBe(10);
  });

  test('process.signals_pending: a count of signals, a non-monotonic int sum; absent without a ShdPnd line', () => {
    const ms = processRecordMetrics([{ ...rec, signalsPending: 2 }], new Map(), 1010, 2, 0);
    const m = ms.find((x) => x.name === 'process.signals_pending');
    expect(m).toMatchObject({ unit: '{signals}', kind: 'updowncounter', valueType: 'int' });
    expect(m?.points).toEqual([{ attributes: {}, value: 2 }]);
  });

  test('process.cpu.utilization: CPU seconds since the last pass over wall time times CPUs, per state', () => {
    const prev = new Map([['42/1000', { at: 1000, user: 10, system: 4, wait: 0.5 }]]);
    const ms = processRecordMetrics([rec], prev, 1002, 2, 8192);
    const util = ms.find((m) => m.name === 'process.cpu.utilization');
    expect(util?.points).toEqual([
      { attributes: { state: 'user' }, value: 0.5 },
      { attributes: { state: 'system' }, value: 0 },
      { attributes: { state: 'wait' }, value: 0 },
    ]);
    expect(ms.find((m) => m.name === 'process.memory.utilization')?.points[0]?.value).toBe(0.5);
  });

  test('snapshotMetrics keeps every process resource while host names stay deduplicated', () => {
    const a = processRecordMetrics([rec, { ...rec, pid: 43 }], new Map(), 1010, 1, 0);
    expect(a.filter((m) => m.name === 'process.cpu.time')).toHaveLength(2);
  });
});
