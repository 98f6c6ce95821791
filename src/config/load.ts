/**
 * The agent's YAML config: parsed with `yaml` (which keeps every node's source range), checked against
 * config/schema.json with ajv (which also fills in every default), then resolved into an AgentConfig.
 * Every problem is reported with the line and column it comes from and what was expected.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import { RE2JS } from 're2js';
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { AgentConfig, CollectorSettings, LogLevel, OtlpProtocol, ProcessMatcher } from './defaults';
import { AdminConfigError, adminSecurityIssues, issueSegments, parseAdminConfig, type AdminConfig } from '../admin/config';
import { processGroupsConfigIssues } from '../rules/config';

/** config/schema.json, found from src/config or dist/config alike. */
export const SCHEMA_PATH = path.resolve(__dirname, '..', '..', 'config', 'schema.json');

export { ConfigError, formatIssues, parseListenAddress, type ConfigIssue } from './errors';
import { ConfigError, parseListenAddress, type ConfigIssue } from './errors';

interface SchemaNode {
  $ref?: string;
  type?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  enum?: unknown[];
  $defs?: Record<string, SchemaNode>;
  default?: unknown;
}

let schemaCache: { schema: SchemaNode; validate: ReturnType<Ajv2020['compile']> } | null = null;

function compiledSchema(): { schema: SchemaNode; validate: ReturnType<Ajv2020['compile']> } {
  if (schemaCache === null) {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')) as SchemaNode;
    // useDefaults fills every missing key from the schema, so the schema is the one place defaults live.
    const ajv = new Ajv2020({ allErrors: true, useDefaults: true, verbose: true, strict: true });
    schemaCache = { schema, validate: ajv.compile(schema) };
  }
  return schemaCache;
}

/** The schema itself (for the collector registry check and the docs). */
export function configSchema(): SchemaNode {
  return compiledSchema().schema;
}

// ---- durations and addresses ----

export { parseDuration } from './duration';
import { parseDuration } from './duration';

// ---- YAML positions ----

function decodePointer(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function displayPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number' || /^[0-9]+$/.test(String(s))) out += `[${s}]`;
    else out += (out ? '.' : '') + s;
  }
  return out;
}

/** The YAML node at a path, or the deepest ancestor present in the file (defaults have no place in it). */
function nodeAt(doc: Document, segments: readonly string[]): Node | null {
  let node: unknown = doc.contents;
  let found: Node | null = isNode(node) ? node : null;
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) return found;
      node = pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(seg)];
    } else {
      return found;
    }
    if (isNode(node)) found = node;
  }
  return found;
}

/** The key node of `name` inside the map at `segments` (for "unknown key" errors, point at the key itself). */
function keyNodeAt(doc: Document, segments: readonly string[], name: string): Node | null {
  const parent = nodeAt(doc, segments);
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === name);
    if (pair && isNode(pair.key)) return pair.key;
  }
  return parent;
}

function position(lc: LineCounter, node: Node | null): { line: number; column: number } {
  if (!node || !node.range) return { line: 0, column: 0 };
  const p = lc.linePos(node.range[0]);
  return { line: p.line, column: p.col };
}

// ---- ajv error wording ----

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function wordFor(type: string): string {
  switch (type) {
    case 'object': return 'a mapping';
    case 'array': return 'a list';
    case 'integer': return 'an integer';
    case 'boolean': return 'a boolean (true or false)';
    case 'string': return 'a string';
    case 'number': return 'a number';
    default: return type;
  }
}

function explain(err: ErrorObject): string {
  const parent = err.parentSchema as SchemaNode | undefined;
  switch (err.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys(parent?.properties ?? {});
      const extra = (err.params as { additionalProperty: string }).additionalProperty;
      return `unknown key "${extra}"` + (allowed.length ? `; expected one of: ${allowed.join(', ')}` : '');
    }
    case 'type':
      return `expected ${wordFor(String((err.params as { type: string }).type))}, got ${describeValue(err.data)}`;
    case 'enum':
      return `expected one of: ${((err.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}; got ${describeValue(err.data)}`;
    case 'pattern':
      // A shared type ($defs/duration) describes itself; a one-off pattern is quoted as is.
      return err.schemaPath.includes('/$defs/') && parent?.description
        ? `expected ${parent.description}, got ${describeValue(err.data)}`
        : `expected a string matching ${(err.params as { pattern: string }).pattern}, got ${describeValue(err.data)}`;
    default:
      return `${err.message ?? 'invalid'}${err.data !== undefined ? `, got ${describeValue(err.data)}` : ''}`;
  }
}

