/**
 * Per-process OTLP (otlp.processes) to a real receiver (@elastic/mockotlpserver, which decodes with the official
 * proto files): one resource per process, checked against ps and psutil (/usr/bin/python3) for spawned children of a
 * copy of sleep with a name of its own; names, units, kinds and attributes against the receiver's table below; the
 * max bound and its dropped gauge on /metrics.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { request, startAgent, waitFor, type RunningAgent } from './agent-process';
import { startReceiver, type MockServer } from '../helpers/mockotlp';

/**
 * The hostmetrics receiver's process scraper: receiver/hostmetricsreceiver/internal/scraper/processscraper/metadata.yaml
 * of open-telemetry/opentelemetry-collector-contrib at 047dee51516b8b55eca4b97c99914ee69672a5b6 (sem_conv_version
 * 1.9.0). kind: sum-monotonic, sum (non-monotonic) or gauge; attribute: its name and values.
 */
const RECEIVER_TABLE: ReadonlyArray<{
  name: string;
  unit: string;
  kind: 'counter' | 'updown' | 'gauge';
  int: boolean;
  attr?: [string, string[]];
}> = [
  { name: 'process.cpu.time', unit: 's', kind: 'counter', int: false, attr: ['state', ['system', 'user', 'wait']] },
  {
    name: 'process.cpu.utilization',
    unit: '1',
    kind: 'gauge',
    int: false,
    attr: ['state', ['system', 'user', 'wait']],
  },
  { name: 'process.memory.usage', unit: 'By', kind: 'updown', int: true },
  { name: 'process.memory.virtual', unit: 'By', kind: 'updown', int: true },
  { name: 'process.memory.utilization', unit: '1', kind: 'gauge', int: false },
  { name: 'process.disk.io', unit: 'By', kind: 'counter', int: true, attr: ['direction', ['read', 'write']] },
  {
    name: 'process.disk.operations',
    unit: '{operations}',
    kind: 'counter',
    int: true,
    attr: ['direction', ['read', 'write']],
  },
  { name: 'process.paging.faults', unit: '{faults}', kind: 'counter', int: true, attr: ['type', ['major', 'minor']] },
  { name: 'process.signals_pending', unit: '{signals}', kind: 'updown', int: true },
  { name: 'process.threads', unit: '{threads}', kind: 'updown', int: true },
  { name: 'process.open_file_descriptors', unit: '{count}', kind: 'updown', int: true },
  {
    name: 'process.context_switches',
    unit: '{count}',
    kind: 'counter',
    int: true,
    attr: ['type', ['involuntary', 'voluntary']],
  },
  { name: 'process.uptime', unit: 's', kind: 'gauge', int: false },
];
const RESOURCE_ATTRIBUTES = [
  'process.pid',
  'process.parent_pid',
  'process.executable.name',
  'process.executable.path',
  'process.command',
  'process.command_line',
  'process.owner',
];

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
interface NormalizedResource {
  resource: { attributes: Record<string, unknown> };
  scopeMetrics: Array<{ scope: { name: string }; metrics: NormalizedMetric[] }>;
}
interface NormalizedExport {
  resourceMetrics: NormalizedResource[];
}
/** Only the library's own collectors that the test does not need are off, to keep the agent quick. */
const OFF = ['filesystem', 'diskstats', 'netclass', 'sockets', 'sensors', 'conntrack', 'arp', 'textfile'];
const NAME = 'psxsleep16';

interface PsutilFacts {
  pid: number;
  ppid: number;
  name: string;
  exe: string;
  cmdline: string[];
  username: string;
  num_threads: number;
}

