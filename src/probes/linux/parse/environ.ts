/**
 * /proc/<pid>/environ: `KEY=value` entries, NUL-separated (the environment at exec time). psutil's
 * parse_environ_block: stop at an empty entry (a double NUL) or at data without a final NUL; skip entries without
 * `=` or starting with it. Names and values keep every byte (fsdecode, psutil's surrogateescape). The result has no
 * prototype, so a `__proto__` or `constructor` variable is just a key.
 */
import { fsdecode } from '../../../util/fsencoding';

export function parseEnviron(input: Buffer | string): Record<string, string> {
  const text = typeof input === 'string' ? input : fsdecode(input);
  const out = Object.create(null) as Record<string, string>;
  let pos = 0;
  for (;;) {
    const next = text.indexOf('\0', pos);
    if (next <= pos) break;
    const eq = text.indexOf('=', pos);
    if (eq > pos && eq < next) out[text.slice(pos, eq)] = text.slice(eq + 1, next);
    pos = next + 1;
  }
  return out;
}
