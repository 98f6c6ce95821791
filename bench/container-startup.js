#!/usr/bin/env node
// Start-up inside the container image, as a node of a fleet pays it: exec of the image's entrypoint command (node
// /app/dist/cli.js with the host's /proc, /sys and / at /host/..., config/default.yaml) -> the first 200 from
// /readyz, wall time, and the CPU time (every thread) the agent spent until then; BENCH_RUNS (10) starts one after
// another, medians. Issue 14's goal: ready within 1 s of exec. Runs in the image (it has node and nothing else):
// scripts/image-check.sh mounts this file read-only and runs it as the image's user, on the container's own loopback
// (--network none). Prints one line of JSON: {"runs", "readyMs", "cpuMs", "readyMsAll"}.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const RUNS = Number(process.env.BENCH_RUNS) || 10;
const PORT = Number(process.env.BENCH_PORT) || 9464;
const CLI = process.env.BENCH_CLI || '/app/dist/cli.js';
// The image's ENTRYPOINT's node flags (src/exporters/v8mode.ts's AGENT_NODE_FLAGS), from the built agent in the image.
const NODE_FLAGS = [...require(path.join(path.dirname(CLI), 'exporters', 'v8mode.js')).AGENT_NODE_FLAGS];
const ARGS = [
  ...NODE_FLAGS,
  CLI,
  '--path.procfs=/host/proc',
  '--path.sysfs=/host/sys',
  '--path.rootfs=/host/root',
  '--config.file=/app/config/default.yaml',
  `--web.listen-address=127.0.0.1:${PORT}`,
  '--log.level=error',
];
// The clock tick of procfs's utime/stime: 100 on every Linux architecture Node runs on (USER_HZ).
const CLK_TCK = 100;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** GET /readyz on a new connection: the status, or 0 when nothing answers yet. */
function readyz() {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: PORT, path: '/readyz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
  });
}

/** utime + stime of the whole process (every thread) in ms, from the container's own procfs. */
function cpuMs(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function once() {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, ARGS, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', (code, sig) => resolve(code ?? sig)));
  let gone = null;
  void exited.then((c) => (gone = c));
  for (;;) {
    if (gone !== null) throw new Error(`the agent exited (${gone}) before /readyz answered 200`);
    if ((await readyz()) === 200) break;
    if (Number(process.hrtime.bigint() - t0) > 30e9) throw new Error('/readyz not 200 within 30 s');
    await sleep(5);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = cpuMs(child.pid);
  child.kill('SIGTERM');
  await exited;
  return { ms, cpu };
}

async function main() {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once());
  const round = (x) => Math.round(x);
  process.stdout.write(
    JSON.stringify({
      runs: RUNS,
      readyMs: round(median(runs.map((r) => r.ms))),
      cpuMs: round(median(runs.map((r) => r.cpu))),
      readyMsAll: runs.map((r) => round(r.ms)),
    }) + '\n',
  );
}

main().catch((e) => {
  process.stderr.write(`container-startup: ${e.message}\n`);
  process.exit(1);
});
