/**
 * The system.* metrics the hostmetrics receiver has beyond the agent's earlier push (src/exporters/otlp-system.ts),
 * pushed by the agent on this machine to a real receiver (@elastic/mockotlpserver, which decodes with the official
 * proto files). Every name, unit, instrument, value type and attribute is checked against SPEC below, which cites
 * the semantic conventions release (checked against @opentelemetry/semantic-conventions of that version, which this
 * package depends on) or the receiver scraper it follows. Values are checked against what the kernel, util-linux
 * (df, lsblk, swapon), ps and psutil say on this machine, read by the test itself: counters between a read before
 * and one after the export, static values exactly, moving ones (inodes, process counts) within a stated margin.
 * Swap areas, which a test machine may lack, are also pushed from a procfs holding two (test/fixtures/parse/swaps).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as semconv from '@opentelemetry/semantic-conventions/incubating';
import { SEMCONV_VERSION } from '../../src/exporters/otlp-system';
import { REPO, own } from '../helpers/fixtures';
import { py, sh } from '../helpers/oracle';
import { startAgent, waitFor, type RunningAgent } from './agent-process';
import { startReceiver, type MockServer } from '../helpers/mockotlp';

interface NormalizedPoint {
  attributes?: Record<string, unknown>;
  asDouble?: number;
  asInt?: string | number;
}
interface NormalizedMetric {
  name: string;
  unit: string;
  sum?: { dataPoints: NormalizedPoint[]; aggregationTemporality: number; isMonotonic?: boolean };
  gauge?: { dataPoints: NormalizedPoint[] };
}
interface NormalizedExport {
  resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: NormalizedMetric[] }> }>;
}
type Source = 'semconv' | 'receiver';
interface Spec {
  readonly source: Source;
  /** OTLP instrument: sum with monotonic, or gauge. */
  readonly type: 'counter' | 'updowncounter' | 'gauge';
  readonly unit: string;
  readonly value: 'int' | 'double';
  /** Attribute key -> allowed values (null: any string; 'int': any integer). */
  readonly attributes: Readonly<Record<string, readonly string[] | null | 'int'>>;
}

const FS_ATTRS = {
  'system.device': null,
  'system.filesystem.type': null,
  'system.filesystem.mode': ['ro', 'rw'],
  'system.filesystem.mountpoint': null,
} as const;
const STALL = { 'system.pressure.stall_type': ['some', 'full'] } as const;
const HUGE_STATE = { 'system.memory.linux.hugepages.state': ['used', 'free'] } as const;

/**
 * semconv: the semantic conventions SEMCONV_VERSION (model/system/metrics.yaml; the names are in
 * @opentelemetry/semantic-conventions/incubating of that version). receiver: opentelemetry-collector-contrib
 * receiver/hostmetricsreceiver, scrapers filesystem (inodes.usage), disk (weighted_io_time, pending_operations),
 * processes (system.processes.*) and pressure (system.*.linux.pressure.*), where semconv has no such metric; their
 * bare attributes (device, mode, mountpoint, type, state) are sent with the semconv keys, and the PSI values in the
 * units named (seconds, fractions), see src/exporters/otlp-system.ts.
 */
