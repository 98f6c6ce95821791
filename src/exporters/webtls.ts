/**
 * The web config (exporter-toolkit's `--web.config.file` format) as the listener uses it: its resolved type, the
 * tables from Go's names (crypto/tls) to OpenSSL's, the options a node:tls server is made with, and the client
 * certificate policies Node has no option for. The file itself is parsed and checked by src/config/webconfig.ts (in
 * a short-lived thread: yaml stays out of the agent's main thread); src/exporters/webguard.ts serves with it.
 */
import type { TLSSocket } from 'node:tls';
import { parseSubjectAltName } from '../admin/auth';

/** exporter-toolkit's client_auth_type values (Go's tls.ClientAuthType names). */
export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** Node's protocol names, oldest first (the order min/max are compared in). */
export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** exporter-toolkit's min_version/max_version names. */
export const GO_TLS_VERSIONS: ReadonlyMap<string, TlsVersion> = new Map([
  ['TLS10', 'TLSv1'],
  ['TLS11', 'TLSv1.1'],
  ['TLS12', 'TLSv1.2'],
  ['TLS13', 'TLSv1.3'],
]);

/**
 * The suites exporter-toolkit accepts (Go's tls.CipherSuites(), its secure list: RC4, 3DES and the CBC-SHA256 suites
 * are refused there too) with their OpenSSL names. null marks the TLS 1.3 suites: Go accepts their names but never
 * lets them be configured (cipher_suites applies to TLS 1.2 and older), so they are accepted and left out here too.
 */
export const GO_CIPHER_SUITES: ReadonlyMap<string, string | null> = new Map([
  ['TLS_RSA_WITH_AES_128_CBC_SHA', 'AES128-SHA'],
  ['TLS_RSA_WITH_AES_256_CBC_SHA', 'AES256-SHA'],
  ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256'],
  ['TLS_RSA_WITH_AES_256_GCM_SHA384', 'AES256-GCM-SHA384'],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'ECDHE-ECDSA-AES128-SHA'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ECDHE-ECDSA-AES256-SHA'],
  ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ECDHE-RSA-AES128-SHA'],
  ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'ECDHE-RSA-AES256-SHA'],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
  ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'],
  ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'],
  ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305'],
  ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
  ['TLS_AES_128_GCM_SHA256', null],
  ['TLS_AES_256_GCM_SHA384', null],
  ['TLS_CHACHA20_POLY1305_SHA256', null],
]);

/** exporter-toolkit's curve_preferences names, with OpenSSL's group names. */
export const GO_CURVES: ReadonlyMap<string, string> = new Map([
  ['CurveP256', 'P-256'],
  ['CurveP384', 'P-384'],
  ['CurveP521', 'P-521'],
  ['X25519', 'X25519'],
]);

/**
 * The headers http_server_config.headers may set, with the values allowed where exporter-toolkit restricts them
 * (null: any value). Anything else is refused there, so that one file means the same everywhere; names are matched as
 * written (a Go map lookup: `x-frame-options` is refused).
 */
export const ALLOWED_HEADERS: ReadonlyMap<string, readonly string[] | null> = new Map([
  ['Strict-Transport-Security', null],
  ['X-Content-Type-Options', ['nosniff']],
  ['X-Frame-Options', ['deny', 'sameorigin']],
  ['X-XSS-Protection', null],
  ['Content-Security-Policy', null],
]);

export interface WebTlsConfig {
  /** Absolute (exporter-toolkit resolves relative paths from the web config file's directory). */
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientAuthType: ClientAuthType;
  readonly clientCaFile: string | null;
  /** Exact SAN values (DNS, IP, email, URI) a client certificate must carry one of; null: no such check. */
  readonly clientAllowedSans: readonly string[] | null;
  readonly minVersion: TlsVersion;
  readonly maxVersion: TlsVersion;
  /** OpenSSL names of the TLS 1.2-and-older suites, in the file's order; null: OpenSSL's (Node's) defaults. */
  readonly cipherSuites: readonly string[] | null;
  readonly preferServerCipherSuites: boolean;
  /** OpenSSL group names in preference order; null: the defaults. */
  readonly curvePreferences: readonly string[] | null;
}

/** A checked web config file. Maps, not objects: a user named `constructor` must not find Object.prototype's. */
export interface WebConfig {
  readonly file: string;
  /** null: plain HTTP (exporter-toolkit's "TLS is disabled" when no cert, key, CA or client auth is set). */
  readonly tls: WebTlsConfig | null;
  /** Accepted for compatibility; node:https serves HTTP/1.1 only (ALPN offers no h2), which every scraper speaks. */
  readonly http2: boolean;
  readonly headers: ReadonlyMap<string, string>;
  /** User name to bcrypt hash; empty: no basic auth. */
  readonly users: ReadonlyMap<string, string>;
  /** What the file allows but an operator should hear about at start (basic auth over plain HTTP, ...). */
  readonly warnings: readonly string[];
}

