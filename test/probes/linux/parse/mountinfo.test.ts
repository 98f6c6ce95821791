import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseMountinfo } from '../../../../src/probes/linux/parse/mountinfo';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';
import { fsencode } from '../../../../src/util/fsencoding';

const read = (p: string) => parseMountinfo(fs.readFileSync(p), p);

describe('parseMountinfo', () => {
  test('a mount point and source with bytes that are not UTF-8 keep them as escapes', () => {
    const line = Buffer.concat([
      Buffer.from('36 35 98:0 / /mnt/', 'latin1'),
      Buffer.of(0xff, 0xc3),
      Buffer.from(' rw - ext4 /dev/x\xfe rw\n', 'latin1'),
    ]);
    const [row] = parseMountinfo(line);
    expect(row).toMatchObject({ mountPoint: '/mnt/\udcff\udcc3', source: '/dev/x\udcfe' });
    expect(fsencode(row!.mountPoint)).toEqual(Buffer.from([...Buffer.from('/mnt/'), 0xff, 0xc3]));
  });

  test('the proc(5) example line', () => {
    expect(
      parseMountinfo('36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n'),
    ).toEqual([
      {
        mountId: 36,
        parentId: 35,
        major: 98,
        minor: 0,
        root: '/mnt1',
        mountPoint: '/mnt/parent',
        options: 'rw,noatime',
        optionalFields: ['master:1'],
        fstype: 'ext3',
        source: '/dev/root',
        superOptions: 'rw,errors=continue',
      },
    ]);
  });

  test('our fixture: escapes in paths, several or no optional fields, an empty source', () => {
    const rows = read(own('disk-basic', 'proc', '1', 'mountinfo'));
    expect(rows).toHaveLength(7);
    expect(rows[2]!.optionalFields).toEqual(['shared:7', 'master:2', 'propagate_from:3']);
    expect(rows[3]!.mountPoint).toBe('/media/My Disk');
    expect(rows[4]).toMatchObject({
      root: '/sub\tdir',
      mountPoint: '/mnt/tab\tand\nnewline\\back',
      optionalFields: [],
    });
    expect(rows[5]).toMatchObject({ optionalFields: ['unbindable'], fstype: 'nfs4', source: 'host:/export' });
    expect(rows[6]).toMatchObject({ fstype: 'tmpfs', source: '', superOptions: 'rw,size=1024k' });
    expect(Object.isFrozen(rows[0])).toBe(true);
    expect(Object.isFrozen(rows[0]!.optionalFields)).toBe(true);
  });

  test('our parse/ fixture: escapes in roots, mount points and sources; every kind of optional field; nsfs; an empty source', () => {
    const rows = read(own('parse', 'mountinfo', 'mountinfo'));
    expect(rows).toHaveLength(15);
    expect(rows[0]).toEqual({
      mountId: 22,
      parentId: 1,
      major: 259,
      minor: 2,
      root: '/',
      mountPoint: '/',
      options: 'rw,relatime',
      optionalFields: ['shared:1'],
      fstype: 'ext4',
      source: '/dev/nvme0n1p2',
      superOptions: 'rw,errors=remount-ro',
    });
    // autofs's source is systemd-1 (the filesystem type third from the end, by position).
    expect(rows[4]).toMatchObject({ fstype: 'autofs', source: 'systemd-1', mountPoint: '/proc/sys/fs/binfmt_misc' });
    expect(rows[6]).toMatchObject({ mountPoint: '/run/media/ann/USB STICK', fstype: 'exfat', source: '/dev/sdb1' });
    expect(rows[7]).toMatchObject({
      root: '/home/ann/src\ttabbed',
      mountPoint: '/srv/tab\tdir\nline\\slash',
      fstype: 'ext4',
    });
    expect(rows[8]!.optionalFields).toEqual(['shared:70', 'master:61', 'propagate_from:1']);
    expect(rows[9]).toMatchObject({ optionalFields: [], source: 'none', superOptions: 'rw,size=1024k' });
    expect(rows[10]).toMatchObject({
      optionalFields: ['unbindable'],
      fstype: 'nfs4',
      source: 'fileserver:/export/home dirs',
    });
    expect(rows[10]!.superOptions).toContain('addr=10.20.0.2');
    expect(rows[11]).toMatchObject({
      major: 0,
      minor: 4,
      root: 'net:[4026532300]',
      mountPoint: '/run/netns/blue',
      fstype: 'nsfs',
    });
    expect(rows[12]!.superOptions).toContain('lowerdir=/var/lib/docker/overlay2/l/ABC:/var/lib/docker/overlay2/l/DEF');
    expect(rows[13]).toMatchObject({ fstype: 'fuse.sshfs', source: 'ann@fileserver:/home/ann' });
    expect(rows[14]).toMatchObject({
      mountPoint: '/mnt/empty-source',
      fstype: 'tmpfs',
      source: '',
      superOptions: 'rw,size=1024k',
    });
  });

  testPeer('node_exporter fixture: \\040 and \\011 in a kubelet path, no optional fields', () => {
    const rows = read(path.join(NODE_EXPORTER_FIXTURES, 'proc', '1', 'mountinfo'));
    expect(rows[0]).toMatchObject({
      mountId: 24,
      parentId: 29,
      major: 0,
      minor: 22,
      mountPoint: '/sys',
      fstype: 'sysfs',
    });
    // Fields are taken by position: this fixture line has type 'systemd-1' and source 'autofs'.
    expect(rows.find((r) => r.mountId === 43)).toMatchObject({
      fstype: 'systemd-1',
      source: 'autofs',
      mountPoint: '/proc/sys/fs/binfmt_misc',
    });
    const kube = rows.filter((r) => r.mountPoint.includes('vsanDatastore'));
    expect(kube[0]!.mountPoint).toContain('[vsanDatastore] bafb9e5a');
    expect(kube[1]!.mountPoint).toContain('[vsanDatastore]\tbafb9e5a');
    expect(rows.find((r) => r.mountId === 1128)).toMatchObject({
      major: 253,
      minor: 0,
      optionalFields: [],
      fstype: 'xfs',
      source: '/dev/mapper/rhel-root',
    });
  });

  testPeer('prometheus/procfs fixture: a double blank between root and mount point', () => {
    const rows = read(path.join(PROCFS_FIXTURES, 'proc', '26231', 'mountinfo'));
    expect(rows[0]).toMatchObject({
      mountId: 1,
      parentId: 1,
      root: '/',
      mountPoint: '/root',
      fstype: 'rootfs',
      source: 'rootfs',
    });
    expect(rows.find((r) => r.fstype === 'nfs4')).toMatchObject({
      source: '192.168.1.1:/srv/test',
      mountPoint: '/mnt/nfs/test',
    });
  });

  test('an nsfs mount (ip netns add) has a non-path root and still parses', () => {
    const text = '43 42 0:4 net:[4026532177] /run/netns/psxtest rw shared:2 - nsfs nsfs rw\n';
    const [row] = parseMountinfo(text, '/x/mountinfo');
    expect(row!.root).toBe('net:[4026532177]');
    expect(row!.mountPoint).toBe('/run/netns/psxtest');
    expect(row!.fstype).toBe('nsfs');
  });

  test('the live /proc/self/mountinfo parses and has a root mount', () => {
    const rows = read('/proc/self/mountinfo');
    expect(rows.some((r) => r.mountPoint === '/')).toBe(true);
  });

  test.each([
    ['no separator', '36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 ext3 /dev/root rw\n'],
    ['too few fields before it', '36 35 98:0 /mnt1 - ext3 /dev/root rw\n'],
    ['two fields after it', '36 35 98:0 / /mnt rw - ext3 /dev/root\n'],
    ['a bad major:minor', '36 35 98-0 / /mnt rw - ext3 /dev/root rw\n'],
    ['a bad mount id', 'x 35 98:0 / /mnt rw - ext3 /dev/root rw\n'],
    ['a relative mount point', '36 35 98:0 / mnt rw - ext3 /dev/root rw\n'],
  ])('%s -> ParseError naming the file', (_n, text) => {
    expect(() => parseMountinfo(text, '/x/mountinfo')).toThrow(ParseError);
    expect(() => parseMountinfo(text, '/x/mountinfo')).toThrow(/\/x\/mountinfo: line 1/);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parseMountinfo(input, '/g/mountinfo')).toThrow(ParseError);
  });
});
