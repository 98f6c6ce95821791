/**
 * CI's tally and skip gate (.ci/tally.js) on jest results written here: the closing line on every path, listed skips
 * allowed, any other skip counted as failed, and the repository's own list matching the titles requireOr and the
 * peers' fixtures give their skips.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from '../helpers/fixtures';

const TALLY = path.join(REPO, '.ci', 'tally.js');
const KNOWN = path.join(REPO, 'test', 'known-skips.txt');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-tally-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Assertion {
  status: string;
  fullName: string;
}

/** A jest --json results file with one suite holding these tests. */
function results(tests: Assertion[], extra: { suiteStatus?: string } = {}): string {
  const count = (s: string): number => tests.filter((t) => t.status === s).length;
  const file = path.join(dir, `r${fs.readdirSync(dir).length}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify({
      numPassedTests: count('passed'),
      numFailedTests: count('failed'),
      numPendingTests: count('pending'),
      testResults: [{ name: '/repo/test/a.test.ts', status: extra.suiteStatus ?? 'passed', assertionResults: tests }],
    }),
  );
  return file;
}

function tally(resultsFile: string, known = KNOWN): { status: number | null; lines: string[] } {
  const r = spawnSync(process.execPath, [TALLY, resultsFile, known], { encoding: 'utf8', timeout: 30000 });
  return { status: r.status, lines: r.stdout.trim().split('\n') };
}

const HELM =
  '[skipped: no helm (not packaged by Debian)] helm template (only where helm is installed) helm lint passes';
const PEER = '[skipped: peer fixtures absent at /x/shared/fixtures; set PSUTIL_PEER_FIXTURES] disk on fixtures reads';

test('listed skips pass: the closing line counts them as skipped', () => {
  const r = tally(
    results([
      { status: 'passed', fullName: 'a' },
      { status: 'pending', fullName: HELM },
      { status: 'pending', fullName: `d ${PEER}` },
    ]),
  );
  expect(r.status).toBe(0);
  expect(r.lines.at(-1)).toBe('1 passed, 0 failed, 2 skipped');
});

test('a skip the list does not name is a failure, named in the output', () => {
  const other = '[skipped: no free/vmstat (apt-get install procps)] virtualMemory vs free -b total is exact';
  const r = tally(
    results([
      { status: 'passed', fullName: 'a' },
      { status: 'pending', fullName: HELM },
      { status: 'pending', fullName: other },
      { status: 'todo', fullName: 'later' },
    ]),
  );
  expect(r.status).toBe(1);
  expect(r.lines.at(-1)).toBe('1 passed, 2 failed, 1 skipped');
  expect(r.lines.filter((l) => l.includes('not listed'))).toEqual([
    expect.stringContaining(other),
    expect.stringContaining('later'),
  ]);
});

test('failed tests and suites that did not run are counted', () => {
  const r = tally(
    results([
      { status: 'failed', fullName: 'x' },
      { status: 'passed', fullName: 'y' },
    ]),
  );
  expect(r.status).toBe(1);
  expect(r.lines.at(-1)).toBe('1 passed, 1 failed, 0 skipped');
  const broken = tally(results([], { suiteStatus: 'failed' }));
  expect([broken.status, broken.lines.at(-1)]).toEqual([1, '0 passed, 1 failed, 0 skipped']);
});

test('no results, a missing list, or a results file of another shape: still a closing line, and a failure', () => {
  const none = tally(path.join(dir, 'absent.json'));
  expect([none.status, none.lines.at(-1)]).toEqual([1, '0 passed, 1 failed']);
  const noList = tally(results([{ status: 'passed', fullName: 'a' }]), path.join(dir, 'absent.txt'));
  expect([noList.status, noList.lines.at(-1)]).toEqual([1, '1 passed, 1 failed, 0 skipped']);
  const odd = path.join(dir, 'odd.json');
  fs.writeFileSync(odd, '{"numPassedTests": 3}');
  const shape = tally(odd);
  expect([shape.status, shape.lines.at(-1)]).toEqual([1, '0 passed, 1 failed']);
});

test('a list entry without its reason is refused', () => {
  const bad = path.join(dir, 'bad.txt');
  fs.writeFileSync(bad, '# comment\n\\[skipped: no helm\n');
  const r = tally(results([{ status: 'pending', fullName: HELM }]), bad);
  expect(r.status).toBe(1);
  expect(r.lines.join('\n')).toMatch(/bad\.txt:2: no " # why"/);
});
