/**
 * /proc/<pid>/statm: `size resident shared text lib data dt`, in pages (man 5 proc). lib and dt are always 0 since
 * Linux 2.6. Values are u64 counters; a kernel thread gives seven zeros.
 */
import { ParseError } from '../../errors';
import { statusNumbersInOrder } from './pidstatus';

export interface Statm {
  readonly size: number;
  readonly resident: number;
  readonly shared: number;
  readonly text: number;
  readonly lib: number;
  readonly data: number;
  readonly dirty: number;
}

/**
 * The kernel's own form, `d d d d d d d\n` (seven fields of at most 15 digits, single spaces), read from the bytes
 * without a string: what every statm is; null for anything else, which the text path parses (or rejects).
 */
function fromBytes(buf: Buffer): Statm | null {
  const v = [0, 0, 0, 0, 0, 0, 0];
  const n = buf.length;
  let i = 0;
  for (let f = 0; f < 7; f++) {
    const start = i;
    let x = 0;
    for (; i < n; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      x = x * 10 + d;
    }
    // Beyond 15 digits the sum may round differently from Number(): the text path reads those.
    if (i === start || i - start > 15) return null;
    v[f] = x;
    const sep = f < 6 ? 0x20 : 0x0a;
    if (i < n && buf[i] === sep) i++;
    else if (!(f === 6 && i === n)) return null;
  }
  if (i !== n) return null;
  return { size: v[0]!, resident: v[1]!, shared: v[2]!, text: v[3]!, lib: v[4]!, data: v[5]!, dirty: v[6]! };
}

export function parseStatm(input: Buffer | string, path = '<input>'): Statm {
  if (typeof input !== 'string') {
    const fast = fromBytes(input);
    if (fast !== null) return fast;
  }
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

/** The status lines statmFromStatus reads, in the order the kernel prints them (fs/proc/task_mmu.c, task_mem). */
const VM_KEYS = ['VmSize', 'VmRSS', 'RssFile', 'RssShmem', 'VmData', 'VmStk', 'VmExe', 'VmLib'] as const;
const vmScratch: (number | null)[] = new Array<number | null>(VM_KEYS.length).fill(null);

/**
 * statm's figures from /proc/<pid>/status text (its `kB` lines), for a block that reads status anyway: one file read
 * instead of two. The kernel prints both from the same counters (fs/proc/task_mmu.c, task_statm and task_mem):
 * size = VmSize, resident = VmRSS, shared = RssFile + RssShmem, data = VmData + VmStk, text = VmExe; lib and dirty
 * are 0. One exception: status caps VmExe at the executable mappings' size (VmLib is then 0), where statm keeps
 * the full span, so only a VmLib above 0 proves VmExe equal to statm's text. null when that is not proven or a line
 * is missing (a kernel thread, a kernel before 4.5 without RssShmem, an odd page size): the caller reads statm.
 */
export function statmFromStatus(text: string, pageSize: number, path = '<input>'): Statm | null {
  const v = vmScratch;
  statusNumbersInOrder(text, VM_KEYS, v, path);
  const size = v[0] ?? null;
  const rss = v[1] ?? null;
  const file = v[2] ?? null;
  const shmem = v[3] ?? null;
  const data = v[4] ?? null;
  const stk = v[5] ?? null;
  const exe = v[6] ?? null;
  const lib = v[7] ?? null;
  if (lib === null || lib <= 0) return null;
  if (size === null || rss === null || file === null || shmem === null) return null;
  if (data === null || stk === null || exe === null) return null;
  const kbPerPage = pageSize / 1024;
  const pages = (kb: number): number => kb / kbPerPage;
  const out = {
    size: pages(size),
    resident: pages(rss),
    shared: pages(file + shmem),
    text: pages(exe),
    lib: 0,
    data: pages(data + stk),
    dirty: 0,
  };
  // Every figure is whole pages in the kernel: a fraction means the page size assumed is not the kernel's.
  const whole =
    Number.isInteger(out.size) &&
    Number.isInteger(out.resident) &&
    Number.isInteger(out.shared) &&
    Number.isInteger(out.text) &&
    Number.isInteger(out.data);
  return whole ? out : null;
}
