/**
 * The cgroups collector on our fixture trees: test/fixtures/cgroup-v2 (a unified host with Kubernetes pods of each
 * QoS class, docker, podman, systemd units and a login session) and test/fixtures/cgroup-v1 (a hybrid host with a
 * docker container), named through test/fixtures/podlogs. The numbers are those of the fixtures' READMEs; the
 * exposition passes promtool check metrics.
 */
import { spawnSync } from 'node:child_process';
import { cgroupsCollector, weightToShares, type CgroupsData } from '../../../src/exporters/collectors/cgroups';
import { createPsutil } from '../../../src/index';
import { parseExposition, type ParsedSeries } from '../golden-compare';
import { own } from '../../helpers/fixtures';
import { onPath, requireOr } from '../../helpers/require';
import { onePass } from '../../helpers/one-collector';

const MiB = 1024 * 1024;
const POD = '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8b6a59d0_730a_4f51_b11c_825bea3e1157.slice';
const NGINX = `${POD}/cri-containerd-aaac5e952418d5f3a97fff92fd31a623d9efdc5517e1c776200f7d75fdfb9c12.scope`;
const BE_POD =
  '/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod35550f44_f691_427e_b57d_ab6127d2cb65.slice';
const COREDNS = `${BE_POD}/crio-d28e0087cf8f3f0429f755d60b0de415b20fcf76736ded7bab6e30e7b739ee36.scope`;
const STATIC = '/kubepods.slice/kubepods-podfdddaf06cf500dcb43e30469b6880934.slice';
const PINNED_POD = '/kubepods.slice/kubepods-pod0f0e0d0c_0b0a_4908_8706_050403020100.slice';
const PINNED = `${PINNED_POD}/cri-containerd-${'c0ffee'.repeat(10)}c0ffee.scope`;
const DOCKER_ID = '1f2e3d4c5b6a79880f1e2d3c4b5a69788f9e0d1c2b3a49586f7e8d9c0b1a2f3e';
const DOCKER = `/system.slice/docker-${DOCKER_ID}.scope`;
const PODMAN = '/machine.slice/libpod-6e341326c5b2f2b1d7a0e4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2e479e.scope';
const V1_ID = 'd28e0087cf8f3f0429f755d60b0de415b20fcf76736ded7bab6e30e7b739ee36';
const PODS_LOG_DIR = own('podlogs', 'var', 'log', 'pods');

interface Scrape {
  text: string;
  series: ParsedSeries[];
  data: CgroupsData;
}

/** One pass of the agent with only the cgroups collector on, over a fixture tree, and its exposition. */
async function scrape(tree: string, options: Record<string, unknown> = {}): Promise<Scrape> {
  const yaml =
    `paths: {procfs: ${JSON.stringify(own(tree, 'proc'))}, sysfs: ${JSON.stringify(own(tree, 'sys'))}}\n` +
    `collectors: {cgroups: ${JSON.stringify({ enabled: true, pods_log_dir: PODS_LOG_DIR, ...options })}}\n`;
  const { text, data } = await onePass(yaml, 'cgroups');
  return { text, series: parseExposition(text).series, data: data as CgroupsData };
}

function value(s: Scrape, name: string, id: string, extra: Record<string, string> = {}): number | undefined {
  return s.series.find(
    (x) => x.name === name && x.labels['id'] === id && Object.entries(extra).every(([k, v]) => x.labels[k] === v),
  )?.value;
}

const havePromtool = requireOr(onPath('promtool'), 'promtool is not installed');

