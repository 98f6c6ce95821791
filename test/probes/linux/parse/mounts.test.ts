import * as fs from 'node:fs';
import { parseFilesystems, parseMounts, unescapeMountField } from '../../../../src/probes/linux/parse/mounts';
import { ParseError } from '../../../../src/probes/errors';
import { own } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';
import { fsencode } from '../../../../src/util/fsencoding';

describe('unescapeMountField (glibc decode_name)', () => {
  test('a device and mount point with bytes that are not UTF-8 keep them (getmntent bytes, surrogateescape)', () => {
    const line = Buffer.concat([
      Buffer.from('/dev/sd\xff1 /mnt/', 'latin1'),
      Buffer.of(0xc0, 0x80),
      Buffer.from('\\040caf\xc3\xa9 ext4 rw 0 0\n', 'latin1'),
    ]);
    const [row] = parseMounts(line);
    expect(row).toMatchObject({ device: '/dev/sd\udcff1', mountpoint: '/mnt/\udcc0\udc80 caf\u00e9' });
    expect(fsencode(row!.mountpoint)).toEqual(
      Buffer.concat([Buffer.from('/mnt/'), Buffer.of(0xc0, 0x80), Buffer.from(' caf\u00e9')]),
    );
  });

  test.each([
    ['/media/My\\040Disk', '/media/My Disk'],
    ['a\\011b', 'a\tb'],
    ['a\\012b', 'a\nb'],
    ['a\\134b', 'a\\b'],
    ['a\\\\b', 'a\\b'],
    ['\\040\\040', '  '],
    // Only the four escapes the kernel's mangle() writes are decoded; other backslashes stay.
    ['a\\054b', 'a\\054b'],
    ['trailing\\', 'trailing\\'],
    ['plain', 'plain'],
  ])('%j -> %j', (input, want) => {
    expect(unescapeMountField(input)).toBe(want);
  });
});

describe('parseMounts', () => {
  test('our fixture: escapes, tabs as separators, none devices, zfs, nfs, fuse', () => {
    const p = own('disk-basic', 'proc', 'self', 'mounts');
    const rows = parseMounts(fs.readFileSync(p), p);
    expect(rows).toHaveLength(13);
    expect(rows[0]).toEqual({
      device: '/dev/sda1',
      mountpoint: '/',
      fstype: 'ext4',
      opts: 'rw,relatime,errors=remount-ro',
    });
    expect(rows.find((r) => r.device === '/dev/sdb1')!.mountpoint).toBe('/media/My Disk');
    expect(rows.find((r) => r.device === '/dev/sdc1')!.mountpoint).toBe('/mnt/tab\tand\nnewline\\back');
    expect(rows.find((r) => r.device === 'none')).toMatchObject({ mountpoint: '/run/user/1000', fstype: 'tmpfs' });
    expect(rows.find((r) => r.mountpoint === '/home')).toEqual({
      device: '/dev/mapper/vg-home',
      mountpoint: '/home',
      fstype: 'xfs',
      opts: 'rw,relatime,attr2',
    });
    expect(Object.isFrozen(rows)).toBe(true);
    expect(Object.isFrozen(rows[0])).toBe(true);
  });

  test('comments, blank lines and missing freq/passno are accepted (getmntent)', () => {
    expect(parseMounts('# mtab\n\n  /dev/sda1 / ext4 rw\n')).toEqual([
      { device: '/dev/sda1', mountpoint: '/', fstype: 'ext4', opts: 'rw' },
    ]);
  });

  test.each([
    ['three fields', 'proc /proc proc\n'],
    ['a relative mount point', 'proc proc proc rw 0 0\n'],
    ['no entries at all', '# only a comment\n'],
  ])('%s -> ParseError naming the file', (_n, text) => {
    expect(() => parseMounts(text, '/x/mounts')).toThrow(ParseError);
    expect(() => parseMounts(text, '/x/mounts')).toThrow(/\/x\/mounts/);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parseMounts(input, '/g/mounts')).toThrow(ParseError);
  });
});

describe('parseFilesystems', () => {
  test('nodev and block filesystems', () => {
    const p = own('disk-basic', 'proc', 'filesystems');
    const rows = parseFilesystems(fs.readFileSync(p), p);
    expect(rows).toContainEqual({ name: 'ext4', nodev: false });
    expect(rows).toContainEqual({ name: 'zfs', nodev: true });
    expect(rows).toContainEqual({ name: 'tmpfs', nodev: true });
  });

  test('the live /proc/filesystems parses', () => {
    const rows = parseFilesystems(fs.readFileSync('/proc/filesystems'), '/proc/filesystems');
    expect(rows.some((r) => r.name === 'proc' && r.nodev)).toBe(true);
  });

  test.each([
    ['two names on a line', 'nodev proc sysfs\n'],
    ['a bad marker', 'xnodev\tproc\n'],
  ])('%s -> ParseError', (_n, text) => {
    expect(() => parseFilesystems(text, '/x/filesystems')).toThrow(ParseError);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parseFilesystems(input, '/g/filesystems')).toThrow(ParseError);
  });
});
