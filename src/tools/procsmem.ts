/**
 * psutil's scripts/procsmem.py (like smem): USS, PSS, swap and RSS per process, smallest USS first.
 * Fixed: the largest --limit (86) processes are kept; psutil 5.9 sorts ascending and keeps the first 86, so on a
 * busy host the biggest users of memory are the ones it drops.
 */
import { AccessDenied, NoSuchProcess, PsutilError, ZombieProcess, type ProcessMemoryFullInfo } from '../index';
import { fixed, ljust, rjust } from './format';
import { attempt, printJson, type Tool } from './tool';

/** The script's own convert_bytes: like bytes2human, but a bare integer below 1 KiB ('0B', '512B'). */
export function convertBytes(n: number): string {
  const symbols = ['K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
  for (let i = symbols.length - 1; i >= 0; i--) {
    const prefix = 2 ** (10 * (i + 1));
    if (n >= prefix) return fixed(n / prefix, 1) + (symbols[i] as string);
  }
  return `${n}B`;
}

const line = (c: readonly string[]): string =>
  `${ljust(c[0] as string, 7)} ${ljust(c[1] as string, 7)} ${c
    .slice(2)
    .map((x) => rjust(x, 7))
    .join(' ')}`;

interface Row {
  pid: number;
  username: string | null;
  cmdline: readonly string[] | null;
  mem: ProcessMemoryFullInfo;
}

export const procsmem: Tool = {
  name: 'procsmem',
  synopsis: '[--limit N]',
  summary: 'USS, PSS, swap and RSS per process, like smem',
  json: true,
  run(env) {
    let denied = 0;
    let unreadable = 0;
    const rows: Row[] = [];
    for (const p of env.ps.processIter()) {
      try {
        const r = p.oneshot(() => ({
          mem: p.memoryFullInfo(),
          // Blank cells rather than a lost row when only these cannot be read.
          username: attempt(() => p.username()),
          cmdline: attempt(() => p.cmdline()),
        }));
        if (!r.mem.uss) continue;
        rows.push({ pid: p.pid, ...r });
      } catch (e) {
        if (e instanceof AccessDenied) denied++;
        else if (e instanceof NoSuchProcess && !(e instanceof ZombieProcess)) continue;
        else if (e instanceof PsutilError) unreadable++;
        else throw e;
      }
    }
    rows.sort((a, b) => a.mem.uss - b.mem.uss);
    const limit = env.flags.limit ?? 86;
    const shown = limit === 0 ? [] : rows.slice(-limit);
    if (env.flags.json) {
      printJson(
        env,
        shown.map((r) => ({
          pid: r.pid,
          username: r.username,
          cmdline: r.cmdline,
          uss: r.mem.uss,
          pss: r.mem.pss,
          swap: r.mem.swap,
          rss: r.mem.rss,
        })),
      );
    } else {
      env.out(line(['PID', 'User', 'USS', 'PSS', 'Swap', 'RSS', 'Cmdline']));
      env.out('='.repeat(78));
      for (const r of shown) {
        const cmd = r.cmdline && r.cmdline.length > 0 ? [...r.cmdline.join(' ')].slice(0, 50).join('') : '';
        env.out(
          line([
            String(r.pid),
            r.username ? [...r.username].slice(0, 7).join('') : '',
            convertBytes(r.mem.uss),
            convertBytes(r.mem.pss),
            convertBytes(r.mem.swap),
            convertBytes(r.mem.rss),
            cmd,
          ]),
        );
      }
    }
    if (denied > 0) env.err(`warning: access denied for ${denied} pids`);
    // Zombies and kernels or trees without smaps: psutil's script stops with a traceback at the first.
    if (unreadable > 0) env.err(`warning: memory not readable for ${unreadable} pids`);
    return 0;
  },
};
