#!/usr/bin/env node
// System disk and sensor functions: our median per-call time vs psutil's (/usr/bin/python3, one process running
// timeit over the same calls). Needs `npm run build` first (reads ../dist/index.js). Prints a table; run() also
// returns the rows for bench/run.js. Budget: ~20 s in all.
'use strict';
const { fmt, loadDist, median, runIfMain, table, timeOurs, timePsutil } = require('./_lib');

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
const BATCHES = 8; // per pass; the median is over all passes
// Interleaved passes per side; more (BENCH_PASSES=5) when the machine is loaded and one pass's median drifts.
const PASSES = Math.max(1, Number(process.env.BENCH_PASSES) || 2);

async function run() {
  const ps = loadDist().psutil;
  const timing = { batchMs: BATCH_MS, batches: BATCHES };
  const withPy = CASES.map((c, i) => [c[2], i]).filter(([e]) => e !== null);
  const ours = CASES.map(() => []);
  const theirs = CASES.map(() => []);
  // Interleaved passes per side (psutil, ours, psutil, ours, ...): a shared machine's load then weighs on both alike.
  for (let pass = 0; pass < PASSES; pass++) {
    const times = timePsutil(
      withPy.map(([e]) => e),
      timing,
    );
    withPy.forEach(([, i], k) => {
      if (times[k]) theirs[i].push(...times[k]);
    });
    for (const [i, [, fn]] of CASES.entries()) ours[i].push(...(await timeOurs(() => fn(ps), timing)));
  }
  const rows = CASES.map(([name], i) => {
    const o = median(ours[i]);
    const t = theirs[i].length ? median(theirs[i]) : null;
    return { function: name, oursUs: o, psutilUs: t, ratio: t ? o / t : null };
  });
  const out = table(
    [
      ['function', 'ours µs', 'psutil µs', 'ratio'],
      ...rows.map((r) => [r.function, fmt(r.oursUs), fmt(r.psutilUs), r.ratio === null ? '-' : r.ratio.toFixed(2)]),
    ],
    [8, 9, 9, 6],
  );
  out.push('ratio = ours / psutil (below 1: we are faster). Medians over batches of calls on this machine.');
  out.push(
    'diskUsageAsync includes a libuv thread-pool round trip; sensors on a machine without hwmon read almost nothing.',
  );
  process.stdout.write(out.join('\n') + '\n');
  return rows;
}

module.exports = { run };
runIfMain(module, run);
