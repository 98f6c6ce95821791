/** Paths of the fixture trees: ours under test/fixtures, the peers' under ../shared/fixtures. */
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
export const OWN_FIXTURES = path.join(REPO, 'test', 'fixtures');
export const SHARED = path.resolve(REPO, '..', 'shared');
export const NODE_EXPORTER_FIXTURES = path.join(SHARED, 'fixtures', 'node_exporter');
export const PROCFS_FIXTURES = path.join(SHARED, 'fixtures', 'procfs');

export function own(...parts: string[]): string {
  return path.join(OWN_FIXTURES, ...parts);
}
