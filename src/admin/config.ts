/**
 * The `admin:` section of the agent's config: its type, defaults and validation. The agent's loader (src/config/)
 * checks the file against config/schema.json; this module is the semantic check the schema cannot express (signal
 * names, ranges, durations, listen addresses) and the startup safety rules ([SECURITY] refusals, Consul PR #7437
 * made fatal).
 *
 * Keys are snake_case like the rest of the file; the parsed object is camelCase.
 */
import * as net from 'node:net';
import * as path from 'node:path';
import { parseDuration } from '../util/duration';
import {
  IOCLASS_NAMES,
  NICE_MAX,
  NICE_MIN,
  SIGNAL_NAMES,
  rlimitName,
  type IoClassName,
  type SignalName,
} from './vocabulary';

export interface RateSpec {
  /** Time for one token to come back, in ms (exporter-toolkit's `rate_limit.interval`). */
  readonly intervalMs: number;
  readonly burst: number;
}

export type ListenTarget =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly loopback: boolean }
  | { readonly kind: 'unix'; readonly path: string };

export interface AdminTlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCaFile: string | null;
  /** Exact SAN values (DNS, IP, email or URI) a client certificate must carry one of; empty = any verified cert. */
  readonly clientAllowedSans: readonly string[];
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
}

export interface RlimitBound {
  /** Smallest soft/hard value allowed (null: no floor). */
  readonly min: number | null;
  /** Largest soft/hard value allowed; -1 (RLIM_INFINITY) allows unlimited. */
  readonly max: number;
}

export interface PolicyRule {
  readonly groups: readonly string[];
  /** Usernames a target must run as (real uid); null: any. */
  readonly users: readonly string[] | null;
  readonly signals: readonly SignalName[];
  readonly nice: { readonly min: number; readonly max: number } | null;
  readonly ioniceClasses: readonly IoClassName[];
  /** false: never; true: any CPU the target may run on; a list: the requested set must be a subset of it. */
  readonly cpuAffinity: boolean | readonly number[];
  readonly rlimits: ReadonlyMap<string, RlimitBound>;
}

export interface AdminConfig {
  readonly enabled: boolean;
  readonly listenAddress: string;
  readonly listen: ListenTarget;
  readonly tokenFile: string | null;
  /** Path of the JSON-lines audit log; null writes the lines to stderr. */
  readonly auditLog: string | null;
  /** Extra Host header values accepted besides the listen address and localhost forms. */
  readonly allowedHosts: readonly string[];
  readonly tls: AdminTlsConfig | null;
  readonly rateLimit: {
    readonly perCredential: RateSpec;
    readonly global: RateSpec;
    /** One shared bucket for requests that fail authentication, so they cannot starve real callers. */
    readonly unauthenticated: RateSpec;
  };
  readonly readHeaderTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxGroupMembers: number;
  readonly policy: readonly PolicyRule[];
}

export interface ConfigIssue {
  /** Dotted key path, e.g. `admin.policy[0].signals[1]`. */
  readonly path: string;
  readonly message: string;
}

/** `admin.policy[0].signals[1]` -> ['admin', 'policy', '0', 'signals', '1'], for locating an issue in the YAML. */
export function issueSegments(p: string): string[] {
  const out: string[] = [];
  for (const m of p.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push((m[1] ?? m[2]) as string);
  return out;
}

export class AdminConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
    this.issues = issues;
  }
}

/** Thrown when admin would run in an unsafe shape; every message starts with `[SECURITY]`. */
export class AdminSecurityError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

export { parseDuration };

export const ADMIN_DEFAULT_LISTEN = '127.0.0.1:9465';

const DEFAULTS = {
  perCredential: { intervalMs: 100, burst: 20 },
  global: { intervalMs: 10, burst: 100 },
  unauthenticated: { intervalMs: 10, burst: 100 },
  readHeaderTimeoutMs: 5000,
  requestTimeoutMs: 10000,
  maxGroupMembers: 256,
} as const;

