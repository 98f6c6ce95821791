/**
 * Disk facade on fixture trees: diskstats formats, the perdisk=false filter, nowrap, the sysfs fallback, mount tables,
 * /dev/root resolution, errors on an empty procfs, argument checks; diskUsage on real paths.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPsutil } from '../../src/probes/psutil';
import { OsError, ParseError } from '../../src/index';
import {
  diskUsageAsync as backendDiskUsageAsync,
  pyRound1,
  splitDev,
  type PendingStatvfs,
} from '../../src/probes/linux/disk';
import { NODE_EXPORTER_FIXTURES, own, testPeer } from '../helpers/fixtures';
import { removeTmpTrees, tmpTree, writeIn } from '../helpers/tmptree';

afterAll(removeTmpTrees);

const basic = () =>
  createPsutil({ procfs: own('disk-basic', 'proc'), sysfs: own('disk-basic', 'sys'), rootfs: own('disk-basic') });

describe('diskIoCounters', () => {
  test('perdisk: every diskstats line, sectors x 512, 7-column partitions with zero times', () => {
    const d = basic().diskIoCounters({ perdisk: true });
    expect(Object.keys(d)).toEqual([
      'loop0',
      'sda',
      'sda1',
      'sda2',
      'nvme0n1',
      'nvme0n1p1',
      'dm-0',
      'cciss/c0d0',
      'sr0',
    ]);
    expect(d['sda']).toEqual({
      readCount: 326552,
      writeCount: 41822,
      readBytes: 9657779 * 512,
      writeBytes: 1972905 * 512,
      readTime: 84,
      writeTime: 5007,
      readMergedCount: 841,
      writeMergedCount: 2895,
      busyTime: 60730,
    });
    expect(d['sda2']).toEqual({
      readCount: 1774936,
      writeCount: 5991028,
      readBytes: 32663262 * 512,
      writeBytes: 213601656 * 512,
      readTime: 0,
      writeTime: 0,
      readMergedCount: 0,
      writeMergedCount: 0,
      busyTime: 0,
    });
    expect(Object.keys(d['sda']!)).toEqual([
      'readCount',
      'writeCount',
      'readBytes',
      'writeBytes',
      'readTime',
      'writeTime',
      'readMergedCount',
      'writeMergedCount',
      'busyTime',
    ]);
    expect(Object.isFrozen(d)).toBe(true);
    expect(Object.isFrozen(d['sda'])).toBe(true);
  });

  test('the sum counts only names in <sysfs>/block (no partition twice; cciss/c0d0 as cciss!c0d0)', () => {
    const p = basic();
    const per = p.diskIoCounters({ perdisk: true });
    const disks = ['loop0', 'sda', 'nvme0n1', 'dm-0', 'cciss/c0d0', 'sr0'];
    const total = p.diskIoCounters()!;
    for (const f of Object.keys(total) as Array<keyof typeof total>) {
      expect([f, total[f]]).toEqual([f, disks.reduce((s, n) => s + per[n]![f], 0)]);
    }
    expect(Object.isFrozen(total)).toBe(true);
  });

  test('Linux 2.4 format (psutil test_disk_io_counters_kernel_2_4_mocked)', () => {
    const p = createPsutil({ procfs: own('disk-kernel-2.4', 'proc'), sysfs: own('disk-kernel-2.4', 'sys') });
    expect(p.diskIoCounters({ nowrap: false })).toEqual({
      readCount: 1,
      writeCount: 5,
      readBytes: 3 * 512,
      writeBytes: 7 * 512,
      readTime: 4,
      writeTime: 8,
      readMergedCount: 2,
      writeMergedCount: 6,
      busyTime: 10,
    });
  });

  test('no /proc/diskstats: /sys/block/<dev>/stat and <dev>/<part>/stat (psutil read_sysfs)', () => {
    const p = createPsutil({ procfs: own('disk-sysfs-only', 'proc'), sysfs: own('disk-sysfs-only', 'sys') });
    const per = p.diskIoCounters({ perdisk: true });
    expect(Object.keys(per).sort()).toEqual(['loop0', 'sda', 'sda1']);
    expect(per['sda']).toEqual({
      readCount: 100,
      writeCount: 200,
      readBytes: 1000 * 512,
      writeBytes: 3000 * 512,
      readTime: 30,
      writeTime: 50,
      readMergedCount: 2,
      writeMergedCount: 4,
      busyTime: 60,
    });
    expect(p.diskIoCounters()!.readCount).toBe(101);
  });

  test('nowrap: a counter that goes back is compensated until cacheClear(); nowrap=false reports it raw', () => {
    const root = tmpTree({ 'sys/block/sda/dev': '8:0\n' });
    const stats = (reads: number) => writeIn(root, 'proc/diskstats', `8 0 sda ${reads} 0 8 0 0 0 0 0 0 0 0\n`);
    const p = createPsutil({ procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys') });
    stats(100);
    expect(p.diskIoCounters()!.readCount).toBe(100);
    stats(10);
    expect(p.diskIoCounters()!.readCount).toBe(110);
    expect(p.diskIoCounters({ nowrap: false })!.readCount).toBe(10);
    expect(p.diskIoCounters({ perdisk: true })['sda']!.readCount).toBe(10); // perdisk keeps its own memory
    stats(5);
    expect(p.diskIoCounters({ perdisk: true })['sda']!.readCount).toBe(15);
    expect(p.diskIoCounters()!.readCount).toBe(115);
    p.diskIoCounters.cacheClear();
    expect(p.diskIoCounters()!.readCount).toBe(5);
    // Another instance has its own state.
    expect(
      createPsutil({ procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys') }).diskIoCounters()!.readCount,
    ).toBe(5);
  });

  test('no block devices: null, or {} with perdisk', () => {
    const root = tmpTree({ 'proc/diskstats': '', 'sys/block/.keep': '' });
    const p = createPsutil({ procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys') });
    expect(p.diskIoCounters()).toBeNull();
    expect(p.diskIoCounters({ perdisk: true })).toEqual({});
  });

  test.each([
    // loop0 + loop1 + nvme0n1 + dm-0 + mmcblk0 (dm-0 sits on nvme0n1p3: counted twice, as psutil does)
    ['host-laptop', 58 + 0 + 845213 + 872911 + 311, ['dm-0', 'loop0', 'loop1', 'mmcblk0', 'nvme0n1']],
    // sda + sdb + md0 + dm-0 + dm-1 + sr0
    ['host-server', 9123344 + 812334 + 0 + 9534325 + 4012 + 12, ['dm-0', 'dm-1', 'md0', 'sda', 'sdb', 'sr0']],
  ] as const)(
    '%s: whole disks are the links in its sys/block; partitions live only under their disk',
    (host, reads, disks) => {
      const p = createPsutil({ procfs: own(host, 'proc'), sysfs: own(host, 'sys') });
      const per = p.diskIoCounters({ perdisk: true, nowrap: false });
      const inSysBlock = Object.keys(per)
        .filter((n) => fs.existsSync(own(host, 'sys', 'block', n)))
        .sort();
      expect(inSysBlock).toEqual(disks);
      expect(Object.keys(per).length).toBeGreaterThan(disks.length);
      expect(p.diskIoCounters({ nowrap: false })!.readCount).toBe(reads);
    },
  );

  test('host-laptop: 20-column lines (discard and flush fields); host-server: 14 columns', () => {
    const laptop = createPsutil({ procfs: own('host-laptop', 'proc'), sysfs: own('host-laptop', 'sys') });
    expect(laptop.diskIoCounters({ perdisk: true, nowrap: false })['nvme0n1']).toEqual({
      readCount: 845213,
      writeCount: 1521398,
      readBytes: 61252214 * 512,
      writeBytes: 98812340 * 512,
      readTime: 290113,
      writeTime: 1945500,
      readMergedCount: 31212,
      writeMergedCount: 1012245,
      busyTime: 1250100,
    });
    expect(laptop.diskstats()[2]).toMatchObject({
      name: 'nvme0n1',
      columns: 20,
      discardsCompleted: 10123,
      flushRequestsCompleted: 118912,
    });
    const server = createPsutil({ procfs: own('host-server', 'proc'), sysfs: own('host-server', 'sys') });
    expect(server.diskIoCounters({ perdisk: true, nowrap: false })['dm-0']).toEqual({
      readCount: 9534325,
      writeCount: 50246676,
      readBytes: 1203301234 * 512,
      writeBytes: 2012334359 * 512,
      readTime: 45123344,
      writeTime: 1834455667,
      readMergedCount: 0,
      writeMergedCount: 0,
      busyTime: 51222744,
    });
    const rows = server.diskstats();
    expect(rows.map((r) => r.columns)).toEqual(Array(9).fill(14));
    expect(rows[6]).toMatchObject({ name: 'dm-0', ioInProgress: 3 });
  });

  testPeer('node_exporter fixture: whole disks are those listed in its sys/block', () => {
    const p = createPsutil({
      procfs: path.join(NODE_EXPORTER_FIXTURES, 'proc'),
      sysfs: path.join(NODE_EXPORTER_FIXTURES, 'sys'),
    });
    const per = p.diskIoCounters({ perdisk: true, nowrap: false });
    const inSysBlock = Object.keys(per).filter((n) =>
      fs.existsSync(path.join(NODE_EXPORTER_FIXTURES, 'sys', 'block', n)),
    );
    expect(inSysBlock.length).toBeGreaterThan(0);
    expect(p.diskIoCounters({ nowrap: false })!.readCount).toBe(inSysBlock.reduce((s, n) => s + per[n]!.readCount, 0));
  });
});

describe('diskstats() and mountinfo() raw readers', () => {
  test('diskstats: every line and column', () => {
    const rows = basic().diskstats();
    expect(rows).toHaveLength(9);
    expect(rows[1]).toMatchObject({
      name: 'sda',
      columns: 20,
      discardsCompleted: 68851,
      flushRequestsCompleted: 1555,
      ioInProgress: 3,
    });
  });

  test('mountinfo: <procfs>/1/mountinfo first, else self/mountinfo', () => {
    expect(basic().mountinfo()).toHaveLength(7);
    const root = tmpTree({ 'proc/self/mountinfo': '22 1 8:1 / / rw - ext4 /dev/sda1 rw\n' });
    expect(createPsutil({ procfs: path.join(root, 'proc') }).mountinfo()).toEqual([
      expect.objectContaining({ source: '/dev/sda1' }),
    ]);
    // host-laptop's self is a pid (1877) without a mount table: 1/mountinfo is what counts.
    const laptop = createPsutil({ procfs: own('host-laptop', 'proc') }).mountinfo();
    expect(laptop).toHaveLength(13);
    expect(laptop[12]).toMatchObject({ mountPoint: '/media/alice/SD CARD', fstype: 'exfat', source: '/dev/mmcblk0p1' });
  });

  testPeer("mountinfo: node_exporter's flattened `self` (a file): 1/mountinfo is what counts", () => {
    expect(createPsutil({ procfs: path.join(NODE_EXPORTER_FIXTURES, 'proc') }).mountinfo().length).toBeGreaterThan(20);
  });
});

describe('diskPartitions', () => {
  test('all=false keeps device-backed filesystems from /proc/filesystems, plus zfs; escapes decoded', () => {
    expect(basic().diskPartitions()).toEqual([
      { device: '/dev/sda1', mountpoint: '/', fstype: 'ext4', opts: 'rw,relatime,errors=remount-ro' },
      { device: '/dev/nvme0n1p1', mountpoint: '/boot/efi', fstype: 'vfat', opts: 'rw,relatime,fmask=0077,dmask=0077' },
      { device: '/dev/loop0', mountpoint: '/snap/core/123', fstype: 'squashfs', opts: 'ro,nodev,relatime' },
      { device: '/dev/sdb1', mountpoint: '/media/My Disk', fstype: 'vfat', opts: 'rw,nosuid,nodev,relatime' },
      { device: '/dev/sdc1', mountpoint: '/mnt/tab\tand\nnewline\\back', fstype: 'ext4', opts: 'rw,relatime' },
      { device: 'tank/data', mountpoint: '/tank/data', fstype: 'zfs', opts: 'rw,xattr,noacl' },
      { device: '/dev/mapper/vg-home', mountpoint: '/home', fstype: 'xfs', opts: 'rw,relatime,attr2' },
    ]);
  });

  test('host-laptop: <procfs>/1/mounts, \\040 decoded, nodev filesystems left out', () => {
    const p = createPsutil({ procfs: own('host-laptop', 'proc'), sysfs: own('host-laptop', 'sys') });
    expect(p.diskPartitions().map((x) => [x.device, x.mountpoint, x.fstype])).toEqual([
      ['/dev/mapper/nvme0n1p3_crypt', '/', 'ext4'],
      ['/dev/nvme0n1p2', '/boot', 'ext2'],
      ['/dev/nvme0n1p1', '/boot/efi', 'vfat'],
      ['/dev/loop0', '/snap/core22/1380', 'squashfs'],
      ['/dev/mmcblk0p1', '/media/alice/SD CARD', 'exfat'],
    ]);
    expect(p.diskPartitions({ all: true })).toHaveLength(13);
  });

  test('all=true: every mount, "none" devices become ""', () => {
    const all = basic().diskPartitions({ all: true });
    expect(all).toHaveLength(13);
    expect(all.find((p) => p.mountpoint === '/run/user/1000')!.device).toBe('');
    expect(all.find((p) => p.fstype === 'fuse.sshfs')!.device).toBe('user@host:');
    expect(Object.isFrozen(all)).toBe(true);
    expect(Object.isFrozen(all[0])).toBe(true);
  });

  test("under a foreign procfs root, <procfs>/1/mounts (the host's init) wins over self/mounts", () => {
    const root = tmpTree({
      'proc/filesystems': '\text4\n',
      'proc/1/mounts': '/dev/sda1 / ext4 rw 0 0\n',
      'proc/self/mounts': '/dev/vdb /container ext4 rw 0 0\n',
    });
    expect(
      createPsutil({ procfs: path.join(root, 'proc') })
        .diskPartitions()
        .map((p) => p.mountpoint),
    ).toEqual(['/']);
    fs.rmSync(path.join(root, 'proc/1'), { recursive: true });
    expect(
      createPsutil({ procfs: path.join(root, 'proc') })
        .diskPartitions()
        .map((p) => p.mountpoint),
    ).toEqual(['/container']);
  });

  describe('/dev/root and rootfs are resolved through the st_dev of the rootfs', () => {
    // The real device number of the temp dir: the fixture is built around it, nothing is hard-coded.
    const tree = (files: Record<string, string>) => {
      const root = tmpTree({
        'proc/filesystems': '\text4\n',
        'proc/self/mounts': '/dev/root / ext4 rw 0 0\nrootfs / rootfs rw 0 0\n',
        ...files,
      });
      const [major, minor] = splitDev(fs.statSync(root, { bigint: true }).dev);
      return { root, major, minor };
    };
    const parts = (p: ReturnType<typeof tree>) =>
      createPsutil({
        procfs: path.join(p.root, 'proc'),
        sysfs: path.join(p.root, 'sys'),
        rootfs: p.root,
      })
        .diskPartitions({ all: true })
        .map((x) => x.device);

    test('via /proc/partitions', () => {
      const t = tree({ 'dev/xvda9': '' });
      writeIn(t.root, 'proc/partitions', `major minor  #blocks  name\n\n ${t.major} ${t.minor} 1000 xvda9\n`);
      expect(parts(t)).toEqual(['/dev/xvda9', '/dev/xvda9']);
    });

    test('via /sys/dev/block/M:m/uevent when /proc/partitions does not list it', () => {
      const t = tree({ 'dev/vdz': '', 'proc/partitions': 'major minor  #blocks  name\n\n' });
      writeIn(
        t.root,
        `sys/dev/block/${t.major}:${t.minor}/uevent`,
        `MAJOR=${t.major}\nMINOR=${t.minor}\nDEVNAME=vdz\nDEVTYPE=disk\n`,
      );
      expect(parts(t)[0]).toBe('/dev/vdz');
    });

    test('via /sys/class/block/*/dev as the last resort', () => {
      const t = tree({ 'dev/sdq1': '' });
      writeIn(t.root, 'sys/class/block/sdq1/dev', `${t.major}:${t.minor}\n`);
      writeIn(t.root, 'sys/class/block/sdq/dev', '250:7\n');
      expect(parts(t)[0]).toBe('/dev/sdq1');
    });

    test('unchanged when the guessed /dev node does not exist', () => {
      const t = tree({});
      writeIn(t.root, 'proc/partitions', `major minor  #blocks  name\n\n ${t.major} ${t.minor} 1000 ghost\n`);
      expect(parts(t)).toEqual(['/dev/root', 'rootfs']);
    });
  });
});

