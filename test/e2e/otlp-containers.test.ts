/**
 * Per-container OTLP (src/exporters/otlp-containers.ts) pushed by the agent to a real receiver
 * (@elastic/mockotlpserver, which decodes with the official proto files), the agent reading the fixture unified host
 * test/fixtures/cgroup-v2 (kubepods of each QoS class, docker, podman, systemd units) named through
 * test/fixtures/podlogs. Each resource's attributes are checked against RESOURCES (the fixture's cgroup paths and
 * the kubelet log directories' names), each metric's name, unit, instrument, value type and attributes against SPEC
 * (which cites the semantic conventions it follows), and the nginx container's values against its cgroup files read
 * by the test. Then otlp.metrics switching a set off, and the OTLP/JSON protocol. Last, as root, a cgroup made for the
 * test (test/helpers/cgroups.ts) with a busy loop in it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as semconv from '@opentelemetry/semantic-conventions/incubating';
import { SEMCONV_VERSION } from '../../src/exporters/otlp-system';
import { own } from '../helpers/fixtures';
import { collectorsOffBut } from '../helpers/e2e';
import { CgroupSandbox, cannotCreateCgroups, unifiedMount, v1Mount } from '../helpers/cgroups';
import { requireOr } from '../helpers/require';
import { startAgent, waitFor, type RunningAgent } from './agent-process';
import { startReceiver, type MockServer } from '../helpers/mockotlp';

interface NormalizedPoint {
  attributes?: Record<string, unknown>;
  asDouble?: number;
  asInt?: string | number;
  startTimeUnixNano?: string;
  timeUnixNano?: string;
}
interface NormalizedMetric {
  name: string;
  unit: string;
  sum?: { dataPoints: NormalizedPoint[]; aggregationTemporality: number; isMonotonic?: boolean };
  gauge?: { dataPoints: NormalizedPoint[] };
}
interface NormalizedResource {
  resource?: { attributes?: Record<string, unknown> };
  scopeMetrics: Array<{ metrics?: NormalizedMetric[] }>;
}
interface NormalizedExport {
  resourceMetrics: NormalizedResource[];
}
interface Spec {
  readonly type: 'counter' | 'updowncounter';
  readonly unit: string;
  readonly value: 'int' | 'double';
  /** Attribute key -> allowed values (null: any string). */
  readonly attributes: Readonly<Record<string, readonly string[] | null>>;
}

/**
 * The semantic conventions' container metrics the cgroup data supports. Names: @opentelemetry/semantic-conventions
 * SEMCONV_VERSION, incubating (checked below). Instruments and units: the semantic-conventions model,
 * model/container/metrics.yaml (container.cpu.time counter s with cpu.mode; container.disk.io counter By with
 * disk.io.direction and system.device), the memory metrics as UpDownCounters in By (semantic-conventions PR #3889,
 * "[k8s] Change memory.usage from gauge to updowncounter", which made container.memory.* UpDownCounters), and
 * container.paging.faults a counter of {fault} by system.paging.fault.type. cpu.mode: semconv's `kernel` is "when
 * tasks of the cgroup are in kernel mode" (a cgroup's system_usec), `system` the host's: the agent sends user and
 * kernel.
 */
const SPEC: Readonly<Record<string, Spec>> = {
  'container.cpu.time': { type: 'counter', unit: 's', value: 'double', attributes: { 'cpu.mode': ['user', 'kernel'] } },
  'container.memory.usage': { type: 'updowncounter', unit: 'By', value: 'int', attributes: {} },
  'container.memory.working_set': { type: 'updowncounter', unit: 'By', value: 'int', attributes: {} },
  'container.memory.rss': { type: 'updowncounter', unit: 'By', value: 'int', attributes: {} },
  'container.memory.available': { type: 'updowncounter', unit: 'By', value: 'int', attributes: {} },
  'container.paging.faults': {
    type: 'counter',
    unit: '{fault}',
    value: 'int',
    attributes: { 'system.paging.fault.type': ['major', 'minor'] },
  },
  'container.disk.io': {
    type: 'counter',
    unit: 'By',
    value: 'int',
    attributes: { 'disk.io.direction': ['read', 'write'], 'system.device': null },
  },
};