const SPEC: Readonly<Record<string, Spec>> = {
  'system.cpu.physical.count': {
    source: 'semconv',
    type: 'updowncounter',
    unit: '{cpu}',
    value: 'int',
    attributes: {},
  },
  'system.cpu.logical.count': { source: 'semconv', type: 'updowncounter', unit: '{cpu}', value: 'int', attributes: {} },
  'system.cpu.frequency': {
    source: 'semconv',
    type: 'gauge',
    unit: 'Hz',
    value: 'double',
    attributes: { 'cpu.logical_number': 'int' },
  },
  'system.filesystem.inodes.usage': {
    source: 'receiver',
    type: 'updowncounter',
    unit: '{inodes}',
    value: 'int',
    attributes: { ...FS_ATTRS, 'system.filesystem.state': ['used', 'free'] },
  },
  'system.disk.weighted_io_time': {
    source: 'receiver',
    type: 'counter',
    unit: 's',
    value: 'double',
    attributes: { 'system.device': null },
  },
  'system.disk.pending_operations': {
    source: 'receiver',
    type: 'updowncounter',
    unit: '{operations}',
    value: 'int',
    attributes: { 'system.device': null },
  },
  'system.disk.limit': {
    source: 'semconv',
    type: 'updowncounter',
    unit: 'By',
    value: 'int',
    attributes: { 'system.device': null },
  },
  'system.paging.usage': {
    source: 'semconv',
    type: 'updowncounter',
    unit: 'By',
    value: 'int',
    attributes: { 'system.device': null, 'system.paging.state': ['used', 'free'] },
  },
  'system.paging.utilization': {
    source: 'semconv',
    type: 'gauge',
    unit: '1',
    value: 'double',
    attributes: { 'system.device': null, 'system.paging.state': ['used', 'free'] },
  },
  'system.memory.linux.hugepages.page_size': {
    source: 'semconv',
    type: 'updowncounter',
    unit: 'By',
    value: 'int',
    attributes: {},
  },
  'system.memory.linux.hugepages.limit': {
    source: 'semconv',
    type: 'updowncounter',
    unit: '{page}',
    value: 'int',
    attributes: {},
  },
  'system.memory.linux.hugepages.usage': {
    source: 'semconv',
    type: 'updowncounter',
    unit: '{page}',
    value: 'int',
    attributes: HUGE_STATE,
  },
  'system.memory.linux.hugepages.utilization': {
    source: 'semconv',
    type: 'gauge',
    unit: '1',
    value: 'double',
    attributes: HUGE_STATE,
  },
  'system.memory.linux.hugepages.reserved': {
    source: 'semconv',
    type: 'updowncounter',
    unit: '{page}',
    value: 'int',
    attributes: {},
  },
  'system.memory.linux.hugepages.surplus': {
    source: 'semconv',
    type: 'updowncounter',
    unit: '{page}',
    value: 'int',
    attributes: {},
  },
  'system.processes.count': {
    source: 'receiver',
    type: 'updowncounter',
    unit: '{processes}',
    value: 'int',
    attributes: {
      status: [
        'blocked',
        'daemon',
        'detached',
        'idle',
        'locked',
        'orphan',
        'paging',
        'running',
        'sleeping',
        'stopped',
        'system',
        'unknown',
        'zombies',
      ],
    },
  },
  'system.processes.created': {
    source: 'receiver',
    type: 'counter',
    unit: '{processes}',
    value: 'int',
    attributes: {},
  },
  ...Object.fromEntries(
    ['cpu', 'memory', 'io', 'irq'].flatMap((r) => [
      [
        `system.${r}.linux.pressure.total`,
        { source: 'receiver', type: 'counter', unit: 's', value: 'double', attributes: STALL },
      ],
      ...['10s', '1m', '5m'].map((w) => [
        `system.${r}.linux.pressure.${w}`,
        { source: 'receiver', type: 'gauge', unit: '1', value: 'double', attributes: STALL },
      ]),
    ]),
  ),
};

/** Every metric name @opentelemetry/semantic-conventions/incubating defines. */
const SEMCONV_NAMES = new Set(
  Object.entries(semconv)
    .filter(([k, v]) => k.startsWith('METRIC_') && typeof v === 'string')
    .map(([, v]) => v as string),
);

