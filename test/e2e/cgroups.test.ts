/**
 * The cgroups collector LIVE, as root on a v1 or hybrid host: a container-like cgroup
 * `/<name>/kubepods/burstable/pod<uid>/<64-hex id>` made in the v1 cpu, cpuacct, memory and pids hierarchies and in
 * the unified one, with a CPU quota of 0.2, a 64 MiB memory limit and pids.max 5, a busy shell loop moved into it;
 * a kubelet-style log directory naming it; a second cgroup with a 32 MiB limit where a python3 hog is OOM-killed. The
 * agent runs with only the cgroups collector on and its series are read back: the limits as set, usage > 0,
 * throttled periods > 0, the OOM kill, the names, and promtool's check of the whole exposition. Everything made is
 * removed after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collectorsOffBut } from '../helpers/e2e';
import { CgroupSandbox, cannotCreateCgroups, unifiedMount, v1Mount } from '../helpers/cgroups';
import { requireOr } from '../helpers/require';
import { parseExposition, type ParsedSeries } from '../exporters/golden-compare';
import { hasBinary, promtoolCheck, request, startAgent, waitFor, type RunningAgent } from './agent-process';

const NAME = `psx-e2e-cg-${process.pid}`;
const MiB = 1024 * 1024;
const CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids'];
const WHY = cannotCreateCgroups(CONTROLLERS, NAME);
const live = requireOr(WHY === null, WHY ?? '');

live.describe('cgroups collector on cgroups made for the test', () => {
  const sandbox = new CgroupSandbox();
  const kids: ChildProcess[] = [];
  const uid = randomUUID();
  const id = randomBytes(32).toString('hex');
  const POD = `/${NAME}/kubepods/burstable/pod${uid}`;
  const CTR = `${POD}/${id}`;
  const OOM = `/${NAME}/oom`;
  let tmp: string;
  let agent: RunningAgent;

  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => c.once('exit', () => r()));
  const mounts = (): string[] => {
    const u = unifiedMount();
    return [...CONTROLLERS.map((c) => v1Mount(c)!), ...(u === null ? [] : [u])];
  };

  async function scrape(): Promise<{ text: string; series: ParsedSeries[] }> {
    const r = await request(`${agent.url}/metrics`);
    expect(r.status).toBe(200);
    const text = r.body.toString('utf8');
    return { text, series: parseExposition(text).series };
  }
  const one = (series: ParsedSeries[], name: string, cg: string) =>
    series.find((x) => x.name === name && x.labels['id'] === cg)?.value;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-cg-'));
    // The kubelet's layout: /var/log/pods/<ns>_<pod>_<uid>/<container>/0.log and the /var/log/containers link.
    const podDir = path.join(tmp, 'pods', `e2e_busy-pod_${uid}`, 'spin');
    fs.mkdirSync(podDir, { recursive: true });
    fs.writeFileSync(path.join(podDir, '0.log'), '');
    fs.mkdirSync(path.join(tmp, 'containers'));
    fs.symlinkSync(path.join(podDir, '0.log'), path.join(tmp, 'containers', `busy-pod_e2e_spin-${id}.log`));

    const [cpu, , mem, pids] = sandbox.make(CTR, mounts());
    fs.writeFileSync(path.join(cpu!, 'cpu.cfs_period_us'), '100000');
    fs.writeFileSync(path.join(cpu!, 'cpu.cfs_quota_us'), '20000');
    fs.writeFileSync(path.join(mem!, 'memory.limit_in_bytes'), String(64 * MiB));
    fs.writeFileSync(path.join(pids!, 'pids.max'), '5');
    const busy = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
    kids.push(busy);
    CgroupSandbox.enter(busy.pid!, sandbox.make(CTR, mounts()));

    const [, , oomMem] = sandbox.make(OOM, mounts());
    fs.writeFileSync(path.join(oomMem!, 'memory.limit_in_bytes'), String(32 * MiB));
    // With swap accounting, memsw must be limited too or the hog swaps instead of dying.
    const memsw = path.join(oomMem!, 'memory.memsw.limit_in_bytes');
    if (fs.existsSync(memsw)) fs.writeFileSync(memsw, String(32 * MiB));
    const hog = spawn('/usr/bin/python3', ['-c', "import sys\nsys.stdin.readline()\nb = b'x' * (256 << 20)\n"], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    kids.push(hog);
    fs.writeFileSync(path.join(oomMem!, 'cgroup.procs'), String(hog.pid!));
    hog.stdin.end('go\n');
    await exited(hog);

    const cfg = [
      'collection: {max_age: 100ms}',
      'collectors:',
      ...collectorsOffBut('cgroups'),
      `  cgroups: ${JSON.stringify({
        enabled: true,
        depth: 0,
        include: `^/${NAME}(/|$)`,
        pods_log_dir: path.join(tmp, 'pods'),
      })}`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(tmp, 'c.yaml'), cfg);
    agent = await startAgent([`--config.file=${path.join(tmp, 'c.yaml')}`, '--log.level=error']);
  }, 90_000);

  afterAll(async () => {
    await agent?.stop();
    for (const k of kids) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
    await Promise.all(kids.map(exited));
    sandbox.remove();
    if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the busy container: limits as set, usage, throttling, pids, names', async () => {
    // Throttled periods show once a period ends throttled: scraped until they do (bounded).
    const { text, series } = await waitFor(
      'throttled periods in the container',
      async () => {
        const s = await scrape();
        return (one(s.series, 'container_cpu_cfs_throttled_periods_total', CTR) ?? 0) > 0 ? s : null;
      },
      30_000,
      200,
    );
    expect(one(series, 'container_spec_cpu_quota', CTR)).toBe(20000);
    expect(one(series, 'container_spec_cpu_period', CTR)).toBe(100000);
    expect(one(series, 'container_cpu_usage_seconds_total', CTR)).toBeGreaterThan(0);
    expect(one(series, 'container_cpu_cfs_periods_total', CTR)!).toBeGreaterThanOrEqual(
      one(series, 'container_cpu_cfs_throttled_periods_total', CTR)!,
    );
    expect(one(series, 'container_spec_memory_limit_bytes', CTR)).toBe(64 * MiB);
    expect(one(series, 'container_threads', CTR)).toBe(1);
    expect(one(series, 'container_threads_max', CTR)).toBe(5);
    // The parent without a quota: a period, no quota, no CFS series (cAdvisor's convention).
    expect(one(series, 'container_spec_cpu_quota', POD)).toBeUndefined();
    expect(one(series, 'container_cpu_cfs_periods_total', POD)).toBeUndefined();
    // Not limited: 0, as cAdvisor.
    expect(one(series, 'container_spec_memory_limit_bytes', POD)).toBe(0);

    const labels = series.find((x) => x.name === 'container_cpu_usage_seconds_total' && x.labels['id'] === CTR)!.labels;
    expect(labels).toMatchObject({
      container_id: id,
      container: 'spin',
      pod: 'busy-pod',
      namespace: 'e2e',
      cpu: 'total',
    });
    const podLabels = series.find((x) => x.name === 'container_spec_cpu_period' && x.labels['id'] === POD)!.labels;
    expect(podLabels).toMatchObject({ pod: 'busy-pod', namespace: 'e2e' });
    expect(podLabels['container']).toBeUndefined();

    // PSI comes from the unified hierarchy's copy of the cgroup, where the kernel has PSI on.
    const u = unifiedMount();
    if (u !== null && fs.existsSync(path.join(u, CTR, 'cpu.pressure')))
      expect(one(series, 'container_pressure_cpu_waiting_seconds_total', CTR)).toBeGreaterThanOrEqual(0);

    if (hasBinary('promtool')) expect(promtoolCheck(text).problems).toEqual([]);
  }, 60_000);

  test('the memory hog: OOM-killed and counted, its limit read back', async () => {
    const { series } = await scrape();
    expect(one(series, 'container_oom_events_total', OOM)).toBe(1);
    expect(one(series, 'container_spec_memory_limit_bytes', OOM)).toBe(32 * MiB);
    expect(one(series, 'container_memory_max_usage_bytes', OOM)!).toBeGreaterThan(0);
  });
});
