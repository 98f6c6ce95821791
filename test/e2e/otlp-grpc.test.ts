/**
 * The agent pushing OTLP/gRPC to a real gRPC receiver (@elastic/mockotlpserver's grpc service: @grpc/grpc-js with the
 * official proto files): the MetricsService/Export call with its metadata, names and values from a fixture /proc;
 * OTEL_EXPORTER_OTLP_METRICS_PROTOCOL over OTEL_EXPORTER_OTLP_PROTOCOL over the file, with the general endpoint used as
 * is over gRPC; delta temporality across exports checked against the cumulative counts; and a config reload that turns
 * the push on, switches its per-process resources on and off, and turns it off. Every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as dc from 'node:diagnostics_channel';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { own } from '../helpers/fixtures';
import { startAgent, waitFor, type RunningAgent } from './agent-process';
import { startReceiver, type MockServer } from '../helpers/mockotlp';

jest.setTimeout(120000);

// The receiver is CommonJS without types: the part used here, typed. Over gRPC, 64-bit fields arrive as Long objects
// or strings, enums as numbers.
type Int64 = string | number | { low: number; high: number };
interface Point {
  attributes?: Record<string, unknown>;
  asDouble?: number;
  asInt?: Int64;
  startTimeUnixNano: Int64;
  timeUnixNano: Int64;
}
interface Metric {
  name: string;
  unit: string;
  sum?: { dataPoints: Point[]; aggregationTemporality: number | string; isMonotonic?: boolean };
  gauge?: { dataPoints: Point[] };
}
interface Export {
  resourceMetrics: Array<{
    resource: { attributes: Record<string, unknown> };
    scopeMetrics: Array<{ scope: { name: string }; metrics: Metric[] }>;
  }>;
}
function int64(v: Int64 | undefined): bigint {
  if (v === undefined) return -1n;
  if (typeof v === 'object') return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return BigInt(v);
}

function value(p: Point | undefined): number {
  return p === undefined ? NaN : (p.asDouble ?? Number(int64(p.asInt)));
}

function metricsOf(e: Export): Metric[] {
  return e.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
}

function metric(e: Export, name: string): Metric | undefined {
  return metricsOf(e).find((m) => m.name === name);
}

/** OTLP's AggregationTemporality: 1 delta, 2 cumulative (the enum's number, or its name). */
function temporality(m: Metric | undefined): number {
  const t = m?.sum?.aggregationTemporality;
  if (t === 'AGGREGATION_TEMPORALITY_DELTA') return 1;
  if (t === 'AGGREGATION_TEMPORALITY_CUMULATIVE') return 2;
  return Number(t);
}

function cpuPoint(m: Metric | undefined, cpu: number, mode: string): Point | undefined {
  // Int attributes arrive as numbers or, from a 64-bit Long, as strings.
  return m?.sum?.dataPoints.find(
    (p) => Number(p.attributes?.['cpu.logical_number']) === cpu && p.attributes?.['cpu.mode'] === mode,
  );
}

/** A gRPC receiver on a free loopback port, recording every export and the metadata of every call. */
async function receiver(): Promise<{
  srv: MockServer;
  port: number;
  got: Array<{ at: number; e: Export }>;
  calls: Array<{ path: string; metadata: Record<string, unknown> }>;
  close(): Promise<void>;
}> {
  const got: Array<{ at: number; e: Export }> = [];
  const calls: Array<{ path: string; metadata: Record<string, unknown> }> = [];
  const onRequest = (m: unknown): void => {
    const r = m as { transport?: string; path?: string; metadata?: { getMap(): Record<string, unknown> } };
    if (r.transport === 'grpc') calls.push({ path: String(r.path), metadata: r.metadata?.getMap() ?? {} });
  };
  dc.subscribe('otlp.v1.request', onRequest);
  const srv = await startReceiver<Export>((e) => got.push({ at: Date.now(), e }), 'grpc');
  return {
    srv,
    port: Number(srv.grpcUrl.port),
    got,
    calls,
    close: async () => {
      dc.unsubscribe('otlp.v1.request', onRequest);
      await srv.close();
    },
  };
}

