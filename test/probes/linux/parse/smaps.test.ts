import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSmaps, parseSmapsTotals } from '../../../../src/probes/linux/parse/smaps';
import { ParseError } from '../../../../src/probes/errors';
import { fsencode } from '../../../../src/util/fsencoding';
import { PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

const read = (rel: string): Buffer => fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', '26231', rel));
const ours = (rel: string): Buffer => fs.readFileSync(own('parse', 'pid', rel));

describe('smaps', () => {
  test('our 6.x smaps_rollup: uss = Private_Clean + Private_Dirty + Private_Hugetlb; Pss_Dirty/Anon/File/Shmem are not Pss', () => {
    expect(parseSmapsTotals(ours('4321/smaps_rollup'))).toEqual({
      uss: (1144 + 12400 + 2048) * 1024,
      pss: 15322 * 1024,
      swap: 512 * 1024,
      swapPss: 300 * 1024,
    });
  });

  test('our whole smaps: the same sums over six blocks', () => {
    expect(parseSmapsTotals(ours('4321/smaps'))).toEqual({
      uss: (256 + 12000 + 8 + 36) * 1024,
      pss: (1200 + 256 + 12000 + 8 + 72 + 36) * 1024,
      swap: 512 * 1024,
      swapPss: 300 * 1024,
    });
  });

  test('a mapped path with bytes that are not UTF-8 keeps them as escapes', () => {
    const raw = Buffer.concat([
      Buffer.from('7f0000000000-7f0000001000 r--s 00000000 00:05 42      /dev/shm/m'),
      Buffer.of(0xc0, 0x80, 0xff),
      Buffer.from('\nSize:                  4 kB\nRss:                   4 kB\n'),
    ]);
    const [b] = parseSmaps(raw);
    expect(b!.path).toBe('/dev/shm/m\udcc0\udc80\udcff');
    expect(fsencode(b!.path)).toEqual(Buffer.concat([Buffer.from('/dev/shm/m'), Buffer.of(0xc0, 0x80, 0xff)]));
  });

  test('our whole smaps: blocks with their paths (anonymous, [heap], [stack], a deleted shm segment with spaces); THPeligible, ProtectionKey and VmFlags lines read past', () => {
    const blocks = parseSmaps(ours('4321/smaps'), '4321/smaps');
    expect(blocks.map((b) => [b.perms, b.path])).toEqual([
      ['r-xp', '/usr/bin/python3.11'],
      ['rw-p', '/usr/bin/python3.11'],
      ['rw-p', '[heap]'],
      ['rw-p', ''],
      ['r--s', '/dev/shm/my segment (deleted)'],
      ['rw-p', '[stack]'],
    ]);
    expect(blocks[0]).toEqual({
      addr: '55d0a1e00000-55d0a20aa000',
      perms: 'r-xp',
      path: '/usr/bin/python3.11',
      rss: 2400 * 1024,
      size: 2728 * 1024,
      pss: 1200 * 1024,
      sharedClean: 2400 * 1024,
      sharedDirty: 0,
      privateClean: 0,
      privateDirty: 0,
      referenced: 2400 * 1024,
      anonymous: 0,
      swap: 0,
    });
    expect(blocks[2]).toMatchObject({
      size: 20480 * 1024,
      privateDirty: 12000 * 1024,
      anonymous: 12000 * 1024,
      swap: 512 * 1024,
    });
    expect(blocks[4]).toMatchObject({ sharedDirty: 144 * 1024, pss: 72 * 1024 });
  });

  test('our kernel thread: an empty smaps', () => {
    expect(parseSmaps(ours('17/smaps'))).toEqual([]);
    expect(parseSmapsTotals(ours('17/smaps'))).toEqual({ uss: 0, pss: 0, swap: 0, swapPss: 0 });
  });

  testPeer('smaps_rollup: uss = the Private_* lines, pss, swap (not SwapPss), and SwapPss apart', () => {
    expect(parseSmapsTotals(read('smaps_rollup'))).toEqual({
      uss: (15548 + 14396) * 1024,
      pss: 29944 * 1024,
      swap: 1940 * 1024,
      swapPss: 1940 * 1024,
    });
  });

  test('a newer rollup with Pss_Anon/Pss_File lines: only Pss counts', () => {
    const t =
      'Rss: 10 kB\nPss: 8 kB\nPss_Dirty: 4 kB\nPss_Anon: 3 kB\nPss_File: 5 kB\nPrivate_Clean: 1 kB\nPrivate_Dirty: 2 kB\nPrivate_Hugetlb: 4 kB\nSwap: 6 kB\nSwapPss: 5 kB\n';
    expect(parseSmapsTotals(t)).toEqual({ uss: 7 * 1024, pss: 8 * 1024, swap: 6 * 1024, swapPss: 5 * 1024 });
    // A kernel older than 4.3 prints no SwapPss line: 0.
    expect(parseSmapsTotals('Pss: 8 kB\nSwap: 6 kB\n').swapPss).toBe(0);
  });

  testPeer("whole smaps: the sums psutil's regexes give (fixture sums computed with them)", () => {
    expect(parseSmapsTotals(read('smaps'))).toEqual({
      uss: 30662656,
      pss: 30662656,
      swap: 1986560,
      swapPss: 1940 * 1024,
    });
  });

  testPeer('whole smaps: 12 blocks, anonymous paths empty, VmFlags skipped', () => {
    const blocks = parseSmaps(read('smaps'));
    expect(blocks).toHaveLength(12);
    expect(blocks[0]).toEqual({
      addr: '00400000-00cb1000',
      perms: 'r-xp',
      path: '/bin/alertmanager',
      rss: 2952 * 1024,
      size: 8900 * 1024,
      pss: 2952 * 1024,
      sharedClean: 0,
      sharedDirty: 0,
      privateClean: 2952 * 1024,
      privateDirty: 0,
      referenced: 2864 * 1024,
      anonymous: 0,
      swap: 0,
    });
    expect(blocks[3]?.path).toBe('');
    expect(blocks[8]?.path).toBe('[stack]');
  });

  test('a path with spaces and a (deleted) suffix is kept whole for the caller', () => {
    const t = '7f00-7f10 r--p 00000000 08:01 12 /tmp/my file (deleted)\nRss: 4 kB\n';
    expect(parseSmaps(t)[0]?.path).toBe('/tmp/my file (deleted)');
  });

  test('empty smaps (kernel thread, zombie) -> []', () => {
    expect(parseSmaps('')).toEqual([]);
  });

  test('an unknown non-numeric line -> ParseError', () => {
    expect(() => parseSmaps('7f00-7f10 r--p 00000000 08:01 12 /x\nRss: lots\n', '/p/1/smaps')).toThrow(ParseError);
  });

  test.each(GARBAGE.filter(([n]) => n !== 'empty' && n !== 'newlines only'))(
    'garbage (%s) -> ParseError',
    (_n, input) => {
      expect(() => parseSmaps(input)).toThrow(ParseError);
    },
  );
});