const TOP_KEYS = new Set([
  'enabled',
  'listen_address',
  'token_file',
  'audit_log',
  'allowed_hosts',
  'tls_server_config',
  'rate_limit',
  'read_header_timeout',
  'request_timeout',
  'max_group_members',
  'policy',
]);
const TLS_KEYS = new Set(['cert_file', 'key_file', 'client_ca_file', 'client_allowed_sans', 'min_version']);
const RATE_KEYS = new Set(['per_credential', 'global', 'unauthenticated']);
const RATE_SPEC_KEYS = new Set(['interval', 'burst']);
const RULE_KEYS = new Set(['groups', 'users', 'signals', 'nice', 'ionice_classes', 'cpu_affinity', 'rlimits']);
const RANGE_KEYS = new Set(['min', 'max']);

type Raw = Record<string, unknown>;

function isPlainObject(v: unknown): v is Raw {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `host:port`, `[v6]:port`, `localhost:port` or `unix:/abs/path`. Hostnames other than localhost are refused. */
export function parseListenAddress(s: string): ListenTarget | string {
  if (s.startsWith('unix:')) {
    const p = s.slice(5);
    if (!path.isAbsolute(p)) return 'a unix socket path must be absolute (unix:/run/psutil-exporter/admin.sock)';
    if (p.includes('\0')) return 'a unix socket path must not contain NUL';
    return { kind: 'unix', path: path.normalize(p) };
  }
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):([0-9]{1,5})$/.exec(s);
  if (!m) return 'expected HOST:PORT, [IPv6]:PORT or unix:/path';
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return `port ${m[3]} out of range 1-65535`;
  let host = m[1] ?? m[2] ?? '';
  // A hostname would be resolved through /etc/hosts and DNS at bind time; only `localhost` has a fixed meaning here.
  if (host === 'localhost') host = '127.0.0.1';
  if (host === '') host = '0.0.0.0';
  if (net.isIP(host) === 0) return `host ${JSON.stringify(host)} must be an IP address or localhost`;
  if (m[1] !== undefined && net.isIPv6(host) === false) return `${host} in brackets must be an IPv6 address`;
  return { kind: 'tcp', host, port, loopback: isLoopback(host) };
}

export function isLoopback(host: string): boolean {
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) {
    const h = host.toLowerCase();
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:([0-9.]+)$/.exec(h);
    return mapped !== null && mapped[1] !== undefined && mapped[1].startsWith('127.');
  }
  return false;
}

class Collector {
  readonly issues: ConfigIssue[] = [];
  add(p: string, message: string): void {
    this.issues.push({ path: p, message });
  }
  unknownKeys(obj: Raw, allowed: ReadonlySet<string>, p: string): void {
    for (const k of Object.keys(obj)) if (!allowed.has(k)) this.add(`${p}.${k}`, 'unknown key');
  }
  str(obj: Raw, key: string, p: string): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v === '') {
      this.add(`${p}.${key}`, 'must be a non-empty string');
      return undefined;
    }
    return v;
  }
  absPath(obj: Raw, key: string, p: string): string | undefined {
    const v = this.str(obj, key, p);
    if (v !== undefined && !path.isAbsolute(v)) {
      this.add(`${p}.${key}`, 'must be an absolute path');
      return undefined;
    }
    return v;
  }
  strList(obj: Raw, key: string, p: string): string[] | undefined {
    return this.strItems(obj, key, p)?.map(([, s]) => s);
  }
  /** The valid strings of a list with their original indexes (so later messages name the right item). */
  strItems(obj: Raw, key: string, p: string): Array<[number, string]> | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.add(`${p}.${key}`, 'must be a list of strings');
      return undefined;
    }
    const out: Array<[number, string]> = [];
    v.forEach((x: unknown, i) => {
      if (typeof x !== 'string' || x === '') this.add(`${p}.${key}[${i}]`, 'must be a non-empty string');
      else out.push([i, x]);
    });
    return out;
  }
  int(v: unknown, p: string, min: number, max: number): number | undefined {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      this.add(p, `must be an integer in ${min}..${max}`);
      return undefined;
    }
    return v;
  }
  duration(obj: Raw, key: string, p: string, dflt: number): number {
    const v = obj[key];
    if (v === undefined || v === null) return dflt;
    const ms = typeof v === 'string' ? parseDuration(v) : null;
    if (ms === null || ms <= 0) {
      this.add(`${p}.${key}`, 'must be a positive duration such as 500ms, 5s or 1m');
      return dflt;
    }
    return ms;
  }
}