function psutilFacts(pids: number[]): PsutilFacts[] {
  const py = [
    'import json, sys, psutil',
    'out = []',
    'for pid in map(int, sys.argv[1:]):',
    '    p = psutil.Process(pid)',
    '    out.append(dict(pid=pid, ppid=p.ppid(), name=p.name(), exe=p.exe(), cmdline=p.cmdline(), username=p.username(), num_threads=p.num_threads()))',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', py, ...pids.map(String)], { encoding: 'utf8', timeout: 20000 });
  if (r.status !== 0) throw new Error(`psutil: ${r.stderr}`);
  return JSON.parse(r.stdout) as PsutilFacts[];
}

function psFacts(pid: number): { ppid: number; user: string; nlwp: number; comm: string } {
  const r = spawnSync('ps', ['-o', 'ppid=,user:64=,nlwp=,comm=', '-p', String(pid)], {
    encoding: 'utf8',
    timeout: 10000,
  });
  const [ppid, user, nlwp, comm] = r.stdout.trim().split(/\s+/);
  return { ppid: Number(ppid), user: String(user), nlwp: Number(nlwp), comm: String(comm) };
}

/** The comm of a pid, or '' once it is gone (waitFor then names what it waited for). */
function commOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}

function value(p: NormalizedPoint | undefined): number {
  return p === undefined ? NaN : (p.asDouble ?? Number(p.asInt));
}

