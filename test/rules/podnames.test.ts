/**
 * Process groups named by pod, container and systemd unit: the grouper over the library (PsutilSource) on a fixture
 * node (test/fixtures/pod-names: processes in the cgroups of the kubelet's systemd and cgroupfs drivers, a static pod,
 * docker, podman and systemd units) whose pods are named by a fixture kubelet log directory (test/fixtures/podlogs).
 */
import * as path from 'node:path';
import { createPsutil } from '../../src/index';
import { readPodLogs } from '../../src/probes/linux/podlogs';
import { ProcFs } from '../../src/probes/linux/procfs';
import { compileRulesConfig } from '../../src/rules/config';
import { Grouper, type GroupSnapshot } from '../../src/rules/grouper';
import { groupLookup } from '../../src/rules/lookup';
import { NAME_GRACE_SECONDS } from '../../src/rules/matcher';
import { podNamesFromIndex, podNamesReader } from '../../src/rules/podnames';
import { PsutilSource } from '../../src/rules/source';
import type { PodNames } from '../../src/rules/types';
import { OWN_FIXTURES } from '../helpers/fixtures';

const NODE = path.join(OWN_FIXTURES, 'pod-names');
const ROOTS = { procfs: path.join(NODE, 'proc'), sysfs: path.join(NODE, 'sys'), rootfs: NODE };
const LOGS = path.join(OWN_FIXTURES, 'podlogs', 'var', 'log', 'pods');
const BTIME = 1_700_000_000;
/** 10 s after process 331 started (the others started 4,000 s earlier). */
const NOW = BTIME + 5010;

const WEB_UID = '8b6a59d0-730a-4f51-b11c-825bea3e1157';
const NGINX = 'aaac5e952418d5f3a97fff92fd31a623d9efdc5517e1c776200f7d75fdfb9c12';

/** A source on the fixture node counting the reads of the pod log index. */
function fixtureSource(dir = LOGS): { source: PsutilSource; reads: () => number } {
  let n = 0;
  const read = podNamesReader(
    new ProcFs(ROOTS),
    () => dir,
    (e) => {
      throw e;
    },
  );
  const source = new PsutilSource(createPsutil(ROOTS), {
    podNames: () => {
      n++;
      return read();
    },
  });
  return { source, reads: () => n };
}

// io, fds and their limit are not in the fixture (and prlimit would ask the live kernel about the fixture's pids).
const OPTIONS = { exclude_families: ['read_bytes_total', 'write_bytes_total', 'open_filedesc', 'worst_fd_ratio'] };

function grouper(rules: unknown[]): Grouper {
  const cfg = compileRulesConfig(rules, OPTIONS);
  return new Grouper(cfg.rules, cfg.options);
}

/** group name (and labels) -> num_procs, for the groups with members. */
function members(s: GroupSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of s.groups) {
    if (g.numProcs === 0) continue;
    const labels = Object.entries(g.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    out[labels === '' ? g.name : `${g.name}{${labels}}`] = g.numProcs;
  }
  return out;
}

describe('podNamesFromIndex', () => {
  const names = podNamesFromIndex(readPodLogs(new ProcFs(ROOTS), LOGS)) as PodNames;
  test('pods by UID, containers by id, from the kubelet log directory', () => {
    expect(names.pod(WEB_UID)).toEqual({ namespace: 'default', name: 'web-7d9f8b6c5-x2x9q' });
    expect(names.pod('fdddaf06cf500dcb43e30469b6880934')).toEqual({
      namespace: 'kube-system',
      name: 'etcd-node1.example.com',
    });
    expect(names.container(NGINX)).toBe('nginx');
    expect(names.pod('11111111-2222-4333-8444-555555555555')).toBeNull();
    expect(names.container('7'.repeat(64))).toBeNull();
  });
  test('an absent directory names nothing (null: no index)', () => {
    expect(podNamesFromIndex(readPodLogs(new ProcFs(ROOTS), path.join(NODE, 'no-such-dir')))).toBeNull();
  });
});

