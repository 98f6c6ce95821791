#!/usr/bin/env node
// System CPU, memory and host functions: our median per-call time vs psutil's (/usr/bin/python3, one process running
// timeit over the same calls). Needs `npm run build` first (reads ../dist/index.js). Prints a table; run() also
// returns the rows for bench/run.js. Budget: ~20 s in all.
'use strict';
const { fmt, loadDist, median, runIfMain, table, timeOurs, timePsutil } = require('./_lib');

// Each entry: label, our call, the psutil expression (null: psutil has no such function).
const CASES = [
  ['cpuTimes()', (p) => p.cpuTimes(), 'psutil.cpu_times()'],
  ['cpuTimes({percpu})', (p) => p.cpuTimes({ percpu: true }), 'psutil.cpu_times(percpu=True)'],
  ['cpuPercent()', (p) => p.cpuPercent(), 'psutil.cpu_percent()'],
  ['cpuPercent({percpu})', (p) => p.cpuPercent({ percpu: true }), 'psutil.cpu_percent(percpu=True)'],
  ['cpuTimesPercent()', (p) => p.cpuTimesPercent(), 'psutil.cpu_times_percent()'],
  ['cpuCount()', (p) => p.cpuCount(), 'psutil.cpu_count()'],
  ['cpuCount({logical:false})', (p) => p.cpuCount({ logical: false }), 'psutil.cpu_count(logical=False)'],
  ['cpuStats()', (p) => p.cpuStats(), 'psutil.cpu_stats()'],
  ['cpuFreq()', (p) => p.cpuFreq(), 'psutil.cpu_freq()'],
  ['getloadavg()', (p) => p.getloadavg(), 'psutil.getloadavg()'],
  ['virtualMemory()', (p) => p.virtualMemory(), 'psutil.virtual_memory()'],
  ['swapMemory()', (p) => p.swapMemory(), 'psutil.swap_memory()'],
  ['bootTime()', (p) => p.bootTime(), 'psutil.boot_time()'],
  ['users()', (p) => p.users(), 'psutil.users()'],
  ['pids()', (p) => p.pids(), 'psutil.pids()'],
  ['procStat()', (p) => p.procStat(), null],
  ['procMeminfo()', (p) => p.procMeminfo(), null],
  ['procVmstat()', (p) => p.procVmstat(), null],
  ['cpuInfo()', (p) => p.cpuInfo(), null],
];

const BATCH_MS = 8; // one timed batch
const BATCHES = 11; // per pass; the median is over all passes
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
  process.stdout.write(out.join('\n') + '\n');
  return rows;
}

module.exports = { run };
runIfMain(module, run);
