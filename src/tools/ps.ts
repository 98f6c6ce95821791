/**
 * psutil's scripts/ps.py, which psutil.test() also prints (5.9): `ps aux` with human sizes and a STATUS word. The table
 * is the library's test() (src/probes/pstable.ts), so `psutil ps`, `psutil test` and test() print the same lines.
 * Fixed: TIME is the process's own user+system time as [H:]MM:SS (psutil formats the sum of all five cpu_times
 * fields, children's included, as a local wall-clock time, so it wraps hourly and moves with the time zone).
 */
import { PsutilError } from '../index';
import { printJson, type Tool, type ToolEnv } from './tool';

function run(env: ToolEnv): number {
  if (env.flags.json) {
    // test()'s attributes, as psutil's test() asks process_iter for them; a cell it leaves blank is null here.
    const attrs = [
      'pid',
      'memoryPercent',
      'name',
      'cmdline',
      'cpuTimes',
      'createTime',
      'memoryInfo',
      'status',
      'nice',
      'username',
    ] as const;
    const rows = [];
    for (const p of env.ps.processIter({ attrs, adValue: null })) {
      let username = p.info.username;
      if (username === null || username === '') {
        // The real uid when the name cannot be told, as test() prints it on POSIX.
        try {
          username = String(p.uids().real);
        } catch (e) {
          if (!(e instanceof PsutilError)) throw e;
          username = null;
        }
      }
      rows.push({ ...p.info, username });
    }
    printJson(env, rows);
    return 0;
  }
  const table = env.ps.test({ print: false, width: env.width });
  for (const l of table.split('\n').slice(0, -1)) env.out(l);
  return 0;
}

export const ps: Tool = { name: 'ps', summary: 'every process, like ps aux', json: true, run };
export const test: Tool = { name: 'test', summary: "psutil.test()'s table (the same as ps)", json: true, run };
