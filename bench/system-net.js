#!/usr/bin/env node
// System network functions: our median per-call time vs psutil's (one /usr/bin/python3 timeit run).
// Usage: npm run bench -- system-net   (or: npm run build && node bench/system-net.js)
'use strict';
const { loadDist, median, runIfMain, table, timeOurs, timePsutil } = require('./_lib');

const lib = loadDist();
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

async function run() {
  const timing = { batchMs: BATCH_MS, batches: BATCHES, warmup: 3 };
  const stmts = CASES.map((c) => c[2]).filter((st) => st !== null);
  const theirs = new Map(timePsutil(stmts, timing).map((t, k) => [stmts[k], t === null ? undefined : median(t)]));
  const rows = [['function', 'ours µs', 'psutil µs', 'psutil/ours']];
  for (const [name, fn, stmt] of CASES) {
    const ours = median(await timeOurs(fn, timing));
    const py = stmt === null ? undefined : theirs.get(stmt);
    rows.push([
      name,
      ours.toFixed(1),
      py === undefined ? '-' : py.toFixed(1),
      py === undefined ? '-' : `${(py / ours).toFixed(2)}x`,
    ]);
  }
  process.stdout.write(table(rows).join('\n') + '\n');
}

module.exports = { run };
runIfMain(module, run);
