#!/usr/bin/env node
// Process groups at scale: 2,000 extra idle processes in 200 groups (10 each, named grp000..grp199 through symlinks to
// sleep), process-exporter's example config (a python3 rule with a capture, then the {{.Comm}} catch-all), and in the
// same run Debian's prometheus-process-exporter scraped over HTTP against the agent's process_groups collector (one
// collection pass plus the rendering, as a scrape does). Rounds are interleaved so the machine's load weighs
// on both alike. Also: the pass time with gather_smaps, and with threads and gather_smaps (process-exporter's own
// defaults), and the series each side emits in that configuration. Needs `npm run build`. ~80 s.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { freePort, median, runIfMain } = require('./_lib');

const DIST = path.join(__dirname, '..', 'dist');
const EXTRA = Number(process.env.BENCH_GROUPS_EXTRA || 2000);
const GROUPS = 200;
const ROUNDS = 4;
const PER_ROUND = 3;
const PE = 'prometheus-process-exporter';

const CONFIG = `process_names:
  - name: "{{.ExeBase}};{{.Username}};{{.Matches.script}}"
    exe: [ /usr/bin/python3 ]
    cmdline: [ '(?P<script>[^/ ]+\\.py)' ]
  - name: "{{.Comm}}"
    cmdline: [ '.+' ]
`;

function get(url) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    http
      .get(url, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, text: Buffer.concat(chunks).toString() }),
        );
      })
      .on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tail(file) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(0, 8).join('\n');
  } catch (e) {
    return `(no log: ${e.code || e.message})`;
  }
}

