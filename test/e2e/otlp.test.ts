/**
 * The agent pushing OTLP to a real receiver (@elastic/mockotlpserver, which decodes with the official proto files):
 * http/protobuf and http/json, semantic-convention names and attributes, cumulative sums from boot time, the
 * resource, and a NIC that disappears from /proc/net/dev is not exported again.
 */
import * as dc from 'node:diagnostics_channel';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { own } from '../helpers/fixtures';
import { request, startAgent, waitFor, type RunningAgent } from './agent-process';
import { startReceiver, type MockServer } from '../helpers/mockotlp';

// The receiver is CommonJS without types: the part used here, typed.
interface NormalizedPoint {
  attributes?: Record<string, unknown>;
  asDouble?: number;
  asInt?: string | number;
  startTimeUnixNano: string;
  timeUnixNano: string;
}
interface NormalizedMetric {
  name: string;
  unit: string;
  sum?: { dataPoints: NormalizedPoint[]; aggregationTemporality: number; isMonotonic?: boolean };
  gauge?: { dataPoints: NormalizedPoint[] };
}
interface NormalizedExport {
  resourceMetrics: Array<{
    resource: { attributes: Record<string, unknown> };
    scopeMetrics: Array<{ scope: { name: string }; metrics: NormalizedMetric[] }>;
  }>;
}
const NET_DEV_HEAD =
  'Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';
function netDev(nics: Record<string, number>): string {
  return (
    NET_DEV_HEAD +
    Object.entries(nics)
      .map(([n, b]) => `  ${n}: ${b} 10 1 2 0 0 0 0 ${2 * b} 20 3 4 0 0 0 0\n`)
      .join('')
  );
}

const OFF = [
  'filesystem',
  'cpufreq',
  'vmstat',
  'diskstats',
  'netclass',
  'netstat',
  'sockstat',
  'sockets',
  'pressure',
  'filefd',
  'entropy',
  'softnet',
  'schedstat',
  'conntrack',
  'interrupts',
  'arp',
  'udp_queues',
  'sensors',
  'uname',
  'os',
  'time',
  'processes',
  'users',
];

function metricsOf(e: NormalizedExport): NormalizedMetric[] {
  return e.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
}

function points(m: NormalizedMetric | undefined): NormalizedPoint[] {
  return m?.sum?.dataPoints ?? m?.gauge?.dataPoints ?? [];
}

function value(p: NormalizedPoint | undefined): number {
  return p === undefined ? NaN : (p.asDouble ?? Number(p.asInt));
}

