/**
 * procSwaps (/proc/swaps per swap area) and blockDeviceSize (sysfs size): on a fixture tree, and on this machine
 * against swapon(8) and lsblk(8), which read the same kernel files through util-linux's own code.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPsutil, OsError, procSwaps, blockDeviceSize } from '../../src/index';
import { own } from '../helpers/fixtures';
import { sh } from '../helpers/oracle';

describe('on a tree', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-swaps-'));
    fs.mkdirSync(path.join(dir, 'proc'));
    fs.copyFileSync(own('parse', 'swaps', 'two'), path.join(dir, 'proc', 'swaps'));
    const attr = (rel: string, text: string): void => {
      fs.mkdirSync(path.join(dir, 'sys', path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, 'sys', rel), text);
    };
    attr('class/block/vda/size', '41943040\n');
    attr('class/block/vda1/size', '2048\n');
    attr('block/sdb/size', '7\n'); // a tree with block/ only
    attr('class/block/cciss!c0d0/size', '100\n');
    attr('class/block/bad/size', 'lots\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ps = () => createPsutil({ procfs: path.join(dir, 'proc'), sysfs: path.join(dir, 'sys'), rootfs: dir });

  test('procSwaps: the areas of <procfs>/swaps, frozen; no file is an OsError', () => {
    const r = ps().procSwaps();
    expect(r.map((s) => [s.path, s.type, s.sizeBytes, s.usedBytes, s.priority])).toEqual([
      ['/dev/dm-1', 'partition', 16777212 * 1024, 1048576 * 1024, -2],
      ['/swapfile', 'file', 2097148 * 1024, 0, -3],
    ]);
    expect(Object.isFrozen(r)).toBe(true);
    const none = createPsutil({ procfs: path.join(dir, 'nothing'), sysfs: path.join(dir, 'sys'), rootfs: dir });
    expect(() => none.procSwaps()).toThrow(OsError);
  });

  test('blockDeviceSize: 512-byte sectors in bytes, disks and partitions, block/ as a fallback, / as !', () => {
    const p = ps();
    expect(p.blockDeviceSize('vda')).toBe(41943040 * 512);
    expect(p.blockDeviceSize('vda1')).toBe(2048 * 512);
    expect(p.blockDeviceSize('sdb')).toBe(7 * 512);
    expect(p.blockDeviceSize('cciss/c0d0')).toBe(100 * 512);
    expect(p.blockDeviceSize('bad')).toBeNull();
    expect(p.blockDeviceSize('nvme9n9')).toBeNull();
  });
});

describe('this machine', () => {
  test('procSwaps: the areas, sizes and types swapon --show gives', () => {
    const out = sh('swapon', ['--show=NAME,TYPE,SIZE', '--bytes', '--noheadings', '--raw']);
    const expected = out
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.trim().split(/\s+/))
      .map(([name, type, size]) => [name, type, Number(size)]);
    // swapon's --bytes SIZE is /proc/swaps' KiB times 1024, as ours; no swap configured: both lists empty.
    expect(procSwaps().map((s) => [s.path, s.type, s.sizeBytes])).toEqual(expected);
  });

  test('blockDeviceSize: every disk lsblk lists, to the byte', () => {
    const rows = sh('lsblk', ['--bytes', '--nodeps', '--noheadings', '--raw', '--output', 'KNAME,SIZE'])
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.trim().split(/\s+/));
    expect(rows.length).toBeGreaterThan(0);
    for (const [name, size] of rows) expect([name, blockDeviceSize(name as string)]).toEqual([name, Number(size)]);
  });
});