/** namedprocess_namegroup_* series keys of an exposition (name and sorted labels). */
function seriesKeys(text) {
  const out = new Set();
  for (const line of text.split('\n')) {
    const m = /^(namedprocess_namegroup_\w+)(?:\{(.*)\})? /.exec(line);
    if (!m) continue;
    const labels = [...(m[2] || '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}=${l[2]}`).sort();
    out.add(`${m[1]}{${labels.join(',')}}`);
  }
  return out;
}

function familiesOf(keys) {
  const c = new Map();
  for (const k of keys) {
    const f = k.slice(0, k.indexOf('{'));
    c.set(f, (c.get(f) || 0) + 1);
  }
  return c;
}

async function run() {
  for (const f of [
    'config/load.js',
    'exporters/agent.js',
    'exporters/collectors/index.js',
    'exporters/snapshot.js',
    'exporters/prometheus.js',
    'index.js',
  ]) {
    if (!fs.existsSync(path.join(DIST, f))) throw new Error(`dist/${f} is missing: run npm run build first`);
  }
  const { parseConfig } = require(path.join(DIST, 'config', 'load.js'));
  const { activeCollectors } = require(path.join(DIST, 'exporters', 'agent.js'));
  const { COLLECTORS } = require(path.join(DIST, 'exporters', 'collectors', 'index.js'));
  const { InProcessRunner, SnapshotSource } = require(path.join(DIST, 'exporters', 'snapshot.js'));
  const { PrometheusAdapter } = require(path.join(DIST, 'exporters', 'prometheus.js'));
  const { createPsutil } = require(path.join(DIST, 'index.js'));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-groups-'));
  const kids = [];
  const cleanup = () => {
    for (const k of kids) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const links = [];
    for (let g = 0; g < GROUPS; g++) {
      const p = path.join(dir, `grp${String(g).padStart(3, '0')}`);
      fs.symlinkSync('/bin/sleep', p);
      links.push(p);
    }
    const before = fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x)).length;
    for (let i = 0; i < EXTRA; i++) kids.push(spawn(links[i % GROUPS], ['3600'], { stdio: 'ignore' }));
    const started = Date.now();
    while (
      fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x)).length < before + EXTRA &&
      Date.now() - started < 60000
    )
      await sleep(200);
    const total = fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x)).length;
    const configFile = path.join(dir, 'process-exporter.yml');
    fs.writeFileSync(configFile, CONFIG);

    // process-exporter: its defaults (threads and smaps on), and the lean flags its maintainer advises for big hosts.
    const peVariants = [
      { label: 'process-exporter (defaults)', args: [] },
      { label: 'process-exporter -threads=false -gather-smaps=false', args: ['-threads=false', '-gather-smaps=false'] },
    ];
    for (const v of peVariants) {
      v.port = await freePort();
      v.log = path.join(dir, `process-exporter-${peVariants.indexOf(v)}.log`);
      v.proc = spawn(
        PE,
        ['-config.path', configFile, '-procfs', '/proc', '-web.listen-address', `127.0.0.1:${v.port}`, ...v.args],
        {
          stdio: ['ignore', 'ignore', fs.openSync(v.log, 'w')],
        },
      );
      kids.push(v.proc);
      v.times = [];
    }
    // Ours: the agent's pipeline in this thread with only process_groups, defaults and with gather_smaps.
    const ourVariants = [
      { label: 'agent process_groups (defaults)', yaml: CONFIG },
      {
        label: 'agent process_groups gather_smaps: true',
        yaml: `${CONFIG}collectors:\n  process_groups: {gather_smaps: true}\n`,
      },
      {
        label: 'agent process_groups threads: true, gather_smaps: true',
        yaml: `${CONFIG}collectors:\n  process_groups: {threads: true, gather_smaps: true}\n`,
      },
    ];
    for (const v of ourVariants) {
      const cfg = parseConfig(v.yaml, 'bench');
      const { plans, active } = activeCollectors(cfg);
      const only = plans.filter((p) => p.name === 'process_groups');
      const roots = { ...cfg.paths };
      v.source = new SnapshotSource(new InProcessRunner({ psutil: createPsutil(roots), roots }, COLLECTORS, only), {
        plans: only,
        maxAgeMs: 0,
        timeoutMs: 60000,
      });
      v.prom = new PrometheusAdapter(new Map([['process_groups', active.get('process_groups')]]));
      v.times = [];
      v.passTimes = [];
      v.scrape = async () => {
        const t0 = process.hrtime.bigint();
        const snap = await v.source.get(0);
        const t1 = process.hrtime.bigint();
        const text = await v.prom.render(snap);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        v.passTimes.push(Number(t1 - t0) / 1e6);
        return { ms, text, ok: snap.results[0] && snap.results[0].ok };
      };
      await v.scrape(); // first pass: every process is new (matching, static facts)
    }
    for (const v of peVariants) {
      const t0 = Date.now();
      for (;;) {
        try {
          await get(`http://127.0.0.1:${v.port}/metrics`);
          break;
        } catch (e) {
          if (Date.now() - t0 > 30000 || v.proc.exitCode !== null)
            throw new Error(`${v.label} did not answer: ${e.message}; its log ends with:\n${tail(v.log)}`);
          await sleep(200);
        }
      }
    }

    let peText = '';
    let ourText = '';
    let ourFullText = '';
    for (let r = 0; r < ROUNDS; r++) {
      for (const v of peVariants) {
        for (let i = 0; i < PER_ROUND; i++) {
          const { ms, text } = await get(`http://127.0.0.1:${v.port}/metrics`).catch((e) => {
            // process-exporter panics on a label that is not valid UTF-8 (its #239): say so rather than "hang up".
            throw new Error(`${v.label}: ${e.message}; its log ends with:\n${tail(v.log)}`);
          });
          v.times.push(ms);
          if (v === peVariants[0]) peText = text;
        }
      }
      for (const v of ourVariants) {
        for (let i = 0; i < PER_ROUND; i++) {
          const { ms, text, ok } = await v.scrape();
          if (!ok) throw new Error(`${v.label}: the collector failed`);
          v.times.push(ms);
          if (v === ourVariants[0]) ourText = text;
          else if (v === ourVariants[2]) ourFullText = text;
        }
      }
    }

    const peMs = median(peVariants[0].times);
    const lines = [];
    lines.push(
      `processes on the host: ${total} (${EXTRA} extra in ${GROUPS} groups); medians of ${ROUNDS * PER_ROUND} scrapes each, interleaved`,
    );
    lines.push('');
    lines.push('| what | ms per scrape | vs process-exporter (defaults) |');
    lines.push('|---|---:|---:|');
    for (const v of peVariants)
      lines.push(`| ${v.label} | ${median(v.times).toFixed(0)} | ${(median(v.times) / peMs).toFixed(2)} |`);
    for (const v of ourVariants) {
      const passes = v.passTimes.slice(1);
      lines.push(
        `| ${v.label}: pass + rendering | ${median(v.times).toFixed(0)} | ${(median(v.times) / peMs).toFixed(2)} |`,
      );
      lines.push(`| ${v.label}: pass only | ${median(passes).toFixed(0)} | ${(median(passes) / peMs).toFixed(2)} |`);
    }
    lines.push('');
    lines.push(
      `goal: a full collection in at most 1/4 of process-exporter's time: ${median(ourVariants[0].times) <= peMs / 4 ? 'met' : 'NOT met'} ` +
        `(${median(ourVariants[0].times).toFixed(0)} ms vs ${(peMs / 4).toFixed(0)} ms)`,
    );

    // The series: process-exporter's defaults against ours with the same options (threads and gather_smaps).
    const theirs = seriesKeys(peText);
    const mine = seriesKeys(ourFullText);
    const onlyTheirs = [...theirs].filter((k) => !mine.has(k));
    const onlyMine = [...mine].filter((k) => !theirs.has(k));
    lines.push('');
    lines.push(
      `series (namedprocess_namegroup_*): process-exporter ${theirs.size}, agent with threads and gather_smaps ${mine.size}, agent defaults ${seriesKeys(ourText).size}`,
    );
    const f1 = familiesOf(onlyTheirs);
    const f2 = familiesOf(onlyMine);
    if (f1.size) lines.push(`only process-exporter's: ${[...f1].map(([f, n]) => `${f} (${n})`).join(', ')}`);
    if (f2.size) lines.push(`only the agent's: ${[...f2].map(([f, n]) => `${f} (${n})`).join(', ')}`);
    process.stdout.write(lines.join('\n') + '\n');
    for (const v of ourVariants) await v.source.close();
  } finally {
    cleanup();
  }
}

module.exports = { run };
runIfMain(module, run);
