/**
 * Cgroups on our own fixture trees (test/fixtures/cgroup-v2, cgroup-v1: see their READMEs for the numbers), the pure
 * file parsers, and the identity read from real-world /proc/<pid>/cgroup paths (the layouts of the kubelet's two
 * drivers, containerd, CRI-O, docker, podman and systemd, as their sources print them).
 */
import { createPsutil } from '../../src/probes/psutil';
import { ParseError } from '../../src/index';
import { parseCgroup } from '../../src/probes/linux/parse/cgroup';
import { identityFromCgroupPath, identityOf } from '../../src/probes/linux/parse/cgroupid';
import {
  parseBlkio,
  parseCpuMax,
  FlatKeys,
  parseFlatKeyed,
  parseFlatKeyedPick,
  parseIoStat,
  parseLimit,
  parseUint,
  parseUsageAll,
} from '../../src/probes/linux/parse/cgroupfs';
import { own } from '../helpers/fixtures';

const V2 = createPsutil({ procfs: own('cgroup-v2', 'proc'), sysfs: own('cgroup-v2', 'sys') });
const V1 = createPsutil({ procfs: own('cgroup-v1', 'proc'), sysfs: own('cgroup-v1', 'sys') });
const MiB = 1024 * 1024;

describe('cgroup file parsers', () => {
  test('limits: max, -1 and the v1 page-rounded LONG_MAX variants are unlimited', () => {
    expect(parseLimit('max\n')).toBeNull();
    expect(parseLimit('-1\n')).toBeNull();
    expect(parseLimit('9223372036854771712\n')).toBeNull(); // LONG_MAX rounded to 4 KiB
    expect(parseLimit('9223372036854710272\n')).toBeNull(); // rounded to 64 KiB pages (arm64)
    expect(parseLimit('9223372036854775807')).toBeNull(); // LONG_MAX itself
    expect(parseLimit('536870912\n')).toBe(536870912);
    expect(parseLimit('0\n')).toBe(0);
    expect(() => parseLimit('lots', 'memory.max')).toThrow(ParseError);
    expect(() => parseLimit('-2')).toThrow(ParseError);
  });
  test('cpu.max', () => {
    expect(parseCpuMax('max 100000\n')).toEqual({ quotaUs: null, periodUs: 100000 });
    expect(parseCpuMax('150000 100000\n')).toEqual({ quotaUs: 150000, periodUs: 100000 });
    expect(() => parseCpuMax('150000')).toThrow(ParseError);
  });
  test('flat keyed files by key, whatever the order', () => {
    expect(parseFlatKeyed('oom_kill_disable 0\nunder_oom 1\noom_kill 4\n')).toEqual({
      oom_kill_disable: 0,
      under_oom: 1,
      oom_kill: 4,
    });
    expect(() => parseFlatKeyed('anon x\n', 'memory.stat')).toThrow(/memory\.stat.*line 1/);
    expect(() => parseUint('12 13')).toThrow(ParseError);
  });
  test('from bytes as from text: the same records, rounding and errors', () => {
    const texts = [
      'anon 1\nfile 2\n total_rss   -3 \n\n',
      // Past 15 digits: Number()'s rounding, as the text parser's.
      'usage_usec 123456789012345678\nuser_usec 9007199254740993\n',
      'k\u00e9y 5\n', // not ASCII: the text way
      // Other blanks around and between the fields, CR LF, blank lines, -0, no final newline.
      '\n\n a\t7\r\n\n  b \t -0 \t\n\u000bc 5',
    ];
    for (const t of texts) expect(parseFlatKeyed(Buffer.from(t))).toEqual(parseFlatKeyed(t));
    for (const bad of ['anon x\n', 'anon 1 2\n', 'anon\n', 'anon -\n', 'anon +5\n', 'anon 5x\n', 'anon \t\n', 'b'])
      expect(() => parseFlatKeyed(Buffer.from(bad), 'memory.stat')).toThrow(/memory\.stat.*line 1/);
    for (const t of ['0\n', ' 42 ', '9223372036854771712\n', '18446744073709551615\n', '123456789012345678\n']) {
      expect(parseUint(Buffer.from(t))).toBe(parseUint(t));
      expect(parseLimit(Buffer.from(t))).toBe(parseLimit(t));
    }
    expect(parseLimit(Buffer.from('max\n'))).toBeNull();
    expect(parseLimit(Buffer.from('-1\n'))).toBeNull();
    expect(() => parseLimit(Buffer.from('-2\n'))).toThrow(ParseError);
    expect(() => parseUint(Buffer.from('-1\n'))).toThrow(ParseError);
    expect(() => parseUint(Buffer.from('\n'))).toThrow(ParseError);
  });
  test('flat keyed, only some keys: the values parseFlatKeyed gives them, and its errors for any line', () => {
    const keys = new FlatKeys(['anon', 'total_rss', 'file', 'absent']);
    const texts = [
      'anon 1\nfile 2\n total_rss   -3 \n\nanon_thp 4\nfile_mapped 5\n',
      'file 2\nanon 123456789012345678\nzswap 9007199254740993\n',
      'k\u00e9y 5\nanon 7\n', // not ASCII: the text way
      '',
    ];
    for (const t of texts) {
      const all = parseFlatKeyed(t);
      const want = Object.fromEntries(keys.names.filter((k) => k in all).map((k) => [k, all[k]]));
      expect({ ...parseFlatKeyedPick(t, keys) }).toEqual(want);
      expect({ ...parseFlatKeyedPick(Buffer.from(t), keys) }).toEqual(want);
    }
    // A malformed line among the keys not kept is still an error, the same one.
    for (const bad of ['unevictable x\nanon 1\n', 'anon 1\nunevictable 1 2\n', 'anon 1\nslab\n', 'anon 1\nsock -\n'])
      for (const input of [bad, Buffer.from(bad)])
        expect(() => parseFlatKeyedPick(input, keys, 'memory.stat')).toThrow(
          (() => {
            try {
              parseFlatKeyed(bad, 'memory.stat');
            } catch (err) {
              return (err as Error).message;
            }
            throw new Error('no error');
          })(),
        );
  });
  test('cpuacct.usage_all: user and system summed over the CPUs, exactly past 2^53', () => {
    expect(parseUsageAll('cpu user system\n0 0 0\n1 108000000 72000000\n')).toEqual({
      user: 108000000,
      system: 72000000,
    });
    const big = 'cpu user system\n0 9007199254740993 1\n1 9007199254740993 2\n';
    expect(parseUsageAll(Buffer.from(big))).toEqual({ user: Number(18014398509481986n), system: 3 });
    expect(() => parseUsageAll('cpu user\n0 1\n')).toThrow(ParseError);
    // From bytes as from text: other spacing, no final newline, sums past 2^53 from small values.
    for (const t of [
      'cpu user system\n0 5 6\n1 7 8\n',
      'cpu  user\tsystem \n 0  5 6 \n\n1 7 8',
      `cpu user system\n${Array.from({ length: 4 }, (_, i) => `${i} 4503599627370497 3\n`).join('')}`,
    ])
      expect(parseUsageAll(Buffer.from(t))).toEqual(parseUsageAll(t));
    for (const bad of ['cpu user system\n0 1 x\n', 'cpu user system\n0 1 2 3\n', 'cpu user system\n-1 1 2\n', ''])
      expect(() => parseUsageAll(Buffer.from(bad))).toThrow(ParseError);
    expect(() => parseUsageAll('cpu user system\n0 1\n')).toThrow(ParseError);
  });
  test('io.stat: keys by name, absent ones 0', () => {
    expect(parseIoStat('8:16 rbytes=10 wbytes=20 rios=1 wios=2\n')).toEqual([
      { major: 8, minor: 16, rbytes: 10, wbytes: 20, rios: 1, wios: 2, dbytes: 0, dios: 0 },
    ]);
    expect(() => parseIoStat('sda rbytes=1')).toThrow(ParseError);
    expect(() => parseIoStat('8:0 rbytes=')).toThrow(ParseError);
  });
  test('blkio: Read/Write/Discard per device, the Total lines skipped', () => {
    expect(parseBlkio('8:0 Read 5\n8:0 Write 7\n8:0 Total 12\n9:1 Read 1\nTotal 13\n')).toEqual([
      { major: 8, minor: 0, read: 5, write: 7, discard: 0 },
      { major: 9, minor: 1, read: 1, write: 0, discard: 0 },
    ]);
    expect(() => parseBlkio('8:0 Read\n')).toThrow(ParseError);
    // From bytes as from text: the same devices in the same order, the same errors.
    for (const t of [
      '8:0 Read 5\n8:0 Write 7\n8:0 Sync 1\n8:0 Async 11\n8:0 Discard 3\n8:0 Total 12\n9:1 Read 1\nTotal 13\n',
      'Total 0\n',
      '',
      '8:0 Read 123456789012345678\n',
      '08:0 Read 1\n8:0 Read 2\n',
      ' 8:0  Read 5 \n\n8:0 Other 4\n',
      '253:0 Write 4096\n8:0 Write 1\n253:0 Read 1\nTotal 2',
    ])
      expect(parseBlkio(Buffer.from(t))).toEqual(parseBlkio(t));
    for (const bad of ['8:0 Read\n', '8:0 Read x\n', '8-0 Read 1\n', 'Total\n', '8:0 Read 1 2\n'])
      expect(() => parseBlkio(Buffer.from(bad))).toThrow(ParseError);
  });
});

