/**
 * What every `psutil <tool>` gets: the library instance (createPsutil on the roots given), its positionals and flags,
 * and line writers. Tools use only the public API (src/index.ts), as the issue asks: they are its living example.
 */
import { PsutilError, type Psutil } from '../index';
import { wellFormedJson } from '../util/fsencoding';

export interface ToolFlags {
  /** --json: the rows as objects, raw units (bytes, seconds, epoch seconds, percent as a float). */
  readonly json: boolean;
  /** procinfo -v: the long tables in full. */
  readonly verbose: boolean;
  /** cpu_distribution --once: one frame, no screen clearing. */
  readonly once: boolean;
  /** procsmem --limit N (default 86, psutil's). */
  readonly limit: number | null;
  /** killall -s SIG (default SIGTERM, as psmisc). */
  readonly signal: string | null;
}

export interface ToolEnv {
  readonly ps: Psutil;
  /** The tool's name as run (df or disk_usage), for messages. */
  readonly toolName: string;
  readonly args: readonly string[];
  readonly flags: ToolFlags;
  /** Writes one line (a newline is added). */
  out(line: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
  /** The width ps and pmap cut their lines to; null: never cut (not a terminal and no COLUMNS). */
  readonly width: number | null;
  /** Screen rows (cpu_distribution fills the screen): the terminal's, LINES, else 24 as Python's fallback. */
  readonly rows: number;
  /** Whether stdout is a terminal (live views need one). */
  readonly isTTY: boolean;
  /** Epoch seconds now (ps START compares with today). */
  now(): number;
  /** This process's pid (killall skips itself). */
  readonly selfPid: number;
  /** Resolves after `ms` unless the run was interrupted (live views). */
  sleep(ms: number): Promise<void>;
}

export interface Tool {
  readonly name: string;
  /** One line for `psutil` alone and `psutil --help`. */
  readonly summary: string;
  /** The argument synopsis after the name ('PID', 'NAME', '[PID] [-v]'). */
  readonly synopsis?: string;
  /** Whether --json is accepted (the one-shot tools). */
  readonly json: boolean;
  /** Exit code. */
  run(env: ToolEnv): number | Promise<number>;
}

/** An error the user should see as one line on stderr, exit 1 (bad arguments, nothing found). */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Prints a JSON document (one per run) for --json. */
export function printJson(env: ToolEnv, value: unknown): void {
  env.out(wellFormedJson(value, 2));
}

/** The single positional PID of pmap / procinfo: a clear error instead of psutil's traceback. */
export function pidArg(env: ToolEnv, usage: string, optional = false): number | null {
  if (env.args.length === 0 && optional) return null;
  if (env.args.length !== 1) throw new ToolError(`usage: ${usage}`);
  const a = env.args[0] as string;
  if (!/^\d+$/.test(a)) throw new ToolError(`invalid pid ${JSON.stringify(a)}`);
  return Number(a);
}

/**
 * One process attribute, or null when it cannot be read: denied, gone, a zombie's, or a file this kernel (or a
 * partial procfs tree) lacks. psutil's scripts print such cells blank; other errors are bugs and propagate.
 */
export function attempt<T>(f: () => T): T | null {
  try {
    return f();
  } catch (e) {
    if (e instanceof PsutilError) return null;
    throw e;
  }
}

/**
 * An error's message for a one-line report. Not `instanceof Error`: errors made by Node's internals (parseArgs, fs)
 * can come from another realm (a vm context, as under jest) and still be errors.
 */
export function messageOf(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string') return e.message;
  return String(e);
}
