#!/usr/bin/env node
// `npm run bench`: runs every benchmark module in bench/ (each exports async run() that prints its own table).
// Usage: npm run bench [-- name ...]   (names: system-cpu-mem, system-disk, system-net, process, agent, groups)
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const order = ['system-cpu-mem', 'system-disk', 'system-net', 'process', 'agent', 'groups'];

async function main() {
  const wanted = process.argv.slice(2);
  const present = fs.readdirSync(__dirname).filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.startsWith('_'))
    .map((f) => f.slice(0, -3)).filter((n) => { try { return typeof require(path.join(__dirname, n)).run === 'function'; } catch { return false; } });
  const names = [...order.filter((n) => present.includes(n)), ...present.filter((n) => !order.includes(n)).sort()]
    .filter((n) => wanted.length === 0 || wanted.includes(n));
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
