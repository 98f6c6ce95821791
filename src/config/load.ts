/**
 * The agent's YAML config: parsed with `yaml` (which keeps every node's source range), checked against
 * config/schema.json with ajv (which also fills in every default), then resolved into an AgentConfig.
 * Every problem is reported with the line and column it comes from and what was expected.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject } from 'ajv';
import {
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Alias,
  type Document,
  type Node,
} from 'yaml';
import type {
  AgentConfig,
  CollectorSettings,
  ListenAddress,
  LogFormat,
  LogLevel,
  OtlpProcessFilter,
  OtlpProtocol,
  OtlpTemporality,
  ProcessMatcher,
} from './defaults';
import { collectorParts, type FlagAssignment } from './flags';
import { otlpEndpointProblem } from './otlp-endpoint';
import { envProtocol, otlpEnvProblems } from './otlp-env';
import { applyDisableDefaults, applyFlags, resolveRef, type SchemaNode } from './schema-data';
import {
  AdminConfigError,
  adminSecurityIssues,
  issueSegments,
  parseAdminConfig,
  type AdminConfig,
} from '../admin/config';
import { processGroupsConfigIssues } from '../rules/config';
import { compileValidator, generatedValidator, type SchemaValidator } from './validator';

/** config/schema.json, found from src/config or dist/config alike. */
export const SCHEMA_PATH = path.resolve(__dirname, '..', '..', 'config', 'schema.json');

export { ConfigError, formatIssues, MAX_REPORTED_ISSUES, parseListenAddress, type ConfigIssue } from './errors';
import { ConfigError, MAX_REPORTED_ISSUES, parseListenAddress, type ConfigIssue } from './errors';

/**
 * The largest config file read: 1 MiB (a process-exporter config of about 25,000 rules). The loader's cost grows
 * with the text (yaml keeps every node with its place, ajv and RE2 check each value), so an accidental or hostile
 * file (a 10 MB string, 200k rules, /dev/zero) is refused before it is parsed instead of taking seconds and a GB.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** YAML aliases allowed in one file (yaml's own cap on alias expansion is the same). */
export const MAX_ALIASES = 100;

let schemaCache: { schema: SchemaNode; validate: SchemaValidator } | null = null;

function compiledSchema(): { schema: SchemaNode; validate: SchemaValidator } {
  if (schemaCache === null) {
    const text = fs.readFileSync(SCHEMA_PATH, 'utf8');
    const schema = JSON.parse(text) as SchemaNode;
    // The build's generated validator (validator.ts) when it is this schema's; ajv compiles it otherwise.
    schemaCache = { schema, validate: generatedValidator(text) ?? compileValidator(schema) };
  }
  return schemaCache;
}

/** The schema itself (for the collector registry check and the docs). */
export function configSchema(): SchemaNode {
  return compiledSchema().schema;
}

// ---- durations and addresses ----

export { parseDuration } from '../util/duration';
import { MAX_TIMER_MS, MAX_TIMER_TEXT, parseDuration } from '../util/duration';

// ---- YAML positions ----

function decodePointer(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
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
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'integer':
      return 'an integer';
    case 'boolean':
      return 'a boolean (true or false)';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    default:
      return type;
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
      return `expected one of: ${(err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}; got ${describeValue(err.data)}`;
    case 'pattern':
      // A shared type ($defs/duration, $defs/header_name) describes itself; a one-off pattern is quoted as is.
      return err.schemaPath.includes('/$defs/') && parent?.description
        ? `expected ${parent.description}, got ${describeValue(err.data)}`
        : `expected a string matching ${(err.params as { pattern: string }).pattern}, got ${describeValue(err.data)}`;
    default:
      return `${err.message ?? 'invalid'}${err.data !== undefined ? `, got ${describeValue(err.data)}` : ''}`;
  }
}

// ---- walking data with the schema (regexp checks) ----

/**
 * Every string of the data that the schema types as `ref` (`#/$defs/regexp`, `#/$defs/duration`), with its path and
 * the schema's default for that key.
 */
