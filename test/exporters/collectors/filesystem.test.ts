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
import { localStatfsMounts } from '../../../src/probes/linux/statfs';
import type * as Library from '../../../src/index';
import type * as Collector from '../../../src/exporters/collectors/filesystem';
import type * as Statfs from '../../../src/probes/linux/statfs';
import { sh } from '../../helpers/oracle';

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
    const locals: boolean[] = [];
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
      mountStatsLocal: localStatfsMounts,
      mountStatsAsync: (mp: string, o: { timeoutMs: number; local: boolean }) => {
        calls.push(mp);
        locals.push(o.local);
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
    // ext4 is read at once, nfs4 on the statfs thread (the table's types, through mountStatsLocal).
    expect(locals).toEqual([true, false, true]);
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
        mountStatsLocal: localStatfsMounts,
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
      mountStatsLocal: localStatfsMounts,
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

describe('the statfs thread is lazy (issue 14)', () => {
  /** The library, the collector and the statfs module in a registry of their own: no statfs thread started yet. */
  function fresh(): { lib: typeof Library; collector: typeof Collector; statfs: typeof Statfs } {
    let out!: { lib: typeof Library; collector: typeof Collector; statfs: typeof Statfs };
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports -- a fresh instance of the statfs threads' state */
      out = {
        lib: require('../../../src/index') as typeof Library,
        collector: require('../../../src/exporters/collectors/filesystem') as typeof Collector,
        statfs: require('../../../src/probes/linux/statfs') as typeof Statfs,
      };
      /* eslint-enable @typescript-eslint/no-require-imports -- only those requires */
    });
    return out;
  }

  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-fs-lazy-'));
    for (const d of ['proc/1', 'root/data', 'root/remote']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function collectWith(lines: string[]) {
    fs.writeFileSync(path.join(dir, 'proc', '1', 'mountinfo'), lines.join('\n') + '\n');
    const { lib, collector, statfs } = fresh();
    const psutil = lib.createPsutil({
      procfs: path.join(dir, 'proc'),
      sysfs: path.join(dir, 'sys'),
      rootfs: path.join(dir, 'root'),
    });
    const data = await collector.filesystemCollector.create(
      { psutil, roots: psutil.roots },
      opts,
    )({
      deadline: Date.now() + 10000,
    });
    return { data, started: statfs.statfsThreadsStarted() };
  }

  const ROOT = '22 1 254:0 / / rw,relatime - ext4 /dev/vda rw';
  const DATA = '24 22 0:30 / /data rw,relatime - tmpfs tmpfs rw';

  test('every mount of a type read from memory: served, and no statfs thread started', async () => {
    const { data, started } = await collectWith([ROOT, DATA]);
    expect(data.map((m) => [m.mountpoint, m.error, (m.stats?.size ?? 0) > 0])).toEqual([
      ['/', null, true],
      ['/data', null, true],
    ]);
    expect(started).toBe(0);
  });

  test('an nfs mount starts the thread for itself; both ways read the same numbers', async () => {
    // /remote is a directory beside /data on the same filesystem: the thread's statvfs and this thread's agree.
    const { data, started } = await collectWith([ROOT, DATA, '25 22 0:31 / /remote rw - nfs4 srv:/x rw']);
    expect(started).toBe(1);
    const by = new Map(data.map((m) => [m.mountpoint, m]));
    expect(by.get('/remote')?.error).toBeNull();
    expect(by.get('/remote')?.stats?.size).toBe(by.get('/data')?.stats?.size);
    expect(by.get('/remote')?.stats?.files).toBe(by.get('/data')?.stats?.files);
  });

  test("this host's mounts: read at once where local, with the numbers `stat -f` gives", async () => {
    const { lib, collector, statfs } = fresh();
    const psutil = lib.createPsutil();
    const o = { ...opts, mountPoints: new NameFilter('', '^/(dev|proc|sys|run/credentials/.+)($|/)') };
    const data = await collector.filesystemCollector.create(
      { psutil, roots: psutil.roots },
      o,
    )({
      deadline: Date.now() + 10000,
    });
    const table = psutil.mountinfo();
    const local = psutil.mountStatsLocal(table);
    // This host's table decides which mounts these are (none where `/` is an overlay: a container's; the layouts
    // above read local mounts whatever the host).
    const served = data.filter((m) => m.stats !== null && local.has(m.mountpoint));
    for (const m of served) {
      // coreutils' stat -f: %s f_bsize, %b f_blocks, %c f_files (fixed by the filesystem: exact).
      const [bsize, blocks, files] = sh('stat', ['-f', '-c', '%s %b %c', m.mountpoint]).trim().split(' ').map(Number);
      expect([m.mountpoint, m.stats?.size, m.stats?.files]).toEqual([m.mountpoint, bsize! * blocks!, files]);
    }
    // The thread started if and only if a served mount was not local.
    const remote = data.filter((m) => !local.has(m.mountpoint));
    expect(statfs.statfsThreadsStarted() > 0).toBe(remote.length > 0);
  });
});
