/** psutil's scripts/pmap.py PID: every mapping's start address, RSS, mode and path, then the RSS total. */
import { bytes2human, cut, ljust, rjust } from './format';
import { pidArg, printJson, type Tool } from './tool';

const line = (a: string, rss: string, mode: string, mapping: string): string =>
  `${ljust(a, 20)} ${rjust(rss, 10)}  ${ljust(mode, 7)} ${mapping}`;

export const pmap: Tool = {
  name: 'pmap',
  synopsis: 'PID',
  summary: "a process's memory mappings and their RSS",
  json: true,
  run(env) {
    const pid = pidArg(env, 'psutil pmap PID') as number;
    const p = new env.ps.Process(pid);
    const maps = p.memoryMaps({ grouped: false });
    const name = p.name();
    if (env.flags.json) {
      printJson(env, { pid, name, maps });
      return 0;
    }
    env.out(cut(line('Address', 'RSS', 'Mode', 'Mapping'), env.width));
    let total = 0;
    for (const m of maps) {
      total += m.rss;
      const start = (m.addr.split('-')[0] ?? '').replace(/^0+(?=.)/, '').padStart(16, '0');
      env.out(cut(line(start, bytes2human(m.rss), m.perms, m.path), env.width));
    }
    env.out('-'.repeat(31));
    env.out(line('Total', bytes2human(total), '', ''));
    env.out(`PID = ${pid}, name = ${name}`);
    return 0;
  },
};
