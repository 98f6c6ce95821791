/**
 * The process_groups collector in the agent's pipeline (config loader, collector plan, snapshot, prom-client
 * rendering) on a fixture node (test/fixtures/pod-names, with the kubelet log directory of test/fixtures/podlogs):
 * groups named by pod, container and systemd unit through the agent's config keys.
 */
import * as path from 'node:path';
import { parseConfig } from '../../../src/config/load';
import { parseExposition } from '../golden-compare';
import { OWN_FIXTURES } from '../../helpers/fixtures';
import { onePass } from '../../helpers/one-collector';

const NODE = path.join(OWN_FIXTURES, 'pod-names');
const LOGS = path.join(OWN_FIXTURES, 'podlogs', 'var', 'log', 'pods');

async function scrape(yaml: string): Promise<ReturnType<typeof parseExposition>> {
  return parseExposition((await onePass(yaml, 'process_groups')).text);
}

const CONFIG = `
log: {level: error}
paths: {procfs: ${JSON.stringify(path.join(NODE, 'proc'))}, sysfs: ${JSON.stringify(path.join(NODE, 'sys'))}}
collectors:
  process_groups:
    pod_logs_dir: ${JSON.stringify(LOGS)}
    exclude_families: [read_bytes_total, write_bytes_total, open_filedesc, worst_fd_ratio]
process_names:
  - name: "{{.Namespace}}/{{.PodName}}"
    pod_name: ['.+']
    labels:
      container: "{{.ContainerName}}"
      pod_uid: "{{.PodUID}}"
  - name: "{{.SystemdUnit}}"
    systemd_unit: ['.+\\.service']
`;

test('groups named by pod (labels: container, pod_uid) and by systemd unit, rendered on /metrics', async () => {
  const e = await scrape(CONFIG);
  const procs = e.series
    .filter((s) => s.name === 'namedprocess_namegroup_num_procs')
    .map((s) => `${s.labels['groupname']}|${s.labels['container'] ?? ''}|${s.labels['pod_uid'] ?? ''}=${s.value}`)
    .sort();
  expect(procs).toEqual([
    'default/web-7d9f8b6c5-x2x9q|log-shipper|8b6a59d0-730a-4f51-b11c-825bea3e1157=1',
    'default/web-7d9f8b6c5-x2x9q|nginx|8b6a59d0-730a-4f51-b11c-825bea3e1157=2',
    // the sandbox's pause process: no container name (the kubelet links no log for it)
    'default/web-7d9f8b6c5-x2x9q||8b6a59d0-730a-4f51-b11c-825bea3e1157=1',
    'kube-system/coredns-5d78c9869d-abcde|coredns|35550f44-f691-427e-b57d-ab6127d2cb65=1',
    'kube-system/etcd-node1.example.com|etcd|fdddaf06cf500dcb43e30469b6880934=1',
    'nginx.service||=2',
    'syncthing.service||=1',
  ]);
  // The fixture's resident memory: 4000 kB per process.
  const rss = e.series.find(
    (s) =>
      s.name === 'namedprocess_namegroup_memory_bytes' &&
      s.labels['groupname'] === 'default/web-7d9f8b6c5-x2x9q' &&
      s.labels['container'] === 'nginx' &&
      s.labels['memtype'] === 'resident',
  );
  expect(rss?.value).toBe(2 * 4000 * 1024);
  // The memory limit the group's processes share: the web pod's slice (512 MiB) over an unlimited container.
  const limit = (groupname: string, container: string) =>
    e.series.find(
      (s) =>
        s.name === 'psutil_group_memory_limit_bytes' &&
        s.labels['groupname'] === groupname &&
        s.labels['container'] === container,
    )?.value;
  expect(limit('default/web-7d9f8b6c5-x2x9q', 'nginx')).toBe(512 * 1024 * 1024);
  expect(limit('kube-system/coredns-5d78c9869d-abcde', 'coredns')).toBe(170 * 1024 * 1024);
  // nothing limits syncthing.service: no series
  expect(limit('syncthing.service', '')).toBeUndefined();
  expect(
    e.series.some((s) => s.name === 'psutil_group_memory_limit_bytes' && s.labels['groupname'] === 'syncthing.service'),
  ).toBe(false);
});

test('the config loader refuses a bad selector with its line', () => {
  expect(() => parseConfig(`process_names:\n  - name: x\n    pod_name: ['(']\n`, '<test>')).toThrow(/3:.*pod_name/);
});
