/** Reads node_exporter's golden exposition (../shared/fixtures/node_exporter/e2e-output.txt) into series. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NODE_EXPORTER_FIXTURES } from './fixtures';

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

let cache: Series[] | null = null;

export function e2eSeries(): Series[] {
  if (cache !== null) return cache;
  const text = fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'e2e-output.txt'), 'utf8');
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string;
    out.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  cache = out;
  return out;
}

/** The series of one family. */
export function family(name: string): Series[] {
  return e2eSeries().filter((s) => s.name === name);
}
