/** psutil's scripts/meminfo.py: every virtual_memory() and swap_memory() field, bytes2human but percent. */
import { bytes2human, ljust, pyFloat, rjust } from './format';
import { printJson, type Tool, type ToolEnv } from './tool';

function pprint(env: ToolEnv, nt: Readonly<Record<string, number>>): void {
  for (const [name, value] of Object.entries(nt)) {
    const v = name === 'percent' ? pyFloat(value) : bytes2human(value);
    // str.capitalize(): first letter up, the rest down.
    const label = name.charAt(0).toUpperCase() + name.slice(1).toLowerCase();
    env.out(`${ljust(label, 10)} : ${rjust(v, 7)}`);
  }
}

export const meminfo: Tool = {
  name: 'meminfo',
  summary: 'virtual_memory() and swap_memory(), field by field',
  json: true,
  run(env) {
    const vm = env.ps.virtualMemory();
    const sw = env.ps.swapMemory();
    if (env.flags.json) {
      printJson(env, { memory: vm, swap: sw });
      return 0;
    }
    env.out('MEMORY');
    env.out('------');
    pprint(env, { ...vm });
    env.out('');
    env.out('SWAP');
    env.out('----');
    pprint(env, { ...sw });
    return 0;
  },
};
