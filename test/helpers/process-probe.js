'use strict';
// Run by process.live.test.ts as an unprivileged user: calls Process methods on a pid and prints, per method,
// 'ok' or the error class name. Usage: node process-probe.js PID METHOD[,METHOD...]
require('./ts-require');
const { Process } = require('../../src/probes/process');

const pid = Number(process.argv[2]);
const methods = process.argv[3].split(',');
const p = new Process(pid);
const out = {};
for (const m of methods) {
  try {
    if (m === 'rlimit') p.rlimit(7);
    else if (m === 'niceSet') p.nice(p.nice());
    else if (m === 'signal0') p.sendSignal(0);
    else if (m === 'memoryPercent') p.memoryPercent();
    else p[m]();
    out[m] = 'ok';
  } catch (err) {
    // The class name is the result: the test compares it with what psutil raises.
    out[m] = err && err.constructor ? err.constructor.name : String(err);
  }
}
process.stdout.write(JSON.stringify(out));
