/**
 * /proc/<pid>/cmdline: the arguments, NUL-separated with a trailing NUL; or rewritten by the process itself
 * (setproctitle, Chrome) with spaces, with or without a trailing NUL. psutil's rule (#1179): split on NUL when the
 * data ends with NUL, else on space; drop one trailing separator; and if a NUL split gives one element that holds a
 * space, split that on spaces. Arguments are decoded as psutil decodes them (surrogateescape: a byte that is not valid
 * UTF-8 becomes U+DC80-U+DCFF, so fsencode gives the argument's bytes back; never throws on bytes).
 * Empty data gives [] (a kernel thread, or a zombie: the caller tells them apart).
 */
import { isUtf8 } from 'node:buffer';
import { fsdecodeRange, fsencode } from '../../../util/fsencoding';

const NUL = 0x00;
const SPACE = 0x20;

function splitBytes(buf: Buffer, end: number, sep: number): string[] {
  // One check of the whole buffer: separators are ASCII, so each argument of valid UTF-8 is valid UTF-8 too, and no
  // character's bytes hold a separator: splitting the decoded text gives each argument's decoding, in one decode.
  if (isUtf8(buf)) return buf.toString('utf8', 0, end).split(sep === NUL ? '\0' : ' ');
  const out: string[] = [];
  let s = 0;
  for (;;) {
    let i = buf.indexOf(sep, s);
    if (i < 0 || i > end) i = end;
    out.push(fsdecodeRange(buf, s, i));
    if (i >= end) return out;
    s = i + 1;
  }
}

export function parseCmdline(input: Buffer | string): string[] {
  const buf = typeof input === 'string' ? fsencode(input) : input;
  let n = buf.length;
  if (n === 0) return [];
  const sep = buf[n - 1] === NUL ? NUL : SPACE;
  if (buf[n - 1] === sep) n--;
  const args = splitBytes(buf, n, sep);
  if (sep === NUL && args.length === 1) {
    const sp = buf.indexOf(SPACE);
    if (sp >= 0 && sp < n) return splitBytes(buf, n, SPACE);
  }
  return args;
}

/**
 * The arguments as the kernel stores them, without psutil's setproctitle() heuristic: trailing NULs dropped, split at
 * every NUL (prometheus/procfs CmdLine, which process-exporter matches on). A rewritten `nginx: master process ...`
 * stays one argument, so its argv[0] is the whole line; empty arguments between NULs stay. Empty data gives [].
 */
export function parseArgv(input: Buffer | string): string[] {
  const buf = typeof input === 'string' ? fsencode(input) : input;
  let n = buf.length;
  while (n > 0 && buf[n - 1] === NUL) n--;
  if (n === 0) return [];
  return splitBytes(buf, n, NUL);
}
