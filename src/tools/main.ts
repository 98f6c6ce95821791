/**
 * `psutil <tool>`: psutil's example programs (scripts/*.py, 5.9 layouts) on the public library API. main() parses
 * the command line, runs one tool and resolves with the exit code; every failure is one line on stderr and exit 1,
 * never a stack trace (psutil's scripts print tracebacks for a bad pid or AccessDenied).
 */
import { parseArgs } from 'node:util';
import { createPsutil, PsutilError, type PsutilOptions } from '../index';
import { wellFormed } from '../util/fsencoding';
import { battery } from './battery';
import { cpuDistribution } from './cpu_distribution';
import { df, diskUsage } from './disk_usage';
import { fans } from './fans';
import { free } from './free';
import { iotop } from './iotop';
import { ifconfig } from './ifconfig';
import { killall } from './killall';
import { meminfo } from './meminfo';
import { netstat } from './netstat';
import { nettop } from './nettop';
import { pmap } from './pmap';
import { pidof } from './pidof';
import { procinfo } from './procinfo';
import { procsmem } from './procsmem';
import { ps, test } from './ps';
import { pstree } from './pstree';
import { sensors } from './sensors';
import { temperatures } from './temperatures';
import { top } from './top';
import { messageOf, ToolError, type Tool, type ToolEnv } from './tool';
import { who } from './who';

export const TOOLS: readonly Tool[] = [
  battery,
  cpuDistribution,
  df,
  diskUsage,
  fans,
  free,
  ifconfig,
  iotop,
  killall,
  meminfo,
  netstat,
  nettop,
  pidof,
  pmap,
  procinfo,
  procsmem,
  ps,
  pstree,
  sensors,
  temperatures,
  test,
  top,
  who,
];

/** Options only some tools take: which. */
const TOOL_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  verbose: ['procinfo'],
  once: ['cpu_distribution', 'top', 'iotop', 'nettop'],
  limit: ['procsmem'],
  signal: ['killall'],
};

/** Where psutil's scripts print a wrong value and these tools do not (also in docs/tools.md). */
export const FIXES: readonly string[] = [
  "ps, test: TIME is the process's own user+system CPU time as [H:]MM:SS (psutil: the sum of all cpu_times fields, children's included, formatted as a local clock time, so it wraps hourly and shifts with the time zone)",
  'free: used is total - available, as psutil 7.1+ and procps 4.0.1+ (psutil 5.9: total - free - buffers - cache)',
  'procsmem: the largest 86 processes (--limit N) are shown, smallest first (psutil 5.9 prints the smallest 86 and drops the largest)',
  'procinfo: gids are printed (psutil prints uids twice); I/O counts are integers (psutil formats read_count and write_count as byte sizes)',
  'sensors: chips in name order (psutil walks a set: the order changes between runs)',
  'sensors, battery: time left prints `unlimited` when plugged in and `N/A` when unknown (psutil: -1:59:58, -1:59:59)',
  'pidof: no match exits 1, as pidof(8) (psutil exits 0)',
  'killall: sends SIGTERM by default, as psmisc (psutil sends SIGKILL); -s SIG picks another; a process that denies the signal is reported on one line and the others still get it',
  'who, pstree, pmap, procinfo, killall: a process that vanished or denies access is a blank cell, `?`, or a one-line error, never a traceback',
  'ps, pmap: lines are cut to the terminal width only on a terminal or when COLUMNS is set (psutil cuts piped output at 80)',
  'cpu_distribution, top, iotop, nettop: --once prints one frame without clearing the screen; without a terminal and without --once they stop with a one-line error (psutil: a traceback); q and Ctrl-C quit at once and restore the terminal',
  "top: TIME+ is the process's own user+system time as M:SS.hh with real centiseconds and all the minutes (psutil adds the children's time, takes the first two digits of the microseconds and drops the hours); the first frame is measured over 0.1 s (psutil shows 0.0 per process)",
  'iotop, nettop: rates are per second over the time measured, with /s (psutil prints deltas over 0.5 s, half the rate; iotop without a unit)',
];

export interface MainIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly isTTY: boolean;
  /** The terminal's columns and rows when stdout is one. */
  readonly columns: number | null;
  readonly rows: number | null;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly pid: number;
  /** Resolves after ms, early when the user interrupts (Ctrl-C). */
  sleep(ms: number): Promise<void>;
}

