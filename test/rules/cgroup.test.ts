// The file is parsed by the library's one parser (Process.cgroups(); its cases are in
// test/probes/linux/parse/cgroup.test.ts); the rules only read container and pod ids from the paths.
import { parseCgroup } from '../../src/probes/linux/parse/cgroup';
import { cgroupIdentity, identityFromPath } from '../../src/rules/cgroup';
import { cgroupFacts } from '../../src/rules/matcher';

const ID = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const ID2 = 'fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210';
const UID = '1a2b3c4d-0000-4111-8222-123456789abc';
const UID_ = UID.replace(/-/g, '_');

describe('cgroupFacts', () => {
  it('lists the paths in file order (a path keeps its colons) and reads the identity from them', () => {
    const text = `12:pids:/system.slice/a.service\n11:cpu,cpuacct:/x:y\n0::/system.slice/docker-${ID}.scope\n`;
    expect(cgroupFacts(parseCgroup(text))).toEqual({
      paths: ['/system.slice/a.service', '/x:y', `/system.slice/docker-${ID}.scope`],
      identity: { containerId: ID, podUid: null, runtime: 'docker' },
      systemdUnit: `docker-${ID}.scope`,
      memoryPath: `/system.slice/docker-${ID}.scope`,
    });
    expect(cgroupFacts([])).toEqual({
      paths: [],
      identity: { containerId: null, podUid: null, runtime: null },
      systemdUnit: null,
      memoryPath: null,
    });
  });
});

describe('identityFromPath', () => {
  it.each([
    [`/system.slice/docker-${ID}.scope`, ID, null, 'docker'],
    [`/docker/${ID}`, ID, null, 'docker'],
    [
      `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope`,
      ID,
      UID,
      'containerd',
    ],
    [`/kubepods.slice/kubepods-pod${UID_}.slice/cri-containerd-${ID}.scope`, ID, UID, 'containerd'],
    [
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-${ID}.scope`,
      ID,
      UID,
      'crio',
    ],
    [
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-conmon-${ID}.scope`,
      null,
      UID,
      null,
    ],
    [`/kubepods/burstable/pod${UID}/${ID}`, ID, UID, null],
    [`/kubepods/pod${UID}/${ID}`, ID, UID, null],
    [`/kubepods/besteffort/pod${UID}`, null, UID, null],
    [`/machine.slice/libpod-${ID}.scope`, ID, null, 'podman'],
    [`/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/container`, ID, null, 'podman'],
    [`/machine.slice/libpod-conmon-${ID}.scope`, null, null, null],
    [`/default/${ID}`, ID, null, null],
    // nested: the innermost container wins
    [`/system.slice/docker-${ID}.scope/docker/${ID2}`, ID2, null, 'docker'],
    ['/system.slice/nginx.service', null, null, null],
    ['/', null, null, null],
    [`/system.slice/docker-${ID.toUpperCase()}.scope`, null, null, null],
    [`/system.slice/docker-${ID.slice(1)}.scope`, null, null, null],
  ])('%s', (path, containerId, podUid, runtime) => {
    expect(identityFromPath(path)).toEqual({ containerId, podUid, runtime });
  });
});

describe('cgroupIdentity', () => {
  it('prefers the unified line, then the first v1 line that names a container', () => {
    const lines = parseCgroup(
      `5:memory:/kubepods/burstable/pod${UID}\n4:pids:/kubepods/burstable/pod${UID}/${ID}\n0::/\n`,
    );
    expect(cgroupIdentity(lines)).toEqual({ containerId: ID, podUid: UID, runtime: null });
    const v2 = parseCgroup(`1:name=systemd:/docker/${ID2}\n0::/system.slice/docker-${ID}.scope\n`);
    expect(cgroupIdentity(v2).containerId).toBe(ID);
  });
  it('returns a pod alone when no line names a container', () => {
    expect(cgroupIdentity(parseCgroup(`0::/kubepods/pod${UID}\n`))).toEqual({
      containerId: null,
      podUid: UID,
      runtime: null,
    });
    expect(cgroupIdentity([])).toEqual({ containerId: null, podUid: null, runtime: null });
  });
});

describe('cgroupFacts: systemd unit, memory cgroup, layouts the rules read through the library', () => {
  it('takes the unit from the systemd trees (unified, then name=systemd) and the memory line for the memory path', () => {
    const hybrid = parseCgroup(
      '9:name=systemd:/system.slice/cron.service\n4:memory:/process_api/7930a8a2\n1:cpu:/\n0::/system.slice/cron.service\n',
    );
    const f = cgroupFacts(hybrid);
    expect(f.systemdUnit).toBe('cron.service');
    expect(f.memoryPath).toBe('/process_api/7930a8a2');
    const legacy = cgroupFacts(
      parseCgroup('4:memory:/x\n1:name=systemd:/user.slice/user-1000.slice/session-3.scope\n'),
    );
    expect(legacy.systemdUnit).toBe('session-3.scope');
    expect(cgroupFacts(parseCgroup('0::/init.scope\n')).memoryPath).toBe('/init.scope');
  });
  it('a static pod (32-hex UID) and the "slice:cri-containerd:<id>" colon form', () => {
    const fid = 'fdddaf06cf500dcb43e30469b6880934';
    expect(
      cgroupFacts(parseCgroup(`0::/kubepods.slice/kubepods-pod${fid}.slice/cri-containerd-${ID}.scope\n`)).identity,
    ).toEqual({
      containerId: ID,
      podUid: fid,
      runtime: 'containerd',
    });
    expect(
      cgroupFacts(parseCgroup(`11:perf_event:/kubepods-besteffort-pod${UID_}.slice:cri-containerd:${ID}\n`)).identity,
    ).toEqual({ containerId: ID, podUid: UID, runtime: 'containerd' });
  });
});
