/**
 * /proc/<pid>/limits: a header and one row per resource (`Max open files  1024  4096  files`). Used where prlimit(2)
 * cannot reach the process (a procfs root from another PID namespace, a fixture tree); psutil itself uses prlimit.
 * `unlimited` is RLIM_INFINITY (-1). Keyed by the RLIMIT_* number.
 */
import { ParseError } from '../../errors';

/** The row titles in kernel order (fs/proc/base.c lnames[]), index = RLIMIT_* number. */
const NAMES = [
  'Max cpu time',
  'Max file size',
  'Max data size',
  'Max stack size',
  'Max core file size',
  'Max resident set',
  'Max processes',
  'Max open files',
  'Max locked memory',
  'Max address space',
  'Max file locks',
  'Max pending signals',
  'Max msgqueue size',
  'Max nice priority',
  'Max realtime priority',
  'Max realtime timeout',
];

export type Limits = ReadonlyMap<number, readonly [soft: number, hard: number]>;

function limitValue(s: string, path: string): number {
  if (s === 'unlimited') return -1;
  if (!/^\d+$/.test(s)) throw new ParseError(path, `bad limit ${JSON.stringify(s.slice(0, 30))}`);
  const v = Number(s);
  // RLIM_INFINITY may also be printed as the u64 maximum by older kernels.
  return s === '18446744073709551615' ? -1 : v;
}

export function parseLimits(input: Buffer | string, path = '<input>'): Limits {
  const text = typeof input === 'string' ? input : input.toString('latin1', 0, input.length);
  const out = new Map<number, readonly [number, number]>();
  for (const line of text.split('\n')) {
    for (let r = 0; r < NAMES.length; r++) {
      const name = NAMES[r]!;
      if (!line.startsWith(name + ' ')) continue;
      const cols = line.slice(name.length).trim().split(/\s+/);
      if (cols.length < 2) throw new ParseError(path, `row '${name}' wants soft and hard values`);
      out.set(r, [limitValue(cols[0]!, path), limitValue(cols[1]!, path)]);
      break;
    }
  }
  if (out.size === 0) throw new ParseError(path, 'no limit rows');
  return out;
}
