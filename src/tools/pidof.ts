/**
 * psutil's scripts/pidof.py NAME: the pids whose name() or cmdline()[0] is NAME, ascending, on one line.
 * Changed: no match exits 1, as pidof(8) does (psutil's script exits 0), since shell scripts test it.
 */
import { attempt, printJson, ToolError, type Tool } from './tool';

export const pidof: Tool = {
  name: 'pidof',
  synopsis: 'NAME',
  summary: 'the pids of the processes with this name or argv[0]',
  json: true,
  run(env) {
    if (env.args.length !== 1) throw new ToolError('usage: psutil pidof NAME');
    const name = env.args[0] as string;
    const pids: number[] = [];
    for (const p of env.ps.processIter()) {
      if (attempt(() => p.name()) === name || attempt(() => p.cmdline())?.[0] === name) pids.push(p.pid);
    }
    if (env.flags.json) printJson(env, pids);
    else if (pids.length > 0) env.out(pids.join(' '));
    return pids.length > 0 ? 0 : 1;
  },
};
