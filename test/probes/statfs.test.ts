/**
 * The lazy statfs thread (issue 14): which mounts statvfsOf may read on the calling thread (localStatfsMounts, on mount
 * tables parsed by the real mountinfo parser), and that the two ways give the same record and the same error, the
 * thread starting only for a call that needs it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Errors from '../../src/probes/errors';
import { parseMountinfo } from '../../src/probes/linux/parse/mountinfo';
import type * as Statfs from '../../src/probes/linux/statfs';
import { localStatfsMounts, statfsFromMemory, xfsStatfsWaits } from '../../src/probes/linux/statfs';

/** A mountinfo line for `fstype` at `mountPoint` (ids in table order, parent 1). */
function table(rows: ReadonlyArray<readonly [string, string]>): string {
  return rows
    .map(([mountPoint, fstype], i) => `${i + 20} 1 0:${i + 40} / ${mountPoint} rw,relatime - ${fstype} src${i} rw\n`)
    .join('');
}

const local = (rows: ReadonlyArray<readonly [string, string]>, release = '6.18.44'): string[] =>
  [...localStatfsMounts(parseMountinfo(table(rows)), release)].sort();

describe('statfsFromMemory', () => {
  test.each(['ext2', 'ext3', 'ext4', 'tmpfs', 'devtmpfs', 'ramfs', 'vfat', 'msdos', 'squashfs', 'iso9660', 'proc'])(
    '%s: answered from memory',
    (t) => expect(statfsFromMemory(t, '6.18.44')).toBe(true),
  );
  test.each([
    'nfs',
    'nfs4',
    'cifs',
    'smb3',
    'fuse',
    'fuse.sshfs',
    'fuseblk',
    '9p',
    'ceph',
    'glusterfs',
    'overlay',
    'btrfs',
    'zfs',
    'autofs',
    'no-such-type',
    '',
  ])('%s: on the thread', (t) => expect(statfsFromMemory(t, '6.18.44')).toBe(false));

  test.each([
    ['4.18.0-553.el8_10.x86_64', false],
    ['5.14.0-427.13.1.el9_4.x86_64', false],
    ['5.15.0-91-generic', true],
    ['5.18.19', true],
    ['5.19.0', false],
    ['6.1.0-18-amd64', false],
    ['6.18.44', false],
    ['not a release', true],
  ])('xfs on %s: statfs waits for inodegc = %s', (release, waits) => {
    expect(xfsStatfsWaits(release)).toBe(waits);
    expect(statfsFromMemory('xfs', release)).toBe(!waits);
  });
});

