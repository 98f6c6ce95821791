#!/usr/bin/env node
// System network functions: our median per-call time vs psutil's (one /usr/bin/python3 timeit run).
// Usage: npm run bench -- system-net   (or: npm run build && node bench/system-net.js)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const lib = require('../dist/index.js');

const PYTHON = '/usr/bin/python3';
const BATCH_MS = 100; // one timing batch
const BATCHES = 5; // median over these

// [name, our call, psutil statement or null when psutil has no equivalent]
const CASES = [
  ['net_io_counters()', () => lib.netIoCounters(), 'psutil.net_io_counters()'],
  ['net_io_counters(pernic=True)', () => lib.netIoCounters({ pernic: true }), 'psutil.net_io_counters(pernic=True)'],
  ['net_if_addrs()', () => lib.netIfAddrs(), 'psutil.net_if_addrs()'],
  ['net_if_stats()', () => lib.netIfStats(), 'psutil.net_if_stats()'],
  ["net_connections('inet')", () => lib.netConnections(), "psutil.net_connections('inet')"],
  ["net_connections('all')", () => lib.netConnections({ kind: 'all' }), "psutil.net_connections('all')"],
  ['netDev()', () => lib.netDev(), null],
  ['netClass()', () => lib.netClass(), null],
  ['sockStat()', () => lib.sockStat(), null],
  ['netstat()', () => lib.netstat(), null],
  ['tcpConnectionStates()', () => lib.tcpConnectionStates(), null],
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median per-call µs over BATCHES batches of ~BATCH_MS each, after a warm-up sized the batch. */
function timeOurs(fn) {
  for (let i = 0; i < 3; i++) fn();
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= BATCH_MS / 4 || n >= 1 << 20) {
      n = Math.max(1, Math.round((n * BATCH_MS) / Math.max(ms, 0.001)));
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
  return median(per);
}

/** One python run timing every psutil statement: { stmt: median µs per call }. */
function timePsutil(stmts) {
  if (!fs.existsSync(PYTHON)) return {};
  const code = `
import json, sys, timeit, psutil
out = {}
for stmt in json.loads(sys.argv[1]):
    t = timeit.Timer(stmt, globals={'psutil': psutil})
    for _ in range(3): eval(stmt)
    n, secs = t.autorange()
    n = max(1, int(n * ${BATCH_MS / 1000} / max(secs, 1e-9)))
    runs = sorted(t.repeat(${BATCHES}, n))
    out[stmt] = runs[len(runs) // 2] / n * 1e6
print(json.dumps(out))
`;
  const r = spawnSync(PYTHON, ['-c', code, JSON.stringify(stmts)], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) {
    process.stdout.write(`psutil timing failed: ${r.stderr || r.error}\n`);
    return {};
  }
  return JSON.parse(r.stdout);
}

async function run() {
  const theirs = timePsutil(CASES.map((c) => c[2]).filter((s) => s !== null));
  const rows = [['function', 'ours µs', 'psutil µs', 'psutil/ours']];
  for (const [name, fn, stmt] of CASES) {
    const ours = timeOurs(fn);
    const py = stmt === null ? undefined : theirs[stmt];
    rows.push([
      name,
      ours.toFixed(1),
      py === undefined ? '-' : py.toFixed(1),
      py === undefined ? '-' : `${(py / ours).toFixed(2)}x`,
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) {
    process.stdout.write(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + '\n');
  }
}

module.exports = { run };
if (require.main === module) run();
