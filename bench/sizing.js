#!/usr/bin/env node
// Sizing: what the built agent (dist/cli.js) costs as a whole process, read from /proc (utime+stime of every thread,
// VmRSS), while a Prometheus-like scraper asks for /metrics every SIZING_SPACING_MS (default 1000 ms, past the
// agent's 500 ms max_age: every scrape is a fresh collection). Three sections, each side by side in one run:
// - host: the default config against Debian's prometheus-node-exporter (its defaults): CPU per fresh scrape, scrape
//   latency, RSS.
// - groups: 2,000 extra sleeping processes in 200 groups, process-exporter's example config, the agent with only
//   process_groups (collection.disable_defaults) against Debian's prometheus-process-exporter (its defaults).
// - sizing: the default config plus a catch-all {{.Comm}} rule, at 100, 1,000 and 3,000 processes (sleeping children
//   under grpNNN names), in about 100 and 1,000 groups, with 10,000 textfile series, each with OTLP off and on (an
//   OTLP/HTTP receiver in this process that answers 200; otlp.interval = the scrape spacing): the README's table.
// Rounds are interleaved (every target of a row once per round, SIZING_REPEATS rounds) and medians reported: the
// machine may be shared. SIZING_ONLY=host,groups,sizing picks sections; SIZING_SCRAPES (12) scrapes per measure,
// after SIZING_WARMUP (30) fresh scrapes: an agent's first half minute is not what it costs for the rest of its life
// (V8's memory reducer runs two full collections 8-11 s after start, the heaps are still sizing themselves). The
// default config, per-second windows of the agent's CPU from start: 21.7 ms over 3-15 s, 18.0 over 29-49 s, 17.5 over
// 119-139 s and 17.0 over 199-219 s (runs before the night of 2026-12-07 measured after 3 warm-up scrapes).
// Run: npm run bench -- sizing   (or node bench/sizing.js). Needs npm run build. ~10 min for all three.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { agentNodeFlags, countProcs, freePort, median, procCpuMs, procRssMb, runIfMain } = require('./_lib');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const SCRAPES = Number(process.env.SIZING_SCRAPES || 12);
const WARMUP = Number(process.env.SIZING_WARMUP || 30);
const SPACING_MS = Number(process.env.SIZING_SPACING_MS || 1000);
const REPEATS = Number(process.env.SIZING_REPEATS || 3);
const ONLY = (process.env.SIZING_ONLY || 'host,groups,sizing').split(',');
/** Extra processes and groups of the groups section (the goal: 2,000 in 200). */
const G_EXTRA = Number(process.env.SIZING_GROUPS_EXTRA || 2000);
const G_GROUPS = 200;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function get(url) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.get(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          ms: Number(process.hrtime.bigint() - t0) / 1e6,
          status: res.statusCode,
          text: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(60000, () => req.destroy(new Error(`timeout ${url}`)));
    req.on('error', reject);
  });
}