/** Every collector but cpu, meminfo and netdev off: small exports from the golden host's files. */
const ON = new Set(['cpu', 'meminfo', 'netdev', 'loadavg', 'stat']);

function fixtureProc(dir: string): string {
  const proc = path.join(dir, 'proc');
  fs.mkdirSync(path.join(proc, 'net'), { recursive: true });
  for (const f of ['stat', 'meminfo', 'loadavg']) fs.copyFileSync(own('golden-host', 'proc', f), path.join(proc, f));
  fs.writeFileSync(
    path.join(proc, 'net', 'dev'),
    'Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n' +
      '  eth1: 3000 10 1 2 0 0 0 0 6000 20 3 4 0 0 0 0\n',
  );
  return proc;
}

function collectorsOff(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the registry's names, as the other e2e tests
  const { COLLECTOR_NAMES } = require('../../src/exporters/collectors/names') as { COLLECTOR_NAMES: readonly string[] };
  return COLLECTOR_NAMES.filter((n) => !ON.has(n))
    .map((n) => `  ${n}: {enabled: false}\n`)
    .join('');
}

/** Adds ticks to cpu0's user time in a fixture /proc/stat (atomically, as the kernel's file changes between reads). */
function addUserTicks(proc: string, ticks: number): void {
  const file = path.join(proc, 'stat');
  const text = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => {
      if (!l.startsWith('cpu0 ') && !l.startsWith('cpu ')) return l;
      const [name, user, ...rest] = l.split(/\s+/);
      return [name, Number(user) + ticks, ...rest].join(' ');
    })
    .join('\n');
  fs.writeFileSync(file + '.new', text);
  fs.renameSync(file + '.new', file);
}

describe('OTLP/gRPC to a real gRPC receiver', () => {
  let dir: string;
  let rx: Awaited<ReturnType<typeof receiver>>;
  let agent: RunningAgent;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-otlp-grpc-'));
    const proc = fixtureProc(dir);
    rx = await receiver();
    fs.writeFileSync(
      path.join(dir, 'c.yaml'),
      `collection: {max_age: 0s}\ncollectors:\n${collectorsOff()}` +
        `otlp: {enabled: true, protocol: grpc, endpoint: "http://127.0.0.1:${rx.port}", interval: 1s, headers: {X-Tenant: team-a}}\n`,
    );
    agent = await startAgent([
      `--config.file=${path.join(dir, 'c.yaml')}`,
      `--path.procfs=${proc}`,
      '--log.level=warn',
    ]);
    await waitFor('a first export over gRPC', async () => rx.got.length > 0, 60000);
  }, 120000);

  afterAll(async () => {
    await agent?.stop();
    await rx?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('one unary call to MetricsService/Export per export, carrying the configured headers as metadata', () => {
    expect(rx.calls.length).toBeGreaterThan(0);
    for (const c of rx.calls) {
      expect(c.path).toBe('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export');
      expect(c.metadata['x-tenant']).toBe('team-a');
    }
  });

  test('names, attributes and values: cumulative sums from boot time, as over HTTP', () => {
    const e = rx.got[0]?.e as Export;
    expect(e.resourceMetrics[0]?.resource.attributes['service.name']).toBe('psutil-exporter');
    const cpu = metric(e, 'system.cpu.time');
    expect(cpu).toMatchObject({ unit: 's', sum: { isMonotonic: true } });
    expect(temporality(cpu)).toBe(2);
    // The golden host's /proc/stat: cpu0 user 23456 ticks (USER_HZ 100), btime 1733472000.
    const user0 = cpuPoint(cpu, 0, 'user');
    expect(value(user0)).toBeCloseTo(234.56, 6);
    expect(int64(user0?.startTimeUnixNano)).toBe(1733472000000000000n);
    const io = metric(e, 'system.network.io');
    const rx1 = io?.sum?.dataPoints.find(
      (p) =>
        p.attributes?.['network.interface.name'] === 'eth1' && p.attributes?.['network.io.direction'] === 'receive',
    );
    expect(value(rx1)).toBe(3000);
    const mem = metric(e, 'system.memory.usage');
    expect(new Set(mem?.sum?.dataPoints.map((p) => p.attributes?.['system.memory.state']))).toEqual(
      new Set(['used', 'free', 'buffers', 'cached']),
    );
  });
});

