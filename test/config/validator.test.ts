/**
 * The build's generated validator (dist/config/schema-validator.js, src/config/validator.ts): made from the schema as
 * it is now, and indistinguishable from the schema compiled by ajv at run time on every config this repository holds
 * (good and bad) and on hand-made wrong ones: the same verdict, the same errors, the same defaults filled in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SCHEMA_PATH } from '../../src/config/load';
import {
  compileValidator,
  GENERATED_VALIDATOR,
  generatedValidator,
  schemaDigest,
  validatorSource,
  type SchemaValidator,
} from '../../src/config/validator';
import { own, REPO } from '../helpers/fixtures';

const DIST_CONFIG = path.join(REPO, 'dist', 'config');
const schemaText = fs.readFileSync(SCHEMA_PATH, 'utf8');

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(dir, f));
}

/** Every config file of the repository that parses as YAML, as data. */
function repoConfigs(): [string, unknown][] {
  const files = [
    path.join(REPO, 'config', 'default.yaml'),
    ...yamlFiles(path.join(REPO, 'config', 'examples')),
    ...yamlFiles(own('config')),
  ];
  const out: [string, unknown][] = [];
  for (const f of files) {
    let data: unknown;
    try {
      data = parseYaml(fs.readFileSync(f, 'utf8'), { maxAliasCount: 100 }) as unknown;
    } catch (e) {
      void e; // not YAML the loader would get past (a bad-yaml or alias fixture): nothing for the schema to check
      continue;
    }
    out.push([path.relative(REPO, f), data ?? {}]);
  }
  return out;
}

const HAND_MADE: [string, unknown][] = [
  ['empty', {}],
  ['a list at the top', []],
  [
    'wrong types everywhere',
    { web: { listen_address: 5, max_requests: 'x' }, collectors: { cpu: { enabled: 'yes' } } },
  ],
  ['unknown keys', { webb: {}, collectors: { cpu: { enabled: true, nope: 1 }, nosuch: { enabled: true } } }],
  ['bad enum and pattern', { log: { level: 'loud' }, collection: { max_age: 'soon' }, otlp: { endpoint: 'ftp://x' } }],
  ['bad header name', { otlp: { headers: { 'bad name': 'v' } } }],
  ['process_names', { process_names: [{ name: '{{.Comm}}', comm: ['a'], cmdline: ['.+'] }, { exe: 5 }] }],
];

/** What a validation says: the verdict, the errors as the loader reads them, and the data with its defaults. */
function outcome(v: SchemaValidator, data: unknown): unknown {
  const copy = structuredClone(data);
  const ok = v(copy);
  const errors = (v.errors ?? []).map((e) => ({
    instancePath: e.instancePath,
    schemaPath: e.schemaPath,
    keyword: e.keyword,
    params: e.params,
    message: e.message,
    propertyName: e.propertyName,
    data: e.data,
    parentSchema: e.parentSchema,
  }));
  return { ok, errors: ok ? [] : errors, data: copy };
}

describe('the generated config validator', () => {
  const file = path.join(DIST_CONFIG, GENERATED_VALIDATOR);

  test("dist/ holds the one made from config/schema.json as it is (the build's second step)", () => {
    expect(fs.existsSync(file)).toBe(true);
    // Regenerated from the schema text here: any change to the schema, or to ajv's output, shows as a difference.
    expect(fs.readFileSync(file, 'utf8')).toBe(validatorSource(schemaText));
    expect(generatedValidator(schemaText, DIST_CONFIG)).not.toBeNull();
  });

  test('one made from another schema text is not used: the loader compiles the schema instead', () => {
    const changed = schemaText.replace('"max_requests"', '"max_requests_x"');
    expect(changed).not.toBe(schemaText);
    expect(schemaDigest(changed)).not.toBe(schemaDigest(schemaText));
    expect(generatedValidator(changed, DIST_CONFIG)).toBeNull();
    expect(generatedValidator(schemaText, path.join(REPO, 'src', 'config'))).toBeNull(); // none there
  });

  test('it accepts, refuses and fills in defaults exactly as the schema compiled at run time', () => {
    const generated = generatedValidator(schemaText, DIST_CONFIG);
    if (generated === null) throw new Error(`${file} is missing or stale`);
    const compiled = compileValidator(JSON.parse(schemaText) as object);
    const cases = [...repoConfigs(), ...HAND_MADE];
    let refused = 0;
    for (const [name, data] of cases) {
      const want = outcome(compiled, data);
      expect({ name, got: outcome(generated, data) }).toEqual({ name, got: want });
      if (!(want as { ok: boolean }).ok) refused++;
    }
    // Both kinds were compared: files the schema refuses and files it accepts.
    expect(refused).toBeGreaterThan(5);
    expect(cases.length - refused).toBeGreaterThan(5);
  });

  test('defaults are fresh objects on each call, not shared between two configs', () => {
    const generated = generatedValidator(schemaText, DIST_CONFIG);
    if (generated === null) throw new Error(`${file} is missing or stale`);
    const a: Record<string, Record<string, unknown>> = {};
    const b: Record<string, Record<string, unknown>> = {};
    expect(generated(a)).toBe(true);
    expect(generated(b)).toBe(true);
    expect(a['web']).toEqual(b['web']);
    expect(a['web']).not.toBe(b['web']);
  });
});