const CGROOT = own('cgroup-v2', 'sys', 'fs', 'cgroup');
const NGINX_ID = 'aaac5e952418d5f3a97fff92fd31a623d9efdc5517e1c776200f7d75fdfb9c12';
const NGINX_DIR = path.join(
  CGROOT,
  'kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8b6a59d0_730a_4f51_b11c_825bea3e1157.slice',
  `cri-containerd-${NGINX_ID}.scope`,
);
const PINNED_DIR = path.join(
  CGROOT,
  'kubepods.slice/kubepods-pod0f0e0d0c_0b0a_4908_8706_050403020100.slice',
  `cri-containerd-${'c0ffee'.repeat(10)}c0ffee.scope`,
);
const DOCKER_ID = '1f2e3d4c5b6a79880f1e2d3c4b5a69788f9e0d1c2b3a49586f7e8d9c0b1a2f3e';

/**
 * Every container cgroup of the fixture, by id: its attributes from the cgroup path (runtime, pod UID) and the
 * kubelet's log directories (<namespace>_<pod>_<uid>/<container>). docker and podman are not Kubernetes': no k8s.*
 * at all. The pinned Guaranteed pod's container (PINNED) has no usage files (cpu.max and cpuset only): no metric, so
 * no resource.
 */
const RESOURCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  [NGINX_ID]: {
    'container.runtime.name': 'containerd',
    'k8s.pod.uid': '8b6a59d0-730a-4f51-b11c-825bea3e1157',
    'k8s.pod.name': 'web-7d9f8b6c5-x2x9q',
    'k8s.namespace.name': 'default',
    'k8s.container.name': 'nginx',
  },
  d28e0087cf8f3f0429f755d60b0de415b20fcf76736ded7bab6e30e7b739ee36: {
    'container.runtime.name': 'cri-o',
    'k8s.pod.uid': '35550f44-f691-427e-b57d-ab6127d2cb65',
    'k8s.pod.name': 'coredns-5d78c9869d-abcde',
    'k8s.namespace.name': 'kube-system',
    'k8s.container.name': 'coredns',
  },
  [DOCKER_ID]: { 'container.runtime.name': 'docker' },
  '6e341326c5b2f2b1d7a0e4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2e479e': { 'container.runtime.name': 'podman' },
};

const SEMCONV_NAMES = new Set(
  Object.entries(semconv)
    .filter(([k, v]) => k.startsWith('METRIC_') && typeof v === 'string')
    .map(([, v]) => v as string),
);

function points(m: NormalizedMetric | undefined): NormalizedPoint[] {
  return m?.sum?.dataPoints ?? m?.gauge?.dataPoints ?? [];
}
function value(p: NormalizedPoint | undefined): number {
  return p === undefined ? NaN : (p.asDouble ?? Number(p.asInt));
}
function containerResources(e: NormalizedExport): NormalizedResource[] {
  return e.resourceMetrics.filter((r) => typeof r.resource?.attributes?.['container.id'] === 'string');
}
function metricsOf(r: NormalizedResource): Map<string, NormalizedMetric> {
  return new Map(r.scopeMetrics.flatMap((s) => s.metrics ?? []).map((m) => [m.name, m]));
}
function point(m: NormalizedMetric | undefined, attrs: Record<string, string> = {}): number {
  return value(points(m).find((p) => Object.entries(attrs).every(([k, v]) => p.attributes?.[k] === v)));
}
/** `key value` lines of a cgroup file (cpu.stat, memory.stat). */
function keyed(file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
    const [k, v] = l.split(' ');
    if (k && v !== undefined) out.set(k, Number(v));
  }
  return out;
}
function num(file: string): number {
  return Number(fs.readFileSync(file, 'utf8').trim());
}

