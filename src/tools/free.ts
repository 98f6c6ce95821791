/** psutil's scripts/free.py (5.9): KiB, no `available` column; `used` is total - available (psutil 7.1+, procps). */
import { ljust, rjust } from './format';
import { printJson, type Tool } from './tool';

const row = (cells: readonly (string | number)[]): string =>
  ljust(String(cells[0]), 7) +
  cells
    .slice(1)
    .map((c) => ' ' + rjust(String(c), 10))
    .join('');

export const free: Tool = {
  name: 'free',
  summary: 'memory and swap in KiB, like free -w',
  json: true,
  run(env) {
    const vm = env.ps.virtualMemory();
    const sw = env.ps.swapMemory();
    if (env.flags.json) {
      printJson(env, { mem: vm, swap: sw });
      return 0;
    }
    // int(bytes / 1024): truncation, as the script.
    const k = (n: number): number => Math.trunc(n / 1024);
    env.out(row(['', 'total', 'used', 'free', 'shared', 'buffers', 'cache']));
    env.out(row(['Mem:', k(vm.total), k(vm.used), k(vm.free), k(vm.shared), k(vm.buffers), k(vm.cached)]));
    // Three empty R10 cells: the Swap row ends in trailing spaces, as in psutil.
    env.out(row(['Swap:', k(sw.total), k(sw.used), k(sw.free), '', '', '']));
    return 0;
  },
};
