/**
 * /proc/swaps: the active swap areas, one line each after the `Filename Type Size Used Priority` header (mm/swapfile.c
 * swap_show()). Size and Used are KiB, here bytes. The kernel writes the path with seq_file_path(" \t\n\\"), so a
 * space, tab, newline or backslash in it is an octal escape (`\040`), undone here; a swap file deleted while active
 * ends in ` (deleted)` (escaped like the rest). Paths are bytes: kept with fsdecode, as the mount parsers keep them.
 * Pure: text in, records out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';
import { fsdecode } from '../../../util/fsencoding';
import { unescapeMountField } from './mounts';

export interface SwapArea {
  /** The device or file, as swapon was given it (`/dev/dm-1`, `/swapfile`). */
  readonly path: string;
  /** `partition` (a block device) or `file`. */
  readonly type: string;
  readonly sizeBytes: number;
  readonly usedBytes: number;
  readonly priority: number;
}

const HEADER = /^Filename\s+Type\s+Size\s+Used\s+Priority\s*$/;
const UINT = /^\d+$/;
const INT = /^-?\d+$/;

export function parseSwaps(input: Buffer | string, path = '<input>'): readonly SwapArea[] {
  const text = typeof input === 'string' ? input : fsdecode(input);
  const lines = text.split('\n');
  if (!HEADER.test(lines[0] ?? ''))
    throw new ParseError(
      path,
      `expected the 'Filename Type Size Used Priority' header, got ${JSON.stringify(lines[0])}`,
    );
  const out: SwapArea[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const f = line.trim().split(/\s+/);
    const [file, type, size, used, prio] = f;
    if (
      f.length !== 5 ||
      file === undefined ||
      type === undefined ||
      !UINT.test(size ?? '') ||
      !UINT.test(used ?? '') ||
      !INT.test(prio ?? '')
    )
      throw new ParseError(path, `line ${i + 1}: expected 'path type size used priority', got ${JSON.stringify(line)}`);
    out.push(
      Object.freeze({
        path: unescapeMountField(file),
        type,
        sizeBytes: Number(size) * 1024,
        usedBytes: Number(used) * 1024,
        priority: Number(prio),
      }),
    );
  }
  return Object.freeze(out);
}
