/**
 * The per-container OTLP mapping (src/exporters/otlp-containers.ts, otlp-container-resources.ts) on the cgroups
 * collector's data from the hybrid v1 fixture test/fixtures/cgroup-v1 (a docker container under /docker/<id>, each
 * v1 controller in its own hierarchy), the values checked against the fixture's files; and how the container
 * resources join an export's per-process batch. The unified fixture and the wire format: test/e2e/otlp-containers.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { emptyResource, resourceFromAttributes } from '@opentelemetry/resources';
import type { CgroupsData } from '../../src/exporters/collectors/cgroups';
import { containerMetrics } from '../../src/exporters/otlp-containers';
import {
  containerResourceMetrics,
  isContainerMetric,
  withContainers,
} from '../../src/exporters/otlp-container-resources';
import { own } from '../helpers/fixtures';
import { onePass } from '../helpers/one-collector';

const ID = 'd28e0087cf8f3f0429f755d60b0de415b20fcf76736ded7bab6e30e7b739ee36';
const V1 = own('cgroup-v1', 'sys', 'fs', 'cgroup');
const read = (ctl: string, file: string): string => fs.readFileSync(path.join(V1, ctl, 'docker', ID, file), 'utf8');
const stat = (): Map<string, number> =>
  new Map(
    read('memory', 'memory.stat')
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string])
      .map(([k, v]) => [k, Number(v)]),
  );

async function collect(rootfs?: string): Promise<CgroupsData> {
  const root = rootfs === undefined ? '' : `, rootfs: ${JSON.stringify(rootfs)}`;
  const yaml =
    `paths: {procfs: ${JSON.stringify(own('cgroup-v1', 'proc'))}, sysfs: ${JSON.stringify(own('cgroup-v1', 'sys'))}${root}}\n` +
    `collectors: {cgroups: {enabled: true, pods_log_dir: ${JSON.stringify(own('podlogs', 'var', 'log', 'pods'))}}}\n`;
  return (await onePass(yaml, 'cgroups')).data as CgroupsData;
}

describe('container.* from the hybrid v1 fixture (test/fixtures/cgroup-v1)', () => {
  let data: CgroupsData;
  beforeAll(async () => {
    data = await collect();
  });

  test("one container, its values from the v1 controllers' files", () => {
    const ms = containerMetrics(data);
    expect(ms.every(isContainerMetric)).toBe(true);
    const rms = containerResourceMetrics(ms, resourceFromAttributes({ 'host.name': 'h' }), 1000, 2000);
    expect(rms).toHaveLength(1);
    // /docker/<id>: docker; the pod log link names the id (coredns), the path has no pod UID.
    expect(rms[0]!.resource.attributes).toEqual({
      'host.name': 'h',
      'container.id': ID,
      'container.runtime.name': 'docker',
      'k8s.pod.name': 'coredns-5d78c9869d-abcde',
      'k8s.namespace.name': 'kube-system',
      'k8s.container.name': 'coredns',
    });
    const by = new Map(rms[0]!.scopeMetrics[0]!.metrics.map((m) => [m.descriptor.name, m]));
    const pts = (n: string) => by.get(n)?.dataPoints.map((p) => [p.attributes, p.value]);
    expect(pts('container.cpu.time')).toEqual([
      [{ 'cpu.mode': 'user' }, Number(read('cpuacct', 'cpuacct.usage_user')) / 1e9],
      [{ 'cpu.mode': 'kernel' }, Number(read('cpuacct', 'cpuacct.usage_sys')) / 1e9],
    ]);
    const usage = Number(read('memory', 'memory.usage_in_bytes'));
    const ws = usage - stat().get('total_inactive_file')!;
    expect(pts('container.memory.usage')).toEqual([[{}, usage]]);
    expect(pts('container.memory.working_set')).toEqual([[{}, ws]]);
    expect(pts('container.memory.rss')).toEqual([[{}, stat().get('total_rss')]]);
    expect(pts('container.memory.available')).toEqual([[{}, Number(read('memory', 'memory.limit_in_bytes')) - ws]]);
    // The fixture's memory.stat has total_pgfault but no total_pgmajfault: no fault split, no metric.
    expect(stat().has('total_pgmajfault')).toBe(false);
    expect(by.has('container.paging.faults')).toBe(false);
    // Counters from the given start, every point at the end.
    expect(by.get('container.cpu.time')!.dataPoints[0]!.startTime).toEqual([1, 0]);
    expect(by.get('container.memory.usage')!.dataPoints[0]!.endTime).toEqual([2, 0]);
  });

  test("the runtime's image and name: container.image.name, container.name", async () => {
    // docker's state file for the fixture's container, under a rootfs made for the test (the collector's image/name
    // labels, src/probes/linux/runtimestate.ts), the same document shape as docker 24 writes.
    const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-otlp-rt-'));
    try {
      const dir = path.join(rootfs, 'var', 'lib', 'docker', 'containers', ID);
      fs.mkdirSync(dir, { recursive: true });
      const doc = { ID, Name: '/dns', Config: { Image: 'coredns/coredns:1.11.1' }, State: { Running: true } };
      fs.writeFileSync(path.join(dir, 'config.v2.json'), JSON.stringify(doc));
      const rms = containerResourceMetrics(containerMetrics(await collect(rootfs)), emptyResource(), 0, 1);
      expect(rms).toHaveLength(1);
      expect(rms[0]!.resource.attributes).toMatchObject({
        'container.id': ID,
        'container.image.name': 'coredns/coredns:1.11.1',
        'container.name': 'dns',
      });
    } finally {
      fs.rmSync(rootfs, { recursive: true, force: true });
    }
  });

  test('the container resources join any per-process batch, after its resources', () => {
    const rms = containerResourceMetrics(containerMetrics(data), emptyResource(), 0, 1);
    expect(withContainers(null, [])).toBeNull();
    expect(withContainers(null, rms)).toEqual({ kind: 'resources', resources: rms });
    const proc = containerResourceMetrics(containerMetrics(data), resourceFromAttributes({ 'process.pid': 1 }), 0, 1);
    expect(withContainers({ kind: 'resources', resources: proc }, rms)).toEqual({
      kind: 'resources',
      resources: [...proc, ...rms],
    });
    const packed = { kind: 'packed', packs: [], host: emptyResource(), endMs: 1 } as const;
    expect(withContainers(packed, rms)).toEqual({ ...packed, extra: rms });
    expect(withContainers(packed, [])).toBe(packed);
  });
});