const OFF = [
  'vmstat',
  'netclass',
  'netdev',
  'netstat',
  'sockstat',
  'sockets',
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
  'users',
  'loadavg',
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
function attr(p: NormalizedPoint, k: string): unknown {
  return p.attributes?.[k];
}

/** /proc/stat `processes`, each /proc/pressure file's some/full totals (us), /proc/diskstats weighted ms by device. */
function counters(): { forks: number; psi: Map<string, number>; weighted: Map<string, number> } {
  const forks = Number(/^processes (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
  const psi = new Map<string, number>();
  for (const r of fs.readdirSync('/proc/pressure')) {
    for (const m of fs.readFileSync(path.join('/proc/pressure', r), 'utf8').matchAll(/^(some|full) .* total=(\d+)$/gm))
      psi.set(`${r}/${m[1]}`, Number(m[2]));
  }
  const weighted = new Map<string, number>();
  for (const l of fs.readFileSync('/proc/diskstats', 'utf8').split('\n')) {
    const f = l.trim().split(/\s+/);
    if (f.length >= 14) weighted.set(f[2] as string, Number(f[13]));
  }
  return { forks, psi, weighted };
}

describe(`system.* over OTLP on this machine (semconv ${SEMCONV_VERSION} and the hostmetrics receiver)`, () => {
  let dir: string;
  let srv: MockServer;
  let agent: RunningAgent;
  const got: NormalizedExport[] = [];
  let before: ReturnType<typeof counters>;
  let after: ReturnType<typeof counters>;
  let byName: Map<string, NormalizedMetric>;
  let psCount: number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-otlp-sys-'));
    srv = await startReceiver<NormalizedExport>((e) => got.push(e));
    fs.writeFileSync(
      path.join(dir, 'c.yaml'),
      [
        'collection: {max_age: 0s}',
        'collectors:',
        '  processes: {enabled: true}',
        ...OFF.map((c) => `  ${c}: {enabled: false}`),
        `otlp: {enabled: true, endpoint: "${srv.httpUrl.href}v1/metrics", interval: 2s, timeout: 2s}`,
        '',
      ].join('\n'),
    );
    before = counters();
    agent = await startAgent([`--config.file=${path.join(dir, 'c.yaml')}`, '--log.level=warn']);
    // An export with the CPU counts and the pressure totals: every collector's part of one snapshot is in it.
    const first = await waitFor(
      'an export with the new system metrics',
      async () =>
        got.find((e) => {
          const names = new Set(metricsOf(e).map((m) => m.name));
          return names.has('system.cpu.physical.count') && names.has('system.processes.count');
        }),
      60000,
    );
    after = counters();
    psCount = sh('ps', ['-e', '--no-headers', '-o', 'pid=']).trim().split('\n').length;
    byName = new Map(metricsOf(first).map((m) => [m.name, m]));
  }, 120000);

  afterAll(async () => {
    await agent?.stop();
    await srv?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the table: semconv names are semconv metrics, receiver names are not', () => {
    for (const [name, s] of Object.entries(SPEC))
      expect([name, SEMCONV_NAMES.has(name)]).toEqual([name, s.source === 'semconv']);
    // The semconv release this follows is the package's (its versions follow semconv's).
    const pkg = JSON.parse(
      fs.readFileSync(
        path.join(REPO, 'node_modules', '@opentelemetry', 'semantic-conventions', 'package.json'),
        'utf8',
      ),
    ) as { version: string };
    expect(pkg.version).toBe(SEMCONV_VERSION);
  });

  test('every metric of the table that arrived: unit, instrument, value type, attribute keys and values', () => {
    let checked = 0;
    for (const [name, s] of Object.entries(SPEC)) {
      const m = byName.get(name);
      if (m === undefined) continue;
      checked++;
      expect([name, m.unit]).toEqual([name, s.unit]);
      if (s.type === 'gauge') expect([name, m.gauge !== undefined]).toEqual([name, true]);
      else {
        expect([name, m.sum?.isMonotonic ?? false]).toEqual([name, s.type === 'counter']);
        expect([name, m.sum?.aggregationTemporality]).toEqual([name, 2]); // cumulative
      }
      for (const p of points(m)) {
        expect([name, s.value === 'int' ? p.asInt !== undefined : p.asDouble !== undefined]).toEqual([name, true]);
        expect([name, Object.keys(p.attributes ?? {}).sort()]).toEqual([name, Object.keys(s.attributes).sort()]);
        for (const [k, allowed] of Object.entries(s.attributes)) {
          const v = attr(p, k);
          if (allowed === 'int') expect([name, k, Number.isInteger(v)]).toEqual([name, k, true]);
          else if (allowed === null) expect([name, k, typeof v]).toEqual([name, k, 'string']);
          else expect(allowed).toContain(v);
        }
      }
    }
    // What this machine must have: CPUs, a disk, filesystems, meminfo's hugepage lines, processes, PSI.
    for (const n of [
      'system.cpu.physical.count',
      'system.cpu.logical.count',
      'system.filesystem.inodes.usage',
      'system.disk.weighted_io_time',
      'system.disk.pending_operations',
      'system.disk.limit',
      'system.memory.linux.hugepages.page_size',
      'system.memory.linux.hugepages.limit',
      'system.processes.count',
      'system.processes.created',
      'system.cpu.linux.pressure.total',
    ])
      expect([n, byName.has(n)]).toEqual([n, true]);
    expect(checked).toBeGreaterThanOrEqual(11);
  });

  test('CPU counts as psutil cpu_count; a frequency per CPU as psutil cpu_freq(percpu=True) reports it', () => {
    const ref = py<{
      phys: number | null;
      logical: number;
      freq: Array<{ current: number; min: number; max: number }>;
    }>(
      "out = {'phys': psutil.cpu_count(logical=False), 'logical': psutil.cpu_count(), 'freq': psutil.cpu_freq(percpu=True)}",
    );
    expect(value(points(byName.get('system.cpu.physical.count'))[0])).toBe(ref.phys);
    expect(value(points(byName.get('system.cpu.logical.count'))[0])).toBe(ref.logical);
    const freq = points(byName.get('system.cpu.frequency'));
    // psutil knows a frequency wherever sysfs or /proc/cpuinfo gives one; so must the agent, per logical CPU.
    expect(freq.length).toBe(ref.freq.filter((f) => f.current > 0).length);
    expect(new Set(freq.map((p) => attr(p, 'cpu.logical_number'))).size).toBe(freq.length);
    for (const p of freq) {
      const f = ref.freq[Number(attr(p, 'cpu.logical_number'))];
      expect(f).toBeDefined();
      const hz = value(p);
      // Frequencies move between two reads: within the CPU's range where known, else within a quarter of psutil's.
      if (f !== undefined && f.max > 0) {
        expect(hz).toBeGreaterThanOrEqual(f.min * 1e6 * 0.5);
        expect(hz).toBeLessThanOrEqual(f.max * 1e6 * 1.5);
      } else if (f !== undefined) {
        expect(Math.abs(hz - f.current * 1e6)).toBeLessThanOrEqual(f.current * 1e6 * 0.25);
      }
    }
  });

  test("inodes: used + free is df's inode total for each mount; free within 1% (or 1000) of df's", () => {
    const df = new Map<string, { total: number; free: number }>();
    // df -a exits 1 when one mount cannot be statted (a stale or private one): its other lines stand.
    const out = spawnSync('df', ['-a', '--output=itotal,iavail,target'], { encoding: 'utf8', timeout: 30000 }).stdout;
    for (const l of out.split('\n').slice(1)) {
      const m = /^\s*(\d+|-)\s+(\d+|-)\s+(.*)$/.exec(l);
      if (m === null || m[1] === '-') continue;
      df.set(m[3] as string, { total: Number(m[1]), free: Number(m[2]) });
    }
    const byMount = new Map<string, { used?: number; free?: number }>();
    for (const p of points(byName.get('system.filesystem.inodes.usage'))) {
      const mp = String(attr(p, 'system.filesystem.mountpoint'));
      const e = byMount.get(mp) ?? {};
      if (attr(p, 'system.filesystem.state') === 'used') e.used = value(p);
      else e.free = value(p);
      byMount.set(mp, e);
    }
    expect(byMount.has('/')).toBe(true);
    let compared = 0;
    for (const [mp, e] of byMount) {
      const d = df.get(mp);
      if (d === undefined) continue; // df shows one of two mounts on the same point
      compared++;
      expect([mp, (e.used ?? NaN) + (e.free ?? NaN)]).toEqual([mp, d.total]);
      expect(Math.abs((e.free ?? NaN) - d.free)).toBeLessThanOrEqual(Math.max(1000, d.total / 100));
    }
    expect(compared).toBeGreaterThan(0);
  });

  test('disks: limit as lsblk --bytes; weighted I/O time between /proc/diskstats before and after; queue >= 0', () => {
    const sizes = new Map(
      sh('lsblk', ['--bytes', '--nodeps', '--noheadings', '--raw', '--output', 'KNAME,SIZE'])
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.trim().split(/\s+/))
        .map(([n, s]) => [n as string, Number(s)]),
    );
    const limit = points(byName.get('system.disk.limit'));
    expect(limit.length).toBeGreaterThan(0);
    for (const p of limit) {
      const dev = String(attr(p, 'system.device'));
      if (sizes.has(dev)) expect([dev, value(p)]).toEqual([dev, sizes.get(dev)]);
    }
    expect(limit.some((p) => sizes.has(String(attr(p, 'system.device'))))).toBe(true);
    for (const p of points(byName.get('system.disk.weighted_io_time'))) {
      const dev = String(attr(p, 'system.device'));
      const lo = before.weighted.get(dev);
      const hi = after.weighted.get(dev);
      if (lo === undefined || hi === undefined) continue;
      expect(value(p)).toBeGreaterThanOrEqual(lo / 1000);
      expect(value(p)).toBeLessThanOrEqual(hi / 1000);
    }
    for (const p of points(byName.get('system.disk.pending_operations'))) expect(value(p)).toBeGreaterThanOrEqual(0);
  });

  test('paging: one device per swapon --show area, used + free its size, utilization summing to 1', () => {
    const areas = new Map(
      sh('swapon', ['--show=NAME,SIZE', '--bytes', '--noheadings', '--raw'])
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.trim().split(/\s+/))
        .map(([n, s]) => [n as string, Number(s)]),
    );
    const usage = points(byName.get('system.paging.usage'));
    expect(new Set(usage.map((p) => attr(p, 'system.device')))).toEqual(new Set(areas.keys()));
    for (const [dev, size] of areas) {
      const mine = usage.filter((p) => attr(p, 'system.device') === dev);
      expect([dev, mine.reduce((a, p) => a + value(p), 0)]).toEqual([dev, size]);
      const util = points(byName.get('system.paging.utilization')).filter((p) => attr(p, 'system.device') === dev);
      expect(util.reduce((a, p) => a + value(p), 0)).toBeCloseTo(1, 9);
    }
  });

  test('hugepages: /proc/meminfo HugePages_* and Hugepagesize', () => {
    const mi = new Map<string, number>();
    for (const m of fs.readFileSync('/proc/meminfo', 'utf8').matchAll(/^(Huge\w+):\s+(\d+)( kB)?$/gm))
      mi.set(m[1] as string, Number(m[2]) * (m[3] ? 1024 : 1));
    const one = (n: string) => value(points(byName.get(`system.memory.linux.hugepages.${n}`))[0]);
    expect(one('page_size')).toBe(mi.get('Hugepagesize'));
    expect(one('limit')).toBe(mi.get('HugePages_Total'));
    expect(one('reserved')).toBe(mi.get('HugePages_Rsvd'));
    expect(one('surplus')).toBe(mi.get('HugePages_Surp'));
    const usage = points(byName.get('system.memory.linux.hugepages.usage'));
    const st = (s: string) => value(usage.find((p) => attr(p, 'system.memory.linux.hugepages.state') === s));
    expect(st('free')).toBe(mi.get('HugePages_Free'));
    expect(st('used') + st('free')).toBe(mi.get('HugePages_Total'));
  });

  test('processes: created between /proc/stat before and after; by status, the total of system.process.count and ps', () => {
    const created = value(points(byName.get('system.processes.created'))[0]);
    expect(created).toBeGreaterThanOrEqual(before.forks);
    expect(created).toBeLessThanOrEqual(after.forks);
    const byStatus = points(byName.get('system.processes.count'));
    const total = byStatus.reduce((a, p) => a + value(p), 0);
    expect(total).toBe(points(byName.get('system.process.count')).reduce((a, p) => a + value(p), 0));
    expect(byStatus.map((p) => attr(p, 'status'))).toContain('sleeping');
    // Other tests start and end processes meanwhile: within a fifth (or 20) of what ps counted just after.
    expect(Math.abs(total - psCount)).toBeLessThanOrEqual(Math.max(20, psCount / 5));
  });

  test('PSI: each /proc/pressure total between the reads before and after, in seconds; averages in [0, 1]', () => {
    let compared = 0;
    for (const [key, lo] of before.psi) {
      const [res, type] = key.split('/') as [string, string];
      const hi = after.psi.get(key) as number;
      const p = points(byName.get(`system.${res}.linux.pressure.total`)).find(
        (x) => attr(x, 'system.pressure.stall_type') === type,
      );
      expect([key, p !== undefined]).toEqual([key, true]);
      expect(value(p)).toBeGreaterThanOrEqual(lo / 1e6);
      expect(value(p)).toBeLessThanOrEqual(hi / 1e6);
      compared++;
      for (const w of ['10s', '1m', '5m']) {
        const a = points(byName.get(`system.${res}.linux.pressure.${w}`)).find(
          (x) => attr(x, 'system.pressure.stall_type') === type,
        );
        expect(value(a)).toBeGreaterThanOrEqual(0);
        expect(value(a)).toBeLessThanOrEqual(1);
      }
    }
    expect(compared).toBeGreaterThan(0);
  });
});