function parseRate(c: Collector, raw: unknown, p: string, dflt: RateSpec): RateSpec {
  if (raw === undefined || raw === null) return dflt;
  if (!isPlainObject(raw)) {
    c.add(p, 'must be a mapping {interval, burst}');
    return dflt;
  }
  c.unknownKeys(raw, RATE_SPEC_KEYS, p);
  const intervalMs = c.duration(raw, 'interval', p, dflt.intervalMs);
  const burst = raw['burst'] === undefined ? dflt.burst : (c.int(raw['burst'], `${p}.burst`, 1, 100000) ?? dflt.burst);
  return { intervalMs, burst };
}

function parseTls(c: Collector, raw: unknown, p: string): AdminTlsConfig | null {
  if (raw === undefined || raw === null) return null;
  if (!isPlainObject(raw)) {
    c.add(p, 'must be a mapping');
    return null;
  }
  c.unknownKeys(raw, TLS_KEYS, p);
  const certFile = c.absPath(raw, 'cert_file', p);
  const keyFile = c.absPath(raw, 'key_file', p);
  if (certFile === undefined) c.add(`${p}.cert_file`, 'is required when tls_server_config is set');
  if (keyFile === undefined) c.add(`${p}.key_file`, 'is required when tls_server_config is set');
  const clientCaFile = c.absPath(raw, 'client_ca_file', p) ?? null;
  const sans = c.strList(raw, 'client_allowed_sans', p) ?? [];
  if (sans.length > 0 && clientCaFile === null) {
    c.add(`${p}.client_allowed_sans`, 'needs client_ca_file (SANs are checked on verified client certificates)');
  }
  let minVersion: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.2';
  const mv = raw['min_version'];
  if (mv !== undefined && mv !== null) {
    if (mv === 'TLS12') minVersion = 'TLSv1.2';
    else if (mv === 'TLS13') minVersion = 'TLSv1.3';
    else c.add(`${p}.min_version`, 'must be TLS12 or TLS13 (older versions are refused)');
  }
  if (certFile === undefined || keyFile === undefined) return null;
  return { certFile, keyFile, clientCaFile, clientAllowedSans: sans, minVersion };
}