describe('templates', () => {
  test('{{.Namespace}}/{{.PodName}} with {{.ContainerName}}, {{.SystemdUnit}}, {{.ContainerID}} for the rest', () => {
    const { source } = fixtureSource();
    const g = grouper([
      { name: '{{.Namespace}}/{{.PodName}}', pod_uid: ['*'], labels: { container: '{{.ContainerName}}' } },
      { name: 'unit:{{.SystemdUnit}}', systemd_unit: ['.+\\.service'] },
      { name: 'ctr:{{.ContainerID}}', container_id: ['*'] },
    ]);
    expect(members(g.update(source, NOW))).toEqual({
      // containerd, systemd driver; the worker (301) by its own match, the sandbox's pause without a container name
      'default/web-7d9f8b6c5-x2x9q{container=nginx}': 2,
      'default/web-7d9f8b6c5-x2x9q{container=log-shipper}': 1,
      'default/web-7d9f8b6c5-x2x9q{container=}': 1,
      // cgroupfs driver (a bare id under /kubepods/burstable/pod<uid>)
      'kube-system/coredns-5d78c9869d-abcde{container=coredns}': 1,
      // a static pod: 32-hex-digit UID, Guaranteed (no QoS slice)
      'kube-system/etcd-node1.example.com{container=etcd}': 1,
      // a pod no log directory names, started long ago (330); 331 started 10 s ago and waits for its names
      '/{container=}': 1,
      'unit:nginx.service': 2,
      // under user@1000.service: the innermost unit
      'unit:syncthing.service': 1,
      [`ctr:${'d'.repeat(64)}`]: 1,
      [`ctr:${'e'.repeat(64)}`]: 1,
    });
  });

  test(`a process in a pod no log names waits ${NAME_GRACE_SECONDS} s for its names, then gets empty ones`, () => {
    const { source } = fixtureSource();
    const g = grouper([{ name: 'pod:{{.PodName}}', pod_uid: ['11111111-2222-4333-8444-555555555555'] }]);
    expect(members(g.update(source, NOW))).toEqual({ 'pod:': 1 });
    expect(members(g.update(source, NOW + NAME_GRACE_SECONDS))).toEqual({ 'pod:': 2 });
  });

  test('without a log directory the names are empty at once (nothing to wait for)', () => {
    const { source, reads } = fixtureSource(path.join(NODE, 'no-such-dir'));
    const g = grouper([{ name: 'pod:{{.PodName}}', pod_uid: ['11111111-2222-4333-8444-555555555555'] }]);
    expect(members(g.update(source, NOW))).toEqual({ 'pod:': 2 });
    expect(reads()).toBe(1);
  });
});

describe('selectors', () => {
  test('namespace, pod_name, container_name: whole names or regexps; captures feed .Matches', () => {
    const { source } = fixtureSource();
    const g = grouper([
      { name: 'web-{{.Matches.c}}', pod_name: ['web-.*'], container_name: ['(?P<c>nginx|log-shipper)'] },
      { name: 'system:{{.ContainerName}}', namespace: ['kube-system'] },
      // "web" alone is not the whole pod name: no match
      { name: 'never', pod_name: ['web'] },
    ]);
    expect(members(g.update(source, NOW))).toEqual({
      'web-nginx': 2,
      'web-log-shipper': 1,
      'system:coredns': 1,
      'system:etcd': 1,
    });
  });

  test('systemd_unit: the unit of docker and podman scopes and of services; captures', () => {
    const { source } = fixtureSource();
    const g = grouper([
      { name: 'svc:{{.Matches.svc}}', systemd_unit: ['(?P<svc>[^.]+)\\.service'] },
      { name: 'scope:{{.SystemdUnit}}', systemd_unit: ['(docker|libpod)-.*\\.scope'] },
    ]);
    expect(members(g.update(source, NOW))).toEqual({
      'svc:nginx': 2,
      'svc:syncthing': 1,
      [`scope:docker-${'d'.repeat(64)}.scope`]: 1,
      [`scope:libpod-${'e'.repeat(64)}.scope`]: 1,
    });
  });

  test('a process outside any pod never matches a pod name selector, even .*', () => {
    const { source } = fixtureSource();
    const g = grouper([{ name: 'any-pod', pod_name: ['.*'] }]);
    // 331 (young, pod not named) waits; 330 (old, pod not named) has no pod name: neither matches
    expect(members(g.update(source, NOW))).toEqual({ 'any-pod': 6 });
  });
});