// ---- walking data with the schema (regexp checks) ----

function resolveRef(root: SchemaNode, s: SchemaNode): SchemaNode {
  if (s.$ref && s.$ref.startsWith('#/$defs/')) {
    const def = root.$defs?.[s.$ref.slice('#/$defs/'.length)];
    if (def) {
      const { $ref: _ref, ...rest } = s;
      return { ...def, ...rest };
    }
  }
  return s;
}

function walkRegexps(
  root: SchemaNode,
  s: SchemaNode,
  data: unknown,
  segments: string[],
  visit: (value: string, segments: string[]) => void,
): void {
  const isRegexp = s.$ref === '#/$defs/regexp';
  const node = resolveRef(root, s);
  if (isRegexp && typeof data === 'string') {
    visit(data, segments);
    return;
  }
  if (Array.isArray(data) && node.items) {
    data.forEach((v, i) => walkRegexps(root, node.items as SchemaNode, v, [...segments, String(i)], visit));
  } else if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      const child = node.properties?.[k] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
      if (child) walkRegexps(root, child, v, [...segments, k], visit);
    }
  }
}

// ---- resolve ----

/** The admin section: its own semantic checks and the [SECURITY] startup refusals, located in the file. */
function resolveAdmin(raw: Record<string, unknown>, problem: (segments: string[], msg: string) => void): AdminConfig {
  try {
    const cfg = parseAdminConfig(raw);
    for (const i of adminSecurityIssues(cfg)) problem(issueSegments(i.path), i.message);
    return cfg;
  } catch (e) {
    if (!(e instanceof AdminConfigError)) throw e;
    for (const i of e.issues) problem(issueSegments(i.path), i.message);
    return parseAdminConfig(undefined);
  }
}

interface RawCollector { enabled: boolean; timeout?: string; [option: string]: unknown }

interface RawConfig {
  web: { listen_address: string; telemetry_path: string; max_requests: number };
  paths: { procfs: string; sysfs: string; rootfs: string };
  log: { level: LogLevel };
  collection: { max_age: string; timeout: string; collector_timeout: string };
  exposition: { max_label_value_bytes: number; max_series_per_family: number };
  runtime: { jit: 'auto' | boolean };
  collectors: Record<string, RawCollector>;
  process_names: ProcessMatcher[];
  otlp: {
    enabled: boolean; endpoint: string; protocol: OtlpProtocol; interval: string; timeout: string;
    compression: 'none' | 'gzip'; headers: Record<string, string>; service_name: string;
    resource_attributes: Record<string, string>;
  };
  /** Checked by src/admin/config.ts (the schema covers the shape). */
  admin: Record<string, unknown>;
}

