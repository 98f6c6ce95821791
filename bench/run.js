#!/usr/bin/env node
// `npm run bench`: runs every benchmark module in bench/ (each exports async run() that prints its own table).
// Usage: npm run bench [-- name ...]   (default: system-cpu-mem, system-disk, system-net, process, agent, groups;
// soak scripts such as admin-soak, and sizing (~15 min), run only when named)
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const order = ['system-cpu-mem', 'system-disk', 'system-net', 'process', 'agent', 'groups'];

async function main() {
  const wanted = process.argv.slice(2);
  // Only the wanted modules are loaded: a script without a require.main guard (admin-soak) would start running on
  // load, alongside the benchmarks being timed.
  const present = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.startsWith('_'))
    .map((f) => f.slice(0, -3))
    .filter((n) => wanted.length === 0 || wanted.includes(n))
    .filter((n) => {
      try {
        return typeof require(path.join(__dirname, n)).run === 'function';
      } catch {
        return false;
      }
    });
  // By default the benchmarks in `order`; anything else (admin-soak, ...) runs only when named.
  const names =
    wanted.length === 0 ? order.filter((n) => present.includes(n)) : wanted.filter((n) => present.includes(n));
  for (const n of wanted)
    if (!present.includes(n)) process.stdout.write(`no benchmark named ${n} (have: ${present.join(', ')})\n`);
  let failed = 0;
  for (const name of names) {
    process.stdout.write(`\n=== ${name} ===\n`);
    const t0 = process.hrtime.bigint();
    try {
      await require(path.join(__dirname, name)).run();
    } catch (err) {
      failed++;
      process.stdout.write(`bench ${name} failed: ${err && err.stack ? err.stack : err}\n`);
    }
    process.stdout.write(`(${name}: ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s)\n`);
  }
  process.exitCode = failed ? 1 : 0;
}
main();
