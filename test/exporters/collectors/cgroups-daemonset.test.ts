/**
 * The cgroups collector as a DaemonSet runs it: --path.procfs=/host/proc (the host's, hostPID), --path.sysfs=/host/sys,
 * --path.rootfs=/host/root. `self` there is the agent, whose mount table shows its own container's cgroup; the
 * hierarchies come from init's table (<procfs>/1/mountinfo) mapped through the host roots. Two procfs fixtures over
 * the cgroup tree of test/fixtures/cgroup-v2 (test/fixtures/cgroup-daemonset/README.md): the host's cgroup namespace
 * (v1-era runtimes, privileged pods: the agent's /sys/fs/cgroup shows root `/kubepods.slice/...`) and a private one
 * (containerd on v2: init's mounts read as `/../../../..`). Either must give the series the host itself gives.
 */
import type { CgroupsData } from '../../../src/exporters/collectors/cgroups';
import { createPsutil, ParseError } from '../../../src/index';
import { parseRuntimeState } from '../../../src/probes/linux/parse/runtimestate';
import { own } from '../../helpers/fixtures';
import { onePass } from '../../helpers/one-collector';

const SYSFS = own('cgroup-v2', 'sys');
const ROOTFS = own('cgroup-daemonset', 'root');
const PODS_LOG_DIR = own('podlogs', 'var', 'log', 'pods');
const NGINX =
  '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8b6a59d0_730a_4f51_b11c_825bea3e1157.slice/' +
  'cri-containerd-aaac5e952418d5f3a97fff92fd31a623d9efdc5517e1c776200f7d75fdfb9c12.scope';
const AGENT_ID = '5eed'.repeat(16);

interface Scrape {
  text: string;
  data: CgroupsData;
}

async function scrape(procfs: string, rootfs: string): Promise<Scrape> {
  const yaml =
    `paths: ${JSON.stringify({ procfs, sysfs: SYSFS, rootfs })}\n` +
    `collectors: {cgroups: ${JSON.stringify({ enabled: true, pods_log_dir: PODS_LOG_DIR })}}\n`;
  const { text, data } = await onePass(yaml, 'cgroups');
  return { text, data: data as CgroupsData };
}

const VIEWS = [
  ['host cgroup namespace (self shows its own container at /sys/fs/cgroup)', 'proc'],
  ['private cgroup namespace (init mounts read as /../../../..)', 'proc-cgroupns'],
] as const;

describe.each(VIEWS)('DaemonSet view, %s', (_title, procDir) => {
  const procfs = own('cgroup-daemonset', procDir);

  test("hierarchies: init's mounts, /sys under the sysfs root, others under the rootfs, roots the host's /", () => {
    const hs = createPsutil({ procfs, sysfs: SYSFS, rootfs: ROOTFS }).cgroups();
    expect(hs).toEqual([
      { version: 2, controllers: [], mountPoint: `${SYSFS}/fs/cgroup`, root: '/' },
      { version: 1, controllers: ['name=dash'], mountPoint: `${ROOTFS}/cgroup/dash`, root: '/' },
    ]);
    // Without a rootfs, a host mount outside /sys is taken as it is.
    const bare = createPsutil({ procfs, sysfs: SYSFS }).cgroups();
    expect(bare[1]!.mountPoint).toBe('/cgroup/dash');
  });

  test('the collector lists the host cgroups: the same series as on the host itself', async () => {
    const [ds, host] = await Promise.all([scrape(procfs, ROOTFS), scrape(own('cgroup-v2', 'proc'), ROOTFS)]);
    const ids = ds.data.rows.map((r) => r.labels.id);
    expect(ids).toContain(NGINX);
    expect(ids).toContain('/system.slice/nginx.service');
    expect(ids.every((id) => !id.includes('..') && !id.includes(AGENT_ID))).toBe(true);
    const nginx = ds.data.rows.find((r) => r.labels.id === NGINX)!;
    expect(nginx.labels.pod).not.toBe('');
    expect(nginx.stats.memory?.current).toBe(200 * 1024 * 1024);
    expect(ids).toEqual(host.data.rows.map((r) => r.labels.id));
    // Every container_* series and value alike (timings aside).
    const families = (t: string) => t.split('\n').filter((l) => l.startsWith('container_'));
    expect(families(ds.text).length).toBeGreaterThan(100);
    expect(families(ds.text)).toEqual(families(host.text));
  });

  test("the agent's own identity is still a pure function of its cgroup lines", () => {
    const p = createPsutil({ procfs, sysfs: SYSFS, rootfs: ROOTFS });
    const own = p.cgroupIdentity();
    if (procDir === 'proc') {
      expect(own.containerId).toBe(AGENT_ID);
      expect(own.podUid).toBe('7d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b');
    } else {
      // In a private namespace the process is at its root: nothing in `/` names it.
      expect(own.containerId).toBeNull();
    }
    expect(
      p.cgroupIdentity(
        `0::/../../kubepods-burstable-pod8b6a59d0_730a_4f51_b11c_825bea3e1157.slice/cri-containerd-${'ab'.repeat(32)}.scope`,
      ).containerId,
    ).toBe('ab'.repeat(32));
  });
});