// kept_fds: files (stat, status and io kept open beside the directory) over one protocol: the same answers.
describe.each([
  ['http/protobuf', 'dir'],
  ['http/json', 'dir'],
  ['http/protobuf', 'files'],
])('per-process OTLP over %s, kept_fds %s', (protocol, keptFds) => {
  let dir: string;
  let srv: MockServer;
  let agent: RunningAgent;
  const children: ChildProcess[] = [];
  const got: NormalizedExport[] = [];
  let lowest = 0;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-otlp-proc-'));
    const exe = path.join(dir, NAME);
    fs.copyFileSync('/bin/sleep', exe);
    fs.chmodSync(exe, 0o755);
    // Three children with distinct arguments; max: 2 keeps the two lowest pids and counts the third as dropped.
    // Each execs the copy from python3 with SIGUSR1 and SIGUSR2 blocked (the mask survives exec), so signals sent to
    // it stay pending: process.signals_pending has a known value.
    const block =
      'import os, signal, sys; signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1, signal.SIGUSR2]); ' +
      'os.execv(sys.argv[1], sys.argv[1:])';
    for (const s of ['3001', '3002', '3003']) {
      children.push(spawn('/usr/bin/python3', ['-c', block, exe, s, '1'], { stdio: 'ignore' }));
    }
    const pids = children.map((c) => c.pid as number);
    await waitFor('the children exec the copy', async () => pids.every((p) => commOf(p) === NAME), 20000);
    lowest = Math.min(...pids);
    process.kill(lowest, 'SIGUSR1');
    process.kill(lowest, 'SIGUSR2');
    srv = await startReceiver<NormalizedExport>((e) => got.push(e));
    fs.writeFileSync(
      path.join(dir, 'c.yaml'),
      [
        'collection: {max_age: 0s}',
        'collectors:',
        ...OFF.map((c) => `  ${c}: {enabled: false}`),
        `otlp: {enabled: true, endpoint: "${srv.httpUrl.href}v1/metrics", protocol: ${protocol}, interval: 1s,`,
        `  processes: {enabled: true, max: 2, kept_fds: ${keptFds}, include: {names: [${NAME}], match_type: strict}, exclude: {names: ["^nomatch$"]}}}`,
        '',
      ].join('\n'),
    );
    agent = await startAgent([`--config.file=${path.join(dir, 'c.yaml')}`, '--log.level=warn']);
    // Two exports with process resources: the second has process.cpu.utilization (none on a process's first pass).
    await waitFor(
      'two exports with process resources',
      async () => got.filter((e) => procResources(e).length > 0).length >= 2,
      40000,
    );
  }, 90000);

  afterAll(async () => {
    await agent?.stop();
    await srv?.close();
    for (const c of children) c.kill('SIGKILL');
    // Reaped before the next block starts: a zombie of ours would still carry the name.
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) await new Promise((r) => c.once('exit', r));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function procResources(e: NormalizedExport): NormalizedResource[] {
    return e.resourceMetrics.filter((r) => r.resource.attributes['process.pid'] !== undefined);
  }

  test('the host resource stays first; one resource per kept process, lowest pids first, bounded by max', () => {
    const last = got.filter((e) => procResources(e).length > 0).at(-1) as NormalizedExport;
    expect(last.resourceMetrics[0]?.resource.attributes['process.pid']).toBeUndefined();
    expect(last.resourceMetrics[0]?.scopeMetrics[0]?.metrics.some((m) => m.name === 'system.memory.usage')).toBe(true);
    const pids = procResources(last).map((r) => Number(r.resource.attributes['process.pid']));
    const ours = children.map((c) => c.pid as number).sort((a, b) => a - b);
    expect(pids).toEqual(ours.slice(0, 2));
    // The host's attributes are on every process resource too.
    for (const r of procResources(last)) expect(r.resource.attributes['host.name']).toBe(os.hostname());
  });

  test('resource attributes match ps and psutil', () => {
    const last = got.filter((e) => procResources(e).length > 0).at(-1) as NormalizedExport;
    const res = procResources(last);
    const facts = psutilFacts(res.map((r) => Number(r.resource.attributes['process.pid'])));
    for (const [i, r] of res.entries()) {
      const a = r.resource.attributes;
      const f = facts[i] as PsutilFacts;
      const ps = psFacts(f.pid);
      expect(
        Object.keys(a)
          .filter((k) => k.startsWith('process.'))
          .sort(),
      ).toEqual([...RESOURCE_ATTRIBUTES].sort());
      expect(Number(a['process.parent_pid'])).toBe(f.ppid);
      expect(Number(a['process.parent_pid'])).toBe(ps.ppid);
      expect(a['process.executable.name']).toBe(f.name);
      expect(a['process.executable.name']).toBe(ps.comm);
      expect(a['process.executable.path']).toBe(f.exe);
      expect(a['process.command']).toBe(f.cmdline[0]);
      expect(a['process.command_line']).toBe(f.cmdline.join(' '));
      expect(a['process.owner']).toBe(f.username);
      expect(a['process.owner']).toBe(ps.user);
      const threads = r.scopeMetrics[0]?.metrics.find((m) => m.name === 'process.threads');
      expect(value(threads?.sum?.dataPoints[0])).toBe(f.num_threads);
      expect(value(threads?.sum?.dataPoints[0])).toBe(ps.nlwp);
    }
  });

  test("every metric's name, unit, kind, value type and attributes follow the receiver's table", () => {
    const last = got.filter((e) => procResources(e).length > 0).at(-1) as NormalizedExport;
    for (const r of procResources(last)) {
      const ms = r.scopeMetrics.flatMap((s) => s.metrics);
      // A spawned child of ours: its io file is readable, so every metric of the table is there.
      expect(ms.map((m) => m.name).sort()).toEqual(RECEIVER_TABLE.map((t) => t.name).sort());
      for (const t of RECEIVER_TABLE) {
        const m = ms.find((x) => x.name === t.name) as NormalizedMetric;
        expect(m.unit).toBe(t.unit);
        const pts = t.kind === 'gauge' ? m.gauge?.dataPoints : m.sum?.dataPoints;
        expect(pts?.length).toBeGreaterThan(0);
        if (t.kind !== 'gauge') {
          expect(m.sum?.aggregationTemporality).toBe(2);
          expect(m.sum?.isMonotonic ?? false).toBe(t.kind === 'counter');
        }
        for (const p of pts ?? []) expect(p.asInt !== undefined).toBe(t.int);
        const attrs = (pts ?? []).map((p) => p.attributes ?? {});
        if (t.attr === undefined) for (const a of attrs) expect(a).toEqual({});
        else expect(attrs.map((a) => a[t.attr![0]]).sort()).toEqual([...t.attr[1]].sort());
      }
      const uptime = ms.find((m) => m.name === 'process.uptime');
      expect(value(uptime?.gauge?.dataPoints[0])).toBeGreaterThan(0);
      const util = ms.find((m) => m.name === 'process.cpu.utilization');
      for (const p of util?.gauge?.dataPoints ?? []) expect(value(p)).toBeGreaterThanOrEqual(0);
      for (const p of util?.gauge?.dataPoints ?? []) expect(value(p)).toBeLessThanOrEqual(1);
    }
  });

  test('process.signals_pending counts the signals pending in /proc/PID/status (ShdPnd)', () => {
    const last = got.filter((e) => procResources(e).length > 0).at(-1) as NormalizedExport;
    const seen = new Map<number, number>();
    for (const r of procResources(last)) {
      const m = r.scopeMetrics.flatMap((s) => s.metrics).find((x) => x.name === 'process.signals_pending');
      seen.set(Number(r.resource.attributes['process.pid']), value(m?.sum?.dataPoints[0]));
    }
    // The two blocked signals sent to the lowest pid, none to the other; the kernel's own mask says the same.
    const status = (pid: number): string => fs.readFileSync(`/proc/${pid}/status`, 'latin1');
    const shdPnd = (pid: number): bigint => BigInt('0x' + (/^ShdPnd:\s*([0-9a-f]+)$/m.exec(status(pid))?.[1] ?? 'x'));
    expect(shdPnd(lowest)).toBe((1n << 9n) | (1n << 11n));
    expect(seen.get(lowest)).toBe(2);
    for (const [pid, v] of seen) {
      if (pid === lowest) continue;
      expect(shdPnd(pid)).toBe(0n);
      expect(v).toBe(0);
    }
    expect(seen.size).toBe(2);
  });

  test('/metrics counts the exported and the dropped processes', async () => {
    const text = (await request(`${agent.url}/metrics`, { timeoutMs: 10000 })).body.toString();
    expect(text).toMatch(/^psutil_exporter_otlp_processes 2$/m);
    expect(text).toMatch(/^psutil_exporter_otlp_processes_dropped 1$/m);
  });

  // Last: it ends one of the children.
  test('the agent keeps a /proc/<pid> fd of each exported process only, and closes it once the process is gone', async () => {
    const agentPid = agent.proc.pid as number;
    const ours = children.map((c) => c.pid as number).sort((a, b) => a - b);
    // The two exported children: neither the dropped third nor any process the include filter leaves out.
    expect(keptProcDirs(agentPid)).toEqual(ours.slice(0, 2));
    // kept_fds: files keeps each exported process's stat, status and io open too; dir its stat only.
    const files = (pids: number[]): string[] =>
      keptFds === 'files' ? pids.flatMap((p) => [`${p}/io`, `${p}/stat`, `${p}/status`]) : pids.map((p) => `${p}/stat`);
    expect(keptProcFiles(agentPid)).toEqual(files(ours.slice(0, 2)));
    const leaving = children.find((c) => c.pid === ours[1]) as ChildProcess;
    leaving.kill('SIGKILL');
    await new Promise((r) => leaving.once('exit', r));
    const n = got.length;
    await waitFor('two more exports', async () => got.length >= n + 2, 20000);
    // Its fd is closed at the end of the first pass that did not see it; the third child is exported now.
    expect(keptProcDirs(agentPid)).toEqual([ours[0], ours[2]]);
    expect(keptProcFiles(agentPid)).toEqual(files([ours[0] as number, ours[2] as number]));
  });
});

/** Where each fd of `pid` points (readlink of /proc/<pid>/fd/*; fds closed since the listing left out). */
function fdTargets(pid: number): string[] {
  const out: string[] = [];
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      out.push(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return out;
}

/** The `<pid>/<file>` names of the /proc/<pid> files `pid` holds an fd of, sorted by pid then name. */
function keptProcFiles(pid: number): string[] {
  const out: [number, string][] = [];
  for (const t of fdTargets(pid)) {
    const m = /^\/proc\/(\d+)\/(stat|status|io)$/.exec(t);
    if (m !== null) out.push([Number(m[1]), m[2] as string]);
  }
  out.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return out.map(([p, n]) => `${p}/${n}`);
}

/** The pids whose /proc/<pid> directory `pid` holds an fd of (`/proc/<pid> (deleted)` once that process is reaped). */
function keptProcDirs(pid: number): number[] {
  const out: number[] = [];
  for (const t of fdTargets(pid)) {
    const m = /^\/proc\/(\d+)( \(deleted\))?$/.exec(t);
    if (m !== null) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}