/** The PEM material of a WebTlsConfig, as read from its files. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | null;
}

/** The options of a node:tls server (or of setSecureContext) for a config and its files' contents. */
export interface TlsServerOptions {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  ciphers?: string;
  honorCipherOrder: boolean;
  ecdhCurve?: string;
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/** Node's default TLS 1.3 suites (the `TLS_` part of tls.DEFAULT_CIPHERS), as Go keeps its own whatever is set. */
function tls13Suites(defaultCiphers: string): string[] {
  return defaultCiphers.split(':').filter((c) => c.startsWith('TLS_'));
}

/**
 * Go's ClientAuthType as node:tls options. Node has two switches: requestCert (ask for a certificate) and, with it,
 * rejectUnauthorized (fail the handshake without a verified one: OpenSSL's VERIFY_PEER|FAIL_IF_NO_PEER_CERT). The
 * two policies in between (a certificate required but not verified; verified only when given) are enforced once the
 * handshake is done, by `clientCertRefusal`.
 */
function clientAuthOptions(t: ClientAuthType): { requestCert: boolean; rejectUnauthorized: boolean } {
  switch (t) {
    case 'NoClientCert':
      return { requestCert: false, rejectUnauthorized: false };
    case 'RequireAndVerifyClientCert':
      return { requestCert: true, rejectUnauthorized: true };
    case 'RequestClientCert':
    case 'RequireAnyClientCert':
    case 'VerifyClientCertIfGiven':
      return { requestCert: true, rejectUnauthorized: false };
  }
}

/**
 * The server options for a config. `defaultCiphers` is tls.DEFAULT_CIPHERS (a parameter so that this module loads
 * no node:tls). With cipher_suites set, Node's TLS 1.3 suites are added back: Node reads TLS 1.3 suites from the same
 * string and would otherwise turn TLS 1.3 off, where Go keeps it on. Below TLS 1.2, OpenSSL 3's security level 0 is
 * needed for the old protocols to handshake at all, as Go allows them when asked.
 */
export function tlsServerOptions(t: WebTlsConfig, m: TlsMaterial, defaultCiphers: string): TlsServerOptions {
  const opts: TlsServerOptions = {
    cert: m.cert,
    key: m.key,
    minVersion: t.minVersion,
    maxVersion: t.maxVersion,
    honorCipherOrder: t.preferServerCipherSuites,
    ...clientAuthOptions(t.clientAuthType),
  };
  if (m.ca !== null) opts.ca = m.ca;
  let ciphers = t.cipherSuites !== null ? [...tls13Suites(defaultCiphers), ...t.cipherSuites].join(':') : null;
  if (TLS_VERSIONS.indexOf(t.minVersion) < TLS_VERSIONS.indexOf('TLSv1.2'))
    ciphers = `${ciphers ?? defaultCiphers}:@SECLEVEL=0`;
  if (ciphers !== null) opts.ciphers = ciphers;
  if (t.curvePreferences !== null) opts.ecdhCurve = t.curvePreferences.join(':');
  return opts;
}

/** The SAN values of a certificate as Go lists them for client_allowed_sans: DNS, email, IP and URI entries. */
function sanValues(subjectAltName: string | undefined): string[] {
  return parseSubjectAltName(subjectAltName)
    .filter((s) => ['DNS', 'email', 'IP Address', 'URI'].includes(s.type))
    .map((s) => s.value);
}

/**
 * Why a connection that completed its handshake must be closed under the policy (null: it may be served). Node's
 * options cover NoClientCert, RequestClientCert and RequireAndVerifyClientCert; RequireAnyClientCert (a certificate,
 * verified or not) and VerifyClientCertIfGiven (none, or a verified one) and client_allowed_sans are checked here.
 */
export function clientCertRefusal(t: WebTlsConfig, socket: TLSSocket): string | null {
  const cert = t.clientAuthType === 'NoClientCert' ? undefined : socket.getPeerX509Certificate();
  switch (t.clientAuthType) {
    case 'RequireAnyClientCert':
      if (cert === undefined) return 'no client certificate (client_auth_type RequireAnyClientCert)';
      break;
    case 'VerifyClientCertIfGiven':
      if (cert !== undefined && !socket.authorized)
        return `client certificate not verified: ${String(socket.authorizationError)}`;
      break;
    case 'RequireAndVerifyClientCert':
      // Node already refused the handshake without one; kept as a second lock for a context swapped mid-way.
      if (cert === undefined || !socket.authorized) return 'no verified client certificate';
      break;
    case 'NoClientCert':
    case 'RequestClientCert':
      break;
  }
  if (t.clientAllowedSans !== null) {
    const sans = sanValues(cert?.subjectAltName);
    if (!sans.some((s) => t.clientAllowedSans?.includes(s)))
      return `no allowed SAN in the client certificate (it has: ${sans.join(', ') || 'none'})`;
  }
  return null;
}
