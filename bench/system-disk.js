#!/usr/bin/env node
// System disk and sensor functions: our median per-call time vs psutil's (/usr/bin/python3, one process running
// timeit over the same calls). Needs `npm run build` first (reads ../dist/index.js). Prints a table; run() also
// returns the rows for bench/run.js. Budget: ~20 s in all.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PYTHON = '/usr/bin/python3';
// Each entry: label, our call (may return a Promise), the psutil expression (null: psutil has no such function).
const CASES = [
  ['diskPartitions()', (p) => p.diskPartitions(), 'psutil.disk_partitions()'],
  ['diskPartitions({all})', (p) => p.diskPartitions({ all: true }), 'psutil.disk_partitions(all=True)'],
  ['diskUsage("/")', (p) => p.diskUsage('/'), 'psutil.disk_usage("/")'],
  ['diskUsageAsync("/")', (p) => p.diskUsageAsync('/'), null],
  ['diskIoCounters()', (p) => p.diskIoCounters(), 'psutil.disk_io_counters()'],
  ['diskIoCounters({perdisk})', (p) => p.diskIoCounters({ perdisk: true }), 'psutil.disk_io_counters(perdisk=True)'],
  ['sensorsTemperatures()', (p) => p.sensorsTemperatures(), 'psutil.sensors_temperatures()'],
  ['sensorsFans()', (p) => p.sensorsFans(), 'psutil.sensors_fans()'],
  ['sensorsBattery()', (p) => p.sensorsBattery(), 'psutil.sensors_battery()'],
  ['diskstats()', (p) => p.diskstats(), null],
  ['mountinfo()', (p) => p.mountinfo(), null],
  ['hwmonChips()', (p) => p.hwmonChips(), null],
  ['thermalZones()', (p) => p.thermalZones(), null],
  ['powerSupplies()', (p) => p.powerSupplies(), null],
];

const BATCH_MS = 8; // one timed batch
const BATCHES = 15; // median over these

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median µs per call: calibrate a batch size to ~BATCH_MS, then time BATCHES batches. Awaits async calls one by one. */
async function timeOurs(fn) {
  const isAsync = fn() instanceof Promise;
  const batch = isAsync
    ? async (n) => { for (let i = 0; i < n; i++) await fn(); }
    : async (n) => { for (let i = 0; i < n; i++) fn(); };
  await batch(50); // warm-up (JIT, first reads, koffi binding)
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    await batch(n);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= BATCH_MS / 4 || n >= 1 << 20) {
      n = Math.max(1, Math.round((n * BATCH_MS) / Math.max(ms, 1e-3)));
      break;
    }
    n *= 4;
  }
  const per = [];
  for (let b = 0; b < BATCHES; b++) {
    const t0 = process.hrtime.bigint();
    await batch(n);
    per.push(Number(process.hrtime.bigint() - t0) / 1e3 / n);
  }
  return median(per);
}

/** psutil's median µs per call for each expression, from one python process. null where python/psutil is missing. */
function timePsutil(exprs) {
  if (!fs.existsSync(PYTHON)) return exprs.map(() => null);
  const script = `
import json, sys, timeit, warnings
warnings.simplefilter("ignore")
import psutil
exprs = json.loads(sys.argv[1])
out = []
for e in exprs:
    try:
        t = timeit.Timer(e, globals={"psutil": psutil})
        for _ in range(50): eval(e, {"psutil": psutil})
        n, _ = t.autorange()
        n = max(1, int(n * ${BATCH_MS} / 200))
        runs = t.repeat(repeat=${BATCHES}, number=n)
        runs.sort()
        out.append(runs[len(runs) // 2] / n * 1e6)
    except Exception:
        out.append(None)
print(json.dumps(out))
`;
  const r = spawnSync(PYTHON, ['-c', script, JSON.stringify(exprs)], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) {
    process.stderr.write(`psutil timing failed: ${r.stderr}\n`);
    return exprs.map(() => null);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function fmt(x) {
  if (x === null || x === undefined) return '-';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

async function run() {
  const lib = require(path.join(__dirname, '..', 'dist', 'index.js'));
  const ps = lib.psutil;
  const rows = [];
  for (const [name, fn] of CASES) rows.push({ function: name, oursUs: await timeOurs(() => fn(ps)), psutilUs: null, ratio: null });
  const withPy = CASES.map((c, i) => [c[2], i]).filter(([e]) => e !== null);
  const times = timePsutil(withPy.map(([e]) => e));
  withPy.forEach(([, i], k) => {
    const row = rows[i];
    row.psutilUs = times[k];
    row.ratio = times[k] ? row.oursUs / times[k] : null;
  });
  const w = Math.max(...rows.map((r) => r.function.length), 8);
  const out = [];
  out.push(`${'function'.padEnd(w)}  ${'ours µs'.padStart(9)}  ${'psutil µs'.padStart(9)}  ${'ratio'.padStart(6)}`);
  for (const r of rows) {
    out.push(`${r.function.padEnd(w)}  ${fmt(r.oursUs).padStart(9)}  ${fmt(r.psutilUs).padStart(9)}  ${(r.ratio === null ? '-' : r.ratio.toFixed(2)).padStart(6)}`);
  }
  out.push('ratio = ours / psutil (below 1: we are faster). Medians over batches of calls on this machine.');
  out.push('diskUsageAsync includes a libuv thread-pool round trip; sensors on a machine without hwmon read almost nothing.');
  process.stdout.write(out.join('\n') + '\n');
  return rows;
}

module.exports = { run };
if (require.main === module) {
  run().catch((err) => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  });
}