const H64 = 'aaac5e952418d5f3a97fff92fd31a623d9efdc5517e1c776200f7d75fdfb9c12';
const H64B = '805b902ed98fdc1409c76e9aa94964787a904c80f46fc3ee74283509108f5e73';
const H64C = 'd28e0087cf8f3f0429f755d60b0de415b20fcf76736ded7bab6e30e7b739ee36';
const UIDA = '8b6a59d0-730a-4f51-b11c-825bea3e1157';
const UIDA_ = UIDA.replace(/-/g, '_');

// [path, containerId, podUid, qosClass, runtime, systemdUnit]
type Row = [string, string | null, string | null, string | null, string | null, string | null];
const TABLE: Row[] = [
  // containerd CRI, systemd driver, Burstable
  [
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UIDA_}.slice/cri-containerd-${H64}.scope`,
    H64,
    UIDA,
    'burstable',
    'containerd',
    `cri-containerd-${H64}.scope`,
  ],
  // kind: a custom cgroup root (kubelet.slice) prefixes every slice name; BestEffort
  [
    `/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod${UIDA_}.slice/cri-containerd-${H64}.scope`,
    H64,
    UIDA,
    'besteffort',
    'containerd',
    `cri-containerd-${H64}.scope`,
  ],
  // CRI-O, systemd driver
  [
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod35550f44_f691_427e_b57d_ab6127d2cb65.slice/crio-${H64B}.scope`,
    H64B,
    '35550f44-f691-427e-b57d-ab6127d2cb65',
    'burstable',
    'crio',
    `crio-${H64B}.scope`,
  ],
  // CRI-O's monitor: not the container
  [
    `/kubepods.slice/kubepods-pod${UIDA_}.slice/crio-conmon-${H64B}.scope`,
    null,
    UIDA,
    'guaranteed',
    'crio',
    `crio-conmon-${H64B}.scope`,
  ],
  // v1 cgroupfs driver, BestEffort: a bare id (containerd or dockershim: the path cannot tell)
  [
    `/kubepods/besteffort/pod9a18ffb8-8513-11e7-b26e-7e29fbe2a5a3/${H64C}`,
    H64C,
    '9a18ffb8-8513-11e7-b26e-7e29fbe2a5a3',
    'besteffort',
    null,
    null,
  ],
  // Guaranteed pods sit directly under kubepods; docker via dockershim
  [
    `/kubepods.slice/kubepods-pod${UIDA_}.slice/docker-${H64}.scope`,
    H64,
    UIDA,
    'guaranteed',
    'docker',
    `docker-${H64}.scope`,
  ],
  [`/kubepods/pod${UIDA}/${H64}`, H64, UIDA, 'guaranteed', null, null],
  // a static pod: the UID is an md5, 32 hex digits without dashes
  [
    `/kubepods.slice/kubepods-podfdddaf06cf500dcb43e30469b6880934.slice/cri-containerd-${H64}.scope`,
    H64,
    'fdddaf06cf500dcb43e30469b6880934',
    'guaranteed',
    'containerd',
    `cri-containerd-${H64}.scope`,
  ],
  // the literal colon form of a misconfigured v1 systemd cgroup driver
  [`/kubepods-besteffort-pod${UIDA_}.slice:cri-containerd:${H64}`, H64, UIDA, 'besteffort', 'containerd', null],
  // standalone docker, both drivers
  [`/system.slice/docker-${H64}.scope`, H64, null, null, 'docker', `docker-${H64}.scope`],
  [`/docker/${H64}`, H64, null, null, 'docker', null],
  // podman rootful (cgroupfs and systemd), rootless with crun's /container, conmon
  [`/libpod_parent/libpod-${H64}`, H64, null, null, 'podman', null],
  [`/machine.slice/libpod-${H64}.scope`, H64, null, null, 'podman', `libpod-${H64}.scope`],
  [
    `/user.slice/user-1001.slice/user@1001.service/user.slice/libpod-${H64}.scope/container`,
    H64,
    null,
    null,
    'podman',
    `libpod-${H64}.scope`,
  ],
  [`/machine.slice/libpod-conmon-${H64}.scope`, null, null, null, 'podman', `libpod-conmon-${H64}.scope`],
  // read from a private cgroup namespace: /.. prefixes, the tail still tells
  [
    `/../../../kubepods-burstable.slice/kubepods-burstable-pod${UIDA_}.slice/cri-containerd-${H64}.scope`,
    H64,
    UIDA,
    'burstable',
    'containerd',
    `cri-containerd-${H64}.scope`,
  ],
  // a kind node inside docker: the outer (node) id comes first, the container's is the scope
  [
    `/../${H64C}/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod${UIDA_}.slice/cri-containerd-${H64}.scope`,
    H64,
    UIDA,
    'guaranteed',
    'containerd',
    `cri-containerd-${H64}.scope`,
  ],
  // systemd units, no container
  ['/system.slice/nginx.service', null, null, null, null, 'nginx.service'],
  ['/system.slice/system-getty.slice/getty@tty1.service', null, null, null, null, 'getty@tty1.service'],
  ['/init.scope', null, null, null, null, 'init.scope'],
  ['/user.slice/user-1000.slice/session-3.scope', null, null, null, null, 'session-3.scope'],
  ['/user.slice/user-1000.slice/user@1000.service/app.slice/x.service', null, null, null, null, 'x.service'],
  ['/', null, null, null, null, null],
];

