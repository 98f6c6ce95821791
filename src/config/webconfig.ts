/**
 * The web config file (`--web.config.file`, `web.config_file`) in exporter-toolkit's format, so that the file an
 * operator wrote for node_exporter serves this agent unchanged: `tls_server_config`, `http_server_config` and
 * `basic_auth_users` (docs/web-configuration.md of prometheus/exporter-toolkit). Read as exporter-toolkit reads it
 * (yaml.v2 UnmarshalStrict: unknown and repeated keys refused, any scalar taken as a string where a string is wanted,
 * YAML 1.1 booleans), then checked as it checks it at start (bcrypt hashes, header allowlist, client auth policy, the
 * certificate and key loaded as a pair). Every problem is reported FILE:LINE:COL like the agent's own config.
 *
 * Loaded in the config thread (src/config/offthread.ts): yaml stays out of the agent's main thread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import {
  ALLOWED_HEADERS,
  CLIENT_AUTH_TYPES,
  GO_CIPHER_SUITES,
  GO_CURVES,
  GO_TLS_VERSIONS,
  TLS_VERSIONS,
  tlsServerOptions,
  type ClientAuthType,
  type TlsMaterial,
  type TlsVersion,
  type WebConfig,
  type WebTlsConfig,
} from '../exporters/webtls';
import { ConfigError, MAX_REPORTED_ISSUES, type ConfigIssue } from './errors';
import { readConfigText } from './load';

const TOP_KEYS = ['tls_server_config', 'http_server_config', 'basic_auth_users'];
const TLS_KEYS = [
  'cert_file',
  'key_file',
  'client_auth_type',
  'client_ca_file',
  'client_allowed_sans',
  'min_version',
  'max_version',
  'cipher_suites',
  'prefer_server_cipher_suites',
  'curve_preferences',
];
const HTTP_KEYS = ['http2', 'headers'];

/** Keys of later exporter-toolkit versions that are not implemented here: refused with a word rather than ignored. */
const NOT_HERE: ReadonlyMap<string, string> = new Map([
  ['cert', 'inline certificates (cert) are not supported here: put the PEM in a file and name it in cert_file'],
  ['key', 'inline keys (key) are not supported here: put the PEM in a file and name it in key_file'],
  ['client_ca', 'inline client CAs (client_ca) are not supported here: name a PEM file in client_ca_file'],
  ['rate_limit', 'rate_limit is not supported here: web.max_requests bounds concurrent scrapes'],
]);

/** bcrypt as Go's x/crypto/bcrypt reads it: version 2a, 2b or 2y, a two-digit cost of 4 to 31, 53 characters. */
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/** yaml.v2 reads these plain scalars as null (a key set to nothing keeps its default). */
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

type Entry = { readonly key: Node; readonly value: Node | null };

/** The problems found, each located in the file; at most MAX_REPORTED_ISSUES listed, the rest counted. */
class Reader {
  readonly issues: ConfigIssue[] = [];
  omitted = 0;

  constructor(
    private readonly doc: Document,
    private readonly lc: LineCounter,
  ) {}

  add(node: Node | null, at: string, message: string): void {
    if (this.issues.length >= MAX_REPORTED_ISSUES) {
      this.omitted++;
      return;
    }
    const p = node?.range ? this.lc.linePos(node.range[0]) : { line: 0, col: 0 };
    this.issues.push({ line: p.line, column: p.col, path: at, message });
  }

