#!/usr/bin/env node
// Per-process OTLP (otlp.processes): CPU per export for up to 1,000 processes, the goal being under 50 ms. One export
// here is what the agent does for it: the walk of /proc with each process's record read in its oneshot block (the
// process_groups collector's walk, one recorder kept from pass to pass as the collector keeps it), the process.*
// metrics, built packed (processRecordPack), their trip from the worker thread to the main thread (v8's serializer,
// which postMessage uses), and the protobuf request the exporter sends (encoded straight from the packed metrics,
// otlp-process-encode.ts). CPU is the whole
// process's (process.cpuUsage: every thread, user and system, the kernel's /proc work included) around one export.
// Beside it, outside the total and after every measured export (its garbage, ~100 ms of allocation per run, would
// otherwise be collected inside the next measured export), the path the direct encoding replaced (SDK
// ResourceMetrics per process through the otlp-transformer's serializer), on the last export's metrics. Extra idle processes are started when the machine
// has fewer than BENCH_OTLP_PROCESSES (default 1000). Needs `npm run build`. ~20 s.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');
const v8 = require('node:v8');
const { fmt, loadDist, median, runIfMain } = require('./_lib');

const WANT = Number(process.env.BENCH_OTLP_PROCESSES || 1000);
const RUNS = Number(process.env.BENCH_OTLP_RUNS || 15);

/** This process's CPU time (user + system, every thread) in ms: the parts are timed in CPU, as the total is. */
function cpuMs() {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/**
 * One variant of the export: a build's library and exporter modules (dist), a recorder kept from pass to pass as
 * the collector keeps one, and the CPU-sample map of the last pass. `exportOnce()` runs one export and returns its
 * figures.
 */
function variant(label, dist, fdMode) {
  const lib = require(path.join(dist, 'index.js'));
  const ex = (f) => require(path.join(dist, 'exporters', f));
  const { ProcessRecorder, processRecordPack, processKey } = ex('otlp-processes.js');
  const { processResourceMetrics, SCOPE_NAME } = ex('otlp.js');
  const { encodePackedResources } = ex('otlp-process-encode.js');
  const { unpackOtlp } = ex('otlp-pack.js');
  const { agentVersion } = ex('prometheus.js');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const { ProtobufMetricsSerializer } = require('@opentelemetry/otlp-transformer');
  const psutil = lib.createPsutil({ procfs: '/proc', sysfs: '/sys', rootfs: '/' });
  const host = resourceFromAttributes({ 'service.name': 'bench', 'host.name': 'bench' });
  const scope = { name: SCOPE_NAME, version: agentVersion() };
  const cpus = psutil.cpuCount() ?? 1;
  let prev = new Map();
  // One recorder for every pass, as the collector keeps one: what it keeps between passes counts as in the agent.
  const rec = new ProcessRecorder({ include: null, exclude: null, max: WANT }, fdMode);
  const out = {
    label,
    cpu: [],
    user: [],
    system: [],
    walk: [],
    map: [],
    hop: [],
    encode: [],
    sdk: [],
    count: 0,
    bytes: 0,
  };
  out.exportOnce = () => {
    const c0 = process.cpuUsage();
    const t0 = cpuMs();
    for (const p of psutil.processIter()) p.oneshot(() => rec.visit(p));
    const { records } = rec.take();
    const t1 = cpuMs();
    const now = Date.now() / 1000;
    const packed = processRecordPack(records, prev, now, cpus, psutil.virtualMemory().total);
    prev = new Map(
      records.map((r) => [processKey(r), { at: now, user: r.cpuUser, system: r.cpuSystem, wait: r.cpuWait }]),
    );
    const t2 = cpuMs();
    const sent = v8.deserialize(v8.serialize({ plain: [], packed }));
    const t3 = cpuMs();
    const body = encodePackedResources([sent.packed], host.attributes, Date.now(), scope);
    const t4 = cpuMs();
    const c = process.cpuUsage(c0);
    out.cpu.push((c.user + c.system) / 1000);
    out.user.push(c.user / 1000);
    out.system.push(c.system / 1000);
    out.walk.push(t1 - t0);
    out.map.push(t2 - t1);
    out.hop.push(t3 - t2);
    out.encode.push(t4 - t3);
    out.last = sent.packed;
    out.count = records.length;
    out.bytes = body.length;
    out.kept = rec.keptFds?.() ?? null;
  };
  /** The SDK path on the last export's metrics (not part of an export's figures). */
  out.sdkOnce = () => {
    const t5 = cpuMs();
    const metrics = unpackOtlp(out.last);
    Buffer.concat(
      processResourceMetrics(metrics, host, Date.now()).map((rm) => ProtobufMetricsSerializer.serializeRequest(rm)),
    );
    out.sdk.push(cpuMs() - t5);
  };
  out.close = () => rec.close?.();
  return out;
}

async function run() {
  const lib = loadDist();
  const have = lib.pids().length;
  const extra = [];
  for (let i = have; i < WANT + 20; i++) extra.push(spawn('sleep', ['600'], { stdio: 'ignore' }));
  // BENCH_OTLP_BASE=<another build's dist>: that build's export too, interleaved pass by pass with this one's.
  // BENCH_OTLP_FD_MODES=dir,files: this build (and the base) once per kept-fd mode of the recorder (default: its
  // default).
  const variants = [];
  try {
    await new Promise((r) => setTimeout(r, 500));
    const here = path.join(__dirname, '..', 'dist');
    const modes = (process.env.BENCH_OTLP_FD_MODES || '').split(',').filter((m) => m !== '');
    const base = process.env.BENCH_OTLP_BASE;
    if (modes.length === 0) {
      if (base) variants.push(variant('base', base, undefined));
      variants.push(variant('this build', here, undefined));
    }
    for (const m of modes) {
      if (base) variants.push(variant(`base, fds ${m}`, base, m));
      variants.push(variant(`this build, fds ${m}`, here, m));
    }
    for (let i = 0; i < RUNS; i++) for (const v of variants) v.exportOnce();
    for (let i = 0; i < Math.min(RUNS, 5); i++) for (const v of variants) v.sdkOnce();
    for (const v of variants) {
      process.stdout.write(
        `otlp.processes (${v.label}): ${v.count} processes per export, ${(v.bytes / 1024).toFixed(0)} KiB of protobuf` +
          // Past the fd budget (an eighth of the soft RLIMIT_NOFILE; mode 'files' takes 4 per process) the rest are
          // read by path: a mode is only measured as itself where every exported process is kept.
          (v.kept === null ? '' : `; fds kept for ${v.kept.processes} of them (${v.kept.fds} fds)`) +
          '\n' +
          `  CPU per export, median of ${RUNS}: ${fmt(median(v.cpu))} ms (goal < 50 ms); user ${fmt(median(v.user))} ms, system ${fmt(median(v.system))} ms\n` +
          `  CPU by part, median: walk + records ${fmt(median(v.walk))} ms, metrics ${fmt(median(v.map))} ms, ` +
          `worker -> main ${fmt(median(v.hop))} ms, protobuf ${fmt(median(v.encode))} ms ` +
          `(SDK objects + serializer instead, measured apart: ${fmt(median(v.sdk))} ms)\n`,
      );
    }
    process.stdout.write(
      `  load average: ${require('node:os')
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}\n`,
    );
  } finally {
    for (const v of variants) v.close();
    for (const c of extra) c.kill('SIGKILL');
  }
}

module.exports = { run };
runIfMain(module, run);