describe('system.paging.* per swap area, through the agent, on a procfs with two', () => {
  let dir: string;
  let srv: MockServer;
  let agent: RunningAgent;
  const got: NormalizedExport[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-otlp-swaps-'));
    const proc = path.join(dir, 'proc');
    fs.mkdirSync(proc);
    for (const f of ['stat', 'meminfo']) fs.copyFileSync(own('golden-host', 'proc', f), path.join(proc, f));
    fs.copyFileSync(own('parse', 'swaps', 'two'), path.join(proc, 'swaps'));
    srv = await startReceiver<NormalizedExport>((e) => got.push(e));
    fs.writeFileSync(
      path.join(dir, 'c.yaml'),
      [
        'collection: {max_age: 0s, disable_defaults: true}',
        'collectors: {meminfo: {enabled: true}, stat: {enabled: true}}',
        `otlp: {enabled: true, endpoint: "${srv.httpUrl.href}v1/metrics", interval: 1s, timeout: 1s}`,
        '',
      ].join('\n'),
    );
    agent = await startAgent([
      `--config.file=${path.join(dir, 'c.yaml')}`,
      `--path.procfs=${proc}`,
      `--path.sysfs=${path.join(dir, 'sys')}`,
      '--log.level=warn',
    ]);
    await waitFor(
      'an export with system.paging.usage',
      async () => got.some((e) => metricsOf(e).some((m) => m.name === 'system.paging.usage')),
      60000,
    );
  }, 120000);

  afterAll(async () => {
    await agent?.stop();
    await srv?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("each area's used and free bytes and fractions, keyed by its path; SPEC's units and kinds", () => {
    const e = got.find((x) => metricsOf(x).some((m) => m.name === 'system.paging.usage')) as NormalizedExport;
    const ms = new Map(metricsOf(e).map((m) => [m.name, m]));
    const usage = ms.get('system.paging.usage');
    expect(usage?.unit).toBe(SPEC['system.paging.usage']?.unit);
    expect(usage?.sum?.isMonotonic ?? false).toBe(false);
    const row = (p: NormalizedPoint) => [attr(p, 'system.device'), attr(p, 'system.paging.state'), value(p)];
    expect(points(usage).map(row)).toEqual([
      ['/dev/dm-1', 'used', 1048576 * 1024],
      ['/dev/dm-1', 'free', (16777212 - 1048576) * 1024],
      ['/swapfile', 'used', 0],
      ['/swapfile', 'free', 2097148 * 1024],
    ]);
    const util = ms.get('system.paging.utilization');
    expect(util).toMatchObject({ unit: '1', gauge: {} });
    expect(value(points(util)[0])).toBeCloseTo(1048576 / 16777212, 12);
    expect(value(points(util)[3])).toBe(1);
  });
});
