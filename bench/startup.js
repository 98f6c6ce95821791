#!/usr/bin/env node
// What a fleet pays for the agent on each node, measured as the user pays it, beside node_exporter (Debian's
// prometheus-node-exporter, its defaults) in the same run, both on loopback:
//   - start-up: exec -> first 200 from /readyz (node_exporter has no /readyz: its /metrics), wall time, median of
//     BENCH_RUNS (10) starts; the variants start in turn, so that the machine's load falls on all of them alike; and
//     the CPU time (every thread) spent until then, which the machine's load stretches into that wall time;
//   - resident memory: whole-process VmRSS (/proc/<pid>/status: every thread, every isolate) after 10 fresh scrapes
//     (each past the agent's max_age, so each starts a collection, as Prometheus's scrapes do), median of
//     BENCH_INSTANCES (3) instances per variant running side by side; VmHWM is the peak; RssAnon (heaps, isolates,
//     malloc) apart from RssFile (the binary's and the libraries' pages, which a bare `node` already has most of);
//   - idle CPU: the on-CPU time of every thread (/proc/<pid>/task/*/schedstat, in ns: utime + stime count in ticks of
//     10 ms, as coarse as the 0.1% goal over a minute) over BENCH_IDLE_S (60) seconds without a scrape, after those
//     scrapes, as a share of one core; and the process's wake-ups (voluntary context switches of every thread) per
//     second, which is what an idle agent's timers cost.
// The agent runs with config/default.yaml (what `npm start` and the chart run) and with no config file (every
// default, from the schema). Uses the built agent (dist/cli.js); BENCH_BASE_CLI=<other builds' cli.js, comma-separated>
// adds each as a variant (default.yaml), for a change's before and after measured in one run.
// Run: npm run bench -- startup   (or node bench/startup.js)
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { agentNodeFlags, median, freePort, table, runIfMain } = require('./_lib');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const RUNS = Number(process.env.BENCH_RUNS) || 10;
const INSTANCES = Number(process.env.BENCH_INSTANCES) || 3;
const IDLE_S = Number(process.env.BENCH_IDLE_S) || 60;
const SCRAPES = 10;
/** Past the default max_age (500 ms): each scrape starts a collection. */
const SCRAPE_SPACING_MS = 1000;

