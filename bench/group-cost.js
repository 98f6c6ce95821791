#!/usr/bin/env node
// The cost of one process group, for sizing collectors.process_groups.max_groups: a {{.Comm}} rule over a fixture
// table (the rules' tableSource, no /proc reads, so only the grouper's own cost is measured) with N processes of
// distinct names, i.e. N template-made groups. Reported per group:
// - the heap the grouper keeps for a group waiting for its expiry (its members gone: the churn case), after a full GC;
// - the time a collection pass spends per group (decide on first sight, accumulate, expire, samples) and the time the
//   Prometheus families of the snapshot take;
// - the series and the bytes of /metrics text a group adds (one line per series, as the exposition writes it).
// Then the same in the agent's pipeline (config loader, collector, prom-client rendering, in this thread as
// bench/groups.js runs it) on live processes: 2,000 idle sleeps under distinct names, grouped by {{.Comm}} with
// max_groups 1 (every process refused) and max_groups 5000 (2,000 groups); the difference of the heap after a full GC
// and of the /metrics size, per group, is what a group costs the agent.
// Needs `npm run build`; `npm run bench -- group-cost` or `node bench/group-cost.js`. ~20 s.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const { median, runIfMain } = require('./_lib');

const DIST = path.join(__dirname, '..', 'dist', 'rules');
const SIZES = [1000, 5000];
const ROUNDS = 5;

// A full GC without --expose-gc on the command line (run.js starts every bench in one plain node).
v8.setFlagsFromString('--expose-gc');
const fullGc = vm.runInNewContext('gc');

function gc() {
  fullGc();
  fullGc();
}

const proc = (pid) => ({
  pid,
  ppid: 1,
  startTime: pid,
  comm: `job${pid}`,
  cmdline: [`/opt/job${pid}`],
  username: 'u',
  cgroups: '0::/\n',
  state: 'S',
  cpuUser: 1,
  cpuSystem: 1,
  readBytes: 0,
  writeBytes: 0,
  minorFaults: 0,
  majorFaults: 0,
  ctxVoluntary: 0,
  ctxInvoluntary: 0,
  rss: 4096,
  vms: 8192,
  swap: 0,
  numFds: 3,
  fdLimit: 1024,
  numThreads: 1,
});

function line(name, labels, value) {
  const l = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return `${name}{${l}} ${value}\n`;
}

function one(n) {
  const { loadRulesYaml } = require(path.join(DIST, 'config'));
  const { Grouper } = require(path.join(DIST, 'grouper'));
  const { tableSource } = require(path.join(DIST, 'table'));
  const { prometheusFamilies } = require(path.join(DIST, 'families'));
  const cfg = loadRulesYaml('process_names:\n  - name: "{{.Comm}}"\n    cmdline: [".+"]\n');
  const table = Array.from({ length: n }, (_, i) => proc(1000 + i));
  const src = tableSource(table);
  gc();
  const before = process.memoryUsage().heapUsed;
  const g = new Grouper(cfg.rules, { ...cfg.options, maxGroups: n + 1 });
  let t0 = process.hrtime.bigint();
  g.update(src, 2e9); // first sight: every process decided, every group created
  const firstMs = Number(process.hrtime.bigint() - t0) / 1e6;
  t0 = process.hrtime.bigint();
  const snap = g.update(src, 2e9 + 15); // steady state: accumulate, expire, samples
  const steadyMs = Number(process.hrtime.bigint() - t0) / 1e6;
  t0 = process.hrtime.bigint();
  const fams = prometheusFamilies(snap);
  const famMs = Number(process.hrtime.bigint() - t0) / 1e6;
  let series = 0;
  let bytes = 0;
  for (const f of fams) {
    if (!f.name.startsWith('namedprocess_namegroup_')) continue;
    for (const s of f.samples) {
      series++;
      bytes += line(f.name, s.labels, s.value).length;
    }
  }
  // The members exit: the groups wait (empty) for remove_empty_groups_after, which is what churn accumulates.
  src.set([]);
  g.update(src, 2e9 + 30);
  gc();
  const kept = process.memoryUsage().heapUsed - before;
  if (snap.groups.length !== n) throw new Error(`expected ${n} groups, got ${snap.groups.length}`);
  return { firstMs, steadyMs, famMs, series, bytes, kept, g };
}

const LIVE = Number(process.env.BENCH_GROUP_COST_LIVE || 2000);

