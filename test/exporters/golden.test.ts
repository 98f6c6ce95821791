/**
 * The collectors in this thread on our fake host (test/fixtures/golden-host): every series Debian's node_exporter
 * 1.5.0 serves on that tree (node_exporter-1.5.0.prom) comes out identical (labels, type, value bit for bit), and
 * nothing else but documented newer-node_exporter series and the agent's own. The same check runs on the built
 * agent's --once in test/e2e/golden.test.ts. The peers' fixture host and its e2e-output.txt, where present, are an
 * extra check of the families we cover.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../src/config/load';
import { activeCollectors } from '../../src/exporters/agent';
import { COLLECTORS } from '../../src/exporters/collectors';
import { PrometheusAdapter } from '../../src/exporters/prometheus';
import { InProcessRunner, SnapshotSource } from '../../src/exporters/snapshot';
import { createPsutil } from '../../src/index';
import { describePeer, NODE_EXPORTER_FIXTURES } from '../helpers/fixtures';
import { materializeSymlinks } from '../helpers/symlink-tree';
import {
  compareWithE2e,
  compareWithNodeExporter,
  GOLDEN_CONFIG,
  GOLDEN_HOST_CONFIG_FILE,
  GOLDEN_HOST_EXPECTED_FILE,
  goldenHostPaths,
  parseExposition,
  staleAllowances,
  type Exposition,
} from './golden-compare';

async function render(configText: string, roots: { procfs: string; sysfs: string; rootfs: string }): Promise<string> {
  const cfg = parseConfig(configText);
  const { plans, active } = activeCollectors(cfg);
  const source = new SnapshotSource(new InProcessRunner({ psutil: createPsutil(roots), roots }, COLLECTORS, plans), {
    plans,
    maxAgeMs: 0,
    timeoutMs: 30000,
  });
  return new PrometheusAdapter(active).render(await source.get());
}

function failedCollectors(text: string): string[] {
  const success = parseExposition(text).series.filter((s) => s.name === 'psutil_exporter_scrape_collector_success');
  if (success.length === 0) throw new Error('no psutil_exporter_scrape_collector_success series in the exposition');
  return success.filter((s) => s.value !== 1).map((s) => s.labels['collector'] ?? '?');
}

describe('our fake host against node_exporter 1.5.0', () => {
  let text: string;
  let ours: Exposition;
  let ref: Exposition;

  beforeAll(async () => {
    // The config's textfile directory is relative to the repository root, as in the file's recorded command line.
    expect(process.cwd()).toBe(path.resolve(__dirname, '..', '..'));
    text = await render(fs.readFileSync(GOLDEN_HOST_CONFIG_FILE, 'utf8'), goldenHostPaths());
    ours = parseExposition(text);
    ref = parseExposition(fs.readFileSync(GOLDEN_HOST_EXPECTED_FILE, 'utf8'));
  });

  test('every collector succeeds, as every node_exporter collector did', () => {
    expect(failedCollectors(text)).toEqual([]);
    const theirs = ref.series.filter((s) => s.name === 'node_scrape_collector_success');
    expect(theirs.length).toBeGreaterThan(20);
    expect(theirs.filter((s) => s.value !== 1)).toEqual([]);
  });

  test("node_exporter 1.5.0's exposition reproduced: every series, same labels, type and value; nothing undocumented added", () => {
    const c = compareWithNodeExporter(ref, ours);
    expect({
      families: c.missingFamilies,
      types: c.typeMismatches,
      missing: c.missingSeries,
      values: c.wrongValues,
      extra: c.extraSeries,
    }).toEqual({ families: [], types: [], missing: [], values: [], extra: [] });
    expect(c.compared).toBeGreaterThan(650);
    expect(c.reproduced).toBeGreaterThan(c.compared - 5);
  });

  test('every documented difference still occurs', () => {
    expect(staleAllowances(ref, ours)).toEqual([]);
  });
});

describePeer("the peers' fixture host against its e2e-output.txt", () => {
  let root: string;
  let text: string;

  beforeAll(async () => {
    root = materializeSymlinks(NODE_EXPORTER_FIXTURES, ['proc', 'sys', 'udev']);
    text = await render(GOLDEN_CONFIG, {
      procfs: path.join(root, 'proc'),
      sysfs: path.join(root, 'sys'),
      rootfs: root,
    });
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('every collector succeeds on the fixture host', () => {
    expect(failedCollectors(text)).toEqual([]);
  });

  test("every covered series of node_exporter's e2e-output.txt, identical", () => {
    const c = compareWithE2e(parseExposition(text));
    expect({
      families: c.missingFamilies,
      types: c.typeMismatches,
      series: c.missingSeries,
      values: c.wrongValues,
    }).toEqual({ families: [], types: [], series: [], values: [] });
    expect(c.compared).toBeGreaterThan(600);
  });
});
