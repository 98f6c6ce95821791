import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPsutil, OsError, TimeoutExpired } from '../../src/index';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, describePeer, own } from '../helpers/fixtures';
import { sh } from '../helpers/oracle';

const ne = createPsutil({
  procfs: path.join(NODE_EXPORTER_FIXTURES, 'proc'),
  sysfs: path.join(NODE_EXPORTER_FIXTURES, 'sys'),
  rootfs: NODE_EXPORTER_FIXTURES,
});

const host = (name: string) => createPsutil({ procfs: own(name, 'proc'), sysfs: own(name, 'sys'), rootfs: own(name) });

describe('sysinfo on our hosts', () => {
  test('clocksources: the trailing space of available_clocksource makes no empty name', () => {
    expect(host('host-laptop').clocksources()).toEqual([
      { device: '0', available: ['tsc', 'hpet', 'acpi_pm'], current: 'tsc' },
    ]);
    expect(host('host-server').clocksources()[0]?.current).toBe('hpet');
  });

  test('kernelLimits: pid_max and threads-max', () => {
    expect(host('host-laptop').kernelLimits()).toEqual({ pidMax: 4194304, threadsMax: 126465 });
    expect(host('host-server').kernelLimits()).toEqual({ pidMax: 32768, threadsMax: 514403 });
  });

  test("processSummary: host-laptop's five processes, threads only where a task/ dir is", () => {
    const p = host('host-laptop');
    const s = p.processSummary({ threads: true });
    expect(s).toEqual({ pids: 5, threads: 7, states: { S: 3, I: 1, R: 1 }, threadStates: { S: 3, R: 1 }, skipped: 0 });
    expect(p.processSummary().threadStates).toBeNull();
  });

  test("processSummary: host-server's parser-breaking processes; pid dirs without stat count as vanished", () => {
    const s = host('host-server').processSummary({ threads: true });
    // 1020's comm `) R 1 (x y` would read as state R to a parser that stops at its first ')': it is S.
    expect(s).toEqual({
      pids: 8,
      threads: 10,
      states: { S: 6, I: 1, Z: 1 },
      threadStates: { S: 1, R: 1, D: 1 },
      skipped: 2,
    });
  });

  test('blockDeviceInfo: only the E: lines of the udev entry, split at the first =; rotational from sys/block', () => {
    const laptop = host('host-laptop');
    const dm = laptop.blockDeviceInfo('dm-0', 253, 0, { udevData: '/run/udev/data' });
    expect(dm.rotational).toBe(0);
    expect(dm.udev?.['DM_NAME']).toBe('nvme0n1p3_crypt');
    expect(dm.udev?.['ID_VENDOR']).toBe('with=equals');
    expect(Object.keys(dm.udev ?? {})).toHaveLength(11);
    expect(laptop.blockDeviceInfo('nvme0n1', 259, 0, { udevData: '/run/udev/data' }).udev?.['ID_MODEL']).toBe(
      'SAMSUNG MZVLB512HAJQ-000L7',
    );
    const server = host('host-server');
    expect(server.blockDeviceInfo('sda', 8, 0, { udevData: '/run/udev/data' })).toMatchObject({
      rotational: 1,
      udev: { ID_ATA_ROTATION_RATE_RPM: '7200' },
    });
    expect(server.blockDeviceInfo('sdb', 8, 16, { udevData: '/run/udev/data' })).toEqual({ rotational: 0, udev: null });
    expect(server.blockDeviceInfo('nope', 1, 2, { udevData: '/run/udev/data' })).toEqual({
      rotational: null,
      udev: null,
    });
  });

  test('blockDeviceInfo checks its arguments', () => {
    const p = host('host-laptop');
    expect(() => p.blockDeviceInfo('../x', 1, 2)).toThrow(RangeError);
    expect(() => p.blockDeviceInfo('sda', -1, 2)).toThrow(TypeError);
    expect(() => p.blockDeviceInfo(1 as unknown as string, 1, 2)).toThrow(TypeError);
  });
});

describePeer("sysinfo on the peers' trees", () => {
  test("clocksources: node_exporter's fixture", () => {
    expect(ne.clocksources()).toEqual([{ device: '0', available: ['tsc', 'hpet', 'acpi_pm'], current: 'tsc' }]);
  });

  test('kernelLimits: pid_max and threads-max', () => {
    expect(ne.kernelLimits()).toEqual({ pidMax: 123, threadsMax: 7801 });
  });

  test("processSummary: node_exporter's three processes", () => {
    const s = ne.processSummary({ threads: true });
    expect(s.pids).toBe(3);
    expect(s.threads).toBe(3);
    expect(s.states).toEqual({ I: 1, S: 2 });
    expect(s.threadStates).toEqual({});
    expect(ne.processSummary().threadStates).toBeNull();
  });

  test("processSummary: procfs's parser-breaking processes and their tasks", () => {
    const p = createPsutil({ procfs: path.join(PROCFS_FIXTURES, 'proc') });
    const s = p.processSummary({ threads: true });
    // 26233, 26234 and 26235 have no stat file: they count as vanished mid-walk.
    expect(s.pids).toBe(4);
    expect(s.skipped).toBeGreaterThanOrEqual(3);
    expect(s.states['R']).toBeGreaterThanOrEqual(2);
    const total = Object.values(s.states).reduce((a, b) => a + b, 0);
    expect(total).toBe(s.pids);
  });

  test('blockDeviceInfo: udev properties under the rootfs and the rotational flag', () => {
    const i = ne.blockDeviceInfo('dm-0', 252, 0, { udevData: '/udev/data' });
    expect(i.udev?.['DM_NAME']).toBe('nvme0n1_crypt');
    const none = ne.blockDeviceInfo('nope', 1, 2, { udevData: '/udev/data' });
    expect(none).toEqual({ rotational: null, udev: null });
  });
});

