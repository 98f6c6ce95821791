#!/usr/bin/env node
// System CPU, memory and host functions: our median per-call time vs psutil's (/usr/bin/python3, one process running
// timeit over the same calls). Needs `npm run build` first (reads ../dist/index.js). Prints a table; run() also
// returns the rows for bench/run.js. Budget: ~20 s in all.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PYTHON = '/usr/bin/python3';
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
  ['procStat()', (p) => p.procStat(), null],
  ['procMeminfo()', (p) => p.procMeminfo(), null],
  ['procVmstat()', (p) => p.procVmstat(), null],
  ['cpuInfo()', (p) => p.cpuInfo(), null],
];

const BATCH_MS = 8; // one timed batch
const BATCHES = 11; // per pass; the median is over both passes

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** µs per call of each of BATCHES batches: calibrate a batch size to ~BATCH_MS first. */
function timeOurs(fn) {
  for (let i = 0; i < 50; i++) fn(); // warm-up (JIT, first reads)
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
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
    for (let i = 0; i < n; i++) fn();
    per.push(Number(process.hrtime.bigint() - t0) / 1e3 / n);
  }
  return per;
}

/** psutil's µs per call of each batch, per expression, from one python process. null where python/psutil is missing. */
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
        one = t.timeit(number=20) / 20
        n = max(1, int(${BATCH_MS} / 1000 / max(one, 1e-7)))
        out.append([r / n * 1e6 for r in t.repeat(repeat=${BATCHES}, number=n)])
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
  const withPy = CASES.map((c, i) => [c[2], i]).filter(([e]) => e !== null);
  const ours = CASES.map(() => []);
  const theirs = CASES.map(() => []);
  // Two interleaved passes per side (psutil, ours, psutil, ours): a shared machine's load then weighs on both alike.
  for (let pass = 0; pass < 2; pass++) {
    const times = timePsutil(withPy.map(([e]) => e));
    withPy.forEach(([, i], k) => {
      if (times[k]) theirs[i].push(...times[k]);
    });
    CASES.forEach(([, fn], i) => ours[i].push(...timeOurs(() => fn(ps))));
  }
  const rows = CASES.map(([name], i) => {
    const o = median(ours[i]);
    const t = theirs[i].length ? median(theirs[i]) : null;
    return { function: name, oursUs: o, psutilUs: t, ratio: t ? o / t : null };
  });
  const w = Math.max(...rows.map((r) => r.function.length), 8);
  const out = [];
  out.push(`${'function'.padEnd(w)}  ${'ours µs'.padStart(9)}  ${'psutil µs'.padStart(9)}  ${'ratio'.padStart(6)}`);
  for (const r of rows) {
    out.push(`${r.function.padEnd(w)}  ${fmt(r.oursUs).padStart(9)}  ${fmt(r.psutilUs).padStart(9)}  ${(r.ratio === null ? '-' : r.ratio.toFixed(2)).padStart(6)}`);
  }
  out.push('ratio = ours / psutil (below 1: we are faster). Medians over batches of calls on this machine.');
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