describe('cgroupIdentity on real-world paths', () => {
  test.each(TABLE)('%s', (p, containerId, podUid, qosClass, runtime, systemdUnit) => {
    const id = identityFromCgroupPath(p);
    expect({
      containerId: id.containerId,
      podUid: id.podUid,
      qosClass: id.qosClass,
      runtime: id.runtime,
      systemdUnit: id.systemdUnit,
    }).toEqual({
      containerId,
      podUid,
      qosClass,
      runtime,
      systemdUnit,
    });
  });
  test('a v1 process: the longest line wins, the (deleted) suffix is dropped', () => {
    const lines = parseCgroup(`9:name=systemd:/\n4:memory:/docker/${H64} (deleted)\n1:cpu:/\n0::/\n`);
    const id = identityOf(lines);
    expect(id.path).toBe(`/docker/${H64}`);
    expect(id.containerId).toBe(H64);
  });
  test('the facade: a file text is pure, a pid reads the file', () => {
    expect(V2.cgroupIdentity(`0::/system.slice/docker-${H64}.scope\n`).runtime).toBe('docker');
    const id = V2.cgroupIdentity(4242);
    expect(id).toMatchObject({ containerId: H64, podUid: UIDA, qosClass: 'burstable', runtime: 'containerd' });
    expect(V1.cgroupIdentity(777)).toMatchObject({ containerId: H64C, runtime: 'docker', podUid: null });
    expect(() => V2.cgroupIdentity(-1)).toThrow(TypeError);
  });
});