describe('localStatfsMounts', () => {
  test('a host of local mounts: every one', () => {
    expect(
      local([
        ['/', 'ext4'],
        ['/boot', 'xfs'],
        ['/boot/efi', 'vfat'],
        ['/run', 'tmpfs'],
        ['/run/user/1000', 'tmpfs'],
        ['/snap/core/1', 'squashfs'],
      ]),
    ).toEqual(['/', '/boot', '/boot/efi', '/run', '/run/user/1000', '/snap/core/1']);
  });

  test('a remote or user-space mount, and every mount below it on the path, go to the thread', () => {
    expect(
      local([
        ['/', 'ext4'],
        ['/nfs', 'nfs4'],
        ['/nfs/scratch', 'tmpfs'],
        ['/nfsish', 'tmpfs'],
        ['/run', 'tmpfs'],
        ['/run/user/1000/doc', 'fuse.portal'],
        ['/run/user/1000/doc/x', 'tmpfs'],
        ['/mnt/data', 'cifs'],
      ]),
    ).toEqual(['/', '/nfsish', '/run']);
  });

  test('a mount point with an NFS or autofs mount stacked on a local one: the path reaches the top one', () => {
    expect(
      local([
        ['/', 'ext4'],
        ['/home', 'ext4'],
        ['/home', 'autofs'],
        ['/home/ann', 'tmpfs'],
        ['/srv', 'tmpfs'],
        ['/srv', 'nfs'],
        ['/var', 'ext4'],
      ]),
    ).toEqual(['/', '/var']);
  });

  test('a root that is not local takes every mount with it; overlay and btrfs stay on the thread', () => {
    expect(
      local([
        ['/', 'nfs'],
        ['/run', 'tmpfs'],
      ]),
    ).toEqual([]);
    expect(
      local([
        ['/', 'overlay'],
        ['/etc/hosts', 'ext4'],
      ]),
    ).toEqual([]);
    expect(
      local([
        ['/', 'btrfs'],
        ['/tmp', 'tmpfs'],
      ]),
    ).toEqual([]);
  });

  test('xfs is local but on the kernels whose statfs waited for inode inactivation', () => {
    const rows = [
      ['/', 'ext4'],
      ['/data', 'xfs'],
      ['/data/tmp', 'tmpfs'],
    ] as const;
    expect(local(rows, '6.1.0')).toEqual(['/', '/data', '/data/tmp']);
    expect(local(rows, '5.15.0-91-generic')).toEqual(['/']);
  });

  test('this host: every mount point of /proc/self/mountinfo is judged, each at most once', () => {
    const mounts = parseMountinfo(fs.readFileSync('/proc/self/mountinfo'));
    const got = localStatfsMounts(mounts);
    const points = new Set(mounts.map((m) => m.mountPoint));
    for (const mp of got) expect(points.has(mp)).toBe(true);
    // Whatever this host mounts: a mount point listed only with types read from memory, whose every ancestor mount
    // point is too, is local; and no other is.
    const fromMemory = (mp: string): boolean =>
      mounts.filter((m) => m.mountPoint === mp).every((m) => statfsFromMemory(m.fstype));
    const above = (mp: string): string[] =>
      [...points].filter((p) => p !== mp && (p === '/' || mp.startsWith(p + '/')));
    for (const mp of points) expect(got.has(mp)).toBe(fromMemory(mp) && above(mp).every(fromMemory));
  });
});

describe('statvfsOf: on this thread or on the statfs thread, the same answer', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-statvfs-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the thread starts only for the first call that needs it; records and errors agree', async () => {
    // A module registry of its own: this JavaScript thread's statfs threads start from none, whatever ran before.
    let m!: typeof Statfs;
    let errors!: typeof Errors;
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports -- a fresh instance of the module's thread state */
      m = require('../../src/probes/linux/statfs') as typeof Statfs;
      errors = require('../../src/probes/errors') as typeof Errors;
      /* eslint-enable @typescript-eslint/no-require-imports -- only those requires */
    });
    const here = await m.statvfsOf(dir, 5000, true);
    const missing = path.join(dir, 'absent');
    const hereErr = await m.statvfsOf(missing, 5000, true).then(
      () => null,
      (e: unknown) => e,
    );
    expect(m.statfsThreadsStarted()).toBe(0);
    const there = await m.statvfsOf(dir, 5000, false);
    const thereErr = await m.statvfsOf(missing, 5000, false).then(
      () => null,
      (e: unknown) => e,
    );
    expect(m.statfsThreadsStarted()).toBe(1);
    // Fixed by the filesystem: exact. Free blocks and inodes move with whatever else writes there.
    for (const k of ['bsize', 'frsize', 'blocks', 'files', 'flag', 'namemax'] as const) expect(there[k]).toBe(here[k]);
    expect(Math.abs(there.bfree - here.bfree)).toBeLessThan(here.blocks * 0.01 + 1);
    for (const e of [hereErr, thereErr]) expect(e).toBeInstanceOf(errors.OsError);
    const shape = (e: unknown) => {
      const o = e as Errors.OsError;
      return { osCode: o.osCode, errno: o.errno, syscall: o.syscall, path: o.path, message: o.message };
    };
    expect(shape(hereErr)).toEqual(shape(thereErr));
    expect(shape(hereErr)).toMatchObject({ osCode: 'ENOENT', syscall: 'statvfs', path: missing });
  });
});
