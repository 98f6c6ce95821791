/**
 * psutil's scripts/cpu_distribution.py: per-CPU use and, under each CPU, the names of the processes last run on it
 * (highest pid first), cut to 5 characters. Live (a redraw each second, `q` or Ctrl-C to quit) on a terminal;
 * --once prints one frame.
 */
import { ljust, pyFloat } from './format';
import { live } from './screen';
import { attempt, printJson, ToolError, type Tool, type ToolEnv } from './tool';

const MAX_CPUS = 8;

async function frame(env: ToolEnv, interval: number | null, rows: number): Promise<string[]> {
  const count = env.ps.cpuCount() ?? 1;
  const shown = Math.min(count, MAX_CPUS);
  const percents =
    interval === null ? env.ps.cpuPercent({ percpu: true }) : await env.ps.cpuPercent({ percpu: true, interval });
  const procs = new Map<number, string[]>();
  for (const p of env.ps.processIter()) {
    const cpu = attempt(() => p.cpuNum());
    if (cpu === null) continue;
    const list = procs.get(cpu) ?? [];
    list.push([...(attempt(() => p.name()) ?? '')].slice(0, 5).join(''));
    procs.set(cpu, list);
  }
  const lines: string[] = [];
  let head = '';
  for (let i = 0; i < shown; i++) head += ljust(`CPU ${i}`, 10);
  lines.push(head + (count > MAX_CPUS ? ' (+ hidden)' : ''));
  lines.push(
    percents
      .slice(0, shown)
      .map((x) => ljust(pyFloat(x), 10))
      .join(''),
  );
  // Rows down to the screen's bottom, as the script: from line 3 until the terminal's height.
  for (let row = 3; row < rows; row++) {
    let l = '';
    for (let c = 0; c < shown; c++) l += ljust(procs.get(c)?.pop() ?? '', 10);
    lines.push(l);
  }
  return lines;
}

export const cpuDistribution: Tool = {
  name: 'cpu_distribution',
  synopsis: '[--once]',
  summary: 'per-CPU use and the processes on each CPU (live; --once for one frame)',
  json: true,
  async run(env) {
    if (env.flags.json) {
      const percents = await env.ps.cpuPercent({ percpu: true, interval: 0.1 });
      const procs = [...env.ps.processIter()].map((p) => ({
        pid: p.pid,
        name: attempt(() => p.name()),
        cpuNum: attempt(() => p.cpuNum()),
      }));
      printJson(env, { cpuPercent: percents, processes: procs });
      return 0;
    }
    if (env.flags.once) {
      // A short measured interval: psutil's first frame shows use since import, ours a real sample.
      for (const l of await frame(env, 0.1, env.rows)) env.out(l);
      return 0;
    }
    if (!env.isTTY) throw new ToolError('cpu_distribution is a live view and stdout is not a terminal (use --once)');
    env.ps.cpuPercent({ percpu: true });
    await env.sleep(100);
    // The screen's rows as it is now (a resize applies at the next frame).
    return live(env, 1000, (rows) => frame(env, null, rows));
  },
};
