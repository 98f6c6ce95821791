/**
 * The live views' terminal (top, iotop, nettop, cpu_distribution), on Node's own node:tty and ANSI sequences rather
 * than a terminal library: see docs/tools.md for why. The alternate screen and a hidden cursor while it runs; keys
 * in raw mode (`q` and Ctrl-C quit at once, not at the next refresh); and the terminal restored on every way out:
 * `q`, Ctrl-C, SIGINT/SIGTERM/SIGHUP, and an exception from a frame.
 */
import type { ToolEnv } from './tool';

/** A run of text drawn with one SGR attribute ('7' reverse, '32' green), plain when printed with --once. */
export interface Styled {
  readonly sgr: string;
  readonly text: string;
}
/** One screen line: text, or runs of text and styled text. */
export type Line = string | readonly (string | Styled)[];

export function plain(line: Line): string {
  return typeof line === 'string' ? line : line.map((c) => (typeof c === 'string' ? c : c.text)).join('');
}

/** The line cut to `cols` code points, styled runs in their SGR (reset after each). */
export function ansi(line: Line, cols: number): string {
  let left = cols;
  let s = '';
  for (const c of typeof line === 'string' ? [line] : line) {
    if (left <= 0) break;
    const text = typeof c === 'string' ? c : c.text;
    const cps = [...text].slice(0, left);
    left -= cps.length;
    s += typeof c === 'string' ? cps.join('') : `\x1b[${c.sgr}m${cps.join('')}\x1b[0m`;
  }
  return s;
}

/** What a live view draws: the screen's lines for the terminal's size now (rows beyond it are dropped). */
export type Draw = (rows: number, cols: number) => Line[] | Promise<Line[]>;

const ENTER = '\x1b[?1049h\x1b[?25l';
// Attributes off, cursor shown, alternate screen left: the terminal as the shell had it.
const LEAVE = '\x1b[0m\x1b[?25h\x1b[?1049l';

/**
 * Runs a live view until `q` or Ctrl-C: draws at once, then every `intervalMs`. Resolves with the exit code (0).
 * Only called when stdout is a terminal (env.isTTY): the process's own stdin/stdout are the terminal's.
 */
export async function live(env: ToolEnv, intervalMs: number, draw: Draw): Promise<number> {
  const out = process.stdout;
  const inp = process.stdin;
  let quit = (): void => undefined;
  const stopped = new Promise<void>((resolve) => (quit = resolve));
  let done = false;
  const stop = (): void => {
    done = true;
    quit();
  };
  const onKey = (b: Buffer | string): void => {
    const s = b.toString();
    // q, Q, and Ctrl-C (raw mode delivers it as a byte, not as SIGINT).
    if (s.includes('q') || s.includes('Q') || s.includes('\u0003')) stop();
  };
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    inp.off('data', onKey);
    if (inp.isTTY) inp.setRawMode(false);
    inp.pause();
    out.write(LEAVE);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let wake = (): void => undefined;
  const onResize = (): void => wake();
  // A crash past the finally (process.exit elsewhere) still gives the terminal back.
  process.on('exit', restore);
  for (const s of signals) process.on(s, stop);
  out.on('resize', onResize);
  try {
    out.write(ENTER);
    // stdin may be redirected while stdout is a terminal: then only signals end the view.
    if (inp.isTTY) inp.setRawMode(true);
    inp.on('data', onKey);
    inp.resume();
    while (!done) {
      const rows = out.rows || env.rows;
      const cols = out.columns || (env.width ?? 80);
      const lines = (await draw(rows, cols)).slice(0, rows);
      if (done) break;
      // Home, each line then erase to its end, erase below: no flicker from a full clear per frame.
      out.write('\x1b[H' + lines.map((l) => ansi(l, cols) + '\x1b[K').join('\r\n') + '\x1b[J');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        stopped,
        new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, intervalMs);
        }),
      ]);
      clearTimeout(timer);
    }
  } finally {
    restore();
    process.off('exit', restore);
    for (const s of signals) process.off(s, stop);
    out.off('resize', onResize);
  }
  return 0;
}
