/**
 * node_exporter's expositions of fake hosts, read into series, for tests that compare the library with node_exporter:
 * - ours: Debian's node_exporter 1.5.0 on test/fixtures/golden-host (node_exporter-1.5.0.prom, written by its
 *   regenerate.sh): `goldenHostSeries()`, `goldenHostFamily()`, with the tree's roots in `GOLDEN_HOST_ROOTS`;
 * - the peers': node_exporter's own fixture host and its e2e-output.txt (`e2eSeries()`, `family()`), absent from a
 *   user's clone, so only inside describePeer/testPeer.
 */
import * as fs from 'node:fs';
import { COLLECTOR_NAMES } from '../../src/exporters/collectors/names';
import * as path from 'node:path';
import { NODE_EXPORTER_FIXTURES, own } from './fixtures';

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The golden host's roots, for createPsutil(). Its sysfs links are real symlinks: no copy needed. */
export const GOLDEN_HOST_ROOTS = {
  procfs: own('golden-host', 'proc'),
  sysfs: own('golden-host', 'sys'),
  rootfs: own('golden-host'),
};

function parse(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = l[2] as string;
    out.push({ name: m[1] as string, labels, value: m[3] === 'NaN' ? NaN : Number(m[3]) });
  }
  return out;
}

let golden: Series[] | null = null;
let cache: Series[] | null = null;

/** node_exporter 1.5.0's series on our golden host. */
export function goldenHostSeries(): Series[] {
  golden ??= parse(fs.readFileSync(own('golden-host', 'node_exporter-1.5.0.prom'), 'utf8'));
  return golden;
}

/** The series of one family on our golden host. */
export function goldenHostFamily(name: string): Series[] {
  return goldenHostSeries().filter((s) => s.name === name);
}

/** node_exporter's e2e-output.txt on the peers' fixture host (describePeer/testPeer only). */
export function e2eSeries(): Series[] {
  cache ??= parse(fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'e2e-output.txt'), 'utf8'));
  return cache;
}

/** The series of one family of the peers' e2e-output.txt (describePeer/testPeer only). */
export function family(name: string): Series[] {
  return e2eSeries().filter((s) => s.name === name);
}

/**
 * Config lines (`  name: {enabled: false}`) turning off every collector but `keep`: the e2e tests that watch one
 * collector alone. From the agent's own list, so a collector added later is off here too.
 */
export function collectorsOffBut(...keep: string[]): string[] {
  return COLLECTOR_NAMES.filter((c) => !keep.includes(c)).map((c) => `  ${c}: {enabled: false}`);
}