function resolve(raw: RawConfig, problem: (segments: string[], msg: string) => void): AgentConfig {
  const dur = (segments: string[], text: string): number => {
    const ms = parseDuration(text);
    if (ms === null) {
      problem(segments, `expected a duration such as 500ms, 5s or 1m, got ${JSON.stringify(text)}`);
      return 0;
    }
    return ms;
  };
  const listen = parseListenAddress(raw.web.listen_address);
  if (!listen) problem(['web', 'listen_address'], `expected HOST:PORT (port 0-65535), got ${JSON.stringify(raw.web.listen_address)}`);
  const collectorTimeoutMs = dur(['collection', 'collector_timeout'], raw.collection.collector_timeout);
  const collectors: Record<string, CollectorSettings> = {};
  for (const [name, c] of Object.entries(raw.collectors)) {
    const { enabled, timeout, ...options } = c;
    collectors[name] = Object.freeze({
      enabled,
      timeoutMs: timeout === undefined ? collectorTimeoutMs : dur(['collectors', name, 'timeout'], timeout),
      options: Object.freeze(options),
    });
  }
  const intervalMs = dur(['otlp', 'interval'], raw.otlp.interval);
  const otlpTimeoutMs = dur(['otlp', 'timeout'], raw.otlp.timeout);
  if (intervalMs > 0 && otlpTimeoutMs > intervalMs) {
    problem(['otlp', 'timeout'], `expected a timeout no longer than otlp.interval (${raw.otlp.interval}), got ${JSON.stringify(raw.otlp.timeout)}`);
  }
  if (intervalMs === 0) problem(['otlp', 'interval'], 'expected a duration above 0');
  const maxAgeMs = dur(['collection', 'max_age'], raw.collection.max_age);
  const timeoutMs = dur(['collection', 'timeout'], raw.collection.timeout);
  if (timeoutMs === 0) problem(['collection', 'timeout'], 'expected a duration above 0');
  return Object.freeze({
    web: Object.freeze({
      listenAddress: raw.web.listen_address,
      host: listen?.host ?? '0.0.0.0',
      port: listen?.port ?? 0,
      telemetryPath: raw.web.telemetry_path,
      maxRequests: raw.web.max_requests,
    }),
    paths: Object.freeze({ ...raw.paths }),
    log: Object.freeze({ level: raw.log.level }),
    collection: Object.freeze({ maxAgeMs, timeoutMs, collectorTimeoutMs }),
    exposition: Object.freeze({
      maxLabelValueBytes: raw.exposition.max_label_value_bytes,
      maxSeriesPerFamily: raw.exposition.max_series_per_family,
    }),
    runtime: Object.freeze({ jit: raw.runtime.jit }),
    collectors: Object.freeze(collectors),
    processNames: Object.freeze(raw.process_names.map((m) => Object.freeze({ ...m }))),
    otlp: Object.freeze({
      enabled: raw.otlp.enabled,
      endpoint: raw.otlp.endpoint,
      protocol: raw.otlp.protocol,
      intervalMs,
      timeoutMs: otlpTimeoutMs,
      compression: raw.otlp.compression,
      headers: Object.freeze({ ...raw.otlp.headers }),
      serviceName: raw.otlp.service_name,
      resourceAttributes: Object.freeze({ ...raw.otlp.resource_attributes }),
    }),
    admin: resolveAdmin(raw.admin, problem),
  });
}

/**
 * Parses and checks a config text. Throws ConfigError listing every problem (line, column, path, what was expected);
 * returns the resolved config with every default filled in.
 */
export function parseConfig(text: string, file = '<config>'): AgentConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  const issues: ConfigIssue[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const p = e.linePos?.[0];
    issues.push({ line: p?.line ?? 0, column: p?.col ?? 0, path: '', message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '') });
  }
  if (issues.length) throw new ConfigError(file, issues);

  let data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    const pos = position(lc, isNode(doc.contents) ? doc.contents : null);
    throw new ConfigError(file, [{ ...pos, path: '', message: `expected a mapping at the top level, got ${describeValue(data)}` }]);
  }

  const { schema, validate } = compiledSchema();
  if (!validate(data)) {
    for (const err of validate.errors ?? []) {
      const segments = decodePointer(err.instancePath);
      if (err.keyword === 'additionalProperties') {
        const extra = (err.params as { additionalProperty: string }).additionalProperty;
        issues.push({ ...position(lc, keyNodeAt(doc, segments, extra)), path: displayPath([...segments, extra]), message: explain(err) });
      } else {
        issues.push({ ...position(lc, nodeAt(doc, segments)), path: displayPath(segments), message: explain(err) });
      }
    }
    throw new ConfigError(file, dedupe(issues));
  }

  const problem = (segments: string[], message: string): void => {
    issues.push({ ...position(lc, nodeAt(doc, segments)), path: displayPath(segments), message });
  };
  walkRegexps(schema, schema, data, [], (value, segments) => {
    try {
      RE2JS.compile(value);
    } catch (e) {
      problem(segments, `expected an RE2 regular expression: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  const config = resolve(data as RawConfig, problem);
  // process_names' own rules (templates, label names, selector values), once the shape is right.
  if (!issues.length) issues.push(...processGroupsConfigIssues(doc, lc, data));
  if (issues.length) throw new ConfigError(file, issues);
  return config;
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues
    .filter((i) => {
      const k = `${i.line}:${i.column}:${i.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Reads and parses a config file; a missing or unreadable file is a ConfigError too. */
export function loadConfigFile(file: string): AgentConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new ConfigError(file, [{ line: 0, column: 0, path: '', message: `cannot read the file (${code})` }]);
  }
  return parseConfig(text, file);
}