const GOALS = { readyMs: 1000, rssMb: 48, idleCpuPct: 0.1 };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** GET url on a new connection; resolves with the status (the body read and dropped), rejects on a socket error. */
function status(url, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout ${url}`)));
    req.on('error', reject);
  });
}

/** utime + stime of the whole process (every thread), in seconds. */
function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
}

/** On-CPU seconds and voluntary context switches of every thread now (schedstat: ns, not ticks). */
function threadTimes(pid) {
  let cpu = 0;
  let wakes = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      cpu += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
      wakes += Number(
        /^voluntary_ctxt_switches:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))[1],
      );
    } catch (e) {
      void e; // a thread that ended meanwhile
    }
  }
  return { cpu, wakes };
}

function memory(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s) || [])[1] || 0);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024, hwm: kb('VmHWM') / 1024, threads: kb('Threads') };
}

/** The variants: how each starts on a port, and the URL that says it is ready. */
function variants(hasNodeExporter) {
  const v = [
    {
      name: 'psutil-exporter (default.yaml)',
      cmd: process.execPath,
      args: (port) => [
        ...agentNodeFlags(),
        CLI,
        `--config.file=${path.join(ROOT, 'config', 'default.yaml')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      ready: (port) => `http://127.0.0.1:${port}/readyz`,
      metrics: (port) => `http://127.0.0.1:${port}/metrics`,
    },
    {
      name: 'psutil-exporter (no file)',
      cmd: process.execPath,
      args: (port) => [...agentNodeFlags(), CLI, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      ready: (port) => `http://127.0.0.1:${port}/readyz`,
      metrics: (port) => `http://127.0.0.1:${port}/metrics`,
    },
  ];
  // Other builds (comma-separated cli.js paths), each named by the directory above its dist/.
  for (const base of (process.env.BENCH_BASE_CLI ?? '').split(',').filter((b) => b !== ''))
    v.push({
      name: `${path.basename(path.dirname(path.dirname(path.resolve(base))))} (default.yaml)`,
      cmd: process.execPath,
      args: (port) => [
        ...agentNodeFlags(),
        path.resolve(base),
        `--config.file=${path.join(ROOT, 'config', 'default.yaml')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      ready: (port) => `http://127.0.0.1:${port}/readyz`,
      metrics: (port) => `http://127.0.0.1:${port}/metrics`,
    });
  if (hasNodeExporter)
    v.push({
      name: 'node_exporter',
      cmd: 'prometheus-node-exporter',
      args: (port) => [`--web.listen-address=127.0.0.1:${port}`],
      ready: (port) => `http://127.0.0.1:${port}/metrics`,
      metrics: (port) => `http://127.0.0.1:${port}/metrics`,
    });
  return v;
}

const live = new Set();

async function start(v) {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawn(v.cmd, v.args(port), { stdio: 'ignore' });
  live.add(proc);
  let exited = false;
  proc.once('exit', () => {
    exited = true;
    live.delete(proc);
  });
  const url = v.ready(port);
  const end = Date.now() + 60000;
  for (;;) {
    if (exited) throw new Error(`${v.name} exited before it was ready`);
    if (Date.now() > end) throw new Error(`${v.name} not ready within 60 s`);
    try {
      if ((await status(url, 1000)) === 200) break;
    } catch (e) {
      void e; // not listening yet
    }
    await sleep(10);
  }
  // Its CPU time to get there: on a loaded machine the wall time is this stretched by the other jobs.
  return { proc, port, readyMs: performance.now() - t0, readyCpuMs: cpuSeconds(proc.pid) * 1000 };
}

function stop(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

function fmt(v, d = 1) {
  return Number.isFinite(v) ? v.toFixed(d) : '-';
}

async function run() {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: npm run build');
  const hasNodeExporter =
    spawnSync('sh', ['-c', 'command -v prometheus-node-exporter'], { encoding: 'utf8' }).status === 0;
  const vs = variants(hasNodeExporter);
  const rows = new Map(
    vs.map((v) => [v.name, { ready: [], readyCpu: [], rss: [], anon: [], hwm: [], threads: [], idle: [], wakes: [] }]),
  );
  const load0 = os.loadavg();
  try {
    // Start-up: one variant after the other, RUNS rounds.
    for (let r = 0; r < RUNS; r++) {
      for (const v of vs) {
        const s = await start(v);
        rows.get(v.name).ready.push(s.readyMs);
        rows.get(v.name).readyCpu.push(s.readyCpuMs);
        await stop(s.proc);
      }
    }
    // Memory and idle CPU: INSTANCES of each variant side by side, 10 fresh scrapes each, then an idle stretch.
    const running = [];
    for (let i = 0; i < INSTANCES; i++) for (const v of vs) running.push({ v, ...(await start(v)) });
    for (let n = 0; n < SCRAPES; n++) {
      await sleep(SCRAPE_SPACING_MS);
      await Promise.all(
        running.map(async (x) => {
          const code = await status(x.v.metrics(x.port), 30000);
          if (code !== 200) throw new Error(`${x.v.name}: /metrics answered ${code}`);
        }),
      );
    }
    // Let the last pass's garbage settle as it would between two scrapes.
    await sleep(SCRAPE_SPACING_MS);
    for (const x of running) {
      const m = memory(x.proc.pid);
      const row = rows.get(x.v.name);
      row.rss.push(m.rss);
      row.anon.push(m.anon);
      row.hwm.push(m.hwm);
      row.threads.push(m.threads);
      x.idle0 = threadTimes(x.proc.pid);
    }
    await sleep(IDLE_S * 1000);
    for (const x of running) {
      const t = threadTimes(x.proc.pid);
      rows.get(x.v.name).idle.push(((t.cpu - x.idle0.cpu) / IDLE_S) * 100);
      rows.get(x.v.name).wakes.push((t.wakes - x.idle0.wakes) / IDLE_S);
    }
    await Promise.all(running.map((x) => stop(x.proc)));
  } finally {
    await Promise.all([...live].map((p) => stop(p)));
  }
  const load1 = os.loadavg();
  console.log(
    `host: ${os.cpus().length} CPUs, load ${load0.map((x) => x.toFixed(2)).join(' ')} -> ${load1
      .map((x) => x.toFixed(2))
      .join(' ')}; start-up: median of ${RUNS} (min-max); RSS after ${SCRAPES} fresh scrapes ${SCRAPE_SPACING_MS} ms ` +
      `apart, median of ${INSTANCES} instances; idle CPU over ${IDLE_S} s without a scrape`,
  );
  const lines = [
    [
      'exporter',
      'exec->ready ms',
      'min-max',
      'CPU ms to ready',
      'RSS MB',
      'anon MB',
      'peak MB',
      'threads',
      'idle CPU %',
      'idle wakes/s',
    ],
  ];
  for (const [name, r] of rows) {
    lines.push([
      name,
      fmt(median(r.ready), 0),
      `${fmt(Math.min(...r.ready), 0)}-${fmt(Math.max(...r.ready), 0)}`,
      fmt(median(r.readyCpu), 0),
      fmt(median(r.rss)),
      fmt(median(r.anon)),
      fmt(median(r.hwm)),
      fmt(median(r.threads), 0),
      fmt(median(r.idle), 3),
      fmt(median(r.wakes), 1),
    ]);
  }
  for (const l of table(lines)) console.log(l);
  const me = rows.get(vs[0].name);
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  console.log(
    `goals (default.yaml): ready <= ${GOALS.readyMs} ms: ${verdict(median(me.ready) <= GOALS.readyMs)}; ` +
      `RSS <= ${GOALS.rssMb} MB: ${verdict(median(me.rss) <= GOALS.rssMb)}; ` +
      `idle CPU < ${GOALS.idleCpuPct}%: ${verdict(median(me.idle) < GOALS.idleCpuPct)}`,
  );
  if (!hasNodeExporter) console.log('(prometheus-node-exporter not installed: no side-by-side row)');
}

module.exports = { run };
runIfMain(module, run);