function parseRule(c: Collector, raw: unknown, p: string): PolicyRule | null {
  if (!isPlainObject(raw)) {
    c.add(p, 'must be a mapping');
    return null;
  }
  c.unknownKeys(raw, RULE_KEYS, p);
  const groups = c.strList(raw, 'groups', p);
  if (groups === undefined || groups.length === 0) c.add(`${p}.groups`, 'is required: a non-empty list of group names');
  const users = c.strList(raw, 'users', p) ?? null;

  const signals: SignalName[] = [];
  for (const [i, s] of c.strItems(raw, 'signals', p) ?? []) {
    if ((SIGNAL_NAMES as readonly string[]).includes(s)) signals.push(s as SignalName);
    else c.add(`${p}.signals[${i}]`, `unknown signal ${JSON.stringify(s)}; allowed: ${SIGNAL_NAMES.join(', ')}`);
  }

  let nice: { min: number; max: number } | null = null;
  const rn = raw['nice'];
  if (rn !== undefined && rn !== null) {
    if (!isPlainObject(rn)) c.add(`${p}.nice`, 'must be a mapping {min, max}');
    else {
      c.unknownKeys(rn, RANGE_KEYS, `${p}.nice`);
      const min = rn['min'] === undefined ? NICE_MIN : c.int(rn['min'], `${p}.nice.min`, NICE_MIN, NICE_MAX);
      const max = rn['max'] === undefined ? NICE_MAX : c.int(rn['max'], `${p}.nice.max`, NICE_MIN, NICE_MAX);
      if (min !== undefined && max !== undefined) {
        if (min > max) c.add(`${p}.nice`, `min ${min} is greater than max ${max}`);
        else nice = { min, max };
      }
    }
  }

  const ioniceClasses: IoClassName[] = [];
  for (const [i, s] of c.strItems(raw, 'ionice_classes', p) ?? []) {
    if ((IOCLASS_NAMES as readonly string[]).includes(s)) ioniceClasses.push(s as IoClassName);
    else c.add(`${p}.ionice_classes[${i}]`, `unknown class ${JSON.stringify(s)}; allowed: ${IOCLASS_NAMES.join(', ')}`);
  }

  let cpuAffinity: boolean | number[] = false;
  const ca = raw['cpu_affinity'];
  if (typeof ca === 'boolean') cpuAffinity = ca;
  else if (Array.isArray(ca)) {
    const cpus: number[] = [];
    ca.forEach((x: unknown, i) => {
      const n = c.int(x, `${p}.cpu_affinity[${i}]`, 0, 65535);
      if (n !== undefined) cpus.push(n);
    });
    if (ca.length === 0) c.add(`${p}.cpu_affinity`, 'an empty list allows nothing: write false');
    cpuAffinity = [...new Set(cpus)].sort((a, b) => a - b);
  } else if (ca !== undefined && ca !== null)
    c.add(`${p}.cpu_affinity`, 'must be true, false or a list of CPU numbers');

  const rlimits = new Map<string, RlimitBound>();
  const rl = raw['rlimits'];
  if (rl !== undefined && rl !== null) {
    if (!isPlainObject(rl)) c.add(`${p}.rlimits`, 'must be a mapping RESOURCE: {max, min}');
    else {
      for (const [k, v] of Object.entries(rl)) {
        const kp = `${p}.rlimits.${k}`;
        const name = rlimitName(k);
        if (name === null) {
          c.add(kp, 'unknown rlimit resource (NOFILE, NPROC, CORE, ...)');
          continue;
        }
        if (!isPlainObject(v)) {
          c.add(kp, 'must be a mapping {max, min}');
          continue;
        }
        c.unknownKeys(v, RANGE_KEYS, kp);
        let max: number | undefined;
        if (v['max'] === 'unlimited' || v['max'] === -1) max = -1;
        else if (v['max'] === undefined) c.add(`${kp}.max`, 'is required (a number, or unlimited)');
        else max = c.int(v['max'], `${kp}.max`, 0, Number.MAX_SAFE_INTEGER);
        const min = v['min'] === undefined ? null : (c.int(v['min'], `${kp}.min`, 0, Number.MAX_SAFE_INTEGER) ?? null);
        if (max !== undefined) {
          if (min !== null && max !== -1 && min > max) c.add(kp, `min ${min} is greater than max ${max}`);
          else rlimits.set(name, { min, max });
        }
      }
    }
  }
  if (groups === undefined || groups.length === 0) return null;
  return Object.freeze({
    groups: Object.freeze(groups),
    users: users && Object.freeze(users),
    signals: Object.freeze(signals),
    nice,
    ioniceClasses: Object.freeze(ioniceClasses),
    cpuAffinity: Array.isArray(cpuAffinity) ? Object.freeze(cpuAffinity) : cpuAffinity,
    rlimits,
  });
}

/**
 * Validates the raw `admin` value (as parsed from YAML). Returns the typed config or throws AdminConfigError listing
 * every problem with its key path. `prefix` names the section in messages.
 */
