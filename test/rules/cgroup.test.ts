import { cgroupIdentity, cgroupPaths, identityFromPath, parseCgroupFile } from '../../src/rules/cgroup';

const ID = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const ID2 = 'fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210';
const UID = '1a2b3c4d-0000-4111-8222-123456789abc';
const UID_ = UID.replace(/-/g, '_');

describe('parseCgroupFile', () => {
  it('reads v2, v1 and hybrid files; the path keeps its colons', () => {
    const text = `12:pids:/system.slice/a.service\n11:cpu,cpuacct:/x:y\n0::/user.slice/user-1000.slice\n`;
    expect(parseCgroupFile(text)).toEqual([
      { hierarchyId: 12, controllers: ['pids'], path: '/system.slice/a.service' },
      { hierarchyId: 11, controllers: ['cpu', 'cpuacct'], path: '/x:y' },
      { hierarchyId: 0, controllers: [], path: '/user.slice/user-1000.slice' },
    ]);
    expect(cgroupPaths(text)).toEqual(['/system.slice/a.service', '/x:y', '/user.slice/user-1000.slice']);
  });
  it('skips garbage lines and never throws', () => {
    expect(parseCgroupFile('garbage\n:\nx::/y\n\0\xff\n')).toEqual([]);
    expect(parseCgroupFile('')).toEqual([]);
  });
});

describe('identityFromPath', () => {
  it.each([
    [`/system.slice/docker-${ID}.scope`, ID, null, 'docker'],
    [`/docker/${ID}`, ID, null, 'docker'],
    [`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope`, ID, UID, 'containerd'],
    [`/kubepods.slice/kubepods-pod${UID_}.slice/cri-containerd-${ID}.scope`, ID, UID, 'containerd'],
    [`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-${ID}.scope`, ID, UID, 'crio'],
    [`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-conmon-${ID}.scope`, null, UID, null],
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
    const lines = parseCgroupFile(
      `5:memory:/kubepods/burstable/pod${UID}\n4:pids:/kubepods/burstable/pod${UID}/${ID}\n0::/\n`,
    );
    expect(cgroupIdentity(lines)).toEqual({ containerId: ID, podUid: UID, runtime: null });
    const v2 = parseCgroupFile(`1:name=systemd:/docker/${ID2}\n0::/system.slice/docker-${ID}.scope\n`);
    expect(cgroupIdentity(v2).containerId).toBe(ID);
  });
  it('returns a pod alone when no line names a container', () => {
    expect(cgroupIdentity(parseCgroupFile(`0::/kubepods/pod${UID}\n`))).toEqual({ containerId: null, podUid: UID, runtime: null });
    expect(cgroupIdentity([])).toEqual({ containerId: null, podUid: null, runtime: null });
  });
});
