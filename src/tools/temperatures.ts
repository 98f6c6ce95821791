/** psutil's scripts/temperatures.py: one block per chip. */
import { ljust, pyStr } from './format';
import { printJson, ToolError, type Tool } from './tool';

export const temperatures: Tool = {
  name: 'temperatures',
  summary: 'hardware temperatures per chip',
  json: true,
  run(env) {
    const temps = env.ps.sensorsTemperatures();
    if (env.flags.json) {
      printJson(env, temps);
      return 0;
    }
    if (Object.keys(temps).length === 0) throw new ToolError("can't read any temperature");
    for (const [name, entries] of Object.entries(temps)) {
      env.out(name);
      for (const e of entries) {
        env.out(
          `    ${ljust(e.label || name, 20)} ${pyStr(e.current)} °C (high = ${pyStr(e.high)} °C, critical = ${pyStr(e.critical)} °C)`,
        );
      }
      env.out('');
    }
    return 0;
  },
};
