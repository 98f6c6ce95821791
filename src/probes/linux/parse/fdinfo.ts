/**
 * /proc/<pid>/fdinfo/<fd>: `pos:\t<decimal>` and `flags:\t<octal>` (then mnt_id, ino and per-type lines).
 * psutil reads the first two lines; keys are looked up by name here, so extra or reordered lines do not matter.
 */
import { ParseError } from '../../errors';

export interface FdInfo {
  readonly pos: number;
  /** The open(2) flags (O_*), parsed from octal. */
  readonly flags: number;
}

function field(text: string, key: string): string | null {
  const at = text.startsWith(key + ':') ? 0 : text.indexOf('\n' + key + ':');
  if (at < 0) return null;
  const s = at === 0 ? key.length + 1 : at + key.length + 2;
  let e = text.indexOf('\n', s);
  if (e < 0) e = text.length;
  return text.slice(s, e).trim();
}

export function parseFdinfo(input: Buffer | string, path = '<input>'): FdInfo {
  const text = typeof input === 'string' ? input : input.toString('latin1', 0, input.length);
  const pos = field(text, 'pos');
  const flags = field(text, 'flags');
  if (pos === null || !/^\d+$/.test(pos)) throw new ParseError(path, "no decimal 'pos:'");
  if (flags === null || !/^[0-7]+$/.test(flags)) throw new ParseError(path, "no octal 'flags:'");
  return { pos: Number(pos), flags: parseInt(flags, 8) };
}

const O_ACCMODE = 3;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_APPEND = 0o2000;

/** psutil's file_flags_to_mode: 'r', 'w', 'a', 'r+' or 'a+'. */
export function fileFlagsToMode(flags: number): string {
  const acc = flags & O_ACCMODE;
  let mode = acc === O_WRONLY ? 'w' : acc === O_RDWR ? 'w+' : 'r';
  if (flags & O_APPEND) mode = mode.replace('w', 'a');
  return mode === 'w+' ? 'r+' : mode;
}