export function parseAdminConfig(raw: unknown, prefix = 'admin'): AdminConfig {
  const c = new Collector();
  const obj: Raw =
    raw === undefined || raw === null ? {} : isPlainObject(raw) ? raw : (c.add(prefix, 'must be a mapping'), {});
  c.unknownKeys(obj, TOP_KEYS, prefix);

  const en = obj['enabled'];
  if (en !== undefined && typeof en !== 'boolean') c.add(`${prefix}.enabled`, 'must be true or false');
  const enabled = en === true;

  const listenAddress = c.str(obj, 'listen_address', prefix) ?? ADMIN_DEFAULT_LISTEN;
  let listen = parseListenAddress(listenAddress);
  if (typeof listen === 'string') {
    c.add(`${prefix}.listen_address`, listen);
    listen = { kind: 'tcp', host: '127.0.0.1', port: 9465, loopback: true };
  }

  const tokenFile = c.absPath(obj, 'token_file', prefix) ?? null;
  const auditLog = c.absPath(obj, 'audit_log', prefix) ?? null;
  const allowedHosts = c.strList(obj, 'allowed_hosts', prefix) ?? [];
  const tls = parseTls(c, obj['tls_server_config'], `${prefix}.tls_server_config`);

  const rlRaw = obj['rate_limit'];
  let rateLimit: AdminConfig['rateLimit'] = {
    perCredential: DEFAULTS.perCredential,
    global: DEFAULTS.global,
    unauthenticated: DEFAULTS.unauthenticated,
  };
  if (rlRaw !== undefined && rlRaw !== null) {
    if (!isPlainObject(rlRaw))
      c.add(`${prefix}.rate_limit`, 'must be a mapping {per_credential, global, unauthenticated}');
    else {
      c.unknownKeys(rlRaw, RATE_KEYS, `${prefix}.rate_limit`);
      rateLimit = {
        perCredential: parseRate(
          c,
          rlRaw['per_credential'],
          `${prefix}.rate_limit.per_credential`,
          DEFAULTS.perCredential,
        ),
        global: parseRate(c, rlRaw['global'], `${prefix}.rate_limit.global`, DEFAULTS.global),
        unauthenticated: parseRate(
          c,
          rlRaw['unauthenticated'],
          `${prefix}.rate_limit.unauthenticated`,
          DEFAULTS.unauthenticated,
        ),
      };
    }
  }

  const readHeaderTimeoutMs = c.duration(obj, 'read_header_timeout', prefix, DEFAULTS.readHeaderTimeoutMs);
  const requestTimeoutMs = c.duration(obj, 'request_timeout', prefix, DEFAULTS.requestTimeoutMs);
  if (readHeaderTimeoutMs > requestTimeoutMs) {
    c.add(`${prefix}.read_header_timeout`, 'must not exceed request_timeout');
  }
  const maxGroupMembers =
    obj['max_group_members'] === undefined
      ? DEFAULTS.maxGroupMembers
      : (c.int(obj['max_group_members'], `${prefix}.max_group_members`, 1, 100000) ?? DEFAULTS.maxGroupMembers);

  const policy: PolicyRule[] = [];
  const pr = obj['policy'];
  if (pr !== undefined && pr !== null) {
    if (!Array.isArray(pr)) c.add(`${prefix}.policy`, 'must be a list of rules');
    else
      pr.forEach((r: unknown, i) => {
        const rule = parseRule(c, r, `${prefix}.policy[${i}]`);
        if (rule) policy.push(rule);
      });
  }

  if (c.issues.length > 0) throw new AdminConfigError(c.issues);
  return Object.freeze({
    enabled,
    listenAddress,
    listen,
    tokenFile,
    auditLog,
    allowedHosts: Object.freeze(allowedHosts),
    tls,
    rateLimit,
    readHeaderTimeoutMs,
    requestTimeoutMs,
    maxGroupMembers,
    policy: Object.freeze(policy),
  });
}

/**
 * The startup refusals: admin enabled with no authentication, or reachable beyond loopback without mutual TLS.
 * Each issue names the key to fix; the message starts with `[SECURITY]`. Empty when safe.
 */
export function adminSecurityIssues(cfg: AdminConfig, prefix = 'admin'): ConfigIssue[] {
  if (!cfg.enabled) return [];
  const issues: ConfigIssue[] = [];
  const mtls = cfg.tls !== null && cfg.tls.clientCaFile !== null;
  if (cfg.tokenFile === null && !mtls) {
    issues.push({
      path: `${prefix}.enabled`,
      message:
        '[SECURITY] admin.enabled is true but no authentication is configured: set admin.token_file ' +
        '(a file holding a random token of at least 32 bytes) or admin.tls_server_config.client_ca_file (mutual TLS)',
    });
  }
  if (cfg.listen.kind === 'tcp' && !cfg.listen.loopback && !mtls) {
    issues.push({
      path: `${prefix}.listen_address`,
      message:
        `[SECURITY] admin.listen_address ${cfg.listenAddress} is not a loopback address: listening there requires ` +
        'mutual TLS (admin.tls_server_config with cert_file, key_file and client_ca_file); ' +
        `use ${ADMIN_DEFAULT_LISTEN} or a unix: socket otherwise`,
    });
  }
  return issues;
}

/** The same refusals as plain `[SECURITY] ...` lines. */
export function adminSecurityProblems(cfg: AdminConfig): string[] {
  return adminSecurityIssues(cfg).map((i) => i.message);
}

export function assertAdminSafe(cfg: AdminConfig): void {
  const problems = adminSecurityProblems(cfg);
  if (problems.length > 0) throw new AdminSecurityError(problems);
}
