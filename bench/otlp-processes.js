#!/usr/bin/env node
// Per-process OTLP (otlp.processes): CPU per export for up to 1,000 processes, the goal being under 50 ms. One export
// here is what the agent does for it: the walk of /proc with each process's record read in its oneshot block (the
// process_groups collector's walk), the process.* metrics, one ResourceMetrics per process, and the protobuf request
// (single-resource requests concatenated, as src/exporters/otlp.ts sends them). Extra idle processes are started
// when the machine has fewer than BENCH_OTLP_PROCESSES (default 1000). Needs `npm run build`. ~20 s.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');
const { fmt, loadDist, median, runIfMain } = require('./_lib');

const WANT = Number(process.env.BENCH_OTLP_PROCESSES || 1000);
const RUNS = 15;

async function run() {
  const lib = loadDist();
  const dist = path.join(__dirname, '..', 'dist', 'exporters');
  const { ProcessRecorder, processRecordMetrics, processKey } = require(path.join(dist, 'otlp-processes.js'));
  const { processResourceMetrics } = require(path.join(dist, 'otlp.js'));
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const { ProtobufMetricsSerializer } = require('@opentelemetry/otlp-transformer');
  const psutil = lib.createPsutil({ procfs: '/proc', sysfs: '/sys', rootfs: '/' });

  const have = lib.pids().length;
  const extra = [];
  for (let i = have; i < WANT + 20; i++) extra.push(spawn('sleep', ['600'], { stdio: 'ignore' }));
  try {
    await new Promise((r) => setTimeout(r, 500));
    const host = resourceFromAttributes({ 'service.name': 'bench', 'host.name': 'bench' });
    const cpus = psutil.cpuCount() ?? 1;
    let prev = new Map();
    // One recorder for every pass, as the collector keeps one: what it keeps between passes counts as in the agent.
    const rec = new ProcessRecorder({ include: null, exclude: null, max: WANT });
    const cpu = [];
    const parts = { walk: [], map: [], encode: [] };
    let count = 0;
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      for (const p of psutil.processIter()) p.oneshot(() => rec.visit(p));
      const { records } = rec.take();
      const t1 = process.hrtime.bigint();
      const now = Date.now() / 1000;
      const metrics = processRecordMetrics(records, prev, now, cpus, psutil.virtualMemory().total);
      prev = new Map(
        records.map((r) => [processKey(r), { at: now, user: r.cpuUser, system: r.cpuSystem, wait: r.cpuWait }]),
      );
      const rms = processResourceMetrics(metrics, host, Date.now());
      const t2 = process.hrtime.bigint();
      const body = Buffer.concat(rms.map((rm) => ProtobufMetricsSerializer.serializeRequest(rm)));
      const t3 = process.hrtime.bigint();
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      parts.walk.push(Number(t1 - t0) / 1e6);
      parts.map.push(Number(t2 - t1) / 1e6);
      parts.encode.push(Number(t3 - t2) / 1e6);
      count = records.length;
      bytes = body.length;
    }
    process.stdout.write(
      `otlp.processes: ${count} processes per export, ${(bytes / 1024).toFixed(0)} KiB of protobuf\n` +
        `  CPU per export, median of ${RUNS}: ${fmt(median(cpu))} ms (goal < 50 ms)\n` +
        `  wall, median: walk + records ${fmt(median(parts.walk))} ms, metrics + resources ${fmt(median(parts.map))} ms, ` +
        `protobuf ${fmt(median(parts.encode))} ms\n`,
    );
  } finally {
    for (const c of extra) c.kill('SIGKILL');
  }
}

module.exports = { run };
runIfMain(module, run);
