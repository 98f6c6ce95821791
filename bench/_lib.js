// Helpers shared by the benchmarks: batch timing of our calls, psutil's timing of the same calls in one
// /usr/bin/python3 process, medians, number formatting, aligned tables. bench/run.js skips this file (leading '_').
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const PYTHON = '/usr/bin/python3';

/** The built library (npm run build writes ../dist). */
function loadDist() {
  return require(path.join(__dirname, '..', 'dist', 'index.js'));
}

/**
 * The node flags the agent is launched with (`npm start`, the image: src/exporters/v8mode.ts's AGENT_NODE_FLAGS), for
 * the benches that run it as a whole process: it is measured as users run it. Read from the built agent.
 */
function agentNodeFlags() {
  return [...require(path.join(__dirname, '..', 'dist', 'exporters', 'v8mode.js')).AGENT_NODE_FLAGS];
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** utime+stime of a process and all its threads, in ms (from /proc/<pid>/stat). */
function procCpuMs(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(rest[11]) + Number(rest[12])) / CLK_TCK) * 1000;
}

/** A process's VmRSS in MB. */
function procRssMb(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number((/^VmRSS:\s+(\d+)/m.exec(s) || [])[1] || 0) / 1024;
}

/** The processes on the host (the entries of /proc named by a pid). */
function countProcs() {
  return fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x)).length;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Microseconds with 3 significant-ish digits; '-' for a missing value. */
function fmt(x) {
  if (x === null || x === undefined) return '-';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/**
 * µs per call of each of `batches` batches: warm up, calibrate a batch size to ~batchMs, then time the batches.
 * A call that returns a Promise is awaited one by one; a sync call runs in a plain loop (one await per batch).
 */
async function timeOurs(fn, { batchMs, batches, warmup = 50 }) {
  const isAsync = fn() instanceof Promise;
  const batch = isAsync
    ? async (n) => {
        for (let i = 0; i < n; i++) await fn();
      }
    : async (n) => {
        for (let i = 0; i < n; i++) fn();
      };
  await batch(warmup); // JIT, first reads, koffi binding
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    await batch(n);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= batchMs / 4 || n >= 1 << 20) {
      n = Math.max(1, Math.round((n * batchMs) / Math.max(ms, 1e-3)));
      break;
    }
    n *= 4;
  }
  const per = [];
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    await batch(n);
    per.push(Number(process.hrtime.bigint() - t0) / 1e3 / n);
  }
  return per;
}

/** Runs a python script; the JSON of its last stdout line, or null when python is missing or the script fails. */
function python(script, args = [], timeout = 300000) {
  if (!fs.existsSync(PYTHON)) return null;
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', timeout, maxBuffer: 16 << 20 });
  if (r.status !== 0) {
    process.stderr.write(`psutil timing failed: ${r.stderr || r.error}\n`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/**
 * psutil's µs per call of each batch, per expression (evaluated with `psutil` in scope), from one python process:
 * the same warm-up, batch length and batch count as timeOurs. null for an expression that raises; all null when
 * python or psutil is missing.
 */
function timePsutil(exprs, { batchMs, batches, warmup = 50 }) {
  const out = python(
    `
import json, sys, timeit, warnings
warnings.simplefilter("ignore")
import psutil
out = []
for e in json.loads(sys.argv[1]):
    try:
        g = {"psutil": psutil}
        t = timeit.Timer(e, globals=g)
        for _ in range(${warmup}): eval(e, g)
        one = t.timeit(number=20) / 20
        n = max(1, int(${batchMs} / 1000 / max(one, 1e-7)))
        out.append([r / n * 1e6 for r in t.repeat(repeat=${batches}, number=n)])
    except Exception:
        out.append(None)
print(json.dumps(out))
`,
    [JSON.stringify(exprs)],
    60000,
  );
  return out || exprs.map(() => null);
}

/**
 * Lines of an aligned table: `rows` of strings (the first is the header), the first column left-aligned, the others
 * right-aligned; each column at least as wide as its longest cell and `minWidths[i]`.
 */
function table(rows, minWidths = []) {
  const widths = rows[0].map((_, i) => Math.max(minWidths[i] || 0, ...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

/** A loopback TCP port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** `node bench/<name>.js`: runs the module's run(), reporting a failure on stderr and in the exit code. */
function runIfMain(mod, run) {
  if (require.main !== mod) return;
  run().catch((err) => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  });
}

module.exports = {
  countProcs,
  procCpuMs,
  procRssMb,
  PYTHON,
  agentNodeFlags,
  loadDist,
  median,
  fmt,
  timeOurs,
  python,
  timePsutil,
  table,
  freePort,
  runIfMain,
};
