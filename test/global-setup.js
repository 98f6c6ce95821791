/**
 * Jest globalSetup: the agent's tests run the built agent (node dist/cli.js, which starts a worker thread, and a
 * worker cannot load TypeScript under ts-jest), so dist/ is rebuilt once before the suite when any source is newer.
 * Type errors are reported but do not stop the suite (ts-jest type-checks the tests and what they import); a build
 * that emits no dist/cli.js does.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

module.exports = async function globalSetup() {
  const cli = path.join(root, 'dist', 'cli.js');
  if (fs.existsSync(cli) && newest(path.join(root, 'src')) <= fs.statSync(cli).mtimeMs) return;
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (!fs.existsSync(cli)) throw new Error(`build failed, no dist/cli.js:\n${r.stdout}${r.stderr}`);
  // tsc rewrites only changed outputs; touch the entry so the freshness check above holds next time.
  const now = new Date();
  fs.utimesSync(cli, now, now);
  if (r.status !== 0) process.stderr.write(`\n[global-setup] tsc reported errors (dist/ was emitted anyway):\n${r.stdout}${r.stderr}\n`);
};