/**
 * An agent on the fixture with the cgroups collector and OTLP to a mock receiver: its first export, the agent and the
 * receiver stopped before this returns (the mock server's onMetrics hears every server of the process).
 */
async function pushOnce(dir: string, otlpExtra: string): Promise<NormalizedExport> {
  const got: NormalizedExport[] = [];
  const srv = await startReceiver<NormalizedExport>((e) => got.push(e));
  let agent: RunningAgent | undefined;
  try {
    const file = path.join(dir, `c${Date.now()}.yaml`);
    fs.writeFileSync(
      file,
      [
        `paths: {procfs: ${JSON.stringify(own('cgroup-v2', 'proc'))}, sysfs: ${JSON.stringify(own('cgroup-v2', 'sys'))}}`,
        'collection: {max_age: 0s}',
        'collectors:',
        `  cgroups: {enabled: true, pods_log_dir: ${JSON.stringify(own('podlogs', 'var', 'log', 'pods'))}}`,
        ...collectorsOffBut('cgroups'),
        `otlp: {enabled: true, endpoint: "${srv.httpUrl.href}v1/metrics", interval: 1s, timeout: 1s${otlpExtra}}`,
        '',
      ].join('\n'),
    );
    agent = await startAgent([`--config.file=${file}`, '--log.level=warn']);
    const first = await waitFor(
      'an export with the host resource',
      async () => got.find((e) => e.resourceMetrics.length > 0),
      30000,
    );
    return first;
  } finally {
    await agent?.stop();
    await srv.close();
  }
}