describe('errors', () => {
  test('an empty procfs (and sysfs) root: OsError ENOENT naming the file, not empty results', () => {
    const root = tmpTree({ 'proc/.keep': '', 'sys/.keep': '' });
    const p = createPsutil({ procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys') });
    for (const call of [
      () => p.diskPartitions(),
      () => p.diskPartitions({ all: true }),
      () => p.diskIoCounters(),
      () => p.diskstats(),
      () => p.mountinfo(),
    ]) {
      expect(call).toThrow(OsError);
      expect(call).toThrow(expect.objectContaining({ osCode: 'ENOENT', path: expect.stringContaining(root) }));
    }
  });

  test('garbage in the mount table or diskstats: ParseError naming the file', () => {
    const root = tmpTree({
      'proc/filesystems': '\text4\n',
      'proc/self/mounts': 'garbage\n',
      'proc/diskstats': '8 0 sda 1 2\n',
      'sys/.keep': '',
    });
    const p = createPsutil({ procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys') });
    expect(() => p.diskPartitions()).toThrow(ParseError);
    expect(() => p.diskPartitions()).toThrow(/self\/mounts/);
    expect(() => p.diskIoCounters()).toThrow(/diskstats: line 1/);
  });

  test('bad arguments: TypeError/RangeError naming the argument', async () => {
    const p = basic();
    // @ts-expect-error: not a boolean
    expect(() => p.diskPartitions({ all: 1 })).toThrow(/all must be a boolean/);
    // @ts-expect-error: unknown option
    expect(() => p.diskIoCounters({ perDisk: true })).toThrow(/unknown option 'perDisk'/);
    // @ts-expect-error: not an object
    expect(() => p.diskIoCounters(true)).toThrow(TypeError);
    // @ts-expect-error: not a string
    expect(() => p.diskUsage(42)).toThrow(/path must be a string/);
    expect(() => p.diskUsage('/tmp\0/x')).toThrow(RangeError);
    expect(() => p.diskUsage('/tmp\0/x')).toThrow(/NUL/);
    await expect(p.diskUsageAsync('/', { timeoutMs: -1 })).rejects.toThrow(RangeError);
    await expect(p.diskUsageAsync('/', { timeoutMs: Infinity })).rejects.toThrow(/timeoutMs/);
    // @ts-expect-error: not a number
    await expect(p.diskUsageAsync('/', { timeoutMs: '5' })).rejects.toThrow(TypeError);
    // @ts-expect-error: not a string
    await expect(p.diskUsageAsync(null)).rejects.toThrow(/path must be a string/);
  });
});

describe('diskUsage / diskUsageAsync', () => {
  test('a missing path: OsError ENOENT with the path in the message', async () => {
    const missing = path.join(os.tmpdir(), 'psutil-no-such-dir-' + process.pid, 'x');
    const p = basic();
    expect(() => p.diskUsage(missing)).toThrow(OsError);
    expect(() => p.diskUsage(missing)).toThrow(
      expect.objectContaining({ osCode: 'ENOENT', errno: 2, path: missing, syscall: 'statvfs' }),
    );
    expect(() => p.diskUsage(missing)).toThrow(missing);
    await expect(p.diskUsageAsync(missing)).rejects.toThrow(
      expect.objectContaining({ osCode: 'ENOENT', path: missing }),
    );
  });

  test('sync and async agree on a real directory; the result is frozen and self-consistent', async () => {
    const dir = tmpTree();
    const p = basic();
    const a = p.diskUsage(dir);
    const b = await p.diskUsageAsync(dir, { timeoutMs: 10_000 });
    expect(Object.keys(a)).toEqual(['total', 'used', 'free', 'percent']);
    expect(b.total).toBe(a.total);
    expect(Object.isFrozen(a) && Object.isFrozen(b)).toBe(true);
    expect(a.total).toBeGreaterThan(0);
    expect(a.used + a.free).toBeLessThanOrEqual(a.total);
    expect(a.percent).toBe(a.used + a.free === 0 ? 0 : pyRound1((a.used / (a.used + a.free)) * 100));
  });

  test('a path with bytes that are not UTF-8: the escaped string or the Buffer reaches it, sync and async', async () => {
    const dir = tmpTree();
    const raw = Buffer.concat([Buffer.from(dir + '/d'), Buffer.from([0xc0, 0x80, 0xff])]);
    fs.mkdirSync(raw);
    // Written as U+FFFD (what Node would make of a lone surrogate) the name is another, missing directory.
    const escaped = `${dir}/d\udcc0\udc80\udcff`;
    expect(fs.existsSync(escaped)).toBe(false);
    const p = basic();
    const want = p.diskUsage(dir).total;
    expect(p.diskUsage(escaped).total).toBe(want);
    expect(p.diskUsage(raw).total).toBe(want);
    expect(p.diskUsage(new Uint8Array(raw)).total).toBe(want);
    expect((await p.diskUsageAsync(escaped, { timeoutMs: 10_000 })).total).toBe(want);
    expect((await p.diskUsageAsync(raw, { timeoutMs: 10_000 })).total).toBe(want);
    // mountStats reads under the rootfs: the default instance's is /.
    const host = createPsutil();
    expect(host.mountStats(raw).size).toBe(host.mountStats(dir).size);
    expect((await host.mountStatsAsync(escaped, { timeoutMs: 10_000 })).size).toBe(host.mountStats(dir).size);
    // A lone surrogate that escapes no byte names no file (Python: UnicodeEncodeError): RangeError naming the argument.
    expect(() => p.diskUsage(`${dir}/\udc7f`)).toThrow(RangeError);
    expect(() => p.diskUsage(`${dir}/\ud800`)).toThrow(/diskUsage: path .*U\+D800/);
    expect(() => p.mountStats(`${dir}/\udc00`)).toThrow(/mountStats: mountPoint/);
    expect(() => p.diskUsage(Buffer.from('/tmp\0/x'))).toThrow(/NUL/);
  });

  test('a finished call leaves nothing pending', async () => {
    const pending: PendingStatvfs = new Map();
    await backendDiskUsageAsync(os.tmpdir(), 10_000, pending);
    expect(pending.size).toBe(0);
  });
});

describe('pyRound1 (Python round(x, 1))', () => {
  test.each([
    [0.25, 0.2],
    [0.75, 0.8],
    [2.25, 2.2],
    [0.15, 0.1],
    [0.35, 0.3],
    [1.05, 1.1],
    [21.94, 21.9],
    [99.99, 100],
    [0, 0],
    [33.333333, 33.3],
  ])('%p -> %p', (x, want) => {
    expect(pyRound1(x)).toBe(want);
  });
});
