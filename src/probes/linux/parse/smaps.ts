/**
 * /proc/<pid>/smaps and /proc/<pid>/smaps_rollup: per-mapping blocks, a header line
 * (`addr perms offset dev inode [path]`) then `Key:   value kB` lines. Sizes come out in bytes.
 * - rollup: USS = the sum of the Private_* lines (Clean, Dirty, Hugetlb), PSS = `Pss:`, swap = `Swap:` (psutil);
 *   `Pss_Anon:` and `SwapPss:` are other keys and do not count.
 * - smaps: the same three sums over every block (the fallback when the rollup gives ESRCH/ENOENT), or the blocks
 *   themselves for memoryMaps, where `VmFlags:` lines are skipped (psutil #369) and any other unknown line is an error.
 */
import { ParseError } from '../../errors';

export interface SmapsTotals {
  readonly uss: number;
  readonly pss: number;
  readonly swap: number;
}

export interface SmapsBlock {
  readonly addr: string;
  readonly perms: string;
  /** The mapped path as the kernel prints it ('' for anonymous memory; may end in ' (deleted)'). */
  readonly path: string;
  readonly rss: number;
  readonly size: number;
  readonly pss: number;
  readonly sharedClean: number;
  readonly sharedDirty: number;
  readonly privateClean: number;
  readonly privateDirty: number;
  readonly referenced: number;
  readonly anonymous: number;
  readonly swap: number;
}

function asText(input: Buffer | string): string {
  return typeof input === 'string' ? input : input.toString('utf8');
}

/** `Key:   123 kB` -> [key, 123 * 1024], or null for a header or a non-numeric line. */
function kbLine(line: string): [string, number] | null {
  const c = line.indexOf(':');
  if (c <= 0) return null;
  // A header's first token is an address range and holds no ':' before the first space.
  const sp = line.indexOf(' ');
  if (sp >= 0 && sp < c) return null;
  const rest = line.slice(c + 1).trim();
  const m = /^(\d+)(?:\s+kB)?$/.exec(rest);
  if (m === null) return null;
  return [line.slice(0, c), Number(m[1]) * 1024];
}

/** Sums over smaps_rollup (or a whole smaps: every block adds up the same way). */
export function parseSmapsTotals(input: Buffer | string): SmapsTotals {
  const text = asText(input);
  let uss = 0;
  let pss = 0;
  let swap = 0;
  for (const line of text.split('\n')) {
    const c = line.charCodeAt(0);
    // Only lines starting with P or S matter: skip the rest without splitting them.
    if (c !== 80 /* P */ && c !== 83 /* S */) continue;
    const kv = kbLine(line);
    if (kv === null) continue;
    const [k, v] = kv;
    if (k.startsWith('Private_')) uss += v;
    else if (k === 'Pss') pss += v;
    else if (k === 'Swap') swap += v;
  }
  return { uss, pss, swap };
}

const HEADER = /^([0-9a-f]+-[0-9a-f]+)\s+(\S+)\s+\S+\s+\S+\s+\S+(?:\s+(.*))?$/;

/** The blocks of /proc/<pid>/smaps, in file order. Lines before the first header are a ParseError. */
export function parseSmaps(input: Buffer | string, path = '<input>'): SmapsBlock[] {
  const text = asText(input);
  const out: SmapsBlock[] = [];
  let cur: { addr: string; perms: string; path: string; v: Map<string, number> } | null = null;
  const flush = (): void => {
    if (cur === null) return;
    const g = (k: string): number => cur!.v.get(k) ?? 0;
    out.push({
      addr: cur.addr,
      perms: cur.perms,
      path: cur.path,
      rss: g('Rss'),
      size: g('Size'),
      pss: g('Pss'),
      sharedClean: g('Shared_Clean'),
      sharedDirty: g('Shared_Dirty'),
      privateClean: g('Private_Clean'),
      privateDirty: g('Private_Dirty'),
      referenced: g('Referenced'),
      anonymous: g('Anonymous'),
      swap: g('Swap'),
    });
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const h = HEADER.exec(line);
    if (h !== null) {
      flush();
      cur = { addr: h[1]!, perms: h[2]!, path: (h[3] ?? '').trim(), v: new Map() };
      continue;
    }
    if (cur === null) throw new ParseError(path, `data before the first mapping header: ${JSON.stringify(line.slice(0, 60))}`);
    const kv = kbLine(line);
    if (kv !== null) {
      cur.v.set(kv[0], kv[1]);
      continue;
    }
    // VmFlags holds words (psutil #369); any other line psutil does not know how to read is an error.
    if (!line.startsWith('VmFlags:')) throw new ParseError(path, `don't know how to interpret line ${JSON.stringify(line.slice(0, 60))}`);
  }
  flush();
  return out;
}
