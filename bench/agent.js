#!/usr/bin/env node
// The agent side by side with node_exporter (Debian's prometheus-node-exporter, its defaults), both on loopback in
// one run: scrape latency served from a fresh snapshot, a full collection, CPU per fresh scrape, RSS, and the
// /metrics latency distribution while 100 scrapes per second arrive. Uses the built agent (dist/cli.js).
// Run: npm run bench -- agent   (or node bench/agent.js)
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { agentNodeFlags, freePort } = require('./_lib');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Fresh scrapes whose CPU is measured (BENCH_AGENT_FRESH). */
const FRESH = Number(process.env.BENCH_AGENT_FRESH || 40);
const LOAD_S = Number(process.env.BENCH_AGENT_LOAD_S ?? 10);

const GOALS = { scrapeMs: 10, collectionMs: 20, rssMb: 80, p99Ms: 25 };

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** GET url; resolves with { ms, status, bytes, body }. */
function get(url, agent = keepAlive) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.get(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, status: res.statusCode, bytes: body.length, body });
      });
      res.on('error', reject);
    });
    req.setTimeout(10000, () => req.destroy(new Error(`timeout ${url}`)));
    req.on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitReady(url, ms = 60000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await get(url, false)).status === 200) return;
    } catch (e) {
      void e; // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`not ready: ${url}`);
}

/** utime+stime of a process and all its threads, in seconds. */
function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
}

function rssMb(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s) || [])[1] || 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

function pct(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return pct(s, 50);
}

function sumFamily(text, name) {
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(name + '{')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

function countSeries(text) {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).length;
}

/**
 * Cold scrapes (each starts a collection: spaced past the agent's max_age) and warm ones (right after, served from
 * the fresh snapshot). node_exporter collects on every scrape: its cold and warm are the same thing.
 */
async function scrapes(url, n, spacingMs) {
  const cold = [];
  const warm = [];
  let collectSum = 0;
  let text = '';
  for (let i = 0; i < n; i++) {
    await sleep(spacingMs);
    const c = await get(url);
    cold.push(c.ms);
    text = c.body.toString();
    // The agent's pass wall time; node_exporter runs its collectors in parallel, so its sum overstates a little.
    const pass = /^psutil_exporter_collection_duration_seconds (\S+)$/m.exec(text);
    collectSum += pass ? Number(pass[1]) : sumFamily(text, 'node_scrape_collector_duration_seconds');
    warm.push((await get(url)).ms);
  }
  return { cold, warm, collectMs: (collectSum / n) * 1000, series: countSeries(text), bytes: Buffer.byteLength(text) };
}

/** Open-loop load: one request every 1000/rate ms for `seconds`, latencies of all of them. */
async function load(url, rate, seconds) {
  const lat = [];
  let errors = 0;
  const inflight = [];
  const interval = 1000 / rate;
  const start = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inflight.push(
      get(url).then(
        (r) => (r.status === 200 ? lat.push(r.ms) : errors++),
        () => errors++,
      ),
    );
  }
  await Promise.all(inflight);
  lat.sort((a, b) => a - b);
  return { n: lat.length, errors, p50: pct(lat, 50), p99: pct(lat, 99), max: lat[lat.length - 1] };
}

function fmt(v, d = 1) {
  return Number.isFinite(v) ? v.toFixed(d) : '-';
}

