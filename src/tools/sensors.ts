/** psutil's scripts/sensors.py: temperatures and fans per chip, then the battery. Fixed: chips in name order. */
import { ljust, pyStr } from './format';
import { batteryLines } from './sensors_common';
import { printJson, type Tool } from './tool';

export const sensors: Tool = {
  name: 'sensors',
  summary: 'temperatures, fans and battery, like sensors',
  json: true,
  run(env) {
    const temps = env.ps.sensorsTemperatures();
    const fans = env.ps.sensorsFans();
    const battery = env.ps.sensorsBattery();
    if (env.flags.json) {
      printJson(env, { temperatures: temps, fans, battery });
      return 0;
    }
    if (Object.keys(temps).length === 0 && Object.keys(fans).length === 0 && !battery) {
      env.out("can't read any temperature, fans or battery info");
      return 0;
    }
    // psutil walks a set, so its order changes from run to run; sorted here.
    const names = [...new Set([...Object.keys(temps), ...Object.keys(fans)])].sort();
    for (const name of names) {
      env.out(name);
      const t = temps[name];
      if (t) {
        env.out('    Temperatures:');
        for (const e of t)
          env.out(
            `        ${ljust(e.label || name, 20)} ${pyStr(e.current)}°C (high=${pyStr(e.high)}°C, critical=${pyStr(e.critical)}°C)`,
          );
      }
      const f = fans[name];
      if (f) {
        env.out('    Fans:');
        for (const e of f) env.out(`        ${ljust(e.label || name, 20)} ${e.current} RPM`);
      }
    }
    if (battery) {
      env.out('Battery:');
      for (const l of batteryLines(battery, '    ')) env.out(l);
    }
    return 0;
  },
};