describe('sysinfo on temporary trees', () => {
  test('osRelease under the rootfs; null where there is none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-osr-'));
    try {
      expect(createPsutil({ rootfs: dir }).osRelease()).toBeNull();
      fs.mkdirSync(path.join(dir, 'usr', 'lib'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'usr', 'lib', 'os-release'), 'ID=alpine\nVERSION_ID=3.18.4\n');
      expect(createPsutil({ rootfs: dir }).osRelease()).toEqual({
        path: path.join(dir, 'usr', 'lib', 'os-release'),
        fields: { ID: 'alpine', VERSION_ID: '3.18.4' },
      });
      fs.mkdirSync(path.join(dir, 'etc'));
      fs.writeFileSync(path.join(dir, 'etc', 'os-release'), 'ID=debian\n');
      expect(createPsutil({ rootfs: dir }).osRelease()?.fields).toEqual({ ID: 'debian' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sysinfo live', () => {
  const p = createPsutil();

  test('uname agrees with uname(1)', () => {
    const u = p.uname();
    expect(u.sysname).toBe('Linux');
    expect(u.release).toBe(os.release());
    expect(u.nodename).toBe(os.hostname());
    expect(typeof u.domainname).toBe('string');
  });

  test('mountStats of / agrees with statfs(2) as `stat -f` reports it (free space and inodes within a moving tolerance)', async () => {
    const s = await p.mountStatsAsync('/', { timeoutMs: 5000 });
    const sync = p.mountStats('/');
    // `local`: the same statvfs on this thread (statfs.ts statvfsOf), as the filesystem collector reads local mounts.
    const here = await p.mountStatsAsync('/', { timeoutMs: 5000, local: true });
    // coreutils' stat -f: %s f_bsize, %b f_blocks, %f f_bfree, %a f_bavail, %c f_files, %d f_ffree.
    const [bsize, blocks, bfree, bavail, files, ffree] = sh('stat', ['-f', '-c', '%s %b %f %a %c %d', '/'])
      .trim()
      .split(' ')
      .map(Number) as [number, number, number, number, number, number];
    expect([s.size, sync.size, here.size]).toEqual([blocks * bsize, blocks * bsize, blocks * bsize]);
    // Other processes write while we read: free space and free inodes move, by far less than 1%.
    for (const m of [s, sync, here]) {
      expect(Math.abs(m.free - bfree * bsize)).toBeLessThan(m.size * 0.01);
      expect(Math.abs(m.avail - bavail * bsize)).toBeLessThan(m.size * 0.01);
      expect(Math.abs(m.files - files)).toBeLessThanOrEqual(files * 0.01);
      expect(Math.abs(m.filesFree - ffree)).toBeLessThanOrEqual(files * 0.01);
    }
    expect(s.size).toBeGreaterThan(0);
    expect(s.free).toBeGreaterThanOrEqual(s.avail);
    expect(p.mountStatsPending()).toEqual([]);
  });

  test('a missing mount point rejects with OsError; bad options with RangeError', async () => {
    await expect(p.mountStatsAsync('/nonexistent-mount-point')).rejects.toBeInstanceOf(OsError);
    expect(() => p.mountStats('/nonexistent-mount-point')).toThrow(OsError);
    await expect(p.mountStatsAsync('/', { timeoutMs: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(p.mountStatsAsync('/nonexistent-mount-point', { local: true })).rejects.toMatchObject({
      osCode: 'ENOENT',
      syscall: 'statvfs',
      path: '/nonexistent-mount-point',
    });
    // @ts-expect-error -- a caller without the types
    await expect(p.mountStatsAsync('/', { local: 'yes' })).rejects.toBeInstanceOf(TypeError);
    expect(TimeoutExpired).toBeDefined();
  });

  test('mountStats reads under the rootfs prefix', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-root-'));
    try {
      fs.mkdirSync(path.join(dir, 'sub'));
      const s = createPsutil({ rootfs: dir }).mountStats('/sub');
      expect(s.size).toBeGreaterThan(0);
      expect(() => createPsutil({ rootfs: dir }).mountStats('/absent')).toThrow(OsError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('processSummary counts this process and agrees with /proc', () => {
    const s = p.processSummary({ threads: true });
    const n = fs.readdirSync('/proc').filter((f) => /^\d+$/.test(f)).length;
    expect(Math.abs(s.pids - n)).toBeLessThan(Math.max(20, n * 0.2));
    expect(s.threads).toBeGreaterThanOrEqual(s.pids);
    const threadTotal = Object.values(s.threadStates ?? {}).reduce((a, b) => a + b, 0);
    expect(threadTotal).toBeGreaterThan(0);
  });
});
