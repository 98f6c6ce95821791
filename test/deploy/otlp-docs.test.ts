/**
 * The OTLP docs against the code: every otlp key of config/schema.json (the loader's schema) and each of its enum
 * values is in deploy/README.md's "OTLP" section, in the root README's config table and in the Helm chart's values.yaml
 * comments; every OTEL_* variable the agent reads (src/config/otlp-env.ts, and the resource's in
 * src/exporters/otlp.ts) is in deploy/README.md's section. A key or variable added without its docs fails here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { configSchema, parseConfig } from '../../src/config/load';
import { resolveRef, type SchemaNode } from '../../src/config/schema-data';
import { REPO } from '../helpers/fixtures';

const read = (...p: string[]): string => fs.readFileSync(path.join(REPO, ...p), 'utf8');

/** The otlp keys documented one by one: nested mappings with a default of their own (tls, processes) are walked. */
function otlpKeys(): Array<{ key: string; node: SchemaNode }> {
  const root = configSchema();
  const out: Array<{ key: string; node: SchemaNode }> = [];
  const walk = (node: SchemaNode, at: string): void => {
    for (const [k, child] of Object.entries(node.properties ?? {})) {
      const c = resolveRef(root, child);
      const key = `${at}.${k}`;
      const nested = c.properties !== undefined && c.default !== undefined;
      if (nested) walk(c, key);
      else out.push({ key, node: c });
    }
  };
  walk(resolveRef(root, root.properties?.['otlp'] as SchemaNode), 'otlp');
  return out;
}

/** A markdown section: from its heading to the next heading of the same or a higher level. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`no "${heading}" heading`);
  const level = /^#+/.exec(heading)?.[0] ?? '#';
  const rest = text.slice(start + heading.length + 1);
  const end = rest.search(new RegExp(`^#{1,${level.length}} `, 'm'));
  return end < 0 ? rest : rest.slice(0, end);
}

/** The enum values a key takes, and those of the mappings under it (include/exclude's match_type). */
function enumValues(node: SchemaNode): string[] {
  const own = (node.enum ?? []).map(String);
  return own.concat(...Object.values(node.properties ?? {}).map(enumValues));
}

const KEYS = otlpKeys();
const DEPLOY = section(read('deploy', 'README.md'), '### OTLP');

test('the schema has the otlp keys this test knows to look for (the walk finds them)', () => {
  expect(KEYS.map((k) => k.key)).toEqual(
    expect.arrayContaining([
      'otlp.protocol',
      'otlp.tls.ca_file',
      'otlp.temporality',
      'otlp.metrics',
      'otlp.processes.include',
      'otlp.processes.max',
    ]),
  );
});

test.each(KEYS.map((k) => [k.key, k.node] as const))(
  'deploy/README.md "OTLP" documents %s and its values',
  (key, node) => {
    expect(DEPLOY).toContain(`\`${key}\``);
    for (const v of enumValues(node)) expect(DEPLOY).toContain(`\`${v}\``);
    // include/exclude: the keys of their mapping too.
    for (const k of Object.keys(node.properties ?? {})) expect(DEPLOY).toContain(k);
  },
);

test('every OTEL_* variable the agent reads is in deploy/README.md "OTLP"', () => {
  const src = read('src', 'config', 'otlp-env.ts') + read('src', 'exporters', 'otlp.ts');
  const vars = new Set([...src.matchAll(/'(OTEL_[A-Z_]+)'/g)].map((m) => m[1] as string));
  expect([...vars]).toEqual(expect.arrayContaining(['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_RESOURCE_ATTRIBUTES']));
  expect([...vars].filter((v) => !DEPLOY.includes(`\`${v}\``))).toEqual([]);
});

test("the root README's config table names every otlp key", () => {
  const rows = read('README.md')
    .split('\n')
    .filter((l) => l.startsWith('| `otlp.'));
  const missing = KEYS.filter(({ key }) => {
    // A row names a key in full (`otlp.tls.insecure`) or, after the first, by its last part (`ca_file`).
    const last = key.split('.').pop() as string;
    const parent = key.slice(0, key.length - last.length - 1);
    return !rows.some(
      (r) => r.includes(`\`${key}\``) || (r.startsWith(`| \`${parent}.`) && r.split('|')[1]?.includes(`\`${last}\``)),
    );
  });
  expect(missing.map((k) => k.key)).toEqual([]);
});

test("the chart's values.yaml names every otlp key, as a value or in the comments above it", () => {
  const values = read('deploy', 'helm', 'psutil-exporter', 'values.yaml');
  const start = values.indexOf('  # OTLP push');
  const end = values.indexOf('\n  otlp:\n', start);
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  // The comments, and the otlp mapping up to the next key at its level.
  const block = values.slice(start, end) + values.slice(end).split(/\n {2}[a-z_]+:/)[1];
  for (const { key } of KEYS) {
    const last = key.split('.').pop() as string;
    expect(`${key}: ${block.includes(`${last}:`)}`).toBe(`${key}: true`);
  }
});

test("the chart's otlp values with a user's short interval (helm merges it in): valid, the timeout follows it", () => {
  const values = parseYaml(read('deploy', 'helm', 'psutil-exporter', 'values.yaml')) as {
    config: { otlp: Record<string, unknown> };
  };
  // What `--set config.otlp.enabled=true,config.otlp.interval=2s` makes of the chart's otlp mapping.
  const otlp = { ...values.config.otlp, enabled: true, interval: '2s' };
  expect(parseConfig(stringify({ otlp }), 'values.yaml#config').otlp).toMatchObject({
    enabled: true,
    intervalMs: 2000,
    timeoutMs: 2000,
  });
});