describe('cgroup v2 (unified) fixture', () => {
  test('hierarchies: one cgroup2 mount', () => {
    expect(V2.cgroups()).toEqual([
      { version: 2, controllers: [], mountPoint: own('cgroup-v2', 'sys', 'fs', 'cgroup'), root: '/' },
    ]);
  });
  test('stats of a pid: cpu, memory, io, pids, PSI', () => {
    const s = V2.cgroupStats(4242);
    expect(s.cpu).toEqual({
      usage: 7.5,
      user: 5,
      system: 2.5,
      periods: 1200,
      throttledPeriods: 300,
      throttledTime: 4.5,
      quota: 0.2,
      period: 0.1,
      weight: 39,
      shares: null,
    });
    expect(s.memory).toMatchObject({
      current: 200 * MiB,
      peak: 256 * MiB,
      max: null,
      high: 400 * MiB,
      low: 0,
      min: 100 * MiB,
      swapCurrent: 4096,
      swapMax: null,
      events: { low: 0, high: 17, max: 5, oom: 2, oomKill: 1 },
      workingSet: 160 * MiB,
    });
    expect(s.memory!.stat['anon']).toBe(150994944);
    expect(s.io).toEqual([
      { major: 8, minor: 0, readBytes: 1048576, writeBytes: 2097152, readOps: 256, writeOps: 512 },
      { major: 253, minor: 0, readBytes: 4096, writeBytes: 0, readOps: 1, writeOps: 0 },
    ]);
    expect(s.pids).toEqual({ current: 12, max: 4096 });
    expect(s.pressure!.cpu!.full!.total).toBe(456789);
    expect(s.pressure!.io!.some!.total).toBe(2000);
  });
  test('stats of a path; a parent without the files has nulls, not errors', () => {
    const s = V2.cgroupStats('/kubepods.slice');
    expect(s.memory).toMatchObject({ current: null, max: 4 * 1024 * MiB, workingSet: null });
    expect(s.cpu).toMatchObject({ quota: null, period: 0.1, usage: null });
    expect(s.pressure).toEqual({ cpu: null, memory: null, io: null });
    expect(() => V2.cgroupStats('kubepods.slice')).toThrow(TypeError);
  });
  test('effective limits: the pod slice is tighter than the container', () => {
    // the cpuset is the root's (no cpuset.cpus.effective below it): 4 CPUs, looser than the quota
    expect(V2.cgroupLimits(4242)).toEqual({ cpuQuota: 1.5, cpuset: [0, 1, 2, 3], cpuCount: 1.5, memory: 512 * MiB });
  });
  test('effective limits: a cpuset tighter than the quota (a container pinned to CPU 2)', () => {
    expect(V2.cgroupLimits(4343)).toEqual({ cpuQuota: 2, cpuset: [2], cpuCount: 1, memory: 1024 * MiB });
  });
  test('cpuCount({ cgroup: true }): the plain count where this process has no cgroup file; logical only', () => {
    // The fixture has no /proc/self/cgroup (a kernel without cgroups): nothing bounds the count.
    expect(V2.cpuCount({ cgroup: true })).toBe(V2.cpuCount());
    expect(() => V2.cpuCount({ cgroup: true, logical: false })).toThrow(TypeError);
    expect(() => V2.cpuCount({ cgroup: 1 as unknown as boolean })).toThrow(TypeError);
  });
  test("effective limits of a cgroup given by path: its own cpuset, or the nearest ancestor's", () => {
    const pod = '/kubepods.slice/kubepods-pod0f0e0d0c_0b0a_4908_8706_050403020100.slice';
    expect(V2.cgroupLimits(pod)).toEqual({ cpuQuota: 2, cpuset: [0, 1, 2, 3], cpuCount: 2, memory: 1024 * MiB });
    expect(V2.cgroupLimits('/kubepods.slice')).toMatchObject({ cpuset: [0, 1, 2, 3], cpuCount: 4 });
    expect(() => V2.cgroupLimits('kubepods.slice')).toThrow(TypeError);
  });
});

