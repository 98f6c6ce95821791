#!/usr/bin/env node
/**
 * CI's tally and skip gate. Reads jest's --json results, counts as failed every skipped test whose full name matches
 * no entry of the known-skips list (test/known-skips.txt), and prints the closing line `N passed, N failed, N skipped`
 * last, on every path (an unreadable results file or list included).
 * Usage: node .ci/tally.js RESULTS.json KNOWN_SKIPS.txt. Exit 0 when nothing failed, 1 otherwise.
 */
'use strict';
const fs = require('node:fs');

const SKIPPED = new Set(['pending', 'skipped', 'todo', 'disabled']);

/** Entries of the known-skips list: a regular expression, then ` # ` and why. */
function readKnown(file) {
  const out = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const cut = line.search(/\s#\s/);
      if (cut < 0) throw new Error(`${file}:${i + 1}: no " # why" after the pattern`);
      out.push({
        re: new RegExp(line.slice(0, cut).trim()),
        why: line
          .slice(cut)
          .replace(/^\s#\s*/, '')
          .trim(),
        count: 0,
      });
    });
  return out;
}

function main(argv) {
  const [resultsFile, knownFile] = argv;
  let r;
  try {
    r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  } catch (e) {
    console.log(`ci: no readable jest results at ${resultsFile}: ${e.message}`);
    console.log('0 passed, 1 failed');
    return 1;
  }
  let known;
  let listBroken = 0;
  try {
    known = readKnown(knownFile);
  } catch (e) {
    console.log(`ci: the known-skips list is unreadable, so every skip counts as failed: ${e.message}`);
    known = [];
    listBroken = 1;
  }
  let skipped = 0;
  const unlisted = [];
  for (const suite of r.testResults) {
    for (const t of suite.assertionResults) {
      if (!SKIPPED.has(t.status)) continue;
      const entry = known.find((k) => k.re.test(t.fullName));
      if (entry === undefined) unlisted.push(`${t.fullName} (${suite.name})`);
      else {
        entry.count++;
        skipped++;
      }
    }
  }
  for (const k of known) if (k.count > 0) console.log(`ci: ${k.count} skipped as listed: ${k.why}`);
  for (const u of unlisted) console.log(`ci: skipped but not listed in ${knownFile} (counted as failed): ${u}`);
  // Suites that failed to run (compile errors) count as failures too.
  const broken = r.testResults.filter((t) => t.status === 'failed' && t.assertionResults.length === 0).length;
  // LINT_FAILED=1: .ci/run's `npm run lint` failed, one more failed in the closing line.
  const failed = r.numFailedTests + broken + unlisted.length + listBroken + Number(process.env.LINT_FAILED ?? 0);
  console.log(`${r.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
  return failed > 0 ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  // A results file of another shape: still a closing line, and a failure.
  console.log(`ci: the tally failed: ${e && e.stack}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
}
