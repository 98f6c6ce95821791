/** Runs `psutil <tool>` in this process (src/tools/main.ts) and collects what it writes. */
import { main, type MainIo } from '../../src/tools/main';
import * as path from 'node:path';

export interface RunResult {
  code: number;
  out: string;
  err: string;
  lines: string[];
}

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** The --procfs/--sysfs/--rootfs flags for one of test/fixtures' whole-host trees. */
export function rootsOf(host: string): string[] {
  const r = path.join(FIXTURES, host);
  return ['--procfs', path.join(r, 'proc'), '--sysfs', path.join(r, 'sys'), '--rootfs', r];
}

export async function run(
  argv: string[],
  opts: { env?: Record<string, string>; isTTY?: boolean } = {},
): Promise<RunResult> {
  let out = '';
  let err = '';
  const io: MainIo = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    isTTY: opts.isTTY ?? false,
    columns: null,
    rows: null,
    env: opts.env ?? {},
    pid: process.pid,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  const tz = process.env['TZ'];
  // Local times (START, started, who's login time) are read in UTC, as the captured samples were.
  process.env['TZ'] = 'UTC';
  try {
    const code = await main(argv, io);
    return { code, out, err, lines: out.split('\n').slice(0, -1) };
  } finally {
    if (tz === undefined) delete process.env['TZ'];
    else process.env['TZ'] = tz;
  }
}

/**
 * A column layout in the spec's notation: ['L', 10] left-justified in 10, ['R', 5] right-justified, ' ' a literal
 * separator; the last cell takes the rest. cells() splits a line by it and checks each cell's justification, so the
 * same layout can be checked on psutil's captured lines and on ours.
 */
export type Col = readonly ['L' | 'R', number] | string;

export function cells(layout: readonly Col[], line: string): string[] {
  const cps = [...line];
  let at = 0;
  const got: string[] = [];
  for (const c of layout) {
    if (typeof c === 'string') {
      const lit = cps.slice(at, at + c.length).join('');
      if (lit !== c) throw new Error(`expected ${JSON.stringify(c)} at column ${at} of ${JSON.stringify(line)}`);
      at += c.length;
      continue;
    }
    const [just, w] = c;
    const cell = cps.slice(at, at + w).join('');
    if ([...cell].length < w && at + w < cps.length) throw new Error(`short cell at ${at} of ${JSON.stringify(line)}`);
    const blank = cell.trim() === '';
    if (!blank && just === 'L' && cell.startsWith(' '))
      throw new Error(`left cell ${JSON.stringify(cell)} starts with a space in ${JSON.stringify(line)}`);
    if (!blank && just === 'R' && cell.length === w && cell.endsWith(' '))
      throw new Error(`right cell ${JSON.stringify(cell)} ends with a space in ${JSON.stringify(line)}`);
    got.push(cell.trim());
    at += w;
  }
  got.push(cps.slice(at).join(''));
  return got;
}