function walkRef(
  root: SchemaNode,
  s: SchemaNode,
  data: unknown,
  segments: string[],
  ref: string,
  visitor: (value: string, segments: string[], schemaDefault: unknown) => void,
): void {
  if (typeof data === 'string') {
    if (s.$ref === ref || s.anyOf?.some((b) => b.$ref === ref)) visitor(data, segments, s.default);
    return;
  }
  const node = resolveRef(root, s);
  if (Array.isArray(data)) {
    if (node.items)
      data.forEach((v, i) => walkRef(root, node.items as SchemaNode, v, [...segments, String(i)], ref, visitor));
  } else if (data !== null && typeof data === 'object') {
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      const child =
        node.properties?.[k] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
      if (child) walkRef(root, child, v, [...segments, k], ref, visitor);
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

/** otlp.timeout when the file does not say (the OpenTelemetry SDK's default), capped by otlp.interval. */
const OTLP_DEFAULT_TIMEOUT_MS = 10_000;

interface RawCollector {
  enabled: boolean;
  timeout?: string;
  [option: string]: unknown;
}

interface RawConfig {
  web: {
    listen_address: string | string[];
    telemetry_path: string;
    max_requests: number;
    disable_exporter_metrics: boolean;
    config_file: string;
  };
  paths: { procfs: string; sysfs: string; rootfs: string };
  log: { level: LogLevel; format: LogFormat };
  collection: { max_age: string; timeout: string; collector_timeout: string; disable_defaults: boolean };
  exposition: { max_label_value_bytes: number; max_series_per_family: number };
  runtime: { jit: 'auto' | boolean };
  collectors: Record<string, RawCollector>;
  process_names: ProcessMatcher[];
  otlp: {
    enabled: boolean;
    /** Unset: the protocol's default (resolved with the OTEL_* variables, which may change the protocol). */
    endpoint?: string;
    protocol: OtlpProtocol;
    tls: { insecure: boolean; ca_file?: string; cert_file?: string; key_file?: string };
    temporality: OtlpTemporality;
    metrics: Record<string, { enabled: boolean }>;
    interval: string;
    /** Unset: min(10s, interval), so that a short interval alone is a valid config. */
    timeout?: string;
    compression: 'none' | 'gzip';
    headers: Record<string, string>;
    service_name: string;
    resource_attributes: Record<string, string>;
    processes: {
      enabled: boolean;
      include?: { names: string[]; match_type: 'regexp' | 'strict' };
      exclude?: { names: string[]; match_type: 'regexp' | 'strict' };
      max: number;
      kept_fds: 'dir' | 'files';
    };
  };
  /** Checked by src/admin/config.ts (the schema covers the shape). */
  admin: Record<string, unknown>;
}

/** An include/exclude list; each regexp is compiled here so that a bad one is refused with its place. */
function processFilter(
  at: string[],
  raw: { names: string[]; match_type: 'regexp' | 'strict' } | undefined,
  problem: (segments: string[], msg: string) => void,
): OtlpProcessFilter | null {
  if (raw === undefined) return null;
  if (raw.match_type === 'regexp') {
    raw.names.forEach((n, i) => {
      try {
        new RegExp(n);
      } catch (e) {
        problem([...at, 'names', String(i)], `expected a regular expression: ${(e as Error).message}`);
      }
    });
  }
  return Object.freeze({ names: Object.freeze([...raw.names]), matchType: raw.match_type });
}

function resolve(
  raw: RawConfig,
  problem: (segments: string[], msg: string) => void,
  env: NodeJS.ProcessEnv | null,
): AgentConfig {
  const dur = (segments: string[], text: string): number => {
    const ms = parseDuration(text);
    if (ms === null) {
      problem(segments, `expected a duration such as 500ms, 5s or 1m, got ${JSON.stringify(text)}`);
      return 0;
    }
    return ms;
  };
  const listeners: ListenAddress[] = [];
  const addresses = typeof raw.web.listen_address === 'string' ? [raw.web.listen_address] : raw.web.listen_address;
  addresses.forEach((text, i) => {
    const a = parseListenAddress(text);
    const at =
      typeof raw.web.listen_address === 'string' ? ['web', 'listen_address'] : ['web', 'listen_address', `${i}`];
    if (a) listeners.push(Object.freeze({ text, ...a }));
    else problem(at, `expected HOST:PORT (port 0-65535), got ${JSON.stringify(text)}`);
  });
  const listen = listeners[0];
  const collectorTimeoutMs = dur(['collection', 'collector_timeout'], raw.collection.collector_timeout);
  const collectors: Record<string, CollectorSettings> = {};
  for (const [name, c] of Object.entries(raw.collectors)) {
    const { enabled, timeout, ...options } = c;
    // A collector made of node_exporter's parts (sensors) with every part off has nothing to do.
    const parts = collectorParts(name);
    const allPartsOff = parts.length > 0 && parts.every((p) => p.part !== undefined && options[p.part] === false);
    collectors[name] = Object.freeze({
      enabled: enabled && !allPartsOff,
      timeoutMs: timeout === undefined ? collectorTimeoutMs : dur(['collectors', name, 'timeout'], timeout),
      options: Object.freeze(options),
    });
  }
  const intervalMs = dur(['otlp', 'interval'], raw.otlp.interval);
  // An export must end before the next one starts. Only a timeout the file states can contradict its interval: an
  // unset one follows the interval (the OpenTelemetry SDK's 10s default, or the interval when that is shorter).
  const otlpTimeoutMs =
    raw.otlp.timeout === undefined
      ? Math.min(OTLP_DEFAULT_TIMEOUT_MS, intervalMs)
      : dur(['otlp', 'timeout'], raw.otlp.timeout);
  if (raw.otlp.timeout !== undefined && intervalMs > 0 && otlpTimeoutMs > intervalMs) {
    problem(
      ['otlp', 'timeout'],
      `expected a timeout no longer than otlp.interval (${raw.otlp.interval}), got ${JSON.stringify(raw.otlp.timeout)}`,
    );
  }
  if (intervalMs === 0) problem(['otlp', 'interval'], 'expected a duration above 0');
  // Checked against the protocol the push will use: a protocol variable overrides the file's (a bare host:port
  // endpoint is valid when OTEL_EXPORTER_OTLP_PROTOCOL=grpc, whatever otlp.protocol says).
  const protoVar = env !== null && raw.otlp.enabled ? envProtocol(env) : null;
  const endpointProblem =
    raw.otlp.endpoint === undefined
      ? null
      : otlpEndpointProblem(raw.otlp.endpoint, protoVar?.protocol ?? raw.otlp.protocol);
  if (endpointProblem !== null)
    problem(
      ['otlp', 'endpoint'],
      endpointProblem + (protoVar !== null ? ` (the protocol is ${protoVar.protocol}, from ${protoVar.name})` : ''),
    );
  if ((raw.otlp.tls.cert_file === undefined) !== (raw.otlp.tls.key_file === undefined))
    problem(['otlp', 'tls'], 'expected cert_file and key_file together (a client certificate needs its key)');
  const maxAgeMs = dur(['collection', 'max_age'], raw.collection.max_age);
  const timeoutMs = dur(['collection', 'timeout'], raw.collection.timeout);
  if (timeoutMs === 0) problem(['collection', 'timeout'], 'expected a duration above 0');
  return Object.freeze({
    web: Object.freeze({
      listenAddress: listen?.text ?? '',
      host: listen?.host ?? '0.0.0.0',
      port: listen?.port ?? 0,
      listeners: Object.freeze(listeners),
      telemetryPath: raw.web.telemetry_path,
      maxRequests: raw.web.max_requests,
      disableExporterMetrics: raw.web.disable_exporter_metrics,
      configFile: raw.web.config_file === '' ? null : raw.web.config_file,
    }),
    paths: Object.freeze({ ...raw.paths }),
    log: Object.freeze({ level: raw.log.level, format: raw.log.format }),
    collection: Object.freeze({
      maxAgeMs,
      timeoutMs,
      collectorTimeoutMs,
      disableDefaults: raw.collection.disable_defaults,
    }),
    exposition: Object.freeze({
      maxLabelValueBytes: raw.exposition.max_label_value_bytes,
      maxSeriesPerFamily: raw.exposition.max_series_per_family,
    }),
    runtime: Object.freeze({ jit: raw.runtime.jit }),
    collectors: Object.freeze(collectors),
    processNames: Object.freeze(raw.process_names.map((m) => Object.freeze({ ...m }))),
    otlp: Object.freeze({
      enabled: raw.otlp.enabled,
      endpoint: raw.otlp.endpoint ?? null,
      protocol: raw.otlp.protocol,
      tls: Object.freeze({
        insecure: raw.otlp.tls.insecure,
        caFile: raw.otlp.tls.ca_file ?? null,
        certFile: raw.otlp.tls.cert_file ?? null,
        keyFile: raw.otlp.tls.key_file ?? null,
      }),
      temporality: raw.otlp.temporality,
      metrics: Object.freeze(
        Object.fromEntries(
          Object.entries(raw.otlp.metrics).map(([k, v]) => [k, Object.freeze({ enabled: v.enabled })]),
        ),
      ),
      intervalMs,
      timeoutMs: otlpTimeoutMs,
      compression: raw.otlp.compression,
      headers: Object.freeze({ ...raw.otlp.headers }),
      serviceName: raw.otlp.service_name,
      resourceAttributes: Object.freeze({ ...raw.otlp.resource_attributes }),
      processes: Object.freeze({
        enabled: raw.otlp.processes.enabled,
        include: processFilter(['otlp', 'processes', 'include'], raw.otlp.processes.include, problem),
        exclude: processFilter(['otlp', 'processes', 'exclude'], raw.otlp.processes.exclude, problem),
        max: raw.otlp.processes.max,
        keptFds: raw.otlp.processes.kept_fds,
      }),
    }),
    admin: resolveAdmin(raw.admin, problem),
  });
}

/** Collects problems up to MAX_REPORTED_ISSUES and counts the rest, so that no check's cost grows with the report. */
class Issues {
  readonly list: ConfigIssue[] = [];
  omitted = 0;

  get full(): boolean {
    return this.list.length >= MAX_REPORTED_ISSUES;
  }

  get any(): boolean {
    return this.list.length > 0 || this.omitted > 0;
  }

  /** Adds one; `make` (which locates it in the file) runs only while there is room. */
  add(make: () => ConfigIssue): void {
    if (this.full) this.omitted++;
    else this.list.push(make());
  }

  error(file: string): ConfigError {
    return new ConfigError(file, sortIssues(this.list), this.omitted);
  }
}

/**
 * Duplicate keys, each map once with a set: yaml's own `uniqueKeys` check compares every key with every earlier one
 * of its map, quadratic in the keys (20,000 keys of one map took 9 s to parse, 1 s without it).
 */
function duplicateKeys(doc: Document, lc: LineCounter, issues: Issues): void {
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const k = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(k))
          issues.add(() => ({
            ...position(lc, isNode(pair.key) ? pair.key : null),
            path: '',
            message: 'Map keys must be unique',
          }));
        seen.add(k);
      }
    },
  });
}

