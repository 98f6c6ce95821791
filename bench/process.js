#!/usr/bin/env node
// Processes: processIter with 8 attributes over every process, with 1,000 extra idle processes running, against
// psutil's process_iter with the same attributes in the same run (passes interleaved, so the machine's load weighs
// on both alike); the plain sync read of the same files, and a C program doing the same (bench/proc-floor.c,
// compiled with cc when present), as floors; the oneshot() speedup; and the per-call time of
// the common Process methods against psutil's. Needs `npm run build` (reads ../dist/index.js). ~60 s.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { PYTHON, fmt, loadDist, median, python, runIfMain } = require('./_lib');

const EXTRA = Number(process.env.BENCH_PROCESS_EXTRA || 1000);
const ITER_ATTRS = ['pid', 'name', 'cmdline', 'cpuTimes', 'memoryInfo', 'numThreads', 'username', 'status'];
const PY_ATTRS = ['pid', 'name', 'cmdline', 'cpu_times', 'memory_info', 'num_threads', 'username', 'status'];
const ROUNDS = 4; // interleaved rounds (psutil, ours)
const PER_ROUND = 5; // timed walks per side per round

// Methods psutil's bench_oneshot.py times on Linux: one group read, many getters.
const ONESHOT = [
  ['name', 'name'],
  ['cpuTimes', 'cpu_times'],
  ['cpuPercent', 'cpu_percent'],
  ['createTime', 'create_time'],
  ['ppid', 'ppid'],
  ['status', 'status'],
  ['terminal', 'terminal'],
  ['cpuNum', 'cpu_num'],
  ['gids', 'gids'],
  ['uids', 'uids'],
  ['username', 'username'],
  ['numCtxSwitches', 'num_ctx_switches'],
  ['numThreads', 'num_threads'],
  ['memoryInfo', 'memory_info'],
];

// Per-call methods: ours, psutil's.
const CALLS = [
  ['name()', (p) => p.name(), 'p.name()'],
  ['exe()', (p) => p.exe(), 'p.exe()'],
  ['cmdline()', (p) => p.cmdline(), 'p.cmdline()'],
  ['status()', (p) => p.status(), 'p.status()'],
  ['createTime()', (p) => p.createTime(), 'p.create_time()'],
  ['cpuTimes()', (p) => p.cpuTimes(), 'p.cpu_times()'],
  ['memoryInfo()', (p) => p.memoryInfo(), 'p.memory_info()'],
  ['memoryInfoEx()', (p) => p.memoryInfoEx(), null],
  ['memoryFullInfo()', (p) => p.memoryFullInfo(), 'p.memory_full_info()'],
  ['memoryMaps()', (p) => p.memoryMaps(), 'p.memory_maps()', 'slow'],
  ['numThreads()', (p) => p.numThreads(), 'p.num_threads()'],
  ['numFds()', (p) => p.numFds(), 'p.num_fds()'],
  ['username()', (p) => p.username(), 'p.username()'],
  ['uids()', (p) => p.uids(), 'p.uids()'],
  ['ioCounters()', (p) => p.ioCounters(), 'p.io_counters()'],
  ['environ()', (p) => p.environ(), 'p.environ()'],
  ['openFiles()', (p) => p.openFiles(), 'p.open_files()'],
  ['threads()', (p) => p.threads(), 'p.threads()'],
  ['nice()', (p) => p.nice(), 'p.nice()'],
  ['ionice()', (p) => p.ionice(), 'p.ionice()'],
  ['cpuAffinity()', (p) => p.cpuAffinity(), 'p.cpu_affinity()'],
  ['rlimit(NOFILE)', (p) => p.rlimit(7), 'p.rlimit(7)'],
  ['isRunning()', (p) => p.isRunning(), 'p.is_running()'],
  ['children()', (p) => p.children(), 'p.children()'],
  ['asDict()', (p) => p.asDict(), 'p.as_dict()', 'slow'],
];