describe('image and name from the runtime state files under the rootfs (test/fixtures/cgroup-daemonset/root)', () => {
  const DOCKER = '1f2e3d4c5b6a79880f1e2d3c4b5a69788f9e0d1c2b3a49586f7e8d9c0b1a2f3e';
  const CRIO = 'd28e0087cf8f3f0429f755d60b0de415b20fcf76736ded7bab6e30e7b739ee36';
  const PODMAN = '6e341326c5b2f2b1d7a0e4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2e479e';

  test('containerd: the CRI annotation and the id; CRI-O: its annotations; docker: Config.Image and Name', async () => {
    const s = await scrape(own('cgroup-daemonset', 'proc'), ROOTFS);
    const by = (cid: string) => s.data.rows.find((r) => r.labels.container_id === cid)!.labels;
    const nginxId = 'aaac5e952418d5f3a97fff92fd31a623d9efdc5517e1c776200f7d75fdfb9c12';
    expect([by(nginxId).image, by(nginxId).name]).toEqual(['docker.io/library/nginx:1.25', nginxId]);
    expect([by(DOCKER).image, by(DOCKER).name]).toEqual(['redis:7-alpine', 'cache']);
    expect([by(CRIO).image, by(CRIO).name]).toEqual([
      'registry.k8s.io/coredns/coredns:v1.11.1',
      'k8s_coredns_coredns-5d78c9869d-abcde_kube-system_35550f44-f691-427e-b57d-ab6127d2cb65_0',
    ]);
    // podman's config.json carries neither CRI-O annotation; a pod's own row (as cAdvisor's) and every
    // non-container cgroup get empty labels.
    expect([by(PODMAN).image, by(PODMAN).name]).toEqual(['', '']);
    const pod = s.data.rows.find((r) => r.labels.id === NGINX.slice(0, NGINX.lastIndexOf('/')))!.labels;
    expect([pod.pod, pod.image, pod.name]).toEqual(['web-7d9f8b6c5-x2x9q', '', '']);
    expect(s.data.rows.find((r) => r.labels.id === '/system.slice/nginx.service')!.labels.image).toBe('');
    expect(s.text).toContain(`image="redis:7-alpine"`);
  });

  test('without the rootfs (no state files reachable) the labels are empty, not an error', async () => {
    const s = await scrape(own('cgroup-daemonset', 'proc'), own('cgroup-daemonset', 'proc'));
    expect(s.data.rows.every((r) => r.labels.image === '' && r.labels.name === '')).toBe(true);
  });

  test('the library call, and a garbled file is a ParseError', () => {
    const p = createPsutil({ procfs: own('cgroup-daemonset', 'proc'), sysfs: SYSFS, rootfs: ROOTFS });
    expect(p.containerRuntimeState('docker', DOCKER)).toEqual({ image: 'redis:7-alpine', name: 'cache' });
    expect(p.containerRuntimeState('containerd', DOCKER)).toBeNull();
    // Not an id: never joined into a path.
    expect(p.containerRuntimeState('docker', '../../etc')).toBeNull();
    expect(() => parseRuntimeState('{"Name":', 'docker', DOCKER, 'x.json')).toThrow(ParseError);
    expect(() => parseRuntimeState('[]', 'containerd', DOCKER, 'x.json')).toThrow(ParseError);
  });
});
