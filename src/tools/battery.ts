/** psutil's scripts/battery.py: charge, time left and plug state. */
import { batteryLines } from './sensors_common';
import { printJson, ToolError, type Tool } from './tool';

export const battery: Tool = {
  name: 'battery',
  summary: 'battery charge, time left and plug state',
  json: true,
  run(env) {
    const b = env.ps.sensorsBattery();
    if (env.flags.json) {
      printJson(env, b);
      return 0;
    }
    if (!b) throw new ToolError('no battery is installed');
    for (const l of batteryLines(b, '')) env.out(l);
    return 0;
  },
};
