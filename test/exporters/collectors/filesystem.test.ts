/**
 * The filesystem collector in a container layout: mounts from <procfs>/1/mountinfo, statfs under the rootfs prefix,
 * mountpoint labels without it; a failing mount costs its own series only; a stuck one is skipped while its statfs
 * is pending.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NameFilter } from '../../../src/exporters/catalog';
import {
  filesystemCollector,
  filesystemFamilies,
  filesystemMetrics,
  stripRootfs,
  type FilesystemData,
} from '../../../src/exporters/collectors/filesystem';
import { createPsutil, OsError, TimeoutExpired, type MountStats, type Psutil } from '../../../src/index';

const opts = {
  mountPoints: new NameFilter('', '^/(dev|proc|sys|var/lib/docker/.+)($|/)'),
  fsTypes: new NameFilter('', '^(proc|sysfs|overlay)$'),
  statTimeoutMs: 2000,
};

test.each([
  ['/host/root/var', '/host/root', '/var'],
  ['/host/root', '/host/root', '/'],
  ['/var', '/host/root', '/var'],
  ['/host/rootfs', '/host/root', '/host/rootfs'],
  ['/var', '/', '/var'],
])('stripRootfs(%s, %s) = %s', (p, r, want) => {
  expect(stripRootfs(p, r)).toBe(want);
});

describe('in a container layout (a fake host under temp dirs)', () => {
  let dir: string;
  let data: FilesystemData;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-fs-'));
    const proc = path.join(dir, 'proc');
    const root = path.join(dir, 'root');
    fs.mkdirSync(path.join(proc, '1'), { recursive: true });
    fs.mkdirSync(path.join(root, 'data'), { recursive: true });
    fs.writeFileSync(
      path.join(proc, '1', 'mountinfo'),
      [
        '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
        '23 22 0:5 / /proc rw,nosuid - proc proc rw',
        '24 22 0:30 / /data ro,relatime - tmpfs tmpfs ro,size=1024k',
        '25 22 0:31 / /gone rw - nfs srv:/export rw',
        '26 22 0:32 / /var/lib/docker/overlay2/x rw - overlay overlay rw',
        '27 22 0:30 / /data ro,relatime - tmpfs tmpfs ro,size=1024k',
        '',
      ].join('\n'),
    );
    const psutil = createPsutil({ procfs: proc, sysfs: path.join(dir, 'sys'), rootfs: root });
    const collect = filesystemCollector.create({ psutil, roots: psutil.roots }, opts);
    data = await collect({ deadline: Date.now() + 5000 });
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('mounts from <procfs>/1/mountinfo, excluded ones left out, duplicates once', () => {
    expect(data.map((m) => m.mountpoint)).toEqual(['/', '/data', '/gone']);
  });

  test('statfs ran under the rootfs prefix, labels without it', () => {
    const rootMount = data.find((m) => m.mountpoint === '/');
    expect(rootMount?.stats?.size).toBeGreaterThan(0);
    expect(rootMount?.device).toBe('/dev/vda');
    expect(data.find((m) => m.mountpoint === '/data')?.readonly).toBe(true);
  });

  test('a mount point that cannot be statfs-ed shows device_error 1 and no sizes; the others are unaffected', () => {
    const fams = filesystemFamilies(data);
    const err = fams.find((f) => f.name === 'node_filesystem_device_error');
    expect(err?.series.find((s) => s.labels['mountpoint'] === '/gone')?.value).toBe(1);
    expect(err?.series.find((s) => s.labels['mountpoint'] === '/')?.value).toBe(0);
    const size = fams.find((f) => f.name === 'node_filesystem_size_bytes');
    expect(size?.series.map((s) => s.labels['mountpoint'])).toEqual(['/', '/data']);
    expect(fams.find((f) => f.name === 'node_filesystem_mount_info')?.series[0]?.labels).toEqual({
      device: '/dev/vda',
      major: '254',
      minor: '0',
      mountpoint: '/',
    });
  });

  test('OTLP: usage by state adds up to the size', () => {
    const usage = filesystemMetrics(data).find((m) => m.name === 'system.filesystem.usage');
    const root = usage?.points.filter((p) => p.attributes['system.filesystem.mountpoint'] === '/') ?? [];
    const size = data.find((m) => m.mountpoint === '/')?.stats?.size ?? 0;
    expect(root.reduce((a, p) => a + p.value, 0)).toBe(size);
    expect(root.map((p) => p.attributes['system.filesystem.state'])).toEqual(['used', 'free', 'reserved']);
  });
});

describe('a stuck mount', () => {
  test('times out once, then is skipped without another statfs while its first one is pending', async () => {
    const calls: string[] = [];
    let pending: string[] = [];
    const stats: MountStats = { size: 10, free: 5, avail: 4, files: 3, filesFree: 2, readonly: false };
    // A stand-in for the library at its boundary: /nfs never answers, as a dead NFS server's statfs.
    const psutil = {
      roots: { procfs: '/proc', sysfs: '/sys', rootfs: '/' },
      mountinfo: () => [
        {
          mountId: 1,
          parentId: 0,
          major: 8,
          minor: 1,
          root: '/',
          mountPoint: '/',
          options: 'rw',
          optionalFields: [],
          fstype: 'ext4',
          source: '/dev/sda1',
          superOptions: 'rw',
        },
        {
          mountId: 2,
          parentId: 1,
          major: 0,
          minor: 40,
          root: '/',
          mountPoint: '/nfs',
          options: 'rw',
          optionalFields: [],
          fstype: 'nfs4',
          source: 'srv:/x',
          superOptions: 'rw',
        },
      ],
      mountStatsPending: () => pending,
      mountStatsAsync: (mp: string, o: { timeoutMs: number }) => {
        calls.push(mp);
        if (mp === '/nfs') {
          pending = ['/nfs'];
          return new Promise((_resolve, reject) =>
            setTimeout(() => reject(new Error(`timeout after ${o.timeoutMs} ms`)), o.timeoutMs),
          );
        }
        return Promise.resolve(stats);
      },
    } as unknown as Psutil;
    const collect = filesystemCollector.create({ psutil, roots: psutil.roots }, { ...opts, statTimeoutMs: 30 });
    const first = await collect({ deadline: Date.now() + 5000 });
    expect(first.find((m) => m.mountpoint === '/nfs')?.error).toMatch(/timeout/);
    expect(first.find((m) => m.mountpoint === '/')?.stats).toEqual(stats);
    const second = await collect({ deadline: Date.now() + 5000 });
    expect(second.find((m) => m.mountpoint === '/nfs')?.error).toMatch(/stuck/);
    expect(calls).toEqual(['/', '/nfs', '/']);
  });

  test('a mount whose statfs hangs makes the pass incomplete (success 0); one the kernel refused does not', async () => {
    const mount = (mountPoint: string, mountId: number) => ({
      mountId,
      parentId: 1,
      major: 0,
      minor: mountId,
      root: '/',
      mountPoint,
      options: 'rw',
      optionalFields: [],
      fstype: 'nfs4',
      source: `srv:${mountPoint}`,
      superOptions: 'rw',
    });
    const run = async (fail: Record<string, unknown>, stuck: string[] = []) => {
      const said: string[] = [];
      const psutil = {
        mountinfo: () => [mount('/a', 2), mount('/b', 3), mount('/c', 4)],
        mountStatsPending: () => stuck,
        mountStatsAsync: (mp: string) =>
          mp in fail
            ? Promise.reject(fail[mp])
            : Promise.resolve({ size: 1, free: 1, avail: 1, files: 1, filesFree: 1, readonly: false }),
      } as unknown as Psutil;
      const data = await filesystemCollector.create(
        { psutil, roots: { procfs: '/proc', sysfs: '/sys', rootfs: '/' } },
        opts,
      )({ deadline: Date.now() + 5000, incomplete: (r) => said.push(r) });
      return { said, served: data.filter((m) => m.stats !== null).map((m) => m.mountpoint) };
    };
    expect(await run({ '/b': new TimeoutExpired(1) })).toEqual({
      said: [expect.stringMatching(/hangs on 1 mount.*\/b/)],
      served: ['/a', '/c'],
    });
    expect(await run({}, ['/c'])).toEqual({ said: [expect.stringMatching(/\/c/)], served: ['/a', '/b'] });
    expect(await run({ '/a': new OsError('EAGAIN', 11, 'statvfs', '/a') })).toEqual({
      said: [expect.stringMatching(/\/a/)],
      served: ['/b', '/c'],
    });
    expect(await run({ '/a': new OsError('EACCES', 13, 'statvfs', '/a') })).toEqual({ said: [], served: ['/b', '/c'] });
  });

  test('each statfs is bounded by the collector deadline as well as stat_timeout', async () => {
    let seen = 0;
    const psutil = {
      mountinfo: () => [
        {
          mountId: 1,
          parentId: 0,
          major: 0,
          minor: 1,
          root: '/',
          mountPoint: '/m',
          options: 'rw',
          optionalFields: [],
          fstype: 'ext4',
          source: 'x',
          superOptions: '',
        },
      ],
      mountStatsPending: () => [],
      mountStatsAsync: (_mp: string, o: { timeoutMs: number }) => {
        seen = o.timeoutMs;
        return Promise.reject(new Error('x'));
      },
    } as unknown as Psutil;
    await filesystemCollector.create(
      { psutil, roots: { procfs: '/proc', sysfs: '/sys', rootfs: '/' } },
      { ...opts, statTimeoutMs: 5000 },
    )({ deadline: Date.now() + 300 });
    expect(seen).toBeLessThanOrEqual(300);
    expect(seen).toBeGreaterThan(0);
  });
});
