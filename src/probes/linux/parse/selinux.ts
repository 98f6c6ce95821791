/**
 * SELinux: /sys/fs/selinux/avc/cache_stats (a header of counter names, then one line per CPU: summed), hash_stats
 * (`entries: 503`, `buckets used: 257/512`, `longest chain: 8`) and /etc/selinux/config's SELINUX= mode.
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

const text = (input: Buffer | string) => (typeof input === 'string' ? input : input.toString('utf8'));

/** cache_stats summed over CPUs, by the header's names (lookups, hits, misses, allocations, reclaims, frees). */
export function parseAvcCacheStats(input: Buffer | string, path = '<input>'): Record<string, number> {
  const lines = text(input)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const header = (lines[0] ?? '').split(/\s+/);
  if (lines.length === 0 || !header.every((h) => /^[a-z_]+$/.test(h)))
    throw new ParseError(path, 'no header of counter names');
  const out: Record<string, number> = Object.fromEntries(header.map((h) => [h, 0]));
  for (let i = 1; i < lines.length; i++) {
    const f = (lines[i] as string).split(/\s+/);
    if (f.length !== header.length || !f.every((x) => /^\d+$/.test(x)))
      throw new ParseError(path, `line ${i + 1} has not ${header.length} counts`);
    f.forEach((x, j) => (out[header[j] as string] = (out[header[j] as string] ?? 0) + Number(x)));
  }
  return out;
}

export interface AvcHashStats {
  readonly entries: number;
  readonly bucketsUsed: number;
  readonly bucketsAvailable: number;
  readonly longestChain: number;
}

export function parseAvcHashStats(input: Buffer | string, path = '<input>'): AvcHashStats {
  const t = text(input);
  const entries = /^entries:\s*(\d+)\s*$/m.exec(t);
  const buckets = /^buckets used:\s*(\d+)\/(\d+)\s*$/m.exec(t);
  const chain = /^longest chain:\s*(\d+)\s*$/m.exec(t);
  if (entries === null || buckets === null || chain === null)
    throw new ParseError(path, "expected 'entries:', 'buckets used: N/M' and 'longest chain:' lines");
  return Object.freeze({
    entries: Number(entries[1]),
    bucketsUsed: Number(buckets[1]),
    bucketsAvailable: Number(buckets[2]),
    longestChain: Number(chain[1]),
  });
}

/** go-selinux's DefaultEnforceMode: SELINUX=enforcing 1, permissive 0, anything else (disabled, absent) -1. */
export function parseSelinuxConfigMode(input: Buffer | string): number {
  const m = /^\s*SELINUX\s*=\s*"?([A-Za-z]+)"?\s*$/m.exec(text(input));
  const mode = m?.[1]?.toLowerCase();
  return mode === 'enforcing' ? 1 : mode === 'permissive' ? 0 : -1;
}
