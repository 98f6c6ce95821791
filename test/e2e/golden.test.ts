/**
 * The golden test: the built agent's --once on node_exporter's fixture host. Every covered series of
 * node_exporter's own e2e-output.txt must appear identical, and the whole exposition must equal our checked-in
 * expected one (test/fixtures/golden/node_exporter-fixture.prom; UPDATE_GOLDEN=1 rewrites it) apart from the lines
 * that depend on the run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NODE_EXPORTER_FIXTURES } from '../helpers/fixtures';
import { materializeSymlinks } from '../helpers/symlink-tree';
import { compareWithE2e, GOLDEN_CONFIG_FILE, GOLDEN_EXPOSITION_FILE, parseExposition, stableLines } from '../exporters/golden-compare';
import { describeWithBinary, promtoolCheck, runCli } from './agent-process';

let root: string;
let out: string;

beforeAll(() => {
  root = materializeSymlinks(NODE_EXPORTER_FIXTURES, ['proc', 'sys', 'udev']);
  const r = runCli([
    '--once', '--log.level=error', `--config.file=${GOLDEN_CONFIG_FILE}`,
    `--path.procfs=${path.join(root, 'proc')}`, `--path.sysfs=${path.join(root, 'sys')}`, `--path.rootfs=${root}`,
  ]);
  if (r.status !== 0) throw new Error(`--once failed (${r.status}): ${r.stderr}`);
  out = r.stdout;
  if (process.env['UPDATE_GOLDEN'] === '1') fs.writeFileSync(GOLDEN_EXPOSITION_FILE, out);
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test("node_exporter's e2e-output.txt: every covered series, same labels, type and value", () => {
  const c = compareWithE2e(parseExposition(out));
  expect({ families: c.missingFamilies, types: c.typeMismatches, series: c.missingSeries, values: c.wrongValues })
    .toEqual({ families: [], types: [], series: [], values: [] });
  expect(c.compared).toBeGreaterThan(600);
});

test('equals the checked-in expected exposition (run-dependent lines aside)', () => {
  const want = fs.readFileSync(GOLDEN_EXPOSITION_FILE, 'utf8');
  expect(stableLines(out)).toEqual(stableLines(want));
});

describeWithBinary('promtool')('the golden exposition', () => {
  test("passes promtool apart from node_exporter's own camelCase names and entropy in bits", () => {
    const other = promtoolCheck(out).problems.filter((p) => !/^node_\S+ metric names should be written in 'snake_case' not 'camelCase'$/.test(p)
      && !/^node_entropy_(available|pool_size)_bits use base unit "bytes" instead of "bits"$/.test(p));
    expect(other).toEqual([]);
  });
});
