/**
 * Btrfs sysfs (/sys/fs/btrfs/<uuid>): its `commit_stats` file (`key value` lines, Linux 5.x+) and procfs' allocation
 * ratio of a block-group profile (raw bytes per byte stored). Pure: text in, record out, ParseError on anything
 * malformed.
 */
import { ParseError } from '../../errors';

export interface BtrfsCommitStats {
  readonly commits: number;
  readonly lastCommitMs: number;
  readonly maxCommitMs: number;
  readonly totalCommitMs: number;
}

const COMMIT_KEYS: Readonly<Record<string, keyof BtrfsCommitStats>> = {
  commits: 'commits',
  last_commit_ms: 'lastCommitMs',
  max_commit_ms: 'maxCommitMs',
  total_commit_ms: 'totalCommitMs',
};

export function parseBtrfsCommitStats(input: Buffer | string, path = '<input>'): BtrfsCommitStats {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const out: Record<keyof BtrfsCommitStats, number> = { commits: 0, lastCommitMs: 0, maxCommitMs: 0, totalCommitMs: 0 };
  let seen = 0;
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    const m = /^([a-z_]+) (\d+)$/.exec(line);
    if (m === null)
      throw new ParseError(path, `line ${lineNo}: not a \`key count\` line: ${JSON.stringify(line.slice(0, 60))}`);
    const key = COMMIT_KEYS[m[1] as string];
    // Newer kernels may add keys: only the four node_exporter reads are kept.
    if (key === undefined) continue;
    out[key] = Number(m[2]);
    seen++;
  }
  if (seen === 0) throw new ParseError(path, 'none of commits, last_commit_ms, max_commit_ms, total_commit_ms');
  return Object.freeze(out);
}

/**
 * Raw bytes per byte stored for a profile on `devices` devices, as procfs' calcRatio: single/raid0 1, dup/raid1/
 * raid10 2, raid1c3 3, raid1c4 4, raid5 n/(n-1), raid6 n/(n-2); 0 for a profile it does not know.
 */
export function btrfsAllocationRatio(profile: string, devices: number): number {
  switch (profile) {
    case 'single':
    case 'raid0':
      return 1;
    case 'dup':
    case 'raid1':
    case 'raid10':
      return 2;
    case 'raid1c3':
      return 3;
    case 'raid1c4':
      return 4;
    case 'raid5':
      return devices / (devices - 1);
    case 'raid6':
      return devices / (devices - 2);
    default:
      return 0;
  }
}