describe(`container.* over OTLP from the fixture host test/fixtures/cgroup-v2 (semconv ${SEMCONV_VERSION})`, () => {
  let dir: string;
  let exp: NormalizedExport;
  let byId: Map<string, NormalizedResource>;
  let host: NormalizedResource | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-otlp-ctr-'));
    exp = await pushOnce(dir, '');
    byId = new Map(containerResources(exp).map((r) => [String(r.resource?.attributes?.['container.id']), r]));
    host = exp.resourceMetrics.find((r) => r.resource?.attributes?.['container.id'] === undefined);
  }, 60000);

  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the table names semconv metrics of the package version the project depends on', () => {
    for (const name of Object.keys(SPEC)) expect([name, SEMCONV_NAMES.has(name)]).toEqual([name, true]);
    expect(semconv.ATTR_CONTAINER_ID).toBe('container.id');
    expect(semconv.ATTR_CONTAINER_RUNTIME_NAME).toBe('container.runtime.name');
    expect(semconv.ATTR_K8S_POD_UID).toBe('k8s.pod.uid');
    expect(semconv.ATTR_K8S_POD_NAME).toBe('k8s.pod.name');
    expect(semconv.ATTR_K8S_NAMESPACE_NAME).toBe('k8s.namespace.name');
    expect(semconv.ATTR_K8S_CONTAINER_NAME).toBe('k8s.container.name');
    expect(semconv.ATTR_CPU_MODE).toBe('cpu.mode');
    expect(semconv.CPU_MODE_VALUE_KERNEL).toBe('kernel');
    expect(semconv.ATTR_SYSTEM_PAGING_FAULT_TYPE).toBe('system.paging.fault.type');
    expect(semconv.ATTR_DISK_IO_DIRECTION).toBe('disk.io.direction');
  });

  test('one resource per container cgroup, none for pods, units, slices or plain cgroups', () => {
    expect([...byId.keys()].sort()).toEqual(Object.keys(RESOURCES).sort());
    expect(containerResources(exp)).toHaveLength(Object.keys(RESOURCES).length);
    expect(fs.readdirSync(PINNED_DIR).sort()).toEqual(['cpu.max', 'cpuset.cpus.effective']);
    // The host's resource carries no container metric.
    expect(host).toBeDefined();
    const hostNames = host!.scopeMetrics.flatMap((s) => (s.metrics ?? []).map((m) => m.name));
    expect(hostNames.filter((n) => n.startsWith('container.'))).toEqual([]);
  });

  test("each resource: the host's attributes, then exactly the container's (no empty names)", () => {
    const hostAttrs = host!.resource!.attributes!;
    expect(typeof hostAttrs['service.name']).toBe('string');
    for (const [id, want] of Object.entries(RESOURCES)) {
      const got = byId.get(id)!.resource!.attributes!;
      const own = Object.fromEntries(Object.entries(got).filter(([k]) => !(k in hostAttrs)));
      expect([id, own]).toEqual([id, { 'container.id': id, ...want }]);
      for (const [k, v] of Object.entries(hostAttrs)) expect([id, k, got[k]]).toEqual([id, k, v]);
    }
  });

  test('every metric: in the table, with its unit, instrument, value type, attribute keys and values', () => {
    const seen = new Set<string>();
    for (const r of containerResources(exp)) {
      for (const [name, m] of metricsOf(r)) {
        const s = SPEC[name];
        expect([name, s !== undefined]).toEqual([name, true]);
        if (s === undefined) continue;
        seen.add(name);
        expect([name, m.unit]).toEqual([name, s.unit]);
        expect([name, m.gauge]).toEqual([name, undefined]);
        expect([name, m.sum?.isMonotonic ?? false]).toEqual([name, s.type === 'counter']);
        expect([name, m.sum?.aggregationTemporality]).toEqual([name, 2]); // cumulative
        for (const p of points(m)) {
          expect([name, s.value === 'int' ? p.asInt !== undefined : p.asDouble !== undefined]).toEqual([name, true]);
          expect([name, Object.keys(p.attributes ?? {}).sort()]).toEqual([name, Object.keys(s.attributes).sort()]);
          for (const [k, allowed] of Object.entries(s.attributes)) {
            const v = p.attributes?.[k];
            if (allowed === null) expect([name, k, typeof v, v === '']).toEqual([name, k, 'string', false]);
            else expect(allowed).toContain(v);
          }
          // A cumulative sum starts before it ends (from the host's boot).
          expect(BigInt(p.startTimeUnixNano ?? '0') < BigInt(p.timeUnixNano ?? '0')).toBe(true);
        }
      }
    }
    // Every metric of the table is sent for some container of the fixture.
    expect([...seen].sort()).toEqual(Object.keys(SPEC).sort());
  });

  test("nginx's values are its cgroup files' (cpu.stat, memory.current, memory.stat, io.stat)", () => {
    const m = metricsOf(byId.get(NGINX_ID)!);
    const cpu = keyed(path.join(NGINX_DIR, 'cpu.stat'));
    expect(point(m.get('container.cpu.time'), { 'cpu.mode': 'user' })).toBeCloseTo(cpu.get('user_usec')! / 1e6, 9);
    expect(point(m.get('container.cpu.time'), { 'cpu.mode': 'kernel' })).toBeCloseTo(cpu.get('system_usec')! / 1e6, 9);
    expect(points(m.get('container.cpu.time'))).toHaveLength(2);
    const current = num(path.join(NGINX_DIR, 'memory.current'));
    const stat = keyed(path.join(NGINX_DIR, 'memory.stat'));
    expect(point(m.get('container.memory.usage'))).toBe(current);
    expect(point(m.get('container.memory.working_set'))).toBe(current - stat.get('inactive_file')!);
    expect(point(m.get('container.memory.rss'))).toBe(stat.get('anon'));
    // memory.max is "max": no limit, so no available memory (the convention: omitted when the limit is undefined).
    expect(fs.readFileSync(path.join(NGINX_DIR, 'memory.max'), 'utf8').trim()).toBe('max');
    expect(m.has('container.memory.available')).toBe(false);
    const faults = m.get('container.paging.faults');
    expect(point(faults, { 'system.paging.fault.type': 'major' })).toBe(stat.get('pgmajfault'));
    expect(point(faults, { 'system.paging.fault.type': 'minor' })).toBe(stat.get('pgfault')! - stat.get('pgmajfault')!);
    // io.stat per MAJ:MIN, named as the fixture's /proc/diskstats names the device.
    const names = new Map<string, string>();
    for (const l of fs.readFileSync(own('cgroup-v2', 'proc', 'diskstats'), 'utf8').split('\n')) {
      const f = l.trim().split(/\s+/);
      if (f.length >= 3) names.set(`${f[0]}:${f[1]}`, f[2]!);
    }
    const io = fs.readFileSync(path.join(NGINX_DIR, 'io.stat'), 'utf8').trim().split('\n');
    expect(points(m.get('container.disk.io'))).toHaveLength(io.length * 2);
    for (const l of io) {
      const [dev, ...kv] = l.split(' ');
      const f = Object.fromEntries(kv.map((x) => x.split('=') as [string, string]));
      const device = names.get(dev!)!;
      expect(device).toMatch(/^[a-z]/);
      const io1 = m.get('container.disk.io');
      expect(point(io1, { 'disk.io.direction': 'read', 'system.device': device })).toBe(Number(f['rbytes']));
      expect(point(io1, { 'disk.io.direction': 'write', 'system.device': device })).toBe(Number(f['wbytes']));
    }
  });

  test("docker's container.memory.available is its memory.max less its working set", () => {
    const d = path.join(CGROOT, 'system.slice', `docker-${DOCKER_ID}.scope`);
    const max = num(path.join(d, 'memory.max'));
    const ws = num(path.join(d, 'memory.current')) - keyed(path.join(d, 'memory.stat')).get('inactive_file')!;
    expect(max).toBe(128 * 1024 * 1024); // the fixture's README
    expect(point(metricsOf(byId.get(DOCKER_ID)!).get('container.memory.available'))).toBe(max - ws);
  });

  test('otlp.metrics switches container sets off by name and by prefix; OTLP/JSON carries the same resources', async () => {
    const e = await pushOnce(
      dir,
      ', protocol: http/json, metrics: {container.memory.*: {enabled: false}, container.disk.io: {enabled: false}}',
    );
    const rs = containerResources(e);
    expect(rs.map((r) => String(r.resource?.attributes?.['container.id'])).sort()).toEqual(
      Object.keys(RESOURCES).sort(),
    );
    const names = new Set(rs.flatMap((r) => [...metricsOf(r).keys()]));
    expect([...names].sort()).toEqual(['container.cpu.time', 'container.paging.faults']);
    const cpu = keyed(path.join(NGINX_DIR, 'cpu.stat'));
    const m = metricsOf(rs.find((r) => r.resource?.attributes?.['container.id'] === NGINX_ID)!);
    expect(point(m.get('container.cpu.time'), { 'cpu.mode': 'user' })).toBeCloseTo(cpu.get('user_usec')! / 1e6, 9);
  }, 60000);
});