describe.each([
  ['http/protobuf', 'application/x-protobuf'],
  ['http/json', 'application/json'],
])('OTLP %s', (protocol, contentType) => {
  let dir: string;
  let srv: MockServer;
  let agent: RunningAgent;
  const got: Array<{ at: number; e: NormalizedExport }> = [];
  const types = new Set<string>();
  const onRequest = (m: unknown): void => {
    const h = (m as { headers?: Record<string, string> }).headers;
    if (h?.['content-type']) types.add(h['content-type']);
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-otlp-'));
    const proc = path.join(dir, 'proc');
    fs.mkdirSync(path.join(proc, 'net'), { recursive: true });
    for (const f of ['stat', 'meminfo', 'loadavg']) fs.copyFileSync(own('golden-host', 'proc', f), path.join(proc, f));
    fs.writeFileSync(path.join(proc, 'net', 'dev'), netDev({ eth0: 1000, eth1: 3000 }));
    dc.subscribe('otlp.v1.request', onRequest);
    srv = await startReceiver<NormalizedExport>((e) => got.push({ at: Date.now(), e }));
    fs.writeFileSync(
      path.join(dir, 'c.yaml'),
      [
        'collection: {max_age: 0s}',
        'collectors:',
        ...OFF.map((c) => `  ${c}: {enabled: false}`),
        `otlp: {enabled: true, endpoint: "${srv.httpUrl.href}v1/metrics", protocol: ${protocol}, interval: 1s, timeout: 1s, resource_attributes: {deployment.environment: test}}`,
        '',
      ].join('\n'),
    );
    agent = await startAgent(
      [
        `--config.file=${path.join(dir, 'c.yaml')}`,
        `--path.procfs=${proc}`,
        `--path.sysfs=${path.join(dir, 'sys')}`,
        '--log.level=warn',
      ],
      {
        K8S_NODE_NAME: 'node-a',
        OTEL_RESOURCE_ATTRIBUTES: 'team=infra',
      },
    );
    await waitFor('a first export', async () => got.length > 0, 30000);
  }, 90000);

  afterAll(async () => {
    await agent?.stop();
    await srv?.close();
    dc.unsubscribe('otlp.v1.request', onRequest);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test(`arrives as ${contentType}`, () => {
    expect([...types]).toEqual([contentType]);
  });

  test('the resource: service.name, host.name, k8s.node.name, config and OTEL_RESOURCE_ATTRIBUTES attributes', () => {
    const r = got[0]?.e.resourceMetrics[0]?.resource.attributes;
    expect(r).toMatchObject({
      'service.name': 'psutil-exporter',
      'host.name': os.hostname(),
      'k8s.node.name': 'node-a',
      'deployment.environment': 'test',
      team: 'infra',
    });
  });

  test('semantic-convention names, units and attributes; cumulative sums from boot time', () => {
    const ms = metricsOf(got[0]?.e as NormalizedExport);
    const byName = new Map(ms.map((m) => [m.name, m]));
    for (const n of [
      'system.cpu.time',
      'system.memory.usage',
      'system.network.io',
      'system.network.packet.count',
      'system.cpu.load_average.1m',
      'system.uptime',
      'system.process.created',
    ]) {
      expect(byName.has(n)).toBe(true);
    }
    const cpu = byName.get('system.cpu.time');
    expect(cpu).toMatchObject({ unit: 's', sum: { aggregationTemporality: 2, isMonotonic: true } });
    const user0 = points(cpu).find(
      (p) => p.attributes?.['cpu.mode'] === 'user' && p.attributes?.['cpu.logical_number'] === 0,
    );
    // The golden host's /proc/stat: cpu0 user 23456 ticks (USER_HZ 100), btime 1733472000.
    expect(value(user0)).toBeCloseTo(234.56, 6);
    expect(user0?.startTimeUnixNano).toBe('1733472000000000000');
    const io = byName.get('system.network.io');
    expect(io?.unit).toBe('By');
    const rx1 = points(io).find(
      (p) =>
        p.attributes?.['network.interface.name'] === 'eth1' && p.attributes?.['network.io.direction'] === 'receive',
    );
    expect(value(rx1)).toBe(3000);
    const mem = byName.get('system.memory.usage');
    expect(mem?.sum?.isMonotonic ?? false).toBe(false);
    expect(new Set(points(mem).map((p) => p.attributes?.['system.memory.state']))).toEqual(
      new Set(['used', 'free', 'buffers', 'cached']),
    );
  });

  test('system.cpu.utilization: per CPU and cpu.mode, from the times of two passes; none where no time passed', async () => {
    // No point while /proc/stat stands still (every CPU's time delta is 0).
    const utilOf = (e: NormalizedExport) => metricsOf(e).find((m) => m.name === 'system.cpu.utilization');
    expect(got.some((g) => utilOf(g.e) !== undefined)).toBe(false);
    const file = path.join(dir, 'proc', 'stat');
    const ticks = (line: string, add: number[]): string => {
      const [name, ...v] = line.split(/\s+/);
      return [name, ...v.map((x, i) => Number(x) + (add[i] ?? 0))].join(' ');
    };
    // cpu0: 400 ticks (user 100 with guest 20 inside it, system 50, idle 200, irq 25, softirq 25); cpu1: 100 idle.
    const text = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .map((l) =>
        l.startsWith('cpu0 ')
          ? ticks(l, [100, 0, 50, 200, 0, 25, 25, 0, 20])
          : l.startsWith('cpu1 ')
            ? ticks(l, [0, 0, 0, 100])
            : l,
      )
      .join('\n');
    fs.writeFileSync(file + '.new', text);
    fs.renameSync(file + '.new', file);
    await waitFor('an export with system.cpu.utilization', async () => got.some((g) => utilOf(g.e)), 30000);
    const m = utilOf(got.find((g) => utilOf(g.e))?.e as NormalizedExport);
    expect(m?.unit).toBe('1');
    expect(m?.gauge).toBeDefined();
    const byCpu = new Map<unknown, Map<unknown, number>>();
    for (const p of points(m)) {
      const cpu = p.attributes?.['cpu.logical_number'];
      if (!byCpu.has(cpu)) byCpu.set(cpu, new Map());
      byCpu.get(cpu)?.set(p.attributes?.['cpu.mode'], value(p));
      expect(Object.keys(p.attributes ?? {}).sort()).toEqual(['cpu.logical_number', 'cpu.mode']);
    }
    expect([...byCpu.keys()].sort()).toEqual([0, 1]);
    const modes = ['user', 'nice', 'system', 'idle', 'iowait', 'interrupt', 'steal'];
    for (const ms of byCpu.values()) {
      expect([...ms.keys()].sort()).toEqual([...modes].sort());
      expect([...ms.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    }
    const cpu0 = byCpu.get(0);
    expect(cpu0?.get('user')).toBeCloseTo(0.25, 9);
    expect(cpu0?.get('system')).toBeCloseTo(0.125, 9);
    expect(cpu0?.get('idle')).toBeCloseTo(0.5, 9);
    expect(cpu0?.get('interrupt')).toBeCloseTo(0.125, 9);
    expect(byCpu.get(1)?.get('idle')).toBeCloseTo(1, 9);
  });

  test('a NIC that is gone is not exported again', async () => {
    const cut = Date.now();
    fs.writeFileSync(path.join(dir, 'proc', 'net', 'dev'), netDev({ eth0: 5000 }));
    // Wait for an export that saw the new file (eth0 moved), then for one more after it.
    const nicsIn = (e: NormalizedExport): Map<string, number> => {
      const io = metricsOf(e).find((m) => m.name === 'system.network.io');
      return new Map(
        points(io)
          .filter((p) => p.attributes?.['network.io.direction'] === 'receive')
          .map((p) => [String(p.attributes?.['network.interface.name']), value(p)]),
      );
    };
    await waitFor(
      'exports after the change',
      async () => got.filter((g) => g.at > cut && nicsIn(g.e).get('eth0') === 5000).length >= 2,
      30000,
    );
    const firstNew = got.findIndex((g) => g.at > cut && nicsIn(g.e).get('eth0') === 5000);
    for (const g of got.slice(firstNew)) expect([...nicsIn(g.e).keys()]).toEqual(['eth0']);
    expect([...nicsIn((got[0] as { e: NormalizedExport }).e).keys()].sort()).toEqual(['eth0', 'eth1']);
  });
});

test('a receiver that never answers costs /metrics nothing, and shutdown stays bounded', async () => {
  let connections = 0;
  const held: net.Socket[] = [];
  const blackhole = net.createServer((s) => {
    connections++;
    held.push(s); // accepts, never answers
  });
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', () => r()));
  const port = (blackhole.address() as net.AddressInfo).port;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-otlp-bh-'));
  fs.writeFileSync(
    path.join(dir, 'c.yaml'),
    `otlp: {enabled: true, endpoint: "http://127.0.0.1:${port}/v1/metrics", interval: 1s, timeout: 500ms}\n`,
  );
  const agent = await startAgent([`--config.file=${path.join(dir, 'c.yaml')}`, '--log.level=warn']);
  try {
    await waitFor('an export attempt to hang', async () => connections > 0, 30000);
    for (let i = 0; i < 3; i++) expect((await request(`${agent.url}/metrics`, { timeoutMs: 5000 })).status).toBe(200);
    await waitFor('an export timeout to be logged', async () => /export timed out/.test(agent.stderr()), 30000);
  } finally {
    expect(await agent.stop(8000)).toBe(0);
    for (const s of held) s.destroy();
    blackhole.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
