/**
 * psutil's scripts/ps.py, which psutil.test() also prints (5.9): `ps aux` with human sizes and a STATUS word.
 * Fixed: TIME is the process's own user+system time as [H:]MM:SS (psutil formats the sum of all five cpu_times
 * fields, children's included, as a local wall-clock time, so it wraps hourly and moves with the time zone).
 */
import type { ProcessCpuTimes } from '../index';
import { bytes2human, cut, ljust, pyFloat, pyRound, rjust, strftime } from './format';
import { attempt, printJson, type Tool, type ToolEnv } from './tool';

const line = (c: readonly string[]): string =>
  `${ljust(c[0] as string, 10)} ${rjust(c[1] as string, 5)} ${rjust(c[2] as string, 5)} ${rjust(c[3] as string, 7)} ` +
  `${rjust(c[4] as string, 7)} ${rjust(c[5] as string, 5)} ${rjust(c[6] as string, 6)} ${rjust(c[7] as string, 6)} ` +
  `${rjust(c[8] as string, 6)}  ${c[9] as string}`;

/** The process's own CPU time (user + system) as MM:SS, or H:MM:SS from an hour. */
export function cpuTime(t: ProcessCpuTimes): string {
  const s = Math.trunc(t.user + t.system);
  const h = Math.trunc(s / 3600);
  const mmss = `${String(Math.trunc((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

function sameLocalDay(a: number, b: number): boolean {
  const x = new Date(a * 1000);
  const y = new Date(b * 1000);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
}

function run(env: ToolEnv): number {
  const rows = [];
  for (const p of env.ps.processIter()) {
    // Attribute by attribute, so one unreadable file blanks one cell (processIter's attrs would stop on it).
    const i = p.oneshot(() => ({
      pid: p.pid,
      memoryPercent: attempt(() => p.memoryPercent()),
      name: attempt(() => p.name()),
      cmdline: attempt(() => p.cmdline()),
      cpuTimes: attempt(() => p.cpuTimes()),
      createTime: attempt(() => p.createTime()),
      memoryInfo: attempt(() => p.memoryInfo()),
      status: attempt(() => p.status()),
      nice: attempt(() => p.nice()),
      username: attempt(() => p.username()),
    }));
    // The real uid when the name cannot be told, as psutil does on POSIX.
    const user = i.username ?? String(attempt(() => p.uids().real) ?? '');
    rows.push({ ...i, user });
  }
  if (env.flags.json) {
    printJson(
      env,
      rows.map(({ user, ...r }) => ({ ...r, username: r.username ?? (user || null) })),
    );
    return 0;
  }
  env.out(cut(line(['USER', 'PID', '%MEM', 'VSZ', 'RSS', 'NICE', 'STATUS', 'START', 'TIME', 'CMDLINE']), env.width));
  const now = env.now();
  for (const r of rows) {
    const start = r.createTime ? strftime(sameLocalDay(r.createTime, now) ? '%H:%M' : '%b%d', r.createTime) : '';
    const cmdline = r.cmdline && r.cmdline.length > 0 ? r.cmdline.join(' ') : (r.name ?? '');
    env.out(
      cut(
        line([
          [...r.user].slice(0, 9).join(''),
          String(r.pid),
          r.memoryPercent === null ? '' : pyFloat(pyRound(r.memoryPercent, 1)),
          r.memoryInfo ? bytes2human(r.memoryInfo.vms) : '',
          r.memoryInfo ? bytes2human(r.memoryInfo.rss) : '',
          r.nice ? String(Math.trunc(r.nice)) : '',
          r.status ? r.status.slice(0, 5) : '',
          start,
          r.cpuTimes ? cpuTime(r.cpuTimes) : '',
          cmdline,
        ]),
        env.width,
      ),
    );
  }
  return 0;
}

export const ps: Tool = { name: 'ps', summary: 'every process, like ps aux', json: true, run };
export const test: Tool = { name: 'test', summary: "psutil.test()'s table (the same as ps)", json: true, run };