/** Sleeping children named <dir>/grpNNN (NNN = i % names), so that rules can group them by name. */
class Children {
  constructor(names) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sizing-'));
    this.names = names;
    this.kids = [];
    this.links = [];
    for (let i = 0; i < names; i++) {
      const p = path.join(this.dir, `grp${String(i).padStart(3, '0')}`);
      fs.symlinkSync('/bin/sleep', p);
      this.links.push(p);
    }
  }
  /** Spawns children until the host has about `total` processes (at least `total` when it can). */
  async reach(total) {
    const want = total - countProcs();
    for (let i = 0; i < want; i++) {
      const n = this.kids.length;
      this.kids.push(spawn(this.links[n % this.names], ['3600'], { stdio: 'ignore' }));
    }
    const t0 = Date.now();
    while (countProcs() < total && Date.now() - t0 < 60000) await sleep(200);
    await sleep(500);
  }
  close() {
    for (const k of this.kids) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A process under measure: the agent (a config file) or an exporter's binary with its flags. */
class Target {
  constructor(label, cmd, args, url, ready) {
    Object.assign(this, { label, cmd, args, url, ready });
    this.cpu = [];
    this.rss = [];
    this.lat = [];
    this.text = '';
  }
  async start() {
    this.proc = spawn(this.cmd, this.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.stderr = '';
    this.proc.stderr.on('data', (d) => {
      if (this.stderr.length < 4000) this.stderr += d;
    });
    const t0 = Date.now();
    for (;;) {
      try {
        if ((await get(this.ready)).status === 200) break;
      } catch (e) {
        void e; // not listening yet
      }
      if (this.proc.exitCode !== null || Date.now() - t0 > 60000)
        throw new Error(`${this.label} did not start: ${this.stderr}`);
      await sleep(100);
    }
  }
  /** WARMUP fresh scrapes, then SCRAPES more: CPU per scrape, median latency, median RSS after each scrape. */
  async measure() {
    for (let i = 0; i < WARMUP; i++) {
      await sleep(SPACING_MS);
      await get(this.url);
    }
    const lat = [];
    const rss = [];
    const c0 = procCpuMs(this.proc.pid);
    const t0 = Date.now();
    for (let i = 0; i < SCRAPES; i++) {
      await sleep(SPACING_MS);
      const r = await get(this.url);
      if (r.status !== 200) throw new Error(`${this.label}: HTTP ${r.status}`);
      lat.push(r.ms);
      rss.push(procRssMb(this.proc.pid));
      this.text = r.text;
    }
    const c1 = procCpuMs(this.proc.pid);
    this.cpu.push((c1 - c0) / SCRAPES);
    this.lat.push(median(lat));
    this.rss.push(median(rss));
    this.wallS = (Date.now() - t0) / 1000;
  }
  stop() {
    if (this.proc && this.proc.exitCode === null) this.proc.kill('SIGTERM');
  }
  get series() {
    return this.text.split('\n').filter((l) => l && !l.startsWith('#')).length;
  }
  groups() {
    return this.text.split('\n').filter((l) => l.startsWith('namedprocess_namegroup_num_procs{')).length;
  }
  summary() {
    return { cpu: median(this.cpu), lat: median(this.lat), rss: median(this.rss) };
  }
}

class Workspace {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sizing-cfg-'));
    this.n = 0;
  }
  file(name, text) {
    const p = path.join(this.dir, name);
    fs.writeFileSync(p, text);
    return p;
  }
  async agent(label, yaml) {
    const port = await freePort();
    const cfg = this.file(`agent-${this.n++}.yaml`, yaml);
    return new Target(
      label,
      process.execPath,
      [...agentNodeFlags(), CLI, `--config.file=${cfg}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      `http://127.0.0.1:${port}/metrics`,
      `http://127.0.0.1:${port}/readyz`,
    );
  }
  close() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs every target once per round, REPEATS rounds; targets start together and stop at the end. */
async function measureAll(targets) {
  try {
    for (const t of targets) await t.start();
    for (let r = 0; r < REPEATS; r++) for (const t of targets) await t.measure();
  } finally {
    for (const t of targets) t.stop();
  }
}

/** Measures targets one after the other (each alone on the host), REPEATS interleaved rounds, restart per round. */
async function measureSeparately(targets) {
  for (let r = 0; r < REPEATS; r++)
    for (const t of targets) {
      try {
        await t.start();
        await t.measure();
      } finally {
        t.stop();
      }
      await sleep(300);
    }
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');

function machine() {
  const cpu = (os.cpus()[0] || { model: '?' }).model.trim();
  return (
    `${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${os.release()}, ` +
    `node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} at the end`
  );
}

const out = [];
function say(line = '') {
  out.push(line);
  process.stdout.write(line + '\n');
}

async function host(ws) {
  const ne = spawnSync('sh', ['-c', 'command -v prometheus-node-exporter']).status === 0;
  const targets = [await ws.agent('psutil-exporter (config/default.yaml)', defaultYaml())];
  if (ne) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/metrics`;
    targets.push(
      new Target(
        'node_exporter (defaults)',
        'prometheus-node-exporter',
        [`--web.listen-address=127.0.0.1:${port}`],
        url,
        url,
      ),
    );
  }
  await measureAll(targets);
  say(`### host collectors, default configs (${countProcs()} processes on the host)`);
  say('');
  say('| exporter | series | CPU ms per fresh scrape | scrape latency ms | RSS MB |');
  say('|---|---:|---:|---:|---:|');
  for (const t of targets) {
    const s = t.summary();
    say(`| ${t.label} | ${t.series} | ${f1(s.cpu)} | ${f1(s.lat)} | ${f1(s.rss)} |`);
  }
  if (targets.length > 1) {
    const [a, b] = targets.map((t) => t.summary());
    say('');
    say(`ratio agent/node_exporter: CPU ${f2(a.cpu / b.cpu)}, latency ${f2(a.lat / b.lat)}, RSS ${f2(a.rss / b.rss)}`);
  }
  say('');
}

// process-exporter's example config (bench/groups.js): a python3 rule with a capture, then the {{.Comm}} catch-all.
const PE_CONFIG = `process_names:
  - name: "{{.ExeBase}};{{.Username}};{{.Matches.script}}"
    exe: [ /usr/bin/python3 ]
    cmdline: [ '(?P<script>[^/ ]+\\.py)' ]
  - name: "{{.Comm}}"
    cmdline: [ '.+' ]
`;

async function groups(ws) {
  const kids = new Children(G_GROUPS);
  try {
    await kids.reach(countProcs() + G_EXTRA);
    const peCfg = ws.file('process-exporter.yml', PE_CONFIG);
    const pePort = await freePort();
    const peUrl = `http://127.0.0.1:${pePort}/metrics`;
    const targets = [
      await ws.agent(
        'psutil-exporter, process_groups only',
        `collection: {disable_defaults: true}\nlog: {level: warn}\n${PE_CONFIG}`,
      ),
      new Target(
        'process-exporter (defaults)',
        'prometheus-process-exporter',
        ['-config.path', peCfg, '-procfs', '/proc', '-web.listen-address', `127.0.0.1:${pePort}`],
        peUrl,
        peUrl,
      ),
    ];
    await measureAll(targets);
    const procs = countProcs();
    say(
      `### ${G_EXTRA} extra processes in ${G_GROUPS} groups (${procs} on the host), process-exporter's example config`,
    );
    say('');
    say('| exporter | groups | CPU ms per fresh scrape | scrape latency ms | RSS MB |');
    say('|---|---:|---:|---:|---:|');
    for (const t of targets) {
      const s = t.summary();
      say(`| ${t.label} | ${t.groups()} | ${f1(s.cpu)} | ${f1(s.lat)} | ${f1(s.rss)} |`);
    }
    const [a, b] = targets.map((t) => t.summary());
    say('');
    say(
      `ratio agent/process-exporter: CPU ${f2(a.cpu / b.cpu)} (goal 0.2), latency ${f2(a.lat / b.lat)} (goal 0.25), ` +
        `RSS ${f1(a.rss)} MB (goal 64)`,
    );
    say(
      `per round: agent CPU ${targets[0].cpu.map(f1).join(', ')}; process-exporter ${targets[1].cpu.map(f1).join(', ')}`,
    );
    say('');
  } finally {
    kids.close();
  }
}

function defaultYaml() {
  return fs.readFileSync(path.join(ROOT, 'config', 'default.yaml'), 'utf8');
}

/** `text` with `re` replaced; throws when `re` matches nothing (config/default.yaml changed under the bench). */
function edit(text, re, replacement) {
  if (!re.test(text)) throw new Error(`bench/sizing.js: config/default.yaml no longer has ${re}`);
  return text.replace(re, replacement);
}

/** The default config with a log level, process rules, OTLP and a textfile directory as asked. */
function sizingYaml({ rules, otlpPort, textDir }) {
  let y = edit(defaultYaml(), /^log:\n {2}level: info/m, 'log:\n  level: warn');
  if (rules) y = edit(y, /^process_names: \[\]$/m, rules);
  if (otlpPort) {
    // An unset otlp.timeout follows the interval (min(10s, interval)).
    y = edit(y, /^(otlp:\n {2}enabled:) false$/m, `$1 true\n  endpoint: "http://127.0.0.1:${otlpPort}/v1/metrics"`);
    y = edit(y, /^( {2}interval:) 60s$/m, `$1 ${SPACING_MS}ms`);
  }
  if (textDir) y = edit(y, /(textfile: \{enabled: true, directory:) ""/, `$1 "${textDir}"`);
  return y;
}

/** An OTLP/HTTP receiver that reads each export and answers 200 with an empty ExportMetricsServiceResponse. */
function otlpReceiver() {
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c) => (bytes += c.length));
    req.on('end', () => {
      server.exports++;
      server.bytes += bytes;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  server.exports = 0;
  server.bytes = 0;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function sizing(ws) {
  const receiver = await otlpReceiver();
  const otlpPort = receiver.address().port;
  const textDir = path.join(ws.dir, 'textfile');
  fs.mkdirSync(textDir);
  const lines = ['# HELP sizing_series A textfile series per label value.', '# TYPE sizing_series gauge'];
  for (let i = 0; i < 10000; i++) lines.push(`sizing_series{n="${i}"} ${i}`);
  fs.writeFileSync(path.join(textDir, 'sizing.prom'), lines.join('\n') + '\n');
  const kids = new Children(1000);
  const esc = kids.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Children grpNNN: '100 groups' folds them into g00..g99 by their first two digits; '1000 groups' keeps each name.
  const rules = (digits) =>
    `process_names:\n  - name: "g{{.Matches.g}}"\n    cmdline: ['^${esc}/grp(?P<g>\\d{${digits}})']\n` +
    `  - name: "{{.Comm}}"\n    cmdline: ['.+']`;
  const rows = [];
  const row = async (label, opts) => {
    const pair = [];
    for (const otlp of [false, true])
      pair.push(
        await ws.agent(`${label}${otlp ? ', OTLP on' : ''}`, sizingYaml({ ...opts, otlpPort: otlp && otlpPort })),
      );
    return pair;
  };
  try {
    const stages = [
      {
        procs: 100,
        rows: [
          ['host collectors only', {}],
          ['+ 10,000 textfile series', { textDir }],
        ],
      },
      { procs: 100, rows: [['+ groups', { rules: rules(2) }]] },
      { procs: 1000, rows: [['+ groups', { rules: rules(2) }]] },
      {
        procs: 3000,
        rows: [
          ['+ groups', { rules: rules(2) }],
          ['+ groups', { rules: rules(3) }],
        ],
      },
    ];
    for (const st of stages) {
      await kids.reach(st.procs);
      const targets = [];
      for (const [label, opts] of st.rows) targets.push(...(await row(label, opts)));
      await measureSeparately(targets);
      const procs = countProcs();
      for (let i = 0; i < targets.length; i += 2) rows.push({ procs, off: targets[i], on: targets[i + 1] });
      process.stdout.write(`(stage ${st.procs} processes done)\n`);
    }
  } finally {
    kids.close();
    receiver.close();
  }
  say('### sizing: the default config, plus what the row says');
  say('');
  say('| processes | what | groups | series | CPU ms/scrape | RSS MB | CPU ms/scrape, OTLP on | RSS MB, OTLP on |');
  say('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const a = r.off.summary();
    const b = r.on.summary();
    say(
      `| ${r.procs} | ${r.off.label} | ${r.off.groups()} | ${r.off.series} | ${f1(a.cpu)} | ${f1(a.rss)} | ${f1(b.cpu)} | ${f1(b.rss)} |`,
    );
  }
  // Slopes: per 10,000 series (textfile row against host only), per 100 groups (3,000 processes, ~1000 vs ~100 groups).
  const d = (x, y, k, side) => x[side].summary()[k] - y[side].summary()[k];
  const [hostRow, textRow] = rows;
  const [g100, g1000] = rows.slice(-2);
  const dg = (g1000.off.groups() - g100.off.groups()) / 100;
  say('');
  for (const side of ['off', 'on']) {
    say(
      `OTLP ${side}: per 10,000 series CPU +${f1(d(textRow, hostRow, 'cpu', side))} ms/scrape, RSS +${f1(d(textRow, hostRow, 'rss', side))} MB; ` +
        `per 100 groups CPU +${f1(d(g1000, g100, 'cpu', side) / dg)} ms/scrape, RSS +${f1(d(g1000, g100, 'rss', side) / dg)} MB`,
    );
  }
  say(`OTLP receiver: ${receiver.exports} exports, ${(receiver.bytes / 2 ** 20).toFixed(1)} MiB`);
  // The OTLP-on rows are only worth their label if the agents exported.
  if (receiver.exports === 0) throw new Error('bench/sizing.js: the OTLP-on agents exported nothing');
  say('');
}

async function run() {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: npm run build');
  const ws = new Workspace();
  try {
    say(
      `${SCRAPES} fresh scrapes ${SPACING_MS} ms apart per measure after ${WARMUP}, ${REPEATS} rounds, medians; ` +
        'CPU is utime+stime of the whole process (every thread), RSS is VmRSS after each scrape',
    );
    say('');
    if (ONLY.includes('host')) await host(ws);
    if (ONLY.includes('groups')) await groups(ws);
    if (ONLY.includes('sizing')) await sizing(ws);
    say(`machine: ${machine()}`);
    if (process.env.SIZING_OUT) fs.writeFileSync(process.env.SIZING_OUT, out.join('\n') + '\n');
  } finally {
    ws.close();
    agent.destroy();
  }
}

module.exports = { run, sizingYaml };
runIfMain(module, run);