function ms(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** psutil process_iter walks: one python process per round (first walk cold, then PER_ROUND warm ones). */
function psutilIter(n) {
  return python(`
import json, time, psutil
attrs = ${JSON.stringify(PY_ATTRS)}
t = time.perf_counter(); [p.info for p in psutil.process_iter(attrs)]; cold = (time.perf_counter() - t) * 1000
warm = []
cpu = []
for _ in range(${n}):
    t = time.perf_counter(); c = time.process_time()
    r = [p.info for p in psutil.process_iter(attrs)]
    cpu.append((time.process_time() - c) * 1000); warm.append((time.perf_counter() - t) * 1000)
print(json.dumps({"cold": cold, "warm": warm, "cpu": cpu, "count": len(r)}))
`);
}

/** A plain sync read of stat, status and cmdline (the files, no parsing): the floor a Node walk cannot go below. */
function floorWalk(files) {
  const buf = Buffer.allocUnsafe(1 << 16);
  const t0 = process.hrtime.bigint();
  for (const name of fs.readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    for (const f of files) {
      try {
        const fd = fs.openSync(`/proc/${name}/${f}`, 'r');
        try {
          fs.readSync(fd, buf, 0, buf.length, null);
        } finally {
          fs.closeSync(fd);
        }
      } catch (err) {
        // A process that exits during the walk: its files are gone, which is what a real walk meets too.
        if (!err || (err.code !== 'ENOENT' && err.code !== 'ESRCH')) throw err;
      }
    }
  }
  return ms(t0);
}

function floorReadFileSync(files) {
  const t0 = process.hrtime.bigint();
  for (const name of fs.readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    for (const f of files) {
      try {
        fs.readFileSync(`/proc/${name}/${f}`);
      } catch (err) {
        if (!err || (err.code !== 'ENOENT' && err.code !== 'ESRCH')) throw err;
      }
    }
  }
  return ms(t0);
}

/**
 * Compiles bench/proc-floor.c (the C floor: open/read/close of stat, status, cmdline and statm of every process) with
 * the first C compiler found; the binary's path, or null with the reason printed when there is none or it fails.
 */
function buildCFloor(say) {
  const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
  if (cc === undefined) {
    say('C floor skipped: no C compiler (cc, gcc or clang) on PATH');
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-floor-'));
  const bin = path.join(dir, 'proc-floor');
  const r = spawnSync(cc, ['-O2', '-o', bin, path.join(__dirname, 'proc-floor.c')], { encoding: 'utf8' });
  if (r.status !== 0) {
    say(`C floor skipped: ${cc} failed: ${(r.stderr || String(r.error)).trim()}`);
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return bin;
}

/** The C floor's median walk over `n` walks (after one warm walk): { ms, cpuMs }, or null when it fails. */
function cFloorWalk(bin, n) {
  const r = spawnSync(bin, [String(n)], { encoding: 'utf8', timeout: 300000 });
  if (r.status !== 0) {
    process.stderr.write(`C floor failed: ${r.stderr || r.error}\n`);
    return null;
  }
  return JSON.parse(r.stdout.trim());
}

/** µs per call, median of 9 batches of `n` calls. */
function perCall(fn, n) {
  for (let i = 0; i < 20; i++) fn();
  const out = [];
  for (let b = 0; b < 9; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    out.push((ms(t0) * 1000) / n);
  }
  return median(out);
}

/** psutil's µs per call for each [expression, calls per batch] (null: psutil has no such method). */
function psutilCalls(pid, cases) {
  return python(
    `
import json, sys, timeit, psutil
p = psutil.Process(${pid})
out = []
for c in json.loads(sys.argv[1]):
    if c is None:
        out.append(None); continue
    e, n = c
    g = {"p": p, "psutil": psutil}
    for _ in range(20): eval(e, g)
    out.append(sorted(x / n * 1e6 for x in timeit.Timer(e, globals=g).repeat(repeat=9, number=n))[4])
print(json.dumps(out))
`,
    [JSON.stringify(cases)],
  );
}

function psutilOneshot(pid, names, n) {
  return python(`
import json, timeit, psutil
p = psutil.Process(${pid})
names = ${JSON.stringify(names)}
def plain():
    for m in names: getattr(p, m)()
def one():
    with p.oneshot():
        for m in names: getattr(p, m)()
res = {}
for k, f in (("plain", plain), ("oneshot", one)):
    for _ in range(20): f()
    res[k] = sorted(x / ${n} * 1e6 for x in timeit.Timer(f).repeat(repeat=9, number=${n}))[4]
print(json.dumps(res))
`);
}

async function spawnIdle(n) {
  const kids = [];
  for (let i = 0; i < n; i++) {
    const c = spawn('sleep', ['600'], { stdio: 'ignore' });
    kids.push(c);
    if (i % 100 === 99) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(kids.map((c) => new Promise((r) => (c.pid !== undefined ? r() : c.once('spawn', r)))));
  return kids;
}

async function run() {
  const lib = loadDist();
  const out = [];
  const rows = [];
  const say = (s) => {
    out.push(s);
    process.stdout.write(s + '\n');
  };
  const kids = await spawnIdle(EXTRA);
  // An idle target for the per-call and oneshot figures: a sleeping python, the same for both sides.
  const target = spawn(PYTHON, ['-c', 'import time; time.sleep(600)'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 300));
    const count = lib.pids().length;
    say(
      `processIter({ attrs: [${ITER_ATTRS.map((a) => `'${a}'`).join(', ')}] }) over ${count} processes (${EXTRA} extra idle)`,
    );

    // ---- processIter vs process_iter, interleaved --------------------------------------------------------------
    const ours = [];
    const oursCpu = [];
    const theirs = [];
    const theirsCpu = [];
    const floorCCpu = [];
    let oursCold = null;
    let theirsCold = null;
    const floor3 = [];
    const floor4 = [];
    const floorRf = [];
    const floorC = [];
    const cBin = buildCFloor(say);
    for (let round = 0; round < ROUNDS; round++) {
      const py = psutilIter(PER_ROUND);
      if (py) {
        theirs.push(...py.warm);
        theirsCpu.push(...py.cpu);
        if (theirsCold === null) theirsCold = py.cold;
      }
      if (round === 0) {
        lib.processIter.cacheClear();
        const t0 = process.hrtime.bigint();
        for (const p of lib.processIter({ attrs: ITER_ATTRS })) void p.info;
        oursCold = ms(t0);
      }
      for (let i = 0; i < PER_ROUND; i++) {
        const t0 = process.hrtime.bigint();
        const c0 = process.cpuUsage();
        for (const p of lib.processIter({ attrs: ITER_ATTRS })) void p.info;
        const c = process.cpuUsage(c0);
        ours.push(ms(t0));
        oursCpu.push((c.user + c.system) / 1000);
      }
      floor3.push(floorWalk(['stat', 'status', 'cmdline']));
      floor4.push(floorWalk(['stat', 'status', 'statm', 'cmdline']));
      floorRf.push(floorReadFileSync(['stat', 'status', 'cmdline']));
      if (cBin !== null) {
        const c = cFloorWalk(cBin, PER_ROUND);
        if (c !== null) {
          floorC.push(c.ms);
          floorCCpu.push(c.cpuMs);
        }
      }
    }
    if (cBin !== null) fs.rmSync(path.dirname(cBin), { recursive: true, force: true });
    const c = floorC.length ? median(floorC) : null;
    const o = median(ours);
    const t = theirs.length ? median(theirs) : null;
    const table = [
      ['ours processIter (warm)', o, t ? o / t : null],
      ['ours processIter (first call)', oursCold, theirsCold ? oursCold / theirsCold : null],
      ['psutil process_iter (warm)', t, 1],
      ['psutil process_iter (first call)', theirsCold, 1],
      ['floor: readFileSync stat+status+cmdline', median(floorRf), t ? median(floorRf) / t : null],
      ['floor: open/read/close stat+status+cmdline', median(floor3), t ? median(floor3) / t : null],
      ['floor: open/read/close stat+status+statm+cmdline', median(floor4), t ? median(floor4) / t : null],
      ['C floor: open/read/close stat+status+cmdline+statm', c, t && c !== null ? c / t : null],
    ];
    const w = Math.max(...table.map((r) => r[0].length));
    say(`${'walk'.padEnd(w)}  ${'ms'.padStart(8)}  ${'/ psutil'.padStart(8)}`);
    for (const [name, v, r] of table) {
      say(`${name.padEnd(w)}  ${fmt(v).padStart(8)}  ${(r === null ? '-' : r.toFixed(2)).padStart(8)}`);
      rows.push({ case: name, ms: v, ratio: r });
    }
    say(
      `goal: at most 0.4x psutil's time -> ${t ? (o <= t * 0.4 ? 'met' : 'NOT met') : 'no psutil'} (${t ? (o / t).toFixed(2) : '-'})`,
    );
    say(
      `goal: within 1.5x of the C floor -> ${c !== null ? (o <= c * 1.5 ? 'met' : 'NOT met') : 'no C floor'} (${c !== null ? (o / c).toFixed(2) : '-'}x)`,
    );
    rows.push({ case: 'ours / C floor', ratio: c !== null ? o / c : null });
    // CPU time (user + system) per warm walk: on a loaded machine the wall time is mostly waiting for a core.
    const oc = median(oursCpu);
    const tc = theirsCpu.length ? median(theirsCpu) : null;
    const cc = floorCCpu.length ? median(floorCCpu) : null;
    say(
      `CPU per warm walk: ours ${fmt(oc)} ms, psutil ${fmt(tc)} ms (${tc ? (oc / tc).toFixed(2) : '-'}x), C floor ${fmt(cc)} ms (${cc !== null ? (oc / cc).toFixed(2) : '-'}x); load average ${os.loadavg()[0].toFixed(1)}`,
    );
    rows.push({ case: 'CPU per walk', oursMs: oc, psutilMs: tc, cFloorMs: cc });

    // ---- oneshot speedup -----------------------------------------------------------------------------------------
    const p = new lib.Process(target.pid);
    const names = ONESHOT.map(([m]) => m);
    const plain = perCall(() => {
      for (const m of names) p[m]();
    }, 200);
    const one = perCall(
      () =>
        p.oneshot(() => {
          for (const m of names) p[m]();
        }),
      200,
    );
    const pyOne = psutilOneshot(
      target.pid,
      ONESHOT.map(([, m]) => m),
      200,
    );
    say('');
    say(`oneshot: ${names.length} getters (${names.join(', ')})`);
    say(`${'side'.padEnd(8)}  ${'plain µs'.padStart(9)}  ${'oneshot µs'.padStart(10)}  ${'speedup'.padStart(7)}`);
    say(
      `${'ours'.padEnd(8)}  ${fmt(plain).padStart(9)}  ${fmt(one).padStart(10)}  ${(plain / one).toFixed(2).padStart(7)}`,
    );
    if (pyOne)
      say(
        `${'psutil'.padEnd(8)}  ${fmt(pyOne.plain).padStart(9)}  ${fmt(pyOne.oneshot).padStart(10)}  ${(pyOne.plain / pyOne.oneshot).toFixed(2).padStart(7)}`,
      );
    rows.push({ case: 'oneshot speedup (ours)', ratio: plain / one, plainUs: plain, oneshotUs: one });
    if (pyOne)
      rows.push({
        case: 'oneshot speedup (psutil)',
        ratio: pyOne.plain / pyOne.oneshot,
        plainUs: pyOne.plain,
        oneshotUs: pyOne.oneshot,
      });

    // ---- per call ------------------------------------------------------------------------------------------------
    const n = 200;
    const oursCalls = CALLS.map(([, fn, , slow]) => perCall(() => fn(p), slow ? 20 : n));
    const pyCalls =
      psutilCalls(
        target.pid,
        CALLS.map(([, , e, slow]) => (e === null ? null : [e, slow ? 20 : n])),
      ) || CALLS.map(() => null);
    say('');
    say(`per call on an idle python (pid ${target.pid})`);
    const w2 = Math.max(...CALLS.map((c) => c[0].length));
    say(`${'method'.padEnd(w2)}  ${'ours µs'.padStart(9)}  ${'psutil µs'.padStart(9)}  ${'ratio'.padStart(6)}`);
    CALLS.forEach(([name], i) => {
      const r = pyCalls[i] ? oursCalls[i] / pyCalls[i] : null;
      say(
        `${name.padEnd(w2)}  ${fmt(oursCalls[i]).padStart(9)}  ${fmt(pyCalls[i]).padStart(9)}  ${(r === null ? '-' : r.toFixed(2)).padStart(6)}`,
      );
      rows.push({ case: name, oursUs: oursCalls[i], psutilUs: pyCalls[i], ratio: r });
    });
    say('ratio = ours / psutil (below 1: we are faster). Medians on this machine, under whatever else it runs.');
  } finally {
    target.kill('SIGKILL');
    for (const c of kids) c.kill('SIGKILL');
  }
  return rows;
}

module.exports = { run };
runIfMain(module, run);