  /** The node an alias stands for (yaml.v2 reads aliases); null for a missing value. */
  deref(node: Node | null | undefined): Node | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      return target === undefined ? null : target;
    }
    return node;
  }

  /** A null value: absent, or a plain `~`/`null`/empty scalar. */
  isNull(node: Node | null): boolean {
    return node === null || (isScalar(node) && node.type === 'PLAIN' && NULLS.has(String(node.value)));
  }

  /** The entries of a mapping by key; unknown (when `allowed` is given), repeated and non-scalar keys are reported. */
  mapping(raw: Node | null, at: string, allowed: readonly string[] | null): Map<string, Entry> {
    const out = new Map<string, Entry>();
    const node = this.deref(raw);
    if (this.isNull(node)) return out;
    if (!isMap(node)) {
      this.add(node, at, `expected a mapping, got ${kind(node)}`);
      return out;
    }
    for (const pair of node.items) {
      const key = this.deref(pair.key as Node | null);
      const value = this.deref(pair.value as Node | null);
      if (key === null || !isScalar(key)) {
        this.add(key, at, 'expected a string key');
        continue;
      }
      const name = String(key.value);
      const here = at ? `${at}.${name}` : name;
      if (out.has(name)) this.add(key, here, `key "${name}" is repeated`);
      else if (allowed !== null && !allowed.includes(name))
        this.add(key, here, NOT_HERE.get(name) ?? `unknown key "${name}"; expected one of: ${allowed.join(', ')}`);
      else out.set(name, { key, value });
    }
    return out;
  }

  /** A string value (any scalar's text, as yaml.v2 gives a string field); null when absent or null. */
  str(e: Entry | undefined, at: string): string | null {
    if (e === undefined || this.isNull(e.value)) return null;
    if (!isScalar(e.value)) {
      this.add(e.value, at, `expected a string, got ${kind(e.value)}`);
      return null;
    }
    return String(e.value.value);
  }

  bool(e: Entry | undefined, at: string): boolean | null {
    const s = this.str(e, at);
    if (s === null) return null;
    if (TRUE.has(s)) return true;
    if (FALSE.has(s)) return false;
    this.add(e?.value ?? null, at, `expected a boolean (true or false), got ${JSON.stringify(s)}`);
    return null;
  }

  /** A list of strings; null when absent. Each item is reported where it is not a string. */
  list(e: Entry | undefined, at: string): { values: string[]; nodes: Node[] } | null {
    if (e === undefined || this.isNull(e.value)) return null;
    if (!isSeq(e.value)) {
      this.add(e.value, at, `expected a list, got ${kind(e.value)}`);
      return null;
    }
    const values: string[] = [];
    const nodes: Node[] = [];
    e.value.items.forEach((raw, i) => {
      const item = this.deref(raw as Node | null);
      if (item === null || !isScalar(item) || this.isNull(item))
        this.add(item ?? e.value, `${at}[${i}]`, `expected a string, got ${kind(item)}`);
      else {
        values.push(String(item.value));
        nodes.push(item);
      }
    });
    return { values, nodes };
  }
}

function kind(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return JSON.stringify(String(node.value));
  return 'something else';
}

/** Where the TLS section's values sit, for the checks made on the files they name. */
interface TlsPlaces {
  readonly section: Node | null;
  readonly cert: Node | null;
  readonly key: Node | null;
  readonly ca: Node | null;
}