export function nodeIo(): MainIo {
  const out = process.stdout;
  return {
    stdout: (t) => void out.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: out.isTTY === true,
    columns: out.isTTY ? out.columns : null,
    rows: out.isTTY ? out.rows : null,
    env: process.env,
    pid: process.pid,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

function usage(): string {
  const w = Math.max(...TOOLS.map((t) => t.name.length));
  return [
    'usage: psutil <tool> [args] [--json] [--procfs DIR] [--sysfs DIR] [--rootfs DIR]',
    '',
    "psutil's example programs (5.9 layouts) on psutil-exporter's library. Tools:",
    ...TOOLS.map((t) => `  ${t.name.padEnd(w)}  ${t.synopsis ? t.synopsis + ': ' : ''}${t.summary}`),
  ].join('\n');
}

function help(): string {
  return [
    usage(),
    '',
    'Options:',
    '  --json          the rows as JSON objects, raw units (one-shot tools)',
    "  --procfs DIR    read another /proc (a host's, mounted in a container; a fixture tree); also --sysfs, --rootfs",
    '                  (default: /proc, /sys and /, or HOST_PROC, HOST_SYS, HOST_ROOT)',
    '  -v, --verbose   procinfo: the long tables in full',
    '  --once          cpu_distribution, top, iotop, nettop: one frame, no screen clearing',
    '  --limit N       procsmem: how many processes (86)',
    '  -s, --signal S  killall: the signal (TERM)',
    '',
    "Fixed from psutil's scripts:",
    ...FIXES.map((f) => `  - ${f}`),
  ].join('\n');
}

export async function main(argv: readonly string[], io: MainIo = nodeIo()): Promise<number> {
  const fail = (msg: string): number => {
    // One line: a message holding newlines (a parse error quoting a file) is folded.
    io.stderr(`psutil: ${wellFormed(msg).replace(/\s*\n\s*/g, ' ')}\n`);
    return 1;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        procfs: { type: 'string' },
        sysfs: { type: 'string' },
        rootfs: { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        once: { type: 'boolean' },
        limit: { type: 'string' },
        signal: { type: 'string', short: 's' },
      },
    });
  } catch (e) {
    return fail(messageOf(e));
  }
  const { values: v, positionals } = parsed;
  const [name, ...args] = positionals;
  if (v.help && name === undefined) {
    io.stdout(help() + '\n');
    return 0;
  }
  if (name === undefined) {
    io.stdout(usage() + '\n');
    return 0;
  }
  const tool = TOOLS.find((t) => t.name === name || t.name === name.replace(/-/g, '_'));
  if (!tool) return fail(`unknown tool ${JSON.stringify(name)} (psutil alone lists them)`);
  if (v.help) {
    io.stdout(
      `usage: psutil ${tool.name}${tool.synopsis ? ' ' + tool.synopsis : ''}${tool.json ? ' [--json]' : ''}\n${tool.summary}\n`,
    );
    return 0;
  }
  for (const [opt, tools] of Object.entries(TOOL_OPTIONS)) {
    if ((v as Record<string, unknown>)[opt] !== undefined && !tools.includes(tool.name))
      return fail(`${tool.name}: unknown option --${opt}`);
  }
  if (v.json && !tool.json) return fail(`${tool.name}: --json is for the one-shot tools`);
  let limit: number | null = null;
  if (v.limit !== undefined) {
    if (!/^\d+$/.test(v.limit)) return fail(`${tool.name}: --limit wants a count, got ${JSON.stringify(v.limit)}`);
    limit = Number(v.limit);
  }
  const roots: PsutilOptions = {};
  if (v.procfs !== undefined) roots.procfs = v.procfs;
  if (v.sysfs !== undefined) roots.sysfs = v.sysfs;
  if (v.rootfs !== undefined) roots.rootfs = v.rootfs;
  const columns = Number(io.env['COLUMNS']);
  const lines = Number(io.env['LINES']);
  try {
    const env: ToolEnv = {
      ps: createPsutil(roots),
      toolName: tool.name,
      args,
      flags: {
        json: v.json === true,
        verbose: v.verbose === true,
        once: v.once === true,
        limit,
        signal: v.signal ?? null,
      },
      // The one place a tool's text leaves: an escaped byte of a path or name (a lone surrogate) is written as U+FFFD.
      out: (line) => io.stdout(wellFormed(line) + '\n'),
      err: (line) => io.stderr(wellFormed(line) + '\n'),
      width: Number.isInteger(columns) && columns > 0 ? columns : io.columns,
      rows: Number.isInteger(lines) && lines > 0 ? lines : (io.rows ?? 24),
      isTTY: io.isTTY,
      now: () => Date.now() / 1000,
      selfPid: io.pid,
      sleep: (ms) => io.sleep(ms),
    };
    return await tool.run(env);
  } catch (e) {
    if (e instanceof ToolError || e instanceof PsutilError) return fail(`${tool.name}: ${e.message}`);
    // Anything else is a bug here or in the library; still one line, with the error's class to search for.
    return fail(`${tool.name}: ${e instanceof Error ? `${e.name}: ${e.message}` : messageOf(e)}`);
  }
}
