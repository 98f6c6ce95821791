/**
 * Jest globalSetup: the agent's tests run the built agent (node dist/cli.js, which starts a worker thread, and a
 * worker cannot load TypeScript under ts-jest), so dist/ is rebuilt once before the suite when any source is newer.
 * A type error in src/ stops the suite here: tsc would emit dist/ anyway, and a run that goes on tests JavaScript
 * that the compiler refused (ts-jest checks the test files and what they import, but only per file).
 */
'use strict';
const { build, stale } = require('../scripts/build.js');

module.exports = async function globalSetup() {
  if (!stale()) return;
  const r = build();
  if (!r.ok) throw new Error(`type errors in src/ (tsc -p tsconfig.build.json), the suite does not run:\n${r.output}`);
};