function parseTls(r: Reader, raw: Node | null, dir: string, warnings: string[]): [WebTlsConfig, TlsPlaces] | null {
  const at = 'tls_server_config';
  const m = r.mapping(raw, at, TLS_KEYS);
  const s = (k: string): string | null => r.str(m.get(k), `${at}.${k}`);
  const certFile = s('cert_file') ?? '';
  const keyFile = s('key_file') ?? '';
  const clientCa = s('client_ca_file') ?? '';
  const authText = s('client_auth_type') ?? '';
  // exporter-toolkit's IsEnabled: without any of these four, the listener serves plain HTTP.
  if (certFile === '' && keyFile === '' && clientCa === '' && authText === '') {
    if (m.size > 0)
      warnings.push(
        'tls_server_config sets no cert_file, key_file, client_ca_file or client_auth_type: TLS is off (as in exporter-toolkit)',
      );
    return null;
  }
  const section = r.deref(raw);
  if (certFile === '') r.add(m.get('cert_file')?.key ?? section, `${at}.cert_file`, 'missing cert_file');
  if (keyFile === '') r.add(m.get('key_file')?.key ?? section, `${at}.key_file`, 'missing key_file');

  let clientAuthType: ClientAuthType = 'NoClientCert';
  if (authText === 'RequireClientCert')
    clientAuthType = 'RequireAnyClientCert'; // exporter-toolkit's old name
  else if ((CLIENT_AUTH_TYPES as readonly string[]).includes(authText)) clientAuthType = authText as ClientAuthType;
  else if (authText !== '')
    r.add(
      m.get('client_auth_type')?.value ?? null,
      `${at}.client_auth_type`,
      `expected one of: ${CLIENT_AUTH_TYPES.join(', ')}; got ${JSON.stringify(authText)}`,
    );
  if (clientCa !== '' && clientAuthType === 'NoClientCert')
    r.add(
      m.get('client_ca_file')?.value ?? null,
      `${at}.client_ca_file`,
      "client CA's have been configured without a Client Auth Policy: set client_auth_type (RequireAndVerifyClientCert)",
    );
  if (clientAuthType === 'RequestClientCert' || clientAuthType === 'RequireAnyClientCert')
    warnings.push(`client_auth_type ${clientAuthType} does not verify client certificates`);

  const sans = r.list(m.get('client_allowed_sans'), `${at}.client_allowed_sans`);
  if (sans !== null && clientAuthType !== 'RequireAnyClientCert' && clientAuthType !== 'RequireAndVerifyClientCert')
    r.add(
      m.get('client_allowed_sans')?.key ?? null,
      `${at}.client_allowed_sans`,
      'client_allowed_sans requires client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert',
    );

  const version = (k: string, dflt: TlsVersion): TlsVersion => {
    const v = s(k);
    if (v === null) return dflt;
    const mapped = GO_TLS_VERSIONS.get(v);
    if (mapped === undefined)
      r.add(
        m.get(k)?.value ?? null,
        `${at}.${k}`,
        `expected one of: ${[...GO_TLS_VERSIONS.keys()].join(', ')}; got ${JSON.stringify(v)}`,
      );
    return mapped ?? dflt;
  };
  const minVersion = version('min_version', 'TLSv1.2');
  const maxVersion = version('max_version', 'TLSv1.3');
  if (TLS_VERSIONS.indexOf(minVersion) > TLS_VERSIONS.indexOf(maxVersion))
    r.add(
      m.get('min_version')?.value ?? null,
      `${at}.min_version`,
      'min_version is above max_version: no handshake could succeed',
    );

  let cipherSuites: string[] | null = null;
  const ciphers = r.list(m.get('cipher_suites'), `${at}.cipher_suites`);
  if (ciphers !== null && ciphers.values.length > 0) {
    cipherSuites = [];
    ciphers.values.forEach((name, i) => {
      const openssl = GO_CIPHER_SUITES.get(name);
      if (openssl === undefined)
        r.add(
          ciphers.nodes[i] ?? null,
          `${at}.cipher_suites[${i}]`,
          `unknown cipher: ${name} (Go's crypto/tls names from tls.CipherSuites(), e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)`,
        );
      else if (openssl !== null) cipherSuites?.push(openssl);
    });
    // Only TLS 1.3 names: Go then keeps its default TLS 1.2 suites (the list it is given holds none it can use).
    if (cipherSuites.length === 0) cipherSuites = null;
  }
  let curvePreferences: string[] | null = null;
  const curves = r.list(m.get('curve_preferences'), `${at}.curve_preferences`);
  if (curves !== null && curves.values.length > 0) {
    curvePreferences = [];
    curves.values.forEach((name, i) => {
      const openssl = GO_CURVES.get(name);
      if (openssl === undefined)
        r.add(
          curves.nodes[i] ?? null,
          `${at}.curve_preferences[${i}]`,
          `unknown curve: ${name} (expected one of: ${[...GO_CURVES.keys()].join(', ')})`,
        );
      else curvePreferences?.push(openssl);
    });
  }
  const tlsConfig: WebTlsConfig = {
    // exporter-toolkit's SetDirectory: relative paths are read from the web config file's directory.
    certFile: certFile === '' ? '' : path.resolve(dir, certFile),
    keyFile: keyFile === '' ? '' : path.resolve(dir, keyFile),
    clientAuthType,
    clientCaFile: clientCa === '' ? null : path.resolve(dir, clientCa),
    clientAllowedSans: sans?.values ?? null,
    minVersion,
    maxVersion,
    cipherSuites,
    preferServerCipherSuites: r.bool(m.get('prefer_server_cipher_suites'), `${at}.prefer_server_cipher_suites`) ?? true,
    curvePreferences,
  };
  return [
    tlsConfig,
    {
      section,
      cert: m.get('cert_file')?.value ?? null,
      key: m.get('key_file')?.value ?? null,
      ca: m.get('client_ca_file')?.value ?? null,
    },
  ];
}