describe('cost', () => {
  test('the index is read at most once per pass, and only while a process needs names', () => {
    const { source, reads } = fixtureSource();
    const g = grouper([{ name: '{{.PodName}}', pod_uid: ['*'] }]);
    g.update(source, NOW);
    expect(reads()).toBe(1);
    // 331 is still undecided (young): the next pass reads the index again, once
    g.update(source, NOW + 1);
    expect(reads()).toBe(2);
    g.update(source, NOW + NAME_GRACE_SECONDS);
    expect(reads()).toBe(3);
    // every process decided and cached with its (pid, start time): no more reads
    g.update(source, NOW + NAME_GRACE_SECONDS + 1);
    expect(reads()).toBe(3);
  });

  test('rules without pod names never read it', () => {
    const { source, reads } = fixtureSource();
    const g = grouper([
      { name: '{{.SystemdUnit}}', systemd_unit: ['.*'] },
      { name: '{{.PodUID}}', pod_uid: ['*'] },
    ]);
    g.update(source, NOW);
    g.update(source, NOW + 1);
    expect(reads()).toBe(0);
  });
});

test("the admin API's lookup names groups by pod as the collector does", () => {
  const { source } = fixtureSource();
  const cfg = compileRulesConfig([{ name: '{{.Namespace}}/{{.PodName}}/{{.ContainerName}}', pod_uid: ['*'] }], OPTIONS);
  const listed = new Map(source.list().map((id) => [id.pid, id]));
  const lookup = groupLookup(cfg.rules, cfg.options, source, listed);
  expect(lookup.groupOf(300)).toBe('default/web-7d9f8b6c5-x2x9q/nginx');
  expect(lookup.groupOf(310)).toBe('kube-system/coredns-5d78c9869d-abcde/coredns');
  expect(lookup.groupOf(500)).toBeNull();
});

describe('psutil_group_memory_limit_bytes', () => {
  /** group name -> memory limit (null: absent), for the groups with members. */
  function limits(s: GroupSnapshot): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    for (const g of s.groups) if (g.numProcs > 0) out[g.name] = g.memoryLimit;
    return out;
  }
  const MiB = 1 << 20;

  test('the limit of the cgroup the members share, the tightest over it and its ancestors', () => {
    const { source } = fixtureSource();
    const g = grouper([
      { name: '{{.ContainerName}}', container_name: ['.+'] },
      { name: 'pause', comm: ['pause'] },
      { name: '{{.SystemdUnit}}', systemd_unit: ['.+'] },
    ]);
    expect(limits(g.update(source, NOW))).toEqual({
      // the container is unlimited, its pod slice 512 MiB (and kubepods.slice 8 GiB)
      nginx: 512 * MiB,
      'log-shipper': 128 * MiB,
      pause: 512 * MiB,
      coredns: 170 * MiB,
      etcd: 8192 * MiB,
      'nginx.service': 256 * MiB,
      [`docker-${'d'.repeat(64)}.scope`]: 1024 * MiB,
      // 330: a container no log names falls to the unit rule (its scope); kubepods.slice limits it
      [`cri-containerd-${'7'.repeat(64)}.scope`]: 8192 * MiB,
      // nothing limits these
      [`libpod-${'e'.repeat(64)}.scope`]: null,
      'syncthing.service': null,
      'init.scope': null,
    });
  });

  test("members in several cgroups: the deepest common one's limit; only the root in common: absent", () => {
    const { source } = fixtureSource();
    const g = grouper([
      // nginx, log-shipper and pause: three containers of one pod (512 MiB)
      { name: 'web', pod_name: ['web-.*'] },
      // coredns (cgroupfs driver, /kubepods) and etcd (systemd driver, /kubepods.slice): the root alone
      { name: 'kube-system', namespace: ['kube-system'] },
    ]);
    expect(limits(g.update(source, NOW))).toEqual({ web: 512 * MiB, 'kube-system': null });
  });

  test('exclude_families: [memory_limit_bytes] reads no cgroup at all', () => {
    const { source } = fixtureSource();
    let cgroupReads = 0;
    const counting = Object.assign(Object.create(source) as PsutilSource, {
      cgroups: (p: Parameters<PsutilSource['cgroups']>[0]) => {
        cgroupReads++;
        return source.cgroups(p);
      },
    });
    const cfg = compileRulesConfig([{ name: '{{.Comm}}', comm: ['nginx'] }], {
      exclude_families: [...OPTIONS.exclude_families, 'memory_limit_bytes'],
    });
    const s = new Grouper(cfg.rules, cfg.options).update(counting, NOW);
    expect(s.groups.map((x) => [x.name, x.numProcs, x.memoryLimit])).toEqual([['nginx', 4, null]]);
    expect(cgroupReads).toBe(0);
  });
});
