/**
 * psutil's scripts/top.py (5.9 layout): per-CPU bars, Mem and Swap bars, process counts by status, load average and
 * uptime, then the processes sorted by CPU% (highest first, ties in pid order). Live on a terminal, refreshed each
 * second; --once prints one frame measured over 0.1 s.
 * Fixed: TIME+ is the process's own user+system time as M:SS.hh with real centiseconds and all the minutes (psutil
 * sums the children's time in, takes the first two digits of the microseconds, so 0.05 s shows `.50`, and drops the
 * hours); the first frame is a measured sample (psutil shows 0.0 for every process); red is plain red on any
 * terminal (psutil's pair 10 is black on black with 8 colours).
 */
import type { Process, ProcessCpuTimes } from '../index';
import { bytes2human, fixed, ljust, pyFloat, pyRound, rjust, timedelta } from './format';
import { live, plain, type Line } from './screen';
import { attempt, ToolError, type Tool, type ToolEnv } from './tool';

const row = (c: readonly string[]): string =>
  `${ljust(c[0] as string, 6)} ${ljust(c[1] as string, 8)} ${rjust(c[2] as string, 4)} ${rjust(c[3] as string, 6)} ` +
  `${rjust(c[4] as string, 6)} ${rjust(c[5] as string, 5)} ${rjust(c[6] as string, 5)} ${rjust(c[7] as string, 9)}  ` +
  (c[8] as string);

export const TOP_HEADER = row(['PID', 'USER', 'NI', 'VIRT', 'RES', 'CPU%', 'MEM%', 'TIME+', 'NAME']);

/** TIME+: own user+system time as M:SS.hh, minutes not wrapped (procps top's TIME+). */
export function timePlus(t: ProcessCpuTimes): string {
  const cs = Math.trunc((t.user + t.system) * 100 + 1e-6);
  const s = Math.trunc(cs / 100);
  return `${Math.trunc(s / 60)}:${String(s % 60).padStart(2, '0')}.${String(cs % 100).padStart(2, '0')}`;
}

/** A 40-wide bar as psutil's get_dashes, coloured green to 30 %, yellow to 80 %, red above. */
function bar(label: string, percent: number, tail: string): Line {
  const n = Math.max(0, Math.min(40, Math.trunc((percent / 10) * 4)));
  const sgr = percent <= 30 ? '32' : percent <= 80 ? '33' : '31';
  return [` ${label}[`, { sgr, text: '|'.repeat(n) }, `${' '.repeat(40 - n)}] ${rjust(pyFloat(percent), 5)}%${tail}`];
}

interface Sample {
  pid: number;
  user: string;
  nice: number | null;
  vms: number;
  rss: number;
  cpu: number;
  mem: number | null;
  time: string;
  name: string;
  status: string | null;
}

function sample(p: Process): Sample {
  return p.oneshot(() => {
    const mi = attempt(() => p.memoryInfo());
    const ct = attempt(() => p.cpuTimes());
    const mem = attempt(() => p.memoryPercent());
    return {
      pid: p.pid,
      user: [...(attempt(() => p.username()) ?? '')].slice(0, 8).join(''),
      nice: attempt(() => p.nice()),
      vms: mi?.vms ?? 0,
      rss: mi?.rss ?? 0,
      cpu: attempt(() => p.cpuPercent()) ?? 0,
      mem: mem === null ? null : pyRound(mem, 1),
      time: ct ? timePlus(ct) : '',
      name: attempt(() => p.name()) ?? '',
      status: attempt(() => p.status()),
    };
  });
}

/** The first cpuPercent calls, so the first frame shows use over a measured interval. */
function prime(env: ToolEnv): void {
  env.ps.cpuPercent({ percpu: true });
  for (const p of env.ps.processIter()) attempt(() => p.cpuPercent());
}

export function frame(env: ToolEnv, width: number | null): Line[] {
  const lines: Line[] = [];
  const percs = env.ps.cpuPercent({ percpu: true });
  percs.forEach((x, i) => lines.push(bar(`CPU${ljust(String(i), 2)} `, x, '')));
  const vm = env.ps.virtualMemory();
  // Used as total - available, the figure `percent` is computed from (psutil 5.9's `used` is not).
  lines.push(
    bar('Mem   ', vm.percent, ` ${rjust(bytes2human(vm.total - vm.available), 6)} / ${bytes2human(vm.total)}`),
  );
  const sw = env.ps.swapMemory();
  lines.push(bar('Swap  ', sw.percent, ` ${rjust(bytes2human(sw.used), 6)} / ${bytes2human(sw.total)}`));
  const procs = [...env.ps.processIter()].map(sample);
  const counts = new Map<string, number>();
  for (const p of procs) if (p.status !== null) counts.set(p.status, (counts.get(p.status) ?? 0) + 1);
  const st = [...counts].map(([k, v]) => `${k}=${v}`);
  // psutil's sort puts running and sleeping first, first-seen order kept (a stable sort on a boolean).
  const first = (s: string): boolean => s.startsWith('run') || s.startsWith('sle');
  st.sort((a, b) => Number(first(b)) - Number(first(a)));
  lines.push(` Processes: ${procs.length} (${st.join(', ')})`);
  const [a1, a2, a3] = env.ps.getloadavg();
  const uptime = timedelta(env.now() - env.ps.bootTime());
  lines.push(` Load average: ${fixed(a1, 2)} ${fixed(a2, 2)} ${fixed(a3, 2)}  Uptime: ${uptime}`);
  lines.push('');
  // On a terminal the header is a reverse-video band across the screen, as in psutil.
  lines.push(width === null ? TOP_HEADER : [{ sgr: '1;7', text: ljust(TOP_HEADER, width) }]);
  procs.sort((x, y) => y.cpu - x.cpu);
  for (const p of procs)
    lines.push(
      row([
        String(p.pid),
        p.user,
        p.nice === null ? '' : String(p.nice),
        bytes2human(p.vms),
        bytes2human(p.rss),
        pyFloat(p.cpu),
        p.mem === null ? '' : pyFloat(p.mem),
        p.time,
        p.name,
      ]),
    );
  return lines;
}

export const top: Tool = {
  name: 'top',
  synopsis: '[--once]',
  summary: 'CPU, memory and the busiest processes (live; --once for one frame)',
  json: false,
  async run(env) {
    if (!env.flags.once && !env.isTTY)
      throw new ToolError('top is a live view and stdout is not a terminal (use --once)');
    prime(env);
    await env.sleep(100);
    if (env.flags.once) {
      for (const l of frame(env, null)) env.out(plain(l));
      return 0;
    }
    return live(env, 1000, (_rows, cols) => frame(env, cols));
  },
};