describe('cgroup v1 (hybrid) fixture', () => {
  test('hierarchies: one per superblock, controllers without mount options', () => {
    const hs = V1.cgroups();
    expect(hs.map((h) => [h.version, h.controllers.join(',')])).toEqual([
      [1, 'cpu'],
      [1, 'cpuacct'],
      [1, 'memory'],
      [1, 'blkio'],
      [1, 'pids'],
      [1, 'name=systemd'],
      [2, ''],
    ]);
  });
  test('stats of a pid: each controller from its own hierarchy, v1 units converted', () => {
    const s = V1.cgroupStats(777);
    expect(s.cpu).toEqual({
      usage: 12.5,
      user: 10,
      system: 2.5,
      periods: 800,
      throttledPeriods: 200,
      throttledTime: 3.5,
      quota: 0.1,
      period: 0.1,
      weight: null,
      shares: 512,
    });
    expect(s.memory).toMatchObject({
      current: 128 * MiB,
      peak: 192 * MiB,
      max: 256 * MiB,
      low: null,
      swapCurrent: 4 * MiB,
      swapMax: null,
      events: { oomKill: 3, oom: null },
      workingSet: 112 * MiB,
    });
    // the hierarchical total_* values under the plain names
    expect(s.memory!.stat['cache']).toBe(40 * MiB);
    expect(s.memory!.stat['pgfault']).toBe(2000);
    expect(s.io).toEqual([{ major: 8, minor: 0, readBytes: 4096, writeBytes: 8192, readOps: 1, writeOps: 2 }]);
    expect(s.pids).toEqual({ current: 3, max: null });
    expect(s.pressure!.cpu!.some!.total).toBe(777);
  });
  test('statKeys: only those memory.stat keys (their total_ values), with inactive_file; the rest as without', () => {
    const p = '/docker/d28e0087cf8f3f0429f755d60b0de415b20fcf76736ded7bab6e30e7b739ee36';
    const [all] = V1.cgroupStatsMany([p]);
    const [some] = V1.cgroupStatsMany([p], {
      cpu: true,
      memory: true,
      io: true,
      pids: true,
      pressure: true,
      statKeys: ['cache', 'pgfault', 'nothing_such'],
    });
    const st = all!.memory!.stat;
    expect({ ...some!.memory!.stat }).toEqual({
      cache: st['cache'],
      pgfault: st['pgfault'],
      inactive_file: st['inactive_file'],
    });
    expect(st['cache']).toBe(40 * MiB);
    expect({ ...some!.memory!, stat: null }).toEqual({ ...all!.memory!, stat: null });
    expect({ ...some!, memory: null }).toEqual({ ...all!, memory: null });
  });
  test('ioOps false: v1 blkio bytes as with them, the operation counts 0 (io_serviced not read)', () => {
    const p = '/docker/d28e0087cf8f3f0429f755d60b0de415b20fcf76736ded7bab6e30e7b739ee36';
    const parts = { cpu: true, memory: true, io: true, pids: true, pressure: true };
    const [all] = V1.cgroupStatsMany([p], parts);
    const [bytes] = V1.cgroupStatsMany([p], { ...parts, ioOps: false });
    expect(all!.io).toEqual([{ major: 8, minor: 0, readBytes: 4096, writeBytes: 8192, readOps: 1, writeOps: 2 }]);
    expect(bytes!.io).toEqual([{ major: 8, minor: 0, readBytes: 4096, writeBytes: 8192, readOps: 0, writeOps: 0 }]);
    expect({ ...bytes!, io: null }).toEqual({ ...all!, io: null });
  });
  test('effective limits: the /docker parent quota, the leaf memory limit', () => {
    // no cpuset hierarchy mounted in this fixture: no cpuset bound
    expect(V1.cgroupLimits(777)).toEqual({ cpuQuota: 0.5, cpuset: null, cpuCount: 0.5, memory: 256 * MiB });
  });
});
