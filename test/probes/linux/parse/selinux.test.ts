import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import {
  parseAvcCacheStats,
  parseAvcHashStats,
  parseSelinuxConfigMode,
} from '../../../../src/probes/linux/parse/selinux';
import { PROCFS_FIXTURES, describePeer, own } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

const ours = (f: string): string => own('parse', 'selinux', f);

describe('SELinux parsers', () => {
  test('ours: cache_stats summed over the CPU lines', () => {
    const p = ours('cache_stats');
    expect(parseAvcCacheStats(fs.readFileSync(p), p)).toEqual({
      lookups: 3000,
      hits: 2985,
      misses: 15,
      allocations: 15,
      reclaims: 4,
      frees: 7,
    });
  });

  test('ours: hash_stats, buckets used/available from one line', () => {
    const p = ours('hash_stats');
    expect(parseAvcHashStats(fs.readFileSync(p), p)).toEqual({
      entries: 512,
      bucketsUsed: 300,
      bucketsAvailable: 512,
      longestChain: 5,
    });
  });

  test('config modes: enforcing 1, permissive 0, disabled or absent -1', () => {
    expect(parseSelinuxConfigMode(fs.readFileSync(ours('config')))).toBe(0);
    expect(parseSelinuxConfigMode('SELINUX=enforcing\n')).toBe(1);
    expect(parseSelinuxConfigMode('SELINUX=disabled\n')).toBe(-1);
    expect(parseSelinuxConfigMode('# nothing\n')).toBe(-1);
  });

  describePeer("procfs's selinuxfs", () => {
    test('cache_stats of 16 CPUs and hash_stats', () => {
      const c = path.join(PROCFS_FIXTURES, 'sys/fs/selinux/avc/cache_stats');
      const s = parseAvcCacheStats(fs.readFileSync(c), c);
      expect(Object.keys(s)).toEqual(['lookups', 'hits', 'misses', 'allocations', 'reclaims', 'frees']);
      expect(s['lookups']).toBeGreaterThan(6603240);
      const h = path.join(PROCFS_FIXTURES, 'sys/fs/selinux/avc/hash_stats');
      expect(parseAvcHashStats(fs.readFileSync(h), h)).toEqual({
        entries: 503,
        bucketsUsed: 257,
        bucketsAvailable: 512,
        longestChain: 8,
      });
    });
  });

  test.each([
    ['cache_stats: a short line', () => parseAvcCacheStats('a b\n1\n', '/sys/fs/selinux/avc/cache_stats')],
    ['cache_stats: empty', () => parseAvcCacheStats('', '/sys/fs/selinux/avc/cache_stats')],
    ['hash_stats: no buckets line', () => parseAvcHashStats('entries: 1\nlongest chain: 1\n', '/sys/fs/selinux/avc')],
  ])('garbage (%s) -> ParseError naming the file', (_w, fn) => {
    expect(fn).toThrow(ParseError);
    expect(fn).toThrow('/sys/fs/selinux/avc');
  });

  test('fuzz: random bytes and mutated fixtures give records or ParseError, nothing else', () => {
    onlyParseErrors((b) => parseAvcCacheStats(b, 'x'), [fs.readFileSync(ours('cache_stats'))]);
    onlyParseErrors((b) => parseAvcHashStats(b, 'x'), [fs.readFileSync(ours('hash_stats'))]);
  });
});