function parseHttp(r: Reader, raw: Node | null): { http2: boolean; headers: Map<string, string> } {
  const at = 'http_server_config';
  const m = r.mapping(raw, at, HTTP_KEYS);
  const http2 = r.bool(m.get('http2'), `${at}.http2`) ?? true;
  const headers = new Map<string, string>();
  for (const [name, e] of r.mapping(m.get('headers')?.value ?? null, `${at}.headers`, null)) {
    const here = `${at}.headers.${name}`;
    const value = r.str(e, here);
    if (!ALLOWED_HEADERS.has(name)) {
      r.add(
        e.key,
        here,
        `HTTP header "${name}" can not be configured; expected one of: ${[...ALLOWED_HEADERS.keys()].join(', ')}`,
      );
      continue;
    }
    // exporter-toolkit leaves a blank value unset.
    if (value === null || value === '') continue;
    const allowed = ALLOWED_HEADERS.get(name);
    if (allowed && !allowed.includes(value))
      r.add(
        e.value,
        here,
        `invalid value for ${name}: expected one of: ${allowed.join(', ')}; got ${JSON.stringify(value)}`,
      );
    else headers.set(name, value);
  }
  return { http2, headers };
}

function parseUsers(r: Reader, raw: Node | null): Map<string, string> {
  const users = new Map<string, string>();
  for (const [name, e] of r.mapping(raw, 'basic_auth_users', null)) {
    const here = `basic_auth_users.${name}`;
    const hash = r.str(e, here);
    if (hash === null) {
      r.add(e.key, here, 'expected a bcrypt hash, got nothing');
      continue;
    }
    const cost = BCRYPT.exec(hash)?.[1];
    // The hash is a secret of sorts (exporter-toolkit's config.Secret): its text is not repeated in the message.
    if (cost === undefined || Number(cost) < 4 || Number(cost) > 31)
      r.add(
        e.value,
        here,
        `expected a bcrypt hash ($2a$, $2b$ or $2y$, cost 04 to 31, 60 characters; e.g. from htpasswd -nBC 10 "" | tr -d ':\\n'), got ${hash.length} characters starting ${JSON.stringify(hash.slice(0, 4))}`,
      );
    else users.set(name, hash);
  }
  return users;
}

/** What went wrong opening or parsing one PEM file, in a few words. */
function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  return e instanceof Error ? e.message : String(e);
}

/**
 * The files of the TLS section: each read, the certificate and key loaded as a pair, the client CA as PEM, and the
 * whole set (ciphers, curves, versions) made into a secure context, as exporter-toolkit loads the pair at start.
 */
