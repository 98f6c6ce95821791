/** psutil's scripts/fans.py: fan speeds per chip. */
import { ljust } from './format';
import { printJson, type Tool } from './tool';

export const fans: Tool = {
  name: 'fans',
  summary: 'fan speeds per chip',
  json: true,
  run(env) {
    const all = env.ps.sensorsFans();
    if (env.flags.json) {
      printJson(env, all);
      return 0;
    }
    if (Object.keys(all).length === 0) {
      env.out('no fans detected');
      return 0;
    }
    for (const [name, entries] of Object.entries(all)) {
      env.out(name);
      for (const e of entries) env.out(`    ${ljust(e.label || name, 20)} ${e.current} RPM`);
      env.out('');
    }
    return 0;
  },
};
