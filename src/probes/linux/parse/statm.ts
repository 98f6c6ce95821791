/**
 * /proc/<pid>/statm: `size resident shared text lib data dt`, in pages (man 5 proc). lib and dt are always 0 since
 * Linux 2.6. Values are u64 counters; a kernel thread gives seven zeros.
 */
import { ParseError } from '../../errors';

export interface Statm {
  readonly size: number;
  readonly resident: number;
  readonly shared: number;
  readonly text: number;
  readonly lib: number;
  readonly data: number;
  readonly dirty: number;
}

export function parseStatm(input: Buffer | string, path = '<input>'): Statm {
  const text = typeof input === 'string' ? input : input.toString('latin1', 0, input.length);
  const parts = text.trim().split(' ');
  if (parts.length < 7) throw new ParseError(path, `${parts.length} fields, want 7`);
  const v = new Array<number>(7);
  for (let i = 0; i < 7; i++) {
    const s = parts[i]!;
    const x = Number(s);
    if (s === '' || !Number.isInteger(x) || x < 0)
      throw new ParseError(path, `bad field ${i + 1}: ${JSON.stringify(s.slice(0, 30))}`);
    v[i] = x;
  }
  return { size: v[0]!, resident: v[1]!, shared: v[2]!, text: v[3]!, lib: v[4]!, data: v[5]!, dirty: v[6]! };
}