/**
 * Aliases checked before the document becomes data, each located in the file: an alias to an anchor not set before
 * it, more than MAX_ALIASES aliases, or (in toJS) aliases of aliases whose expansion would pass yaml's own cap (a
 * "billion laughs"). yaml reports all three as a bare ReferenceError thrown from toJS, without a place.
 */
function aliasProblems(doc: Document, lc: LineCounter, issues: Issues): Alias[] {
  const anchors = new Set<string>();
  const aliases: Alias[] = [];
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        aliases.push(node);
        if (!anchors.has(node.source)) {
          issues.add(() => ({
            ...position(lc, node),
            path: '',
            message: `unknown alias *${node.source}: an alias must follow the anchor &${node.source} it repeats`,
          }));
        } else if (aliases.length === MAX_ALIASES + 1) {
          issues.add(() => ({
            ...position(lc, node),
            path: '',
            message: `more than ${MAX_ALIASES} aliases in one file`,
          }));
        }
      } else if (node.anchor) {
        anchors.add(node.anchor);
      }
    },
  });
  return aliases;
}

/**
 * Parses and checks a config text, with the command line's flags applied to it (flags.ts: each sets its key, as if
 * the file said so). Throws ConfigError listing every problem (line, column, path, what was expected; a flag's
 * problems under the flag's name; the first MAX_REPORTED_ISSUES of them); returns the resolved config with every
 * default filled in. With `env`, an enabled otlp section is also resolved with those OTEL_* variables on top
 * (config/otlp-env.ts): what they make unusable is refused at the key they contradict (otlp.enabled when the variables
 * alone are at fault).
 */
