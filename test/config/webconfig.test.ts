/**
 * The web config file (exporter-toolkit's format) read and checked: what it resolves to, and each refusal located
 * FILE:LINE:COL. Certificates are real (openssl, in a temp dir); files are read through the real reader.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as bcrypt from 'bcryptjs';
import { ConfigError } from '../../src/config/errors';
import { loadConfigHere } from '../../src/config/offthread';
import { loadWebConfigFile, parseWebConfig } from '../../src/config/webconfig';
import { GO_CIPHER_SUITES } from '../../src/exporters/webtls';
import { HAVE_OPENSSL, makePki } from '../helpers/pki';
import { requireOr } from '../helpers/require';

const HASH = bcrypt.hashSync('secret', 4);

function issuesOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

requireOr(HAVE_OPENSSL, 'no openssl (apt-get install openssl)').describe('web config file', () => {
  let dir: string;
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const tlsBlock = (extra = ''): string =>
    `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n${extra}`;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-webcfg-'));
    makePki(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a full file resolves: paths from its directory, Go names as OpenSSL names, defaults as exporter-toolkit', () => {
    const f = write(
      'full.yml',
      [
        'tls_server_config:',
        '  cert_file: server.crt',
        `  key_file: ${path.join(dir, 'server.key')}`,
        '  client_auth_type: RequireAndVerifyClientCert',
        '  client_ca_file: ca.crt',
        '  client_allowed_sans: [prom.example]',
        '  min_version: TLS13',
        '  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256]',
        '  prefer_server_cipher_suites: no',
        '  curve_preferences: [X25519, CurveP256]',
        'http_server_config:',
        '  http2: false',
        '  headers:',
        '    X-Frame-Options: sameorigin',
        '    Strict-Transport-Security: max-age=31536000',
        '    X-XSS-Protection: ""',
        'basic_auth_users:',
        `  prom: ${HASH}`,
        `  1234: "${HASH}"`,
        '',
      ].join('\n'),
    );
    const c = loadWebConfigFile(f);
    expect(c.tls).toEqual({
      certFile: path.join(dir, 'server.crt'),
      keyFile: path.join(dir, 'server.key'),
      clientAuthType: 'RequireAndVerifyClientCert',
      clientCaFile: path.join(dir, 'ca.crt'),
      clientAllowedSans: ['prom.example'],
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      // The TLS 1.3 name is accepted and left out: Go does not let TLS 1.3 suites be configured either.
      cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384'],
      preferServerCipherSuites: false,
      curvePreferences: ['X25519', 'P-256'],
    });
    expect(c.http2).toBe(false);
    // A blank value leaves the header unset, as in exporter-toolkit.
    expect([...c.headers]).toEqual([
      ['X-Frame-Options', 'sameorigin'],
      ['Strict-Transport-Security', 'max-age=31536000'],
    ]);
    // A numeric user name is a string as yaml.v2 reads it into map[string]Secret.
    expect([...c.users.keys()]).toEqual(['prom', '1234']);
    expect(c.warnings).toEqual([]);
  });

  test('an empty file, and one with only basic auth, serve plain HTTP; the latter is warned about', () => {
    expect(parseWebConfig('', 'e.yml')).toMatchObject({ tls: null, http2: true, warnings: [] });
    const c = parseWebConfig(`basic_auth_users:\n  u: ${HASH}\n`, 'b.yml');
    expect(c.tls).toBeNull();
    expect(c.warnings).toEqual([expect.stringMatching(/passwords cross the network in clear/)]);
  });

  test('tls_server_config without cert, key, CA or client auth is TLS off, as exporter-toolkit (with a warning)', () => {
    const c = parseWebConfig('tls_server_config:\n  min_version: TLS13\n', path.join(dir, 'x.yml'));
    expect(c.tls).toBeNull();
    expect(c.warnings[0]).toMatch(/TLS is off/);
  });

  test('defaults: TLS 1.2 to 1.3, server order, no client certificate', () => {
    const c = parseWebConfig(tlsBlock(), path.join(dir, 'd.yml'));
    expect(c.tls).toMatchObject({
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      preferServerCipherSuites: true,
      clientAuthType: 'NoClientCert',
      clientCaFile: null,
      cipherSuites: null,
      curvePreferences: null,
    });
  });

  test('RequireClientCert (exporter-toolkit before 0.7) is RequireAnyClientCert, and unverified modes are warned', () => {
    const c = parseWebConfig(tlsBlock('  client_auth_type: RequireClientCert\n'), path.join(dir, 'r.yml'));
    expect(c.tls?.clientAuthType).toBe('RequireAnyClientCert');
    expect(c.warnings).toEqual([expect.stringMatching(/does not verify client certificates/)]);
  });

  test('every cipher name of Go 1.19 tls.CipherSuites() is known', () => {
    expect(GO_CIPHER_SUITES.size).toBe(17);
    const names = [...GO_CIPHER_SUITES.keys()];
    const c = parseWebConfig(tlsBlock(`  cipher_suites: [${names.join(', ')}]\n`), path.join(dir, 'c.yml'));
    expect(c.tls?.cipherSuites).toHaveLength(14);
  });

  test.each([
    [
      'unknown top-level key',
      'tls_server_confg:\n  cert_file: a\n',
      1,
      1,
      /unknown key "tls_server_confg"; expected one of: tls_server_config/,
    ],
    [
      'unknown TLS key',
      `${tlsBlock()}  client_ca: x\n`,
      4,
      3,
      /inline client CAs \(client_ca\) are not supported here/,
    ],
    ['rate_limit (exporter-toolkit 0.14)', 'rate_limit:\n  burst: 1\n', 1, 1, /rate_limit is not supported here/],
    ['bad YAML', 'tls_server_config:\n  cert_file: [a\n', 3, 1, /./],
    ['repeated key', `basic_auth_users:\n  u: ${HASH}\n  u: ${HASH}\n`, 3, 3, /key "u" is repeated/],
    ['key without cert', 'tls_server_config:\n  key_file: server.key\n', 2, 3, /missing cert_file/],
    ['cert without key', 'tls_server_config:\n  cert_file: server.crt\n', 2, 3, /missing key_file/],
    ['CA without client auth', `${tlsBlock()}  client_ca_file: ca.crt\n`, 4, 19, /without a Client Auth Policy/],
    ['bad client_auth_type', `${tlsBlock()}  client_auth_type: Always\n`, 4, 21, /expected one of: NoClientCert, /],
    ['SANs without a required cert', `${tlsBlock()}  client_allowed_sans: [a]\n`, 4, 3, /requires client_auth_type/],
    ['bad version', `${tlsBlock()}  min_version: TLS14\n`, 4, 16, /expected one of: TLS10, TLS11, TLS12, TLS13/],
    ['min above max', `${tlsBlock()}  min_version: TLS13\n  max_version: TLS12\n`, 4, 16, /above max_version/],
    [
      'insecure cipher',
      `${tlsBlock()}  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n`,
      4,
      19,
      /unknown cipher: TLS_RSA_WITH_RC4_128_SHA/,
    ],
    ['bad curve', `${tlsBlock()}  curve_preferences: [CurveP224]\n`, 4, 23, /unknown curve: CurveP224/],
    ['bad boolean', `${tlsBlock()}  prefer_server_cipher_suites: maybe\n`, 4, 32, /expected a boolean/],
    [
      'header not allowed',
      'http_server_config:\n  headers:\n    Server: x\n',
      3,
      5,
      /HTTP header "Server" can not be configured/,
    ],
    ['header case', 'http_server_config:\n  headers:\n    x-frame-options: deny\n', 3, 5, /can not be configured/],
    [
      'header value',
      'http_server_config:\n  headers:\n    X-Frame-Options: allow\n',
      3,
      22,
      /expected one of: deny, sameorigin/,
    ],
    ['not a bcrypt hash', 'basic_auth_users:\n  u: secret\n', 2, 6, /expected a bcrypt hash .* got 6 characters/],
    ['bcrypt cost 03', `basic_auth_users:\n  u: ${HASH.replace('$04$', '$03$')}\n`, 2, 6, /expected a bcrypt hash/],
    ['a list where a mapping goes', 'basic_auth_users: [a]\n', 1, 19, /expected a mapping, got a list/],
    ['a scalar at the top', 'hello\n', 1, 1, /expected a mapping/],
  ])('%s is refused at its line', (_name, text, line, column, message) => {
    const err = issuesOf(() => parseWebConfig(text, path.join(dir, 'bad.yml')));
    expect(err.issues[0]).toMatchObject({ line, column, message: expect.stringMatching(message) });
    expect(err.message.split('\n')[1]).toMatch(new RegExp(`^${path.join(dir, 'bad.yml')}:${line}:${column}: `));
  });

  test('the hash itself is never repeated in a message', () => {
    const fake = `$2y$10$${'x'.repeat(50)}`;
    expect(issuesOf(() => parseWebConfig(`basic_auth_users:\n  u: "${fake}"\n`, 'h.yml')).message).not.toContain(fake);
  });

  test.each([
    [
      'missing cert_file',
      'tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n',
      2,
      /cannot read cert_file .*nope\.crt \(ENOENT\)/,
    ],
    [
      'unreadable key_file',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: .\n',
      3,
      /cannot read key_file .* \(EISDIR\)/,
    ],
    [
      'cert_file not PEM',
      'tls_server_config:\n  cert_file: server.ext\n  key_file: server.key\n',
      2,
      /is not a PEM certificate/,
    ],
    [
      'key of another cert',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n',
      3,
      /is not the key of .*server\.crt/,
    ],
    [
      'CA file without a certificate',
      `${tlsBlock()}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: server.ext\n`,
      5,
      /holds no PEM certificate/,
    ],
  ])('%s is refused with the line of the key naming it', (_name, text, line, message) => {
    const err = issuesOf(() => parseWebConfig(text, path.join(dir, 'f.yml')));
    expect(err.issues).toEqual([expect.objectContaining({ line, message: expect.stringMatching(message) })]);
  });

  test('a suite list the key cannot serve loads, as in Go: the handshake is what fails', () => {
    const text = `${tlsBlock()}  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n`;
    expect(parseWebConfig(text, path.join(dir, 'f.yml')).tls?.cipherSuites).toEqual(['ECDHE-RSA-AES128-GCM-SHA256']);
  });

  test('a file of exporter-toolkit features used with YAML anchors and 1.1 booleans reads as yaml.v2 reads it', () => {
    const c = parseWebConfig(
      `${tlsBlock()}  prefer_server_cipher_suites: Off\nhttp_server_config:\n  http2: ON\nbasic_auth_users:\n  a: &h ${HASH}\n  b: *h\n`,
      path.join(dir, 'a.yml'),
    );
    expect(c.tls?.preferServerCipherSuites).toBe(false);
    expect(c.http2).toBe(true);
    expect(c.users.get('b')).toBe(HASH);
  });

  test('a user named constructor or __proto__ is a user like any other', () => {
    const c = parseWebConfig(`basic_auth_users:\n  __proto__: ${HASH}\n`, 'p.yml');
    expect(c.users.get('__proto__')).toBe(HASH);
    expect(c.users.get('constructor')).toBeUndefined();
  });

  test("the agent config that names a bad web config file is refused with the web file's line", () => {
    const web = write('bad-web.yml', 'tls_server_config:\n  cert_file: server.crt\n  keyfile: server.key\n');
    const agent = write('agent.yml', `web:\n  config_file: ${web}\n`);
    const err = issuesOf(() => loadConfigHere(agent));
    expect(err.file).toBe(web);
    expect(err.message).toContain(`${web}:3:3: tls_server_config.keyfile: unknown key "keyfile"`);
    const good = write('good-web.yml', tlsBlock());
    expect(loadConfigHere(write('agent2.yml', `web:\n  config_file: ${good}\n`)).web.configFile).toBe(good);
  });

  test('a missing web config file is refused', () => {
    expect(issuesOf(() => loadWebConfigFile(path.join(dir, 'none.yml'))).message).toMatch(/ENOENT/);
  });
});
