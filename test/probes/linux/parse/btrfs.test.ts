import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { btrfsAllocationRatio, parseBtrfsCommitStats } from '../../../../src/probes/linux/parse/btrfs';
import { NODE_EXPORTER_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE, onlyParseErrors } from '../../../helpers/garbage';

const ours = (name: string): Buffer => fs.readFileSync(own('parse', 'btrfs', name));

describe('parseBtrfsCommitStats', () => {
  test('our files: the four counts; a key of a newer kernel skipped', () => {
    expect(parseBtrfsCommitStats(ours('commit_stats'))).toEqual({
      commits: 4411,
      lastCommitMs: 7,
      maxCommitMs: 1203,
      totalCommitMs: 90215,
    });
    expect(parseBtrfsCommitStats(ours('commit_stats-newer')).totalCommitMs).toBe(220);
  });

  testPeer("node_exporter's fixture (no newline at the end)", () => {
    const p = path.join(NODE_EXPORTER_FIXTURES, 'sys', 'fs', 'btrfs', '0abb23a9-579b-43e6-ad30-227ef47fcb9d');
    expect(parseBtrfsCommitStats(fs.readFileSync(path.join(p, 'commit_stats')))).toEqual({
      commits: 258051,
      lastCommitMs: 1000,
      maxCommitMs: 51462,
      totalCommitMs: 47836090,
    });
  });

  test('malformed input is a ParseError', () => {
    expect(() => parseBtrfsCommitStats('commits x\n', '/p/c')).toThrow(/\/p\/c.*not a `key count` line/);
    expect(() => parseBtrfsCommitStats('other 1\n')).toThrow(/none of commits/);
    for (const [, input] of GARBAGE) expect(() => parseBtrfsCommitStats(input)).toThrow(ParseError);
    onlyParseErrors((b) => parseBtrfsCommitStats(b), [ours('commit_stats')]);
  });
});

describe('btrfsAllocationRatio', () => {
  test("procfs' raw bytes per byte stored", () => {
    expect(
      ['single', 'raid0', 'dup', 'raid1', 'raid10', 'raid1c3', 'raid1c4'].map((p) => btrfsAllocationRatio(p, 4)),
    ).toEqual([1, 1, 2, 2, 2, 3, 4]);
    expect(btrfsAllocationRatio('raid5', 4)).toBe(4 / 3);
    expect(btrfsAllocationRatio('raid6', 4)).toBe(2);
    expect(btrfsAllocationRatio('mystery', 4)).toBe(0);
  });
});
