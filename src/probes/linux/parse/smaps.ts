/**
 * /proc/<pid>/smaps and /proc/<pid>/smaps_rollup: per-mapping blocks, a header line
 * (`addr perms offset dev inode [path]`) then `Key:   value kB` lines. Sizes come out in bytes.
 * - rollup: USS = the sum of the Private_* lines (Clean, Dirty, Hugetlb), PSS = `Pss:`, swap = `Swap:` (psutil);
 *   `Pss_Anon:` and the like are other keys and do not count; `SwapPss:` (proportional swap, Linux 4.3+, 0 where
 *   the kernel prints no such line) is summed apart for memoryFootprint().
 * - smaps: the same three sums over every block (the fallback when the rollup gives ESRCH/ENOENT), or the blocks
 *   themselves for memoryMaps, where `VmFlags:` lines are skipped (psutil #369) and any other unknown line is an error.
 */
import { ParseError } from '../../errors';
import { fsdecode } from '../../../util/fsencoding';

export interface SmapsTotals {
  readonly uss: number;
  readonly pss: number;
  readonly swap: number;
  /** `SwapPss:` (not psutil's): swapped-out pages shared between processes counted proportionally. */
  readonly swapPss: number;
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

/** The text with each byte of a mapped path kept (fsdecode, psutil's surrogateescape). */
function asText(input: Buffer | string): string {
  return typeof input === 'string' ? input : fsdecode(input);
}

/**
 * Reads the `Key:   123 kB` line at [pos, end): the key's end (the colon) and the value in bytes, NaN when the value
 * is not a number, or null when the line is not a key line (a header: its first token, an address range, holds no
 * colon before a space). Index-based: a large smaps has tens of thousands of these lines.
 */
function keyLine(text: string, pos: number, end: number): { colon: number; bytes: number } | null {
  const colon = text.indexOf(':', pos);
  if (colon <= pos || colon >= end) return null;
  const space = text.indexOf(' ', pos);
  if (space >= pos && space < colon) return null;
  let i = colon + 1;
  while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  const digits = i;
  let v = 0;
  while (i < end) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    i++;
  }
  if (i === digits) return { colon, bytes: NaN };
  while (i < end && text.charCodeAt(i) === 32) i++;
  // Sizes end in " kB"; a few keys (THPeligible, ProtectionKey) are bare numbers.
  if (i === end) return { colon, bytes: v * 1024 };
  if (end - i === 2 && text.charCodeAt(i) === 107 /* k */ && text.charCodeAt(i + 1) === 66 /* B */)
    return { colon, bytes: v * 1024 };
  return { colon, bytes: NaN };
}

/** Sums over smaps_rollup (or a whole smaps: every block adds up the same way). Lenient, as psutil's regexes. */
export function parseSmapsTotals(input: Buffer | string): SmapsTotals {
  const text = asText(input);
  const n = text.length;
  let uss = 0;
  let pss = 0;
  let swap = 0;
  let swapPss = 0;
  for (let pos = 0; pos < n;) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    const c = text.charCodeAt(pos);
    // Only lines starting with P or S matter.
    if (c === 80 /* P */ || c === 83 /* S */) {
      const kv = keyLine(text, pos, end);
      if (kv !== null && !Number.isNaN(kv.bytes)) {
        const len = kv.colon - pos;
        if (text.startsWith('Private_', pos)) uss += kv.bytes;
        else if (len === 3 && text.startsWith('Pss', pos)) pss += kv.bytes;
        else if (len === 4 && text.startsWith('Swap', pos)) swap += kv.bytes;
        else if (len === 7 && text.startsWith('SwapPss', pos)) swapPss += kv.bytes;
      }
    }
    pos = end + 1;
  }
  return { uss, pss, swap, swapPss };
}

const HEADER = /^([0-9a-f]+-[0-9a-f]+)\s+(\S+)\s+\S+\s+\S+\s+\S+(?:\s+(.*))?$/;

interface Block {
  addr: string;
  perms: string;
  path: string;
  rss: number;
  size: number;
  pss: number;
  sharedClean: number;
  sharedDirty: number;
  privateClean: number;
  privateDirty: number;
  referenced: number;
  anonymous: number;
  swap: number;
}

/** The blocks of /proc/<pid>/smaps, in file order. Lines before the first header are a ParseError. */
export function parseSmaps(input: Buffer | string, path = '<input>'): SmapsBlock[] {
  const text = asText(input);
  const n = text.length;
  const out: SmapsBlock[] = [];
  let cur: Block | null = null;
  for (let pos = 0; pos < n;) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    if (end > pos) {
      const kv = keyLine(text, pos, end);
      if (kv === null) {
        const h = HEADER.exec(text.slice(pos, end));
        if (h === null)
          throw new ParseError(
            path,
            `don't know how to interpret line ${JSON.stringify(text.slice(pos, Math.min(end, pos + 60)))}`,
          );
        cur = {
          addr: h[1]!,
          perms: h[2]!,
          path: (h[3] ?? '').trim(),
          rss: 0,
          size: 0,
          pss: 0,
          sharedClean: 0,
          sharedDirty: 0,
          privateClean: 0,
          privateDirty: 0,
          referenced: 0,
          anonymous: 0,
          swap: 0,
        };
        out.push(cur);
      } else {
        if (cur === null)
          throw new ParseError(
            path,
            `data before the first mapping header: ${JSON.stringify(text.slice(pos, Math.min(end, pos + 60)))}`,
          );
        const key = text.slice(pos, kv.colon);
        if (Number.isNaN(kv.bytes)) {
          // VmFlags holds words (psutil #369); any other line psutil does not know how to read is an error.
          if (key !== 'VmFlags')
            throw new ParseError(
              path,
              `don't know how to interpret line ${JSON.stringify(text.slice(pos, Math.min(end, pos + 60)))}`,
            );
        } else {
          switch (key) {
            case 'Rss':
              cur.rss = kv.bytes;
              break;
            case 'Size':
              cur.size = kv.bytes;
              break;
            case 'Pss':
              cur.pss = kv.bytes;
              break;
            case 'Shared_Clean':
              cur.sharedClean = kv.bytes;
              break;
            case 'Shared_Dirty':
              cur.sharedDirty = kv.bytes;
              break;
            case 'Private_Clean':
              cur.privateClean = kv.bytes;
              break;
            case 'Private_Dirty':
              cur.privateDirty = kv.bytes;
              break;
            case 'Referenced':
              cur.referenced = kv.bytes;
              break;
            case 'Anonymous':
              cur.anonymous = kv.bytes;
              break;
            case 'Swap':
              cur.swap = kv.bytes;
              break;
            default:
              break; // KernelPageSize, Locked, THPeligible, ...: not psutil's fields
          }
        }
      }
    }
    pos = end + 1;
  }
  return out;
}