const LIVE_NAME = `psx-e2e-cgotlp-${process.pid}`;
const LIVE_CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids'];
const LIVE_WHY = cannotCreateCgroups(LIVE_CONTROLLERS, LIVE_NAME);

/**
 * LIVE, as root on a v1 or hybrid host (test/helpers/cgroups.ts): a container-like cgroup
 * `/<name>/kubepods/burstable/pod<uid>/<64-hex id>` with a 64 MiB memory limit and a busy loop in it, named by a
 * kubelet-style log directory, pushed with per-process OTLP on too (the container resources then ride the packed
 * per-process batch). Its resource arrives with the names, and its container.cpu.time grows between two exports.
 */
requireOr(LIVE_WHY === null, LIVE_WHY ?? '').describe('container.* over OTLP from a cgroup made for the test', () => {
  const sandbox = new CgroupSandbox();
  const kids: ChildProcess[] = [];
  const uid = randomUUID();
  const id = randomBytes(32).toString('hex');
  const CTR = `/${LIVE_NAME}/kubepods/burstable/pod${uid}/${id}`;
  const got: NormalizedExport[] = [];
  let tmp: string;
  let srv: MockServer | undefined;
  let agent: RunningAgent | undefined;

  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => c.once('exit', () => r()));
  const ours = (e: NormalizedExport) =>
    containerResources(e).find((r) => r.resource?.attributes?.['container.id'] === id);
  const cpuSeconds = (r: NormalizedResource) =>
    points(metricsOf(r).get('container.cpu.time')).reduce((a, p) => a + value(p), 0);

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-cgotlp-'));
    const podDir = path.join(tmp, 'pods', `e2e_busy-pod_${uid}`, 'spin');
    fs.mkdirSync(podDir, { recursive: true });
    fs.writeFileSync(path.join(podDir, '0.log'), '');
    fs.mkdirSync(path.join(tmp, 'containers'));
    fs.symlinkSync(path.join(podDir, '0.log'), path.join(tmp, 'containers', `busy-pod_e2e_spin-${id}.log`));
    const u = unifiedMount();
    const mounts = [...LIVE_CONTROLLERS.map((c) => v1Mount(c)!), ...(u === null ? [] : [u])];
    const dirs = sandbox.make(CTR, mounts);
    fs.writeFileSync(path.join(dirs[2]!, 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
    const busy = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
    kids.push(busy);
    CgroupSandbox.enter(busy.pid!, dirs);

    srv = await startReceiver<NormalizedExport>((e) => got.push(e));
    const file = path.join(tmp, 'c.yaml');
    fs.writeFileSync(
      file,
      [
        'collection: {max_age: 0s}',
        'collectors:',
        ...collectorsOffBut('cgroups', 'process_groups'),
        `  cgroups: ${JSON.stringify({ enabled: true, depth: 0, include: `^/${LIVE_NAME}(/|$)`, pods_log_dir: path.join(tmp, 'pods') })}`,
        `otlp: {enabled: true, endpoint: "${srv.httpUrl.href}v1/metrics", interval: 1s, timeout: 1s,` +
          ` processes: {enabled: true, max: 5, include: {names: ["^(sh|dash|bash)$"], match_type: regexp}}}`,
        '',
      ].join('\n'),
    );
    agent = await startAgent([`--config.file=${file}`, '--log.level=warn']);
  }, 90_000);

  afterAll(async () => {
    await agent?.stop();
    await srv?.close();
    for (const k of kids) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
    await Promise.all(kids.map(exited));
    sandbox.remove();
    if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test("the container's resource: its id, pod UID and the log directory's names; CPU time growing", async () => {
    const first = await waitFor(
      'an export with the container',
      async () => got.find((e) => ours(e) !== undefined),
      30_000,
    );
    const r1 = ours(first)!;
    const attrs = r1.resource!.attributes!;
    expect(attrs).toMatchObject({
      'container.id': id,
      'k8s.pod.uid': uid,
      'k8s.pod.name': 'busy-pod',
      'k8s.namespace.name': 'e2e',
      'k8s.container.name': 'spin',
    });
    // A bare id under the cgroupfs driver does not say which runtime made it: no container.runtime.name.
    expect(attrs['container.runtime.name']).toBeUndefined();
    // The per-process resources of the same export (the packed batch) arrived beside it.
    expect(first.resourceMetrics.some((r) => typeof r.resource?.attributes?.['process.pid'] === 'number')).toBe(true);
    const m = metricsOf(r1);
    // A v1 memory cgroup does not take over the charges of a process moved in (move_charge_at_immigrate is 0), so
    // the loop's usage may be 0: the limit is what is known, available = limit - working set.
    expect(point(m.get('container.memory.usage'))).toBeGreaterThanOrEqual(0);
    const ws = point(m.get('container.memory.working_set'));
    expect(point(m.get('container.memory.available'))).toBe(64 * 1024 * 1024 - ws);
    const t1 = cpuSeconds(r1);
    const n = got.indexOf(first);
    const later = await waitFor(
      'a later export with more CPU time in the container',
      async () => got.slice(n + 1).find((e) => ours(e) !== undefined && cpuSeconds(ours(e)!) > t1),
      30_000,
    );
    expect(cpuSeconds(ours(later)!)).toBeGreaterThan(t1);
  }, 90_000);
});
