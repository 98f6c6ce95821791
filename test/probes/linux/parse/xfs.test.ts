import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { parseXfsStats } from '../../../../src/probes/linux/parse/xfs';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE, onlyParseErrors } from '../../../helpers/garbage';

const ours = (name: string): Buffer => fs.readFileSync(own('parse', 'xfs', name));

describe('parseXfsStats', () => {
  test('our file: each line read by its columns in the kernel order', () => {
    expect(parseXfsStats(ours('stats-old'))).toEqual({
      extent_alloc: { extentsAllocated: 7, blocksAllocated: 1022, extentsFreed: 3, blocksFreed: 401 },
      abt: { lookups: 11, compares: 52, recordsInserted: 6, recordsDeleted: 5 },
      blk_map: {
        reads: 3301,
        writes: 120,
        unmaps: 9,
        extentListInsertions: 4,
        extentListDeletions: 2,
        extentListLookups: 3411,
        extentListCompares: 1,
      },
      bmbt: { lookups: 2, compares: 9, recordsInserted: 1, recordsDeleted: 1 },
      dir: { lookup: 77, create: 5, remove: 3, getdents: 190 },
      ig: { attempts: 140, found: 120, recycle: 2, missed: 18, duplicate: 1, reclaims: 9, attributeChange: 3 },
      // The kernel prints write calls first.
      rw: { write: 2210, read: 5033 },
      vnodes: { active: 19, allocate: 0, get: 0, hold: 0, release: 9, reclaim: 9, remove: 9, free: 0 },
    });
  });

  test('absent lines read as zeros; lines the collector does not use are skipped', () => {
    const s = parseXfsStats(ours('stats-no-vnodes'));
    expect(s.rw).toEqual({ write: 5, read: 6 });
    expect(s.vnodes.active).toBe(0);
    expect(s.ig.attempts).toBe(0);
  });

  testPeer("node_exporter's and procfs' fixtures", () => {
    const ne = parseXfsStats(
      fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'sys', 'fs', 'xfs', 'sda1', 'stats', 'stats')),
    );
    expect(ne.blk_map).toMatchObject({ reads: 61, writes: 29, extentListLookups: 91 });
    expect(ne.rw).toEqual({ write: 28, read: 0 });
    const pf = parseXfsStats(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', 'fs', 'xfs', 'stat')));
    expect(pf.extent_alloc.extentsAllocated).toBeGreaterThan(0);
  });

  test('malformed input is a ParseError', () => {
    expect(() => parseXfsStats('rw 1 2 3\n', '/p/stats')).toThrow(/\/p\/stats.*rw has 3 values, expected 2/);
    expect(() => parseXfsStats('rw 1 x\n')).toThrow(/not a count/);
    expect(() => parseXfsStats('rw 1 2\nrw 1 2\n')).toThrow(/a second rw line/);
    expect(() => parseXfsStats('Rw: 1 2\n')).toThrow(/not a statistics line/);
    for (const [, input] of GARBAGE) expect(() => parseXfsStats(input)).toThrow(ParseError);
    onlyParseErrors((b) => parseXfsStats(b), [ours('stats-old')]);
  });
});