export function parseConfig(
  text: string,
  file = '<config>',
  flags: readonly FlagAssignment[] = [],
  env: NodeJS.ProcessEnv | null = null,
): AgentConfig {
  const issues = new Issues();
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONFIG_BYTES) throw new ConfigError(file, [tooLarge(bytes)]);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: false });
  for (const e of [...doc.errors, ...doc.warnings]) {
    const p = e.linePos?.[0];
    issues.add(() => ({
      line: p?.line ?? 0,
      column: p?.col ?? 0,
      path: '',
      message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
    }));
  }
  duplicateKeys(doc, lc, issues);
  const aliases = aliasProblems(doc, lc, issues);
  if (issues.any) throw issues.error(file);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    // The expansion cap: point at the first alias of an alias (where the expansion multiplies), else the first alias.
    const at = aliases.find((a) => containsAlias(doc, a)) ?? aliases[0] ?? null;
    throw new ConfigError(file, [
      {
        ...position(lc, at),
        path: '',
        message: `aliases of aliases expand to more than ${MAX_ALIASES} copies (a "billion laughs")`,
      },
    ]);
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    const pos = position(lc, isNode(doc.contents) ? doc.contents : null);
    throw new ConfigError(file, [
      { ...pos, path: '', message: `expected a mapping at the top level, got ${describeValue(data)}` },
    ]);
  }

  const { schema, validate } = compiledSchema();
  for (const p of applyFlags(data as Record<string, unknown>, flags, schema))
    issues.add(() => ({ line: 0, column: 0, flag: p.flag, path: displayPath(p.path), message: p.message }));
  applyDisableDefaults(data as Record<string, unknown>, schema);
  /** The flag that set the value at a path (or above it), the last one when several did. */
  const flagAt = (segments: readonly string[]): string | undefined => {
    for (let i = flags.length - 1; i >= 0; i--) {
      const p = (flags[i] as FlagAssignment).path;
      if (p.length <= segments.length && p.every((s, j) => s === segments[j])) return (flags[i] as FlagAssignment).flag;
    }
    return undefined;
  };
  const place = (segments: readonly string[], inFile: () => { line: number; column: number }) => {
    const flag = flagAt(segments);
    return flag !== undefined ? { line: 0, column: 0, flag } : inFile();
  };
  if (!validate(data)) {
    // Worded (cheap) for every error so that repeats count once; located in the file (a walk) only while reported.
    const seen = new Set<string>();
    for (const err of validate.errors ?? []) {
      if (err.keyword === 'propertyNames') continue; // its 'pattern' error about the same key says what is wrong
      const segments = decodePointer(err.instancePath);
      const key =
        err.keyword === 'additionalProperties'
          ? (err.params as { additionalProperty: string }).additionalProperty
          : err.propertyName;
      const at = key === undefined ? segments : [...segments, key];
      const message =
        key !== undefined && err.keyword !== 'additionalProperties' ? explainName(err, key) : explain(err);
      const id = `${err.instancePath}\u0000${key ?? ''}\u0000${message}`;
      if (seen.has(id)) continue;
      seen.add(id);
      issues.add(() => ({
        ...place(at, () => position(lc, key === undefined ? nodeAt(doc, segments) : keyNodeAt(doc, segments, key))),
        path: displayPath(at),
        message,
      }));
    }
    throw issues.error(file);
  }

  const problem = (segments: string[], message: string): void => {
    issues.add(() => ({
      ...place(segments, () => position(lc, nodeAt(doc, segments))),
      path: displayPath(segments),
      message,
    }));
  };
  walkRef(schema, schema, data, [], '#/$defs/regexp', (value, segments, schemaDefault) => {
    // The schema's own defaults are RE2 (test/config/load.test.ts compiles each): a file that keeps them (every file,
    // config/default.yaml among them) does not load re2js into the config thread, 85-120 ms of its start.
    if (issues.full || value === schemaDefault) return;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: re2js loads with the first regexp that is not a default (comment above)
      (require('re2js') as typeof import('re2js')).RE2JS.compile(value);
    } catch (e) {
      problem(segments, `expected an RE2 regular expression: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  walkRef(schema, schema, data, [], '#/$defs/duration', (value, segments) => {
    const ms = parseDuration(value);
    // Node's timers fire after 1 ms for anything longer (TimeoutOverflowWarning): an interval would become a busy loop.
    if (ms !== null && ms > MAX_TIMER_MS)
      problem(
        segments,
        `expected a duration of at most ${MAX_TIMER_TEXT} (the longest a timer can wait), got ${JSON.stringify(value)}`,
      );
  });
  const config = resolve(data as RawConfig, problem, env);
  // process_names' own rules (templates, label names, selector values), once the shape is right.
  if (!issues.any) for (const i of processGroupsConfigIssues(doc, lc, data)) issues.add(() => i);
  // The push the agent would build, with the OTEL_* variables on top: a key they contradict is refused here, with its
  // place, rather than when the push starts (a reload would otherwise apply the rest of the file without it).
  if (!issues.any && env !== null)
    for (const e of otlpEnvProblems(config.otlp, env))
      problem(['otlp', ...(e.at.length > 0 ? e.at : ['enabled'])], e.detail);
  if (issues.any) throw issues.error(file);
  return config;
}

/** Whether the node an alias repeats holds aliases itself: each copy then multiplies the expansion. */
function containsAlias(doc: Document, alias: Alias): boolean {
  const target = alias.resolve(doc);
  if (!target || !isNode(target)) return false;
  let found = false;
  visit(target, {
    Alias() {
      found = true;
      return visit.BREAK;
    },
  });
  return found;
}

/** The message for a bad key name (ajv's propertyNames), which ajv words as if about the key's value. */
function explainName(err: ErrorObject, key: string): string {
  const parent = err.parentSchema as SchemaNode | undefined;
  return parent?.description
    ? `expected ${parent.description} as a key, got ${JSON.stringify(key)}`
    : `${explain(err)} (the key ${JSON.stringify(key)})`;
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
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

function tooLarge(bytes: number | null): ConfigIssue {
  const size = bytes === null ? 'the file grew while it was read' : `the file is ${bytes} bytes`;
  return {
    line: 0,
    column: 0,
    path: '',
    message: `${size}, over the ${MAX_CONFIG_BYTES} bytes (1 MiB) a config file may hold`,
  };
}

/** What kind of file this is, for the refusal of anything but a regular file. */
function fileKind(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The file's text, read with its size capped: opened non-blocking (a FIFO without a writer must not hang the loader),
 * refused unless it is a regular file (a FIFO, /dev/zero or a directory), and never read past MAX_CONFIG_BYTES (a
 * file growing while it is read is refused too).
 */
export function readConfigText(file: string): string {
  const refuse = (message: string): never => {
    throw new ConfigError(file, [{ line: 0, column: 0, path: '', message }]);
  };
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    return refuse(`cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'EIO'})`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) refuse(`${fileKind(st)} is not a config file: expected a regular file`);
    if (st.size > MAX_CONFIG_BYTES) throw new ConfigError(file, [tooLarge(st.size)]);
    const buf = Buffer.allocUnsafe(MAX_CONFIG_BYTES + 1);
    let n = 0;
    for (;;) {
      let r: number;
      try {
        r = fs.readSync(fd, buf, n, buf.length - n, null);
      } catch (e) {
        return refuse(`cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'EIO'})`);
      }
      if (r === 0) break;
      n += r;
      if (n > MAX_CONFIG_BYTES) throw new ConfigError(file, [tooLarge(null)]);
    }
    return buf.toString('utf8', 0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads and parses a config file; a missing, unreadable, special or oversized file is a ConfigError too. With `env`
 * (the agent's loads and --check-config), the otlp section is checked with those OTEL_* variables on top.
 */
export function loadConfigFile(
  file: string,
  flags: readonly FlagAssignment[] = [],
  env: NodeJS.ProcessEnv | null = null,
): AgentConfig {
  return parseConfig(readConfigText(file), file, flags, env);
}