function checkTlsFiles(r: Reader, t: WebTlsConfig, at: TlsPlaces, read: (file: string) => Buffer): void {
  const sec = 'tls_server_config';
  const load = (file: string | null, node: Node | null, key: string): Buffer | null => {
    if (file === null || file === '') return null;
    try {
      return read(file);
    } catch (e) {
      r.add(node, `${sec}.${key}`, `cannot read ${key} ${file} (${why(e)})`);
      return null;
    }
  };
  const cert = load(t.certFile, at.cert, 'cert_file');
  const key = load(t.keyFile, at.key, 'key_file');
  const ca = load(t.clientCaFile, at.ca, 'client_ca_file');
  const tryContext = (o: tls.SecureContextOptions, node: Node | null, key: string, what: string): boolean => {
    try {
      tls.createSecureContext(o);
      return true;
    } catch (e) {
      r.add(node, key ? `${sec}.${key}` : sec, `${what}: ${why(e)}`);
      return false;
    }
  };
  let ok = true;
  if (cert !== null) ok = tryContext({ cert }, at.cert, 'cert_file', `${t.certFile} is not a PEM certificate`) && ok;
  if (key !== null) ok = tryContext({ key }, at.key, 'key_file', `${t.keyFile} is not a PEM private key`) && ok;
  if (ca !== null) {
    const pem = ca.toString('latin1');
    if (!pem.includes('-----BEGIN CERTIFICATE-----'))
      r.add(at.ca, `${sec}.client_ca_file`, `${t.clientCaFile ?? ''} holds no PEM certificate`);
    else ok = tryContext({ ca }, at.ca, 'client_ca_file', `${t.clientCaFile ?? ''} is not a PEM CA bundle`) && ok;
  }
  if (!ok || cert === null || key === null) return;
  if (!tryContext({ cert, key }, at.key, 'key_file', `${t.keyFile} is not the key of ${t.certFile}`)) return;
  const material: TlsMaterial = { cert, key, ca };
  tryContext(
    tlsServerOptions(t, material, tls.DEFAULT_CIPHERS),
    at.section,
    '',
    'cannot set up TLS with these settings',
  );
}

/**
 * Parses and checks a web config text. `read` reads the files it names (the certificate, key and client CA).
 * Throws ConfigError listing every problem with its line; returns the resolved config.
 */
export function parseWebConfig(
  text: string,
  file: string,
  read: (file: string) => Buffer = fs.readFileSync,
): WebConfig {
  const lc = new LineCounter();
  // The failsafe schema keeps every scalar's text: yaml.v2 gives a string field the text as written (`0123`, `yes`).
  const doc = parseDocument(text, { lineCounter: lc, schema: 'failsafe', uniqueKeys: false, prettyErrors: true });
  const r = new Reader(doc, lc);
  for (const e of doc.errors) {
    const p = e.linePos?.[0];
    r.issues.push({
      line: p?.line ?? 0,
      column: p?.col ?? 0,
      path: '',
      message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
    });
  }
  if (r.issues.length > 0) throw new ConfigError(file, r.issues);

  const warnings: string[] = [];
  const top = r.mapping(doc.contents, '', TOP_KEYS);
  const tlsParsed = parseTls(
    r,
    top.get('tls_server_config')?.value ?? null,
    path.dirname(path.resolve(file)),
    warnings,
  );
  const { http2, headers } = parseHttp(r, top.get('http_server_config')?.value ?? null);
  const users = parseUsers(r, top.get('basic_auth_users')?.value ?? null);
  if (users.size > 0 && tlsParsed === null)
    warnings.push('basic_auth_users without TLS: passwords cross the network in clear (set tls_server_config)');
  // The files are looked at once the text itself is right: a typo in a key is reported before a missing file.
  if (r.issues.length === 0 && tlsParsed !== null) checkTlsFiles(r, tlsParsed[0], tlsParsed[1], read);
  if (r.issues.length > 0 || r.omitted > 0)
    throw new ConfigError(
      file,
      [...r.issues].sort((a, b) => a.line - b.line || a.column - b.column),
      r.omitted,
    );
  return { file, tls: tlsParsed?.[0] ?? null, http2, headers, users, warnings };
}

/** Reads (size-capped, regular files only, as the agent's config) and checks a web config file. */
export function loadWebConfigFile(file: string): WebConfig {
  return parseWebConfig(readConfigText(file), file);
}
