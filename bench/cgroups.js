#!/usr/bin/env node
// The cgroups collector at scale: 50 pods of 4 containers each (200 container cgroups, kubelet cgroupfs layout
// `/psx-bench-<pid>/kubepods/burstable/pod<uid>/<64-hex id>`) made as root in every v1 hierarchy the collector reads
// (cpu, cpuacct, memory, pids, blkio) and in the unified one, beside this host's own cgroups; then the collector's
// CPU time (user + system, process.cpuUsage) per pass, the collection and the Prometheus mapping as a scrape does
// them, default options (depth 2: the host's slices and units are exported too), user and system time apart.
// Goal: under 20 ms of CPU per pass.
// Needs root and `npm run build`; everything made is removed after. ~20 s.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const { spawnSync } = require('node:child_process');
const { median, runIfMain } = require('./_lib');

// BENCH_DIST: another build's dist (main's, to compare in the same run).
const DIST = process.env.BENCH_DIST || path.join(__dirname, '..', 'dist');
const PODS = 50;
const PER_POD = 4;
const PASSES = Number(process.env.BENCH_CGROUP_PASSES || 40);
const ROUNDS = 5;

/** The 1-minute load average: the machine is shared, and CPU per pass grows with it (cache, frequency, steal). */
function loadavg() {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
}

/**
 * bench/cgroups-floor.c over the same cgroups: the kernel's share of such a pass (system time), which no change on
 * our side goes below; then bench/cgroups-files.c, the kernel's cost of each file kind (docs/cgroups.md, Cost).
 * Skipped without a C compiler.
 */
function cFloor() {
  const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
  if (cc === undefined) {
    process.stdout.write('C floor: skipped (no C compiler)\n');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgroups-floor-'));
  try {
    const bin = path.join(dir, 'cgroups-floor');
    const r = spawnSync(cc, ['-O2', '-o', bin, path.join(__dirname, 'cgroups-floor.c')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cc} failed: ${r.stderr}`);
    for (const [mode, label] of [
      [0, 'every part, directories by path, open/read/close'],
      [1, 'cpu and memory, directories by path, open/read/close'],
      [2, 'every part, directories by path, files kept open (pread)'],
      [3, 'cpu and memory, directories by path, files kept open (pread)'],
      [4, "every part, directories kept and not listed (the collector's way), openat/read/close"],
      [5, "cpu and memory, directories kept and not listed (the collector's way), openat/read/close"],
      [6, 'every part, files kept open (pread), no walk'],
      [7, 'cpu and memory, files kept open (pread), no walk'],
    ]) {
      const out = spawnSync(bin, [String(mode)], { encoding: 'utf8' }).stdout.trim();
      process.stdout.write(
        `C floor, ${label}: ${out.replace(/^C floor mode \d+: /, '')} (load average ${loadavg()})\n`,
      );
    }
    const files = path.join(dir, 'cgroups-files');
    const f = spawnSync(cc, ['-O2', '-o', files, path.join(__dirname, 'cgroups-files.c')], { encoding: 'utf8' });
    if (f.status !== 0) throw new Error(`${cc} failed: ${f.stderr}`);
    process.stdout.write(`Kernel cost per file kind (bench/cgroups-files.c, load average ${loadavg()}):\n`);
    process.stdout.write(spawnSync(files, ['30'], { encoding: 'utf8' }).stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function run() {
  if (process.getuid() !== 0) {
    process.stdout.write('cgroups bench: skipped (creating cgroups needs root)\n');
    return;
  }
  const { createPsutil, cgroups } = require(path.join(DIST, 'index.js'));
  const { cgroupsCollector, cgroupsFamilies } = require(path.join(DIST, 'exporters', 'collectors', 'cgroups.js'));
  const mounts = cgroups()
    .filter(
      (h) => h.version === 2 || h.controllers.some((c) => ['cpu', 'cpuacct', 'memory', 'pids', 'blkio'].includes(c)),
    )
    .map((h) => h.mountPoint);
  const top = `psx-bench-${process.pid}`;
  const made = [];
  const mk = (rel) => {
    for (const m of mounts) {
      let dir = m;
      for (const part of rel.split('/')) {
        dir = path.join(dir, part);
        if (!fs.existsSync(dir)) {
          fs.mkdirSync(dir);
          made.push(dir);
        }
      }
    }
  };
  try {
    for (let p = 0; p < PODS; p++) {
      const pod = `${top}/kubepods/burstable/pod${crypto.randomUUID()}`;
      for (let c = 0; c < PER_POD; c++) mk(`${pod}/${crypto.randomBytes(32).toString('hex')}`);
    }
    const roots = { procfs: '/proc', sysfs: '/sys', rootfs: '/' };
    const psutil = createPsutil(roots);
    for (const [label, raw] of [
      ['every part (default)', {}],
      ['cpu and memory only', { io: false, pids: false, pressure: false }],
    ]) {
      const options = cgroupsCollector.options(raw);
      const collect = cgroupsCollector.create({ psutil, roots }, options);
      const pass = () => {
        const d = collect({ deadline: Date.now() + 10000 });
        return { rows: d.rows.length, series: cgroupsFamilies(d).reduce((n, f) => n + f.series.length, 0) };
      };
      let shape = pass();
      for (let i = 0; i < 10; i++) shape = pass(); // warm-up: JIT, identity and limit caches, pod log index
      const perPass = [];
      const user = [];
      const system = [];
      for (let r = 0; r < ROUNDS; r++) {
        const c0 = process.cpuUsage();
        for (let i = 0; i < PASSES; i++) pass();
        const c = process.cpuUsage(c0);
        perPass.push((c.user + c.system) / 1000 / PASSES);
        user.push(c.user / 1000 / PASSES);
        system.push(c.system / 1000 / PASSES);
      }
      // User time is our JavaScript, koffi and Node; system time is the kernel's (path lookups, opening the files,
      // generating them): what no change on our side can go below.
      process.stdout.write(
        `${label}: ${shape.rows} cgroups exported (${PODS * PER_POD} containers and ${PODS} pods made for the ` +
          `bench, in ${mounts.length} hierarchies; the rest this host's), ${shape.series} series; CPU per pass ` +
          `(collection + Prometheus mapping), median of ${ROUNDS} rounds of ${PASSES}: ${median(perPass).toFixed(1)} ms ` +
          `(user ${median(user).toFixed(1)}, system ${median(system).toFixed(1)}; ` +
          `${(median(perPass) / shape.rows).toFixed(2)} ms per cgroup; rounds ${perPass.map((x) => x.toFixed(1)).join(', ')}; ` +
          `load average ${loadavg()})\n`,
      );
    }
    cFloor();
  } finally {
    const order = made.sort((a, b) => b.split('/').length - a.split('/').length);
    for (const d of order) if (fs.existsSync(d)) fs.rmdirSync(d);
  }
}

module.exports = { run };
runIfMain(module, run);
