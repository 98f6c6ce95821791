/**
 * The collectors on node_exporter's own fixture host, in this thread: every series node_exporter's e2e-output.txt
 * has for the families we cover must come out identical (labels, type, value). The same check runs on the built
 * agent's --once in test/e2e/golden.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../src/config/load';
import { activeCollectors } from '../../src/exporters/agent';
import { COLLECTORS } from '../../src/exporters/collectors';
import { PrometheusAdapter } from '../../src/exporters/prometheus';
import { InProcessRunner, SnapshotSource } from '../../src/exporters/snapshot';
import { createPsutil } from '../../src/index';
import { NODE_EXPORTER_FIXTURES } from '../helpers/fixtures';
import { materializeSymlinks } from '../helpers/symlink-tree';
import { compareWithE2e, GOLDEN_CONFIG, parseExposition } from './golden-compare';

let root: string;
let text: string;

beforeAll(async () => {
  root = materializeSymlinks(NODE_EXPORTER_FIXTURES, ['proc', 'sys', 'udev']);
  const cfg = parseConfig(GOLDEN_CONFIG);
  const roots = { procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys'), rootfs: root };
  const { plans, active } = activeCollectors(cfg);
  const source = new SnapshotSource(new InProcessRunner({ psutil: createPsutil(roots), roots }, COLLECTORS, plans), {
    plans, maxAgeMs: 0, timeoutMs: 30000,
  });
  text = await new PrometheusAdapter(active).render(await source.get());
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('every collector succeeds on the fixture host', () => {
  const failed = parseExposition(text).series.filter((s) => s.name === 'psutil_exporter_scrape_collector_success' && s.value !== 1);
  expect(failed).toEqual([]);
});

test("every covered series of node_exporter's e2e-output.txt, identical", () => {
  const c = compareWithE2e(parseExposition(text));
  expect({ families: c.missingFamilies, types: c.typeMismatches, series: c.missingSeries, values: c.wrongValues })
    .toEqual({ families: [], types: [], series: [], values: [] });
  expect(c.compared).toBeGreaterThan(600);
});
