#!/usr/bin/env node
/**
 * Builds dist/ from src/ (tsc -p tsconfig.build.json), then writes config/schema.json's validator into dist/config
 * (scripts/gen-validator.js: ajv's standalone code, so that the agent does not compile the schema at start). Used by npm's `prepare` (so `npm ci`, `npm install` in a
 * checkout and an install from git all get a dist/) and by jest's global setup (the agent's tests spawn dist/cli.js).
 *
 *   node scripts/build.js             build
 *   node scripts/build.js --if-stale  build only when a file under src/, or config/schema.json, is newer than
 *                                     dist/cli.js
 *
 * A type error fails the build (exit 1) and removes dist/cli.js: tsc emits the JavaScript anyway, and a dist/ left
 * looking fresh would let the next --if-stale run skip the check it failed.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');

function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** True when dist/cli.js is missing or older than the newest file under src/ or the schema (its validator). */
function stale() {
  if (!fs.existsSync(cli)) return true;
  const built = fs.statSync(cli).mtimeMs;
  return (
    newest(path.join(root, 'src')) > built || fs.statSync(path.join(root, 'config', 'schema.json')).mtimeMs > built
  );
}

/** Runs tsc; returns { ok, output } (the compiler's messages when it failed). */
function build() {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  if (r.status !== 0 || !fs.existsSync(cli)) {
    fs.rmSync(cli, { force: true });
    return { ok: false, output };
  }
  const g = spawnSync(process.execPath, [path.join(__dirname, 'gen-validator.js')], { cwd: root, encoding: 'utf8' });
  if (g.status !== 0) {
    fs.rmSync(cli, { force: true });
    return { ok: false, output: `${output}${g.stdout ?? ''}${g.stderr ?? ''}${g.error ? String(g.error) : ''}` };
  }
  // tsc rewrites only the outputs whose text changed; touch the entry so that stale() holds until src/ changes.
  const now = new Date();
  fs.utimesSync(cli, now, now);
  return { ok: true, output };
}

module.exports = { build, stale };

if (require.main === module) {
  if (process.argv.includes('--if-stale') && !stale()) process.exit(0);
  const r = build();
  if (!r.ok) {
    process.stderr.write(`build failed (tsc -p tsconfig.build.json):\n${r.output}\n`);
    process.exit(1);
  }
}
