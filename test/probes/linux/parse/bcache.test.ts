/**
 * bcache's sysfs values and the bcacheSets reader: our tree (test/fixtures/parse/bcache, real links as the kernel
 * makes them) and node_exporter's (its link files restored), against the values its e2e-output.txt has.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import {
  parseBcacheValue,
  parsePriorityStats,
  parseWritebackRateDebug,
} from '../../../../src/probes/linux/parse/bcache';
import { createPsutil } from '../../../../src/index';
import { NODE_EXPORTER_FIXTURES, describePeer, own } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';
import { materializeSymlinks } from '../../../helpers/symlink-tree';

const UUID = '5f2c6e0a-91b4-4c1e-b7d3-0a8e44c2d913';
const dev = (d: string, f: string): string =>
  own('parse', 'bcache', 'sys', 'devices', 'virtual', 'block', d, 'bcache', f);
const read = (p: string): string => fs.readFileSync(p, 'utf8');

describe('bcache value parsers', () => {
  test("bch_hprint sizes: the digit after the point is tenths of 1024ths (procfs's /10.24), truncated", () => {
    expect(parseBcacheValue('0\n', 'x')).toBe(0);
    expect(parseBcacheValue('1234567', 'x')).toBe(1234567);
    expect(parseBcacheValue('7.5k', 'x')).toBe(7 * 1024 + 500);
    expect(parseBcacheValue('1.1M', 'x')).toBe(1150976);
    expect(parseBcacheValue('20.4G', 'x')).toBe(21894266880);
    expect(parseBcacheValue('321.5k', 'x')).toBe(Math.trunc((321 + 5 / 10.24) * 1024));
    expect(parseBcacheValue('-12.3k', 'x')).toBe(-(12 * 1024 + 300));
    expect(parseBcacheValue('2T', 'x')).toBe(2 * 2 ** 40);
  });

  test('an unknown suffix, an empty value or text fails', () => {
    expect(() => parseBcacheValue('1.5q', 'x')).toThrow(ParseError);
    expect(() => parseBcacheValue('', 'x')).toThrow(ParseError);
    expect(() => parseBcacheValue('-', 'x')).toThrow(ParseError);
    expect(() => parseBcacheValue('a.1k', 'x')).toThrow(ParseError);
  });

  test('writeback_rate_debug: /sec dropped, negative terms kept, `next io` ignored', () => {
    const p = dev('vdb', 'writeback_rate_debug');
    expect(parseWritebackRateDebug(read(p), p)).toEqual({
      rate: 4096,
      dirty: 21894266880,
      target: 24 * 2 ** 30,
      proportional: -(12 * 1024 + 300),
      integral: 2 ** 20 + 921600,
      change: -1024,
    });
  });

  test('priority_stats: Unused and Metadata only (not Clean/Dirty, not the quantiles)', () => {
    const p = dev('vdc', 'priority_stats');
    expect(parsePriorityStats(read(p), p)).toEqual({ unusedPercent: 37, metadataPercent: 4 });
  });

  test('garbage gives a ParseError or a result, never another exception', () => {
    onlyParseErrors((b) => parseBcacheValue(b.toString('latin1'), 'x'), [Buffer.from('20.4G')]);
    onlyParseErrors(
      (b) => parseWritebackRateDebug(b.toString('latin1'), 'x'),
      [fs.readFileSync(dev('vdb', 'writeback_rate_debug'))],
    );
    onlyParseErrors(
      (b) => parsePriorityStats(b.toString('latin1'), 'x'),
      [fs.readFileSync(dev('vdc', 'priority_stats'))],
    );
  });
});

describe('bcacheSets on our tree', () => {
  const p = createPsutil({ sysfs: own('parse', 'bcache', 'sys') });

  test('one set (register files skipped), its bdev0 and cache0 through their links; priority only on request', () => {
    const sets = p.bcacheSets();
    expect(sets).toHaveLength(1);
    const s = sets[0]!;
    expect(s).toMatchObject({
      uuid: UUID,
      averageKeySize: 7668,
      btreeCacheSize: 2 ** 20 + 512000,
      cacheAvailablePercent: 87,
      congested: 3,
      rootUsagePercent: 42,
      treeDepth: 2,
      activeJournalEntries: 117,
      btreeNodes: 963,
      btreeReadAverageDuration: 2480,
      cacheReadRaces: 5,
    });
    expect(s.total).toEqual({
      bypassed: 2 * 2 ** 30 + 314572800,
      cache_bypass_hits: 11,
      cache_bypass_misses: 12,
      cache_hits: 1234567,
      cache_miss_collisions: 13,
      cache_misses: 7654,
      cache_readaheads: 14,
    });
    // The backing device's own stats_total (21..26), not the set's.
    expect(s.backingDevices.map((b) => [b.name, b.dirtyData, b.total.cache_hits, b.total.bypassed])).toEqual([
      ['bdev0', 21894266880, 21, 1024],
    ]);
    expect(s.cacheDevices).toEqual([
      { name: 'cache0', ioErrors: 2, metadataWritten: 3145728 + 204800, written: 10 * 2 ** 30, priority: null },
    ]);
    expect(p.bcacheSets({ priorityStats: true })[0]?.cacheDevices[0]?.priority).toEqual({
      unusedPercent: 37,
      metadataPercent: 4,
    });
    expect(Object.isFrozen(s)).toBe(true);
  });

  test('no /sys/fs/bcache: []; a set missing a file fails', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-bcache-'));
    try {
      const empty = createPsutil({ sysfs: tmp });
      expect(empty.bcacheSets()).toEqual([]);
      fs.mkdirSync(path.join(tmp, 'fs', 'bcache', UUID), { recursive: true });
      expect(() => empty.bcacheSets()).toThrow(/average_key_size/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describePeer("bcacheSets on node_exporter's tree", () => {
  let root: string;
  beforeAll(() => {
    root = materializeSymlinks(NODE_EXPORTER_FIXTURES, ['sys']);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('the values of its e2e-output.txt', () => {
    const sets = createPsutil({ sysfs: path.join(root, 'sys') }).bcacheSets({ priorityStats: true });
    expect(sets.map((s) => s.uuid)).toEqual(['deaddd54-c735-46d5-868e-f331c5fd7c74']);
    const s = sets[0]!;
    expect([s.activeJournalEntries, s.btreeReadAverageDuration, s.cacheAvailablePercent]).toEqual([1, 1305, 100]);
    expect(s.backingDevices.map((b) => [b.name, b.total.cache_hits, b.total.cache_readaheads])).toEqual([
      ['bdev0', 546, 13],
    ]);
    expect(s.backingDevices[0]?.writebackRateDebug).toEqual({
      rate: 1150976,
      dirty: 21894266880,
      target: 21894266880,
      proportional: 437748,
      integral: 808960,
      change: 329204,
    });
    expect(s.cacheDevices).toEqual([
      {
        name: 'cache0',
        ioErrors: 0,
        metadataWritten: 512,
        written: 0,
        priority: { unusedPercent: 99, metadataPercent: 0 },
      },
    ]);
  });
});