describe('cgroups collector on a unified host (test/fixtures/cgroup-v2)', () => {
  let s: Scrape;
  beforeAll(async () => {
    s = await scrape('cgroup-v2');
  });

  test('kept: depth <= 2, containers, pods, units and slices; not a container inner cgroup, not a plain deep one', () => {
    const kept = s.data.rows.map((r) => r.labels.id).sort();
    expect(kept).toEqual(
      [
        '/',
        '/batch',
        '/batch/jobs',
        '/kubepods.slice',
        '/kubepods.slice/kubepods-besteffort.slice',
        '/kubepods.slice/kubepods-burstable.slice',
        BE_POD,
        COREDNS,
        POD,
        NGINX,
        STATIC,
        // cg-names' pinned Guaranteed pod (process 4343, cpuset tighter than its quota) and its container
        PINNED_POD,
        PINNED,
        '/machine.slice',
        PODMAN,
        '/system.slice',
        DOCKER,
        '/system.slice/nginx.service',
        '/user.slice',
        '/user.slice/user-1000.slice',
        '/user.slice/user-1000.slice/session-3.scope',
      ].sort(),
    );
    expect(kept).not.toContain(`${PODMAN}/container`);
    expect(kept).not.toContain('/batch/jobs/job-1');
  });

  test('labels: names from the kubelet log directories, container id, systemd unit', () => {
    const l = (id: string) => s.data.rows.find((r) => r.labels.id === id)!.labels;
    expect(l(NGINX)).toEqual({
      id: NGINX,
      container: 'nginx',
      pod: 'web-7d9f8b6c5-x2x9q',
      namespace: 'default',
      container_id: 'aaac5e952418d5f3a97fff92fd31a623d9efdc5517e1c776200f7d75fdfb9c12',
      systemd_unit: 'cri-containerd-aaac5e952418d5f3a97fff92fd31a623d9efdc5517e1c776200f7d75fdfb9c12.scope',
      // No runtime state file under this run's rootfs: cgroups-daemonset.test.ts reads them.
      image: '',
      name: '',
    });
    expect(l(POD)).toMatchObject({ container: '', pod: 'web-7d9f8b6c5-x2x9q', namespace: 'default', container_id: '' });
    expect(l(COREDNS)).toMatchObject({
      container: 'coredns',
      pod: 'coredns-5d78c9869d-abcde',
      namespace: 'kube-system',
    });
    expect(l(STATIC)).toMatchObject({ pod: 'etcd-node1.example.com', namespace: 'kube-system', container: '' });
    // Not a Kubernetes container: an id, no names.
    expect(l(DOCKER)).toMatchObject({ container_id: DOCKER_ID, container: '', pod: '', namespace: '' });
    expect(l('/system.slice/nginx.service').systemd_unit).toBe('nginx.service');
    expect(l('/system.slice').systemd_unit).toBe('system.slice');
    expect(l('/batch').systemd_unit).toBe('');
  });

  test('CPU: usage in seconds with cpu="total"; CFS series and quota only where a quota is set (cAdvisor)', () => {
    expect(value(s, 'container_cpu_usage_seconds_total', NGINX, { cpu: 'total' })).toBe(7.5);
    expect(value(s, 'container_cpu_user_seconds_total', NGINX)).toBe(5);
    expect(value(s, 'container_cpu_system_seconds_total', NGINX)).toBe(2.5);
    expect(value(s, 'container_cpu_cfs_periods_total', NGINX)).toBe(1200);
    expect(value(s, 'container_cpu_cfs_throttled_periods_total', NGINX)).toBe(300);
    expect(value(s, 'container_cpu_cfs_throttled_seconds_total', NGINX)).toBe(4.5);
    expect(value(s, 'container_spec_cpu_quota', NGINX)).toBe(200000);
    expect(value(s, 'container_spec_cpu_quota', POD)).toBe(150000);
    expect(value(s, 'container_spec_cpu_quota', STATIC)).toBe(50000);
    expect(value(s, 'container_spec_cpu_period', NGINX)).toBe(100000);
    // cpu.max "max 100000": a period, no quota, no CFS series.
    expect(value(s, 'container_spec_cpu_period', DOCKER)).toBe(100000);
    expect(value(s, 'container_spec_cpu_quota', DOCKER)).toBeUndefined();
    expect(value(s, 'container_cpu_cfs_periods_total', DOCKER)).toBeUndefined();
    // cpu.weight mapped back to shares as cAdvisor does: 39 -> 998, 1 -> 2 (BestEffort), 100 -> 2597.
    expect(value(s, 'container_spec_cpu_shares', NGINX)).toBe(998);
    expect(value(s, 'container_spec_cpu_shares', COREDNS)).toBe(2);
    expect(value(s, 'container_spec_cpu_shares', DOCKER)).toBe(2597);
  });

  test('memory: usage, working set = usage - inactive_file, rss/cache/mapped from memory.stat, events, OOM kills', () => {
    expect(value(s, 'container_memory_usage_bytes', NGINX)).toBe(200 * MiB);
    expect(value(s, 'container_memory_working_set_bytes', NGINX)).toBe(160 * MiB);
    expect(value(s, 'container_memory_rss', NGINX)).toBe(150994944);
    expect(value(s, 'container_memory_cache', NGINX)).toBe(50 * MiB);
    expect(value(s, 'container_memory_mapped_file', NGINX)).toBe(10 * MiB);
    expect(value(s, 'container_memory_swap', NGINX)).toBe(4096);
    expect(value(s, 'container_memory_max_usage_bytes', NGINX)).toBe(256 * MiB);
    expect(value(s, 'container_memory_events_high_total', NGINX)).toBe(17);
    expect(value(s, 'container_memory_events_max_total', NGINX)).toBe(5);
    expect(value(s, 'container_oom_events_total', NGINX)).toBe(1);
    expect(value(s, 'container_oom_events_total', DOCKER)).toBe(1);
    // No failcnt on v2 (cgroup v2 has none).
    expect(value(s, 'container_memory_failcnt', NGINX)).toBeUndefined();
  });

  test('limits: bytes where set, 0 where unlimited (cAdvisor specMemoryValue), none without the controller', () => {
    expect(value(s, 'container_spec_memory_limit_bytes', POD)).toBe(512 * MiB);
    expect(value(s, 'container_spec_memory_limit_bytes', DOCKER)).toBe(128 * MiB);
    expect(value(s, 'container_spec_memory_limit_bytes', NGINX)).toBe(0);
    expect(value(s, 'container_spec_memory_limit_bytes', '/system.slice/nginx.service')).toBe(0);
    expect(value(s, 'container_spec_memory_reservation_limit_bytes', NGINX)).toBe(100 * MiB);
    expect(value(s, 'container_spec_memory_swap_limit_bytes', NGINX)).toBe(0);
    expect(value(s, 'container_spec_memory_limit_bytes', '/batch')).toBeUndefined();
    expect(value(s, 'container_threads', NGINX)).toBe(12);
    expect(value(s, 'container_threads_max', NGINX)).toBe(4096);
    expect(value(s, 'container_threads_max', DOCKER)).toBe(0);
  });

  test('io per device and operation, named from /proc/diskstats; PSI totals in seconds', () => {
    expect(value(s, 'container_blkio_device_usage_total', NGINX, { device: '/dev/sda', operation: 'Read' })).toBe(
      1048576,
    );
    expect(
      value(s, 'container_blkio_device_usage_total', NGINX, {
        device: '/dev/dm-0',
        major: '253',
        minor: '0',
        operation: 'Write',
      }),
    ).toBe(0);
    expect(value(s, 'container_pressure_cpu_waiting_seconds_total', NGINX)).toBe(0.912345);
    expect(value(s, 'container_pressure_cpu_stalled_seconds_total', NGINX)).toBe(0.456789);
    expect(value(s, 'container_pressure_memory_stalled_seconds_total', NGINX)).toBe(0.0005);
    expect(value(s, 'container_pressure_io_waiting_seconds_total', NGINX)).toBe(0.002);
  });

  havePromtool.test('promtool check metrics passes on the exposition', () => {
    const r = spawnSync('promtool', ['check', 'metrics'], { input: s.text, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('cgroups collector options', () => {
  test('depth 0 keeps only the root among plain cgroups; include adds, exclude removes', async () => {
    const s = await scrape('cgroup-v2', {
      depth: 0,
      include: '^/batch/jobs/job-1$',
      exclude: 'nginx\\.service|^/user\\.slice',
    });
    const kept = s.data.rows.map((r) => r.labels.id);
    expect(kept).toContain('/batch/jobs/job-1');
    expect(kept).not.toContain('/batch');
    expect(kept).toContain('/');
    expect(kept).toContain(NGINX);
    expect(kept).not.toContain('/system.slice/nginx.service');
    expect(kept.filter((id) => id.startsWith('/user.slice'))).toEqual([]);
  });

  test('max_cgroups keeps the shallowest and counts the rest in psutil_cgroups_dropped_total', async () => {
    const s = await scrape('cgroup-v2', { max_cgroups: 3 });
    expect(s.data.rows.map((r) => r.labels.id)).toEqual(['/', '/batch', '/kubepods.slice']);
    expect(s.series.find((x) => x.name === 'psutil_cgroups_dropped_total')?.value).toBe(21 - 3);
  });

  test('parts switched off are not read: no io, no pressure families', async () => {
    const s = await scrape('cgroup-v2', { io: false, pressure: false });
    expect(s.series.some((x) => x.name === 'container_blkio_device_usage_total')).toBe(false);
    expect(s.series.some((x) => x.name.startsWith('container_pressure_'))).toBe(false);
    expect(s.data.rows.every((r) => r.stats.io === null && r.stats.pressure === null)).toBe(true);
    expect(value(s, 'container_memory_working_set_bytes', NGINX)).toBe(160 * MiB);
  });

  test('without the pod log directory the name labels are empty', async () => {
    const s = await scrape('cgroup-v2', { pods_log_dir: '' });
    const l = s.data.rows.find((r) => r.labels.id === NGINX)!.labels;
    expect(l).toMatchObject({ container: '', pod: '', namespace: '' });
    expect(l.container_id).toBe('aaac5e952418d5f3a97fff92fd31a623d9efdc5517e1c776200f7d75fdfb9c12');
  });

  test('limits are read once and kept (cgroupStatsMany with limits: false reads none); usage every pass', async () => {
    const roots = { procfs: own('cgroup-v2', 'proc'), sysfs: own('cgroup-v2', 'sys'), rootfs: '/' };
    const psutil = createPsutil(roots);
    const noLimits = psutil.cgroupStatsMany([NGINX], { cpu: true, memory: true, pids: true, limits: false })[0]!;
    expect(noLimits.cpu).toMatchObject({ usage: 7.5, quota: null, period: null, weight: null });
    expect(noLimits.memory).toMatchObject({ current: 200 * MiB, min: null, swapMax: null });
    expect(noLimits.pids).toEqual({ current: 12, max: null });
    const collect = cgroupsCollector.create({ psutil, roots }, cgroupsCollector.options({ pods_log_dir: '' }));
    const first = await collect({ deadline: Date.now() + 10000 });
    const second = await collect({ deadline: Date.now() + 10000 });
    const row = (d: CgroupsData) => d.rows.find((r) => r.labels.id === NGINX)!.stats;
    expect(row(second)).toEqual(row(first));
    expect(row(second).cpu).toMatchObject({ quota: 0.2, period: 0.1, weight: 39 });
    expect(row(second).pids).toEqual({ current: 12, max: 4096 });
  });

  test('option defaults', () => {
    expect(cgroupsCollector.options({})).toMatchObject({
      depth: 2,
      include: '',
      exclude: '',
      maxCgroups: 1000,
      podsLogDir: '/var/log/pods',
    });
    expect(weightToShares(10000)).toBe(262144);
    expect(weightToShares(1)).toBe(2);
  });
});

describe('cgroups collector on a hybrid v1 host (test/fixtures/cgroup-v1)', () => {
  let s: Scrape;
  const C = `/docker/${V1_ID}`;
  beforeAll(async () => {
    s = await scrape('cgroup-v1');
  });

  test('each controller from its own hierarchy: cpuacct usage (ns), cpu throttling (ns), memory, blkio, pids', () => {
    expect(value(s, 'container_cpu_usage_seconds_total', C, { cpu: 'total' })).toBe(12.5);
    expect(value(s, 'container_cpu_user_seconds_total', C)).toBe(10);
    expect(value(s, 'container_cpu_cfs_throttled_seconds_total', C)).toBe(3.5);
    expect(value(s, 'container_cpu_cfs_throttled_periods_total', C)).toBe(200);
    expect(value(s, 'container_spec_cpu_quota', C)).toBe(100000);
    expect(value(s, 'container_spec_cpu_quota', '/docker')).toBe(50000);
    expect(value(s, 'container_spec_cpu_shares', C)).toBe(512);
    expect(value(s, 'container_memory_usage_bytes', C)).toBe(128 * MiB);
    expect(value(s, 'container_memory_working_set_bytes', C)).toBe(112 * MiB);
    // v1: the hierarchical total_* keys.
    expect(value(s, 'container_memory_cache', C)).toBe(40 * MiB);
    expect(value(s, 'container_memory_rss', C)).toBe(96 * MiB);
    expect(value(s, 'container_memory_swap', C)).toBe(4 * MiB);
    expect(value(s, 'container_memory_max_usage_bytes', C)).toBe(192 * MiB);
    expect(value(s, 'container_oom_events_total', C)).toBe(3);
    expect(value(s, 'container_spec_memory_limit_bytes', C)).toBe(256 * MiB);
    expect(value(s, 'container_spec_memory_limit_bytes', '/docker')).toBe(0);
    expect(value(s, 'container_spec_memory_reservation_limit_bytes', C)).toBe(0);
    expect(value(s, 'container_threads', C)).toBe(3);
    expect(value(s, 'container_threads_max', C)).toBe(0);
    // No /proc/diskstats in this tree: the device stays unnamed, as cAdvisor leaves it.
    const w = s.series.find(
      (x) =>
        x.name === 'container_blkio_device_usage_total' && x.labels['id'] === C && x.labels['operation'] === 'Write',
    );
    expect(w).toMatchObject({ labels: { major: '8', minor: '0' }, value: 8192 });
    expect(w?.labels['device']).toBeUndefined(); // empty, so dropped by the parser as by Prometheus
    // PSI from the unified hierarchy beside the v1 ones.
    expect(value(s, 'container_pressure_cpu_waiting_seconds_total', C)).toBe(0.000777);
    const l = s.data.rows.find((r) => r.labels.id === C)!.labels;
    expect(l).toMatchObject({ container_id: V1_ID, systemd_unit: '', container: 'coredns' });
  });

  havePromtool.test('promtool check metrics passes on the exposition', () => {
    const r = spawnSync('promtool', ['check', 'metrics'], { input: s.text, encoding: 'utf8' });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
