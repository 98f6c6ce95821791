/**
 * Pod and container names from the kubelet's log directories: the pure name parsers on the layouts the kubelet writes
 * (and on names it does not), and the reader on test/fixtures/podlogs (see its README for the tree).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProcFs } from '../../../src/probes/linux/procfs';
import { readPodLogs } from '../../../src/probes/linux/podlogs';
import {
  isContainerName,
  parseContainerLogName,
  parsePodLogDir,
  podDirOfLogTarget,
} from '../../../src/probes/linux/parse/podlogs';
import { own } from '../../helpers/fixtures';

const U1 = '8b6a59d0-730a-4f51-b11c-825bea3e1157';
const U2 = '35550f44-f691-427e-b57d-ab6127d2cb65';
const STATIC = 'fdddaf06cf500dcb43e30469b6880934';
const C1 = 'aaac5e952418d5f3a97fff92fd31a623d9efdc5517e1c776200f7d75fdfb9c12';
const C2 = '805b902ed98fdc1409c76e9aa94964787a904c80f46fc3ee74283509108f5e73';
const C3 = 'd28e0087cf8f3f0429f755d60b0de415b20fcf76736ded7bab6e30e7b739ee36';
const C4 = 'ee4b20e9c2d8c0b1a3f5e6d7c8b9a0f1e2d3c4b5a6978877665544332211ff00';
const C5 = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

const fsAt = () => new ProcFs({ procfs: '/proc', sysfs: '/sys', rootfs: '/' });
const LOGS = own('podlogs', 'var', 'log');

describe('kubelet log names', () => {
  test('pod directories: namespace, pod, uid; dashes and dots in names, static-pod uids', () => {
    expect(parsePodLogDir(`default_web-7d9f8b6c5-x2x9q_${U1}`)).toEqual({
      namespace: 'default',
      pod: 'web-7d9f8b6c5-x2x9q',
      uid: U1,
    });
    expect(parsePodLogDir(`kube-system_etcd-node1.example.com_${STATIC}`)).toEqual({
      namespace: 'kube-system',
      pod: 'etcd-node1.example.com',
      uid: STATIC,
    });
  });
  test('pod directories that are not the kubelet layout are null', () => {
    expect(parsePodLogDir(U1)).toBeNull(); // pre-1.14: /var/log/pods/<uid>/
    expect(parsePodLogDir('lost+found')).toBeNull();
    expect(parsePodLogDir('default_web_not-a-uid')).toBeNull();
    expect(parsePodLogDir(`default_web_${U1.toUpperCase()}`)).toBeNull();
    expect(parsePodLogDir(`default_web_x_${U1}`)).toBeNull(); // a fourth field
    expect(parsePodLogDir(`_web_${U1}`)).toBeNull();
    expect(parsePodLogDir(`Default_web_${U1}`)).toBeNull();
    expect(parsePodLogDir(`default_web_${U1.replace(/-/g, '_')}`)).toBeNull(); // the cgroup's form, not the log's
    expect(parsePodLogDir('')).toBeNull();
  });
  test('container links: the container name is everything up to the last dash before the id', () => {
    expect(parseContainerLogName(`web-7d9f8b6c5-x2x9q_default_log-shipper-${C2}.log`)).toEqual({
      pod: 'web-7d9f8b6c5-x2x9q',
      namespace: 'default',
      container: 'log-shipper',
      containerId: C2,
    });
    expect(parseContainerLogName(`web_default_nginx-${C1.slice(0, 8)}.log`)).toBeNull(); // truncated at 255 bytes
    expect(parseContainerLogName(`web_default_nginx-${C1}`)).toBeNull();
    expect(parseContainerLogName(`web_default_-${C1}.log`)).toBeNull();
    expect(parseContainerLogName(`web_nginx-${C1}.log`)).toBeNull();
  });
  test('link targets: the pod directory is the third component from the end, wherever it is mounted', () => {
    expect(podDirOfLogTarget(`/var/log/pods/default_web_${U1}/nginx/0.log`)).toEqual({
      namespace: 'default',
      pod: 'web',
      uid: U1,
    });
    expect(podDirOfLogTarget(`/host/var/log/pods/default_web_${U1}/nginx/3.log`)?.uid).toBe(U1);
    expect(podDirOfLogTarget(`/srv/logs/${C4}.log`)).toBeNull();
    expect(podDirOfLogTarget('0.log')).toBeNull();
  });
  test('container directory names are DNS labels', () => {
    expect(isContainerName('log-shipper')).toBe(true);
    expect(isContainerName('nginx_0.log')).toBe(false);
    expect(isContainerName('.keep')).toBe(false);
  });
});

describe('readPodLogs on test/fixtures/podlogs', () => {
  const idx = readPodLogs(fsAt(), path.join(LOGS, 'pods'));

  test('pods by uid with their container names; malformed entries ignored', () => {
    expect([...idx.byUid.keys()].sort()).toEqual([U2, U1, STATIC].sort());
    expect(idx.byUid.get(U1)).toEqual({
      namespace: 'default',
      pod: 'web-7d9f8b6c5-x2x9q',
      uid: U1,
      containers: ['log-shipper', 'nginx'],
    });
    expect(idx.byUid.get(U2)).toEqual({
      namespace: 'kube-system',
      pod: 'coredns-5d78c9869d-abcde',
      uid: U2,
      containers: ['coredns'],
    });
    expect(idx.byUid.get(STATIC)?.pod).toBe('etcd-node1.example.com');
  });

  test('containers by id from containers/ beside it; the uid where the link points into a pod directory', () => {
    expect([...idx.containerNames.keys()].sort()).toEqual([C1, C2, C3, C4, C5].sort());
    expect(idx.containerNames.get(C1)).toEqual({
      namespace: 'default',
      pod: 'web-7d9f8b6c5-x2x9q',
      container: 'nginx',
      uid: U1,
    });
    expect(idx.containerNames.get(C3)).toEqual({
      namespace: 'kube-system',
      pod: 'coredns-5d78c9869d-abcde',
      container: 'coredns',
      uid: U2,
    });
    // Points outside any pod log directory; a regular file instead of a link: names kept, uid unknown.
    expect(idx.containerNames.get(C4)).toEqual({
      namespace: 'kube-system',
      pod: 'etcd-node1.example.com',
      container: 'etcd',
      uid: null,
    });
    expect(idx.containerNames.get(C5)?.uid).toBeNull();
    expect(idx.containerNames.get(C5)?.container).toBe('kube-proxy');
  });

  test('an explicit containers dir, and missing directories: an empty index, no error', () => {
    const none = readPodLogs(fsAt(), path.join(LOGS, 'nonexistent', 'pods'));
    expect(none.byUid.size).toBe(0);
    expect(none.containerNames.size).toBe(0);
    const podsOnly = readPodLogs(fsAt(), path.join(LOGS, 'pods'), path.join(LOGS, 'nowhere'));
    expect(podsOnly.byUid.size).toBe(3);
    expect(podsOnly.containerNames.size).toBe(0);
  });

  test('a pods path that is a file is empty too; an unreadable directory is an error, not an empty index', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'podlogs-'));
    try {
      fs.writeFileSync(path.join(tmp, 'pods'), '');
      expect(readPodLogs(fsAt(), path.join(tmp, 'pods')).byUid.size).toBe(0);
      if (process.getuid?.() !== 0) {
        fs.mkdirSync(path.join(tmp, 'locked'), { mode: 0 });
        expect(() => readPodLogs(fsAt(), path.join(tmp, 'locked'))).toThrow(/EACCES/);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
