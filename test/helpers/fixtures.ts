/**
 * Paths of the fixture trees: ours under test/fixtures (every test needs only these), the peers' (node_exporter's and
 * procfs's fixture hosts) under PSUTIL_PEER_FIXTURES, default ../shared/fixtures beside the checkout. The peers' trees
 * are an extra, wider suite: absent from a user's clone, so their tests go through describePeer/testPeer, which skip
 * with a reason in the title; REQUIRE_PEER_FIXTURES=1 (set by .ci/run when the folder exists) makes absence an error.
 * Skip reason: the peers' trees are not this repository's to ship. Plan: our own trees under test/fixtures carry a case
 * for every behaviour, so a user's clone loses no check; CI runs the peers' suite with absence failing, and
 * test/known-skips.txt lists these skips as allowed only where the folder is absent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
export const OWN_FIXTURES = path.join(REPO, 'test', 'fixtures');
export const PEER_FIXTURES = path.resolve(
  REPO,
  process.env['PSUTIL_PEER_FIXTURES'] ?? path.join('..', 'shared', 'fixtures'),
);
export const HAVE_PEER_FIXTURES =
  fs.existsSync(path.join(PEER_FIXTURES, 'node_exporter')) && fs.existsSync(path.join(PEER_FIXTURES, 'procfs'));
if (!HAVE_PEER_FIXTURES && process.env['REQUIRE_PEER_FIXTURES'] === '1') {
  throw new Error(
    `REQUIRE_PEER_FIXTURES=1 but the peers' fixture trees are not at ${PEER_FIXTURES} (set PSUTIL_PEER_FIXTURES)`,
  );
}
/** The folder holding the peers' fixtures and reference files (../shared): its reference/ is peer material too. */
export const SHARED = path.dirname(PEER_FIXTURES);
export const NODE_EXPORTER_FIXTURES = path.join(PEER_FIXTURES, 'node_exporter');
export const PROCFS_FIXTURES = path.join(PEER_FIXTURES, 'procfs');

// Skip reason: the peers' trees (node_exporter's and procfs's fixture hosts) are not part of this repository, so a
// user's clone has none. Plan: every behaviour they check also has a case on our own trees (test/fixtures), so nothing
// is lost there; CI, which has them beside the clone, runs them with REQUIRE_PEER_FIXTURES=1 (absence fails), and
// test/known-skips.txt lists this skip as the only allowed one of its kind.
const PEER_SKIP = `[skipped: peer fixtures absent at ${PEER_FIXTURES}; set PSUTIL_PEER_FIXTURES] `;

/** describe() for tests on the peers' trees: a visible skip, with its reason, where they are absent. */
export const describePeer: (name: string, fn: () => void) => void = HAVE_PEER_FIXTURES
  ? (name, fn) => describe(name, fn)
  : // eslint-disable-next-line jest/no-disabled-tests -- only where the peers' trees are absent, the reason in the title
    (name, fn) => describe.skip(PEER_SKIP + name, fn);

/** test() for one test on the peers' trees. */
export const testPeer: (name: string, fn: () => unknown, timeout?: number) => void = HAVE_PEER_FIXTURES
  ? (name, fn, timeout) => test(name, fn as jest.ProvidesCallback, timeout)
  : // eslint-disable-next-line jest/no-disabled-tests -- only where the peers' trees are absent, the reason in the title
    (name, fn, timeout) => test.skip(PEER_SKIP + name, fn as jest.ProvidesCallback, timeout);

export function own(...parts: string[]): string {
  return path.join(OWN_FIXTURES, ...parts);
}