describe('OTEL_* variables over the file; delta temporality across exports', () => {
  let dir: string;
  let proc: string;
  let rx: Awaited<ReturnType<typeof receiver>>;
  let agent: RunningAgent;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-otlp-grpc-env-'));
    proc = fixtureProc(dir);
    rx = await receiver();
    // The file says http/protobuf to a port where nothing listens: only the variables lead to the gRPC receiver.
    fs.writeFileSync(
      path.join(dir, 'c.yaml'),
      `collection: {max_age: 0s}\ncollectors:\n${collectorsOff()}` +
        'otlp: {enabled: true, protocol: http/protobuf, endpoint: "http://127.0.0.1:9/v1/metrics", interval: 1s, metrics: {system.cpu.load_average.*: {enabled: false}}}\n',
    );
    agent = await startAgent(
      [`--config.file=${path.join(dir, 'c.yaml')}`, `--path.procfs=${proc}`, '--log.level=warn'],
      {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${rx.port}`,
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'Delta',
      },
    );
    await waitFor('two exports over gRPC', async () => rx.got.length >= 2, 60000);
  }, 120000);

  afterAll(async () => {
    await agent?.stop();
    await rx?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the signal protocol variable wins over the general one and the file; the general endpoint is the target', () => {
    expect(rx.calls.length).toBeGreaterThan(0);
    expect(rx.calls[0]?.path).toBe('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export');
  });

  test('otlp.metrics: a set switched off never leaves; the rest does', () => {
    for (const g of rx.got) {
      const names = metricsOf(g.e).map((m) => m.name);
      expect(names.filter((n) => n.startsWith('system.cpu.load_average.'))).toEqual([]);
      expect(names).toContain('system.memory.usage');
    }
  });

  test('counters as deltas: none first (they count from boot), then the increase between exports', async () => {
    // The first export: monotonic sums counting from boot have no delta yet; non-monotonic sums stay cumulative.
    const first = rx.got[0]?.e as Export;
    expect(metric(first, 'system.cpu.time')).toBeUndefined();
    expect(temporality(metric(first, 'system.memory.usage'))).toBe(2);
    // /proc/stat stands still: the next deltas are 0.
    const still = rx.got[1]?.e as Export;
    expect(temporality(metric(still, 'system.cpu.time'))).toBe(1);
    expect(value(cpuPoint(metric(still, 'system.cpu.time'), 0, 'user'))).toBe(0);

    // cpu0 user: +150 ticks (1.5 s of the cumulative count), then +50 (0.5 s).
    const cumulative = [1.5, 0.5];
    const seen = rx.got.length;
    addUserTicks(proc, 150);
    await waitFor('an export with the first step', async () =>
      rx.got.slice(seen).some((g) => value(cpuPoint(metric(g.e, 'system.cpu.time'), 0, 'user')) > 0),
    );
    const mid = rx.got.length;
    addUserTicks(proc, 50);
    await waitFor('an export with the second step', async () =>
      rx.got.slice(mid).some((g) => value(cpuPoint(metric(g.e, 'system.cpu.time'), 0, 'user')) > 0),
    );
    const deltas = rx.got
      .slice(seen)
      .map((g) => cpuPoint(metric(g.e, 'system.cpu.time'), 0, 'user'))
      .filter((p): p is Point => p !== undefined);
    const nonZero = deltas.map(value).filter((v) => Math.abs(v) > 1e-9);
    expect(nonZero).toHaveLength(2);
    nonZero.forEach((v, i) => expect(v).toBeCloseTo(cumulative[i] as number, 6));
    // Each delta starts where the one before it ended: together they cover the time without gap or overlap.
    for (let i = 1; i < deltas.length; i++)
      expect(int64(deltas[i]?.startTimeUnixNano)).toBe(int64(deltas[i - 1]?.timeUnixNano));
  });
});

describe('a config reload rebuilds the OTLP push', () => {
  const comm = `ogr${Math.random().toString(16).slice(2, 6)}`;
  let dir: string;
  let file: string;
  let rx: Awaited<ReturnType<typeof receiver>>;
  let agent: RunningAgent;
  let kid: ChildProcess;

  /** The config: process_groups only (per-process OTLP is read in its walk), and the otlp section given. */
  function config(otlp: string): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the registry's names, as the other e2e tests
    const { COLLECTOR_NAMES } = require('../../src/exporters/collectors/names') as {
      COLLECTOR_NAMES: readonly string[];
    };
    const off = COLLECTOR_NAMES.filter((n) => n !== 'process_groups' && n !== 'meminfo')
      .map((n) => `  ${n}: {enabled: false}\n`)
      .join('');
    return `collection: {max_age: 0s}\ncollectors:\n${off}process_names:\n  - name: g\n    comm: [${comm}]\notlp: ${otlp}\n`;
  }

  function replace(text: string): void {
    fs.writeFileSync(`${file}.new`, text);
    fs.renameSync(`${file}.new`, file);
    agent.proc.kill('SIGHUP');
  }

  // process.pid, an int, arrives as a string over gRPC (a 64-bit Long): compared as a number.
  const processResources = (e: Export): Array<Record<string, unknown>> =>
    e.resourceMetrics.map((r) => r.resource.attributes).filter((a) => a['process.pid'] !== undefined);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-otlp-grpc-reload-'));
    const link = path.join(dir, comm);
    // A copy, not a link: the executable's own name is what include matches (process.executable.name).
    fs.copyFileSync('/bin/sleep', link);
    fs.chmodSync(link, 0o755);
    kid = spawn(link, ['600'], { stdio: 'ignore' });
    rx = await receiver();
    file = path.join(dir, 'c.yaml');
    fs.writeFileSync(file, config('{enabled: false}'));
    agent = await startAgent([`--config.file=${file}`, '--log.level=info']);
  }, 120000);

  afterAll(async () => {
    kid?.kill('SIGKILL');
    await agent?.stop();
    await rx?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const grpcOn = (processes: boolean): string =>
    `{enabled: true, protocol: grpc, endpoint: "http://127.0.0.1:${rx.port}", interval: 1s, processes: {enabled: ${processes}, include: {names: ["^${comm}$"]}}}`;

  test('off at start: nothing is pushed; turned on by a reload: the push starts, with per-process resources', async () => {
    // A pass, and more, under the config without OTLP.
    await waitFor('the agent to log its first pass', async () => /first collection done/.test(agent.stderr()), 30000);
    expect(rx.got).toHaveLength(0);
    replace(config(grpcOn(true)));
    const e = await waitFor(
      'an export with the spawned process as a resource',
      async () => rx.got.find((g) => processResources(g.e).some((a) => Number(a['process.pid']) === kid.pid))?.e,
      60000,
    );
    const mine = processResources(e).find((a) => Number(a['process.pid']) === kid.pid);
    expect(mine?.['process.executable.name']).toBe(comm);
    expect(metricsOf(e).map((m) => m.name)).toContain('process.cpu.time');
  });

  test('otlp.processes turned off by a reload: from the first export without them, none carries them', async () => {
    const cut = rx.got.length;
    replace(config(grpcOn(false)));
    // Exports made before the collectors had the new rules may still carry processes; from the first without, none.
    const first = await waitFor(
      'an export without process resources',
      async () => {
        const i = rx.got.findIndex((g, j) => j >= cut && processResources(g.e).length === 0);
        return i >= 0 ? i + 1 : null;
      },
      60000,
    );
    await waitFor('two exports more', async () => rx.got.length >= first + 2, 60000);
    for (const g of rx.got.slice(first - 1)) expect(processResources(g.e)).toEqual([]);
    expect(metricsOf(rx.got[rx.got.length - 1]?.e as Export).map((m) => m.name)).toContain('system.memory.usage');
  });

  test('otlp turned off by a reload: the push stops after its last export', async () => {
    replace(config('{enabled: false}'));
    // Logged once the old push has shut down (its last export sent).
    await waitFor(
      'the reload to be logged',
      async () => /otlp settings reloaded[^\n]*"enabled":false/.test(agent.stderr()),
      30000,
    );
    const after = rx.got.length;
    // Three intervals of the old push pass without an export.
    await new Promise((r) => setTimeout(r, 3500));
    expect(rx.got.length).toBe(after);
  });
});