async function run() {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: npm run build');
  const hasNodeExporter =
    spawnSync('sh', ['-c', 'command -v prometheus-node-exporter'], { encoding: 'utf8' }).status === 0;
  const ourPort = await freePort();
  const nePort = await freePort();
  let jitPort = await freePort();
  // freePort hands back a port it just closed: three distinct ones before anything listens.
  while (jitPort === ourPort || jitPort === nePort) jitPort = await freePort();
  const procs = [];
  const ours = spawn(
    process.execPath,
    [
      ...agentNodeFlags(),
      CLI,
      `--config.file=${path.join(ROOT, 'config', 'default.yaml')}`,
      `--web.listen-address=127.0.0.1:${ourPort}`,
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  procs.push(ours);
  // The same config with V8's optimizing compilers kept (runtime.jit: true, what a config with process_names gets):
  // the memory/CPU trade-off of runtime.jit, side by side.
  const jitConfig = path.join(os.tmpdir(), `psx-bench-jit-${process.pid}.yaml`);
  fs.writeFileSync(
    jitConfig,
    fs.readFileSync(path.join(ROOT, 'config', 'default.yaml'), 'utf8').replace(/^( *jit:) *auto\b/m, '$1 true'),
  );
  // BENCH_AGENT_JIT=0 leaves that row out (a shorter run, one process less on the host).
  const withJit = process.env.BENCH_AGENT_JIT !== '0';
  const jit = withJit
    ? spawn(
        process.execPath,
        [
          ...agentNodeFlags(),
          CLI,
          `--config.file=${jitConfig}`,
          `--web.listen-address=127.0.0.1:${jitPort}`,
          '--log.level=warn',
        ],
        { stdio: 'ignore' },
      )
    : null;
  if (jit) procs.push(jit);
  let ne = null;
  if (hasNodeExporter) {
    ne = spawn('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nePort}`], { stdio: 'ignore' });
    procs.push(ne);
  }
  const rows = [];
  try {
    const targets = [
      {
        name: 'psutil-exporter',
        proc: ours,
        url: `http://127.0.0.1:${ourPort}/metrics`,
        ready: `http://127.0.0.1:${ourPort}/readyz`,
      },
    ];
    if (jit)
      targets.push({
        name: 'psutil-exporter jit:true',
        proc: jit,
        url: `http://127.0.0.1:${jitPort}/metrics`,
        ready: `http://127.0.0.1:${jitPort}/readyz`,
      });
    if (ne)
      targets.push({
        name: 'node_exporter',
        proc: ne,
        url: `http://127.0.0.1:${nePort}/metrics`,
        ready: `http://127.0.0.1:${nePort}/metrics`,
      });
    for (const t of targets) await waitReady(t.ready);
    // Warm-up: JIT, caches, the worker's first pass.
    for (const t of targets) for (let i = 0; i < 10; i++) await get(t.url);
    for (const t of targets) {
      // CPU per fresh scrape, as a Prometheus scraper past max_age sees it: fresh scrapes only (node_exporter collects
      // on every scrape; a warm scrape of the agent would cost it a collection and the agent almost nothing). The
      // whole process, every thread (/proc utime+stime), idle time between the scrapes included.
      const cpu0 = cpuSeconds(t.proc.pid);
      for (let i = 0; i < FRESH; i++) {
        await sleep(600);
        await get(t.url);
      }
      const cpuPerCollectionMs = ((cpuSeconds(t.proc.pid) - cpu0) / FRESH) * 1000;
      const s = await scrapes(t.url, 30, 600);
      // BENCH_AGENT_LOAD_S=0 skips the open-loop phase (a shorter run when only the CPU per fresh scrape is wanted).
      const l = LOAD_S > 0 ? await load(t.url, 100, LOAD_S) : { p50: NaN, p99: NaN, max: NaN, errors: 0, n: 0 };
      const mem = rssMb(t.proc.pid);
      rows.push({
        name: t.name,
        series: s.series,
        kib: s.bytes / 1024,
        cold: median(s.cold),
        warm: median(s.warm),
        collect: s.collectMs,
        cpu: cpuPerCollectionMs,
        rss: mem.rss,
        hwm: mem.hwm,
        p50: l.p50,
        p99: l.p99,
        max: l.max,
        errors: l.errors,
        n: l.n,
      });
    }
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    keepAlive.destroy();
    fs.rmSync(jitConfig, { force: true });
  }
  const head = [
    'exporter',
    'series',
    'KiB',
    'scrape cold ms',
    'scrape warm ms',
    'collect ms',
    'CPU ms/fresh',
    'RSS MB',
    'peak MB',
    'p50 ms',
    'p99 ms',
    'max ms',
    'errors',
  ];
  const lines = rows.map((r) => [
    r.name,
    String(r.series),
    fmt(r.kib, 0),
    fmt(r.cold),
    fmt(r.warm),
    fmt(r.collect),
    fmt(r.cpu),
    fmt(r.rss),
    fmt(r.hwm),
    fmt(r.p50),
    fmt(r.p99),
    fmt(r.max),
    `${r.errors}/${r.n}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(
    `host: ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(
        ' ',
      )}; CPU over ${FRESH} fresh scrapes 600 ms apart (every thread, idle between them included); 30 scrapes 600 ms apart (cold = starts a collection, warm = served from the fresh snapshot), then 100 scrapes/s for ${LOAD_S} s`,
  );
  console.log(row(head));
  for (const l of lines) console.log(row(l));
  const me = rows.find((r) => r.name === 'psutil-exporter');
  const them = rows.find((r) => r.name === 'node_exporter');
  if (me) {
    const verdict = (ok) => (ok ? 'met' : 'MISSED');
    console.log(
      `goals: warm scrape <= node_exporter's (${fmt(them ? them.cold : GOALS.scrapeMs)} ms): ${verdict(me.warm <= (them ? them.cold : GOALS.scrapeMs))}; ` +
        `collection < ${GOALS.collectionMs} ms: ${verdict(me.collect < GOALS.collectionMs)}; RSS < ${GOALS.rssMb} MB: ${verdict(me.rss < GOALS.rssMb)}; ` +
        `p99 at 100/s < ${GOALS.p99Ms} ms: ${verdict(me.p99 < GOALS.p99Ms)}`,
    );
  }
  if (!them) console.log('(prometheus-node-exporter not installed: no side-by-side row)');
}

module.exports = { run };
if (require.main === module)
  run().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