async function live() {
  const root = path.join(__dirname, '..', 'dist');
  const { parseConfig } = require(path.join(root, 'config', 'load.js'));
  const { activeCollectors } = require(path.join(root, 'exporters', 'agent.js'));
  const { COLLECTORS } = require(path.join(root, 'exporters', 'collectors', 'index.js'));
  const { InProcessRunner, SnapshotSource } = require(path.join(root, 'exporters', 'snapshot.js'));
  const { PrometheusAdapter } = require(path.join(root, 'exporters', 'prometheus.js'));
  const { createPsutil } = require(path.join(root, 'index.js'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-group-cost-'));
  const kids = [];
  try {
    for (let i = 0; i < LIVE; i++) {
      const link = path.join(dir, `gc${i}`);
      fs.symlinkSync('/bin/sleep', link);
      kids.push(spawn(link, ['3600'], { stdio: 'ignore' }));
    }
    await new Promise((r) => setTimeout(r, 2000));
    const measure = async (maxGroups) => {
      const yaml =
        `log: {level: error}\ncollectors:\n  process_groups: {max_groups: ${maxGroups}}\n` +
        `process_names:\n  - name: "{{.Comm}}"\n    cmdline: ['^${dir}/gc']\n`;
      const cfg = parseConfig(yaml, 'bench');
      const { plans, active } = activeCollectors(cfg);
      const only = plans.filter((p) => p.name === 'process_groups');
      const roots = { ...cfg.paths };
      gc();
      const before = process.memoryUsage().heapUsed;
      const source = new SnapshotSource(new InProcessRunner({ psutil: createPsutil(roots), roots }, COLLECTORS, only), {
        plans: only,
        maxAgeMs: 0,
        timeoutMs: 60000,
      });
      const prom = new PrometheusAdapter(new Map([['process_groups', active.get('process_groups')]]));
      let text = '';
      const ms = [];
      for (let i = 0; i < 4; i++) {
        const t0 = process.hrtime.bigint();
        text = await prom.render(await source.get(0));
        ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      gc();
      const heap = process.memoryUsage().heapUsed - before;
      const groups = text.split('\n').filter((l) => l.startsWith('namedprocess_namegroup_num_procs{')).length;
      await source.close();
      return { heap, bytes: text.length, groups, ms: median(ms.slice(1)) };
    };
    const rows = [];
    for (let r = 0; r < 3; r++) rows.push([await measure(1), await measure(LIVE + 100)]);
    const d = (k) => median(rows.map(([a, b]) => (b[k] - a[k]) / (b.groups - a.groups)));
    process.stdout.write(
      `\nagent pipeline, ${LIVE} live processes: ${rows[0][1].groups} groups vs ${rows[0][0].groups}\n`,
    );
    process.stdout.write(
      `per group: heap ${(d('heap') / 1024).toFixed(1)} KiB, /metrics ${d('bytes').toFixed(0)} bytes, ` +
        `scrape (pass + rendering) ${(d('ms') * 1000).toFixed(0)} µs\n`,
    );
  } finally {
    for (const k of kids) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function run() {
  process.stdout.write(
    'groups | heap kept, groups empty | first pass µs/group | steady pass µs/group | families µs/group | series/group | /metrics bytes/group\n',
  );
  const kept = [];
  for (const n of SIZES) {
    const r = [];
    for (let i = 0; i < ROUNDS; i++) {
      const x = one(n);
      r.push(x);
      x.g = null;
    }
    const m = (k) => median(r.map((x) => x[k]));
    kept.push(m('kept'));
    process.stdout.write(
      `${String(n).padStart(6)} | ${(m('kept') / 2 ** 20).toFixed(2).padStart(8)} MiB | ` +
        `${((m('firstMs') * 1000) / n).toFixed(1).padStart(8)} | ${((m('steadyMs') * 1000) / n).toFixed(1).padStart(8)} | ` +
        `${((m('famMs') * 1000) / n).toFixed(1).padStart(8)} | ${(r[0].series / n).toFixed(0).padStart(4)} | ` +
        `${(r[0].bytes / n).toFixed(0).padStart(6)}\n`,
    );
  }
  // The heap includes one-time costs (compiled code, caches): the slope between the sizes is the cost of a group.
  const [a, b] = [kept[0], kept[kept.length - 1]];
  process.stdout.write(
    `heap per empty group (slope ${SIZES[0]} -> ${SIZES[SIZES.length - 1]}): ${((b - a) / (SIZES[SIZES.length - 1] - SIZES[0]) / 1024).toFixed(2)} KiB\n`,
  );
  await live();
}

module.exports = { run };
runIfMain(module, run);
