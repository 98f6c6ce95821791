#!/usr/bin/env node
// `npm start`: build if the sources are newer than dist/, then run the agent on config/default.yaml.
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

if (!fs.existsSync(cli) || newest(path.join(root, 'src')) > fs.statSync(cli).mtimeMs) {
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const args = process.argv.slice(2);
if (!args.some((a) => a.startsWith('--config.file')))
  args.unshift(`--config.file=${path.join(root, 'config', 'default.yaml')}`);
// Run in this process so that SIGTERM/SIGINT from npm reach the agent's own handlers.
require(cli)
  .main(args)
  .then(
    (code) => {
      if (typeof code === 'number' && code !== 0) process.exitCode = code;
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
