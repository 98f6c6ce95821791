/**
 * The golden test on the built agent. Its --once on our fake host (test/fixtures/golden-host) must reproduce what
 * Debian's node_exporter 1.5.0 serves on that tree (node_exporter-1.5.0.prom): every series, same labels, type and
 * value, and nothing undocumented besides. Where node_exporter 1.5.0 is installed, regenerate.sh is run again and
 * must give the checked-in file, so the tree and the file cannot drift apart. The peers' fixture host, where present,
 * is an extra: every covered series of node_exporter's own e2e-output.txt, and our checked-in exposition of that tree
 * (test/fixtures/golden/node_exporter-fixture.prom; UPDATE_GOLDEN=1 rewrites it) apart from the run-dependent lines.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describePeer, NODE_EXPORTER_FIXTURES, REPO } from '../helpers/fixtures';
import { materializeSymlinks } from '../helpers/symlink-tree';
import {
  compareWithE2e,
  compareWithNodeExporter,
  GOLDEN_CONFIG_FILE,
  GOLDEN_EXPOSITION_FILE,
  GOLDEN_HOST,
  GOLDEN_HOST_CONFIG_FILE,
  GOLDEN_HOST_EXPECTED_FILE,
  goldenHostPaths,
  parseExposition,
  stableLines,
} from '../exporters/golden-compare';
import { describeWithBinary, promtoolCheck, runCli } from './agent-process';

/** promtool's complaints about node_exporter's own names, which the agent keeps for compatibility. */
function promtoolProblems(text: string): string[] {
  return promtoolCheck(text).problems.filter(
    (p) =>
      !/^node_\S+ metric names should be written in 'snake_case' not 'camelCase'$/.test(p) &&
      !/^node_entropy_(available|pool_size)_bits use base unit "bytes" instead of "bits"$/.test(p),
  );
}

describe('--once on our fake host against node_exporter 1.5.0', () => {
  let out: string;

  beforeAll(() => {
    const p = goldenHostPaths();
    // From the repository root: the config's textfile directory is relative, as in the recorded command line.
    const r = runCli([
      '--once',
      '--log.level=error',
      `--config.file=${GOLDEN_HOST_CONFIG_FILE}`,
      `--path.procfs=${p.procfs}`,
      `--path.sysfs=${p.sysfs}`,
      `--path.rootfs=${p.rootfs}`,
    ]);
    if (r.status !== 0) throw new Error(`--once failed (${String(r.status)}): ${r.stderr}`);
    out = r.stdout;
  });

  test('every collector succeeds', () => {
    const success = parseExposition(out).series.filter((s) => s.name === 'psutil_exporter_scrape_collector_success');
    expect(success.length).toBeGreaterThan(20);
    expect(success.filter((s) => s.value !== 1)).toEqual([]);
  });

  test('reproduces node_exporter-1.5.0.prom: every series, same labels, type and value; nothing undocumented added', () => {
    const c = compareWithNodeExporter(
      parseExposition(fs.readFileSync(GOLDEN_HOST_EXPECTED_FILE, 'utf8')),
      parseExposition(out),
    );
    expect({
      families: c.missingFamilies,
      types: c.typeMismatches,
      missing: c.missingSeries,
      values: c.wrongValues,
      extra: c.extraSeries,
    }).toEqual({ families: [], types: [], missing: [], values: [], extra: [] });
    expect(c.compared).toBeGreaterThan(650);
  });

  test('the expected file records the command line that produced it, on this tree', () => {
    const header = fs
      .readFileSync(GOLDEN_HOST_EXPECTED_FILE, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('#   prometheus-node-exporter '));
    expect(header).toHaveLength(1);
    for (const flag of [
      '--path.procfs=test/fixtures/golden-host/proc',
      '--path.sysfs=test/fixtures/golden-host/sys',
      '--path.rootfs=test/fixtures/golden-host ',
      '--path.udev.data=test/fixtures/golden-host/udev/data',
      '--collector.disable-defaults',
      '--collector.textfile.directory=test/fixtures/golden-host/textfile',
    ]) {
      expect(header[0]).toContain(flag);
    }
  });

  describeWithBinary('promtool')('promtool', () => {
    test("passes promtool check metrics apart from node_exporter's own camelCase names and entropy in bits", () => {
      expect(promtoolProblems(out)).toEqual([]);
    });
  });
});

describeWithBinary('prometheus-node-exporter')('regenerate.sh', () => {
  test('gives the checked-in node_exporter-1.5.0.prom (the tree and the file agree)', () => {
    const version = spawnSync('prometheus-node-exporter', ['--version'], { encoding: 'utf8', timeout: 10000 });
    if (!/version 1\.5\.0 /.test(`${version.stdout}${version.stderr}`)) {
      throw new Error(
        `regenerate.sh needs node_exporter 1.5.0; the installed one says: ${version.stdout}${version.stderr}`,
      );
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-golden-'));
    try {
      const fresh = path.join(dir, 'fresh.prom');
      const r = spawnSync('bash', [path.join(GOLDEN_HOST, 'regenerate.sh'), fresh], {
        cwd: REPO,
        encoding: 'utf8',
        timeout: 120000,
      });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      expect(fs.readFileSync(fresh, 'utf8')).toBe(fs.readFileSync(GOLDEN_HOST_EXPECTED_FILE, 'utf8'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 150000);
});

describePeer("--once on the peers' fixture host", () => {
  let root: string;
  let out: string;

  beforeAll(() => {
    root = materializeSymlinks(NODE_EXPORTER_FIXTURES, ['proc', 'sys', 'udev']);
    const r = runCli([
      '--once',
      '--log.level=error',
      `--config.file=${GOLDEN_CONFIG_FILE}`,
      `--path.procfs=${path.join(root, 'proc')}`,
      `--path.sysfs=${path.join(root, 'sys')}`,
      `--path.rootfs=${root}`,
    ]);
    if (r.status !== 0) throw new Error(`--once failed (${String(r.status)}): ${r.stderr}`);
    out = r.stdout;
    if (process.env['UPDATE_GOLDEN'] === '1') fs.writeFileSync(GOLDEN_EXPOSITION_FILE, out);
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test("node_exporter's e2e-output.txt: every covered series, same labels, type and value", () => {
    const c = compareWithE2e(parseExposition(out));
    expect({
      families: c.missingFamilies,
      types: c.typeMismatches,
      series: c.missingSeries,
      values: c.wrongValues,
    }).toEqual({ families: [], types: [], series: [], values: [] });
    expect(c.compared).toBeGreaterThan(600);
  });

  test('equals the checked-in expected exposition (run-dependent lines aside)', () => {
    const want = fs.readFileSync(GOLDEN_EXPOSITION_FILE, 'utf8');
    expect(stableLines(out)).toEqual(stableLines(want));
  });

  describeWithBinary('promtool')('promtool', () => {
    test("passes promtool apart from node_exporter's own camelCase names and entropy in bits", () => {
      expect(promtoolProblems(out)).toEqual([]);
    });
  });
});
