/**
 * The agent's listener under a web config file, over real TLS: curl (and Node's tls client where a handshake detail
 * is looked at) with and without client certificates, basic auth right and wrong, certificate rotation, a reloaded
 * file. Certificates are made with openssl in a temp dir; the server runs in this process.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import * as bcrypt from 'bcryptjs';
import { createLogger } from '../../src/exporters/log';
import { CONTENT_TYPE } from '../../src/exporters/prometheus';
import { AgentServer } from '../../src/exporters/server';
import { AUTH_QUEUE_LIMIT, BasicAuth, parseBasicAuth, WebGuard } from '../../src/exporters/webguard';
import { curl } from '../helpers/curl';
import { HAVE_OPENSSL, makePki } from '../helpers/pki';
import { onPath, requireOr } from '../helpers/require';

const HASH = bcrypt.hashSync('s3cret', 4);
/** exporter-toolkit's bcrypt of "fakepassword", made by Go's x/crypto/bcrypt ($2y$, cost 10). */
const GO_HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('parseBasicAuth, as Go reads the header', () => {
  test.each<[string | undefined, { user: string; password: string } | null]>([
    [basic('u', 'p:q'), { user: 'u', password: 'p:q' }],
    [`bAsIc ${Buffer.from('u:').toString('base64')}`, { user: 'u', password: '' }],
    [basic('', 'p'), { user: '', password: 'p' }],
    [basic('ü', 'ß'), { user: 'ü', password: 'ß' }],
    [undefined, null],
    ['Bearer abc', null],
    ['Basic', null],
    [`Basic ${Buffer.from('nocolon').toString('base64')}`, null],
    // Unpadded or outside the alphabet: Go's StdEncoding refuses it, Buffer.from would not.
    ['Basic dTpw', { user: 'u', password: 'p' }],
    ['Basic dTpwcQ', null],
    ['Basic dTp*cQ==', null],
    // Not UTF-8: never turned into U+FFFD.
    [`Basic ${Buffer.from([0x75, 0x3a, 0xff]).toString('base64')}`, null],
  ])('%s', (header, want) => {
    expect(parseBasicAuth(header)).toEqual(want);
  });
});

describe('BasicAuth', () => {
  const users = new Map([
    ['prom', HASH],
    ['go', GO_HASH],
  ]);

  test('a right password runs bcrypt once, then is served from the cache', async () => {
    const auth = new BasicAuth();
    const first = auth.check(users, basic('prom', 's3cret'));
    expect(first).toBeInstanceOf(Promise);
    await expect(first).resolves.toBe(true);
    expect(auth.check(users, basic('prom', 's3cret'))).toBe(true);
  });

  test("a hash made by Go's bcrypt ($2y$) verifies", async () => {
    await expect(new BasicAuth().check(users, basic('go', 'fakepassword'))).resolves.toBe(true);
  });

  test('a wrong password is refused and remembered as wrong, never as right', async () => {
    const auth = new BasicAuth();
    const first = auth.check(users, basic('prom', 'wrong'));
    expect(first).toBeInstanceOf(Promise);
    await expect(first).resolves.toBe(false);
    expect(auth.check(users, basic('prom', 'wrong'))).toBe(false);
    await expect(auth.check(users, basic('prom', 's3cret'))).resolves.toBe(true);
    expect(auth.check(users, basic('prom', 'wrong'))).toBe(false);
    expect(auth.check(users, undefined)).toBe(false);
  });

  test('a remembered success counts only while the user exists', async () => {
    const auth = new BasicAuth();
    await expect(auth.check(users, basic('go', 'fakepassword'))).resolves.toBe(true);
    // Removed from the file: its name now meets the stand-in hash, which is the same hash: the same cache key.
    expect(auth.check(new Map([['prom', HASH]]), basic('go', 'fakepassword'))).toBe(false);
  });

  test('an unknown user is refused even with the stand-in hash password', async () => {
    await expect(new BasicAuth().check(users, basic('nobody', 'fakepassword'))).resolves.toBe(false);
  });

  test('CVE-2022-46146: an unknown user carrying a hash cannot plant a cache entry for a known user', async () => {
    const auth = new BasicAuth();
    // The attack on the old key (user + hash + password concatenated): an unknown user named "go" + its hash,
    // checked against the stand-in hash with "fakepassword", made the same key as "go" with the stand-in hash +
    // "fakepassword" as password. Here the first is refused and nothing is remembered; the second is a wrong password.
    await expect(auth.check(users, basic(`go${GO_HASH}`, 'fakepassword'))).resolves.toBe(false);
    const second = auth.check(users, basic('go', `${GO_HASH}fakepassword`));
    expect(second).toBeInstanceOf(Promise);
    await expect(second).resolves.toBe(false);
  });

  test('a changed hash is checked again: the cache key holds the hash in force', async () => {
    const auth = new BasicAuth();
    await expect(auth.check(users, basic('prom', 's3cret'))).resolves.toBe(true);
    const rotated = new Map([['prom', bcrypt.hashSync('other', 4)]]);
    await expect(auth.check(rotated, basic('prom', 's3cret'))).resolves.toBe(false);
  });

  test(`past ${AUTH_QUEUE_LIMIT} waiting bcrypt runs, a request is told busy; the same credentials share one run`, async () => {
    const auth = new BasicAuth();
    const runs = Array.from({ length: AUTH_QUEUE_LIMIT }, (_, i) => {
      const v = auth.check(users, basic('prom', `w${i}`));
      if (!(v instanceof Promise)) throw new Error(`expected a bcrypt run, got ${String(v)}`);
      return v;
    });
    expect(auth.check(users, basic('prom', 'one-more'))).toBe('busy');
    expect(auth.check(users, basic('prom', 'w0'))).toBe(runs[0]);
    expect(await Promise.all(runs)).toEqual(runs.map(() => false));
    await expect(auth.check(users, basic('prom', 's3cret'))).resolves.toBe(true);
  });
});

requireOr(HAVE_OPENSSL && onPath('curl'), 'no openssl or curl (apt-get install openssl curl)').describe(
  'the listener under a web config file',
  () => {
    let dir: string;
    const logged: string[] = [];
    const log = createLogger('debug', (l) => logged.push(l));
    const servers: AgentServer[] = [];
    const f = (name: string): string => path.join(dir, name);

    /** The agent's server under `web` (the file's text), on a loopback port. */
    async function serve(web: string, name = `web-${servers.length}.yml`): Promise<{ port: number; file: string }> {
      const file = f(name);
      fs.writeFileSync(file, web);
      const guard = await WebGuard.start({ file, log });
      const server = new AgentServer({
        telemetryPath: '/metrics',
        maxRequests: 10,
        contentType: CONTENT_TYPE,
        metrics: () => Promise.resolve({ id: 1, text: 'up 1\n' }),
        ready: () => true,
        indexHtml: () => '<html></html>',
        log,
        web: guard,
      });
      servers.push(server);
      const { port } = await server.listen('127.0.0.1', 0);
      return { port, file };
    }
    const tlsKeys = (auth: string, extra = ''): string =>
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: ${auth}\n${
        auth === 'NoClientCert' ? '' : '  client_ca_file: ca.crt\n'
      }${extra}`;
    const ca = (): string[] => ['--cacert', f('ca.crt')];
    const cert = (name: string): string[] => ['--cert', f(`${name}.crt`), '--key', f(`${name}.key`)];

    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-webguard-'));
      makePki(dir);
    });
    afterAll(async () => {
      await Promise.all(servers.map((s) => s.close(1000)));
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('TLS and basic auth: no or wrong credentials get 401 with WWW-Authenticate: Basic and the headers', async () => {
      const { port } = await serve(
        `${tlsKeys('NoClientCert')}http_server_config:\n  headers:\n    X-Frame-Options: deny\n    Content-Security-Policy: "default-src 'none'"\nbasic_auth_users:\n  prom: ${HASH}\n`,
      );
      const url = `https://127.0.0.1:${port}`;
      for (const auth of [[], ['-u', 'prom:wrong'], ['-u', 'nobody:s3cret']]) {
        const r = await curl([...ca(), ...auth, `${url}/metrics`]);
        expect(r).toMatchObject({ code: 0, status: 401, body: 'Unauthorized\n' });
        expect(r.headers).toMatch(/\r\nwww-authenticate: Basic\r\n/i);
        expect(r.headers).toMatch(/\r\nx-frame-options: deny\r\n/i);
        expect(r.headers).toMatch(/\r\ncontent-security-policy: default-src 'none'\r\n/i);
      }
      const ok = await curl([...ca(), '-u', 'prom:s3cret', `${url}/metrics`]);
      expect(ok).toMatchObject({ code: 0, status: 200, body: 'up 1\n' });
      expect(ok.headers).toMatch(/\r\nx-frame-options: deny\r\n/i);
      // Every path is guarded, as exporter-toolkit guards its whole handler (the Helm chart's probes included).
      for (const p of ['/healthz', '/readyz', '/', '/nope']) {
        expect((await curl([...ca(), `${url}${p}`])).status).toBe(401);
      }
      expect((await curl([...ca(), '-u', 'prom:s3cret', `${url}/nope`])).status).toBe(404);
      expect((await curl([...ca(), '-I', `${url}/metrics`])).status).toBe(401);
      // Plain HTTP on the TLS port: no answer (the handshake fails).
      expect((await curl([`http://127.0.0.1:${port}/metrics`])).status).toBe(0);
    });

    // Go's tls.ClientAuthType semantics: which client may connect with no certificate, one from the trusted CA, one
    // from another CA.
    test.each<[string, boolean, boolean, boolean]>([
      ['NoClientCert', true, true, true],
      ['RequestClientCert', true, true, true],
      ['RequireAnyClientCert', false, true, true],
      ['VerifyClientCertIfGiven', true, true, false],
      ['RequireAndVerifyClientCert', false, true, false],
    ])('client_auth_type %s: none %p, trusted %p, foreign %p', async (auth, none, trusted, foreign) => {
      const { port } = await serve(tlsKeys(auth));
      const url = `https://127.0.0.1:${port}/metrics`;
      const outcome = async (args: string[]): Promise<boolean> => {
        const r = await curl([...ca(), ...args, url]);
        return r.code === 0 && r.status === 200;
      };
      expect([await outcome([]), await outcome(cert('client')), await outcome(cert('foreign'))]).toEqual([
        none,
        trusted,
        foreign,
      ]);
    });

    test('client_allowed_sans: a verified certificate without an allowed SAN is refused', async () => {
      const { port } = await serve(tlsKeys('RequireAndVerifyClientCert', '  client_allowed_sans: [prom.example]\n'));
      const url = `https://127.0.0.1:${port}/metrics`;
      expect(await curl([...ca(), ...cert('client'), url])).toMatchObject({ code: 0, status: 200 });
      expect((await curl([...ca(), ...cert('client2'), url])).status).toBe(0);
    });

    /** The handshake's outcome as a Node client sees it. */
    function handshake(port: number, opts: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
      return new Promise((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port, ca: fs.readFileSync(f('ca.crt')), ...opts }, () => {
          resolve(s);
          s.end();
        });
        s.setTimeout(10000, () => s.destroy(new Error('handshake timed out')));
        s.once('error', reject);
      });
    }

    test('cipher_suites (Go names) apply to TLS 1.2 and leave TLS 1.3 on, as in Go', async () => {
      const { port } = await serve(
        `${tlsKeys('NoClientCert')}  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n`,
      );
      const v12 = await handshake(port, { maxVersion: 'TLSv1.2' });
      expect([v12.getProtocol(), v12.getCipher().name]).toEqual(['TLSv1.2', 'ECDHE-ECDSA-AES256-GCM-SHA384']);
      expect((await handshake(port)).getProtocol()).toBe('TLSv1.3');
      // A TLS 1.2 client offering only another suite finds none in common.
      await expect(
        handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }),
      ).rejects.toThrow();
    });

    test('min_version TLS13 refuses a TLS 1.2 client; curve_preferences picks the key exchange group', async () => {
      const { port } = await serve(
        `${tlsKeys('NoClientCert')}  min_version: TLS13\n  curve_preferences: [CurveP384]\n`,
      );
      await expect(handshake(port, { maxVersion: 'TLSv1.2' })).rejects.toThrow();
      const s = await handshake(port);
      expect(s.getProtocol()).toBe('TLSv1.3');
      expect(s.getEphemeralKeyInfo()).toMatchObject({ type: 'ECDH', name: 'secp384r1' });
    });

    test('min_version TLS10 lets a TLS 1.0 client in (OpenSSL 3 needs security level 0 for it); the default does not', async () => {
      const old: tls.ConnectionOptions = { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' };
      const open = await serve(`${tlsKeys('NoClientCert')}  min_version: TLS10\n`);
      expect((await handshake(open.port, old)).getProtocol()).toBe('TLSv1');
      const strict = await serve(tlsKeys('NoClientCert'));
      await expect(handshake(strict.port, old)).rejects.toThrow();
    });

    test('rotated certificate files are presented at the next handshake', async () => {
      for (const n of ['crt', 'key']) fs.copyFileSync(f(`server.${n}`), f(`rot.${n}`));
      const { port } = await serve('tls_server_config:\n  cert_file: rot.crt\n  key_file: rot.key\n', 'rotate.yml');
      const fp = (name: string): string => new crypto.X509Certificate(fs.readFileSync(f(name))).fingerprint256;
      expect((await handshake(port)).getPeerX509Certificate()?.fingerprint256).toBe(fp('server.crt'));
      // As a certificate manager rotates: each file replaced by a rename. Between the two renames the pair does not
      // match: a handshake then keeps the certificate in force.
      const swap = (n: string): void => {
        fs.copyFileSync(f(`server2.${n}`), f(`rot.${n}.tmp`));
        fs.renameSync(f(`rot.${n}.tmp`), f(`rot.${n}`));
      };
      swap('crt');
      expect((await handshake(port)).getPeerX509Certificate()?.fingerprint256).toBe(fp('server.crt'));
      expect(logged.join('')).toMatch(/cannot load the TLS certificate files: keeping the ones in force/);
      swap('key');
      expect((await handshake(port)).getPeerX509Certificate()?.fingerprint256).toBe(fp('server2.crt'));
      expect(logged.join('')).toMatch(/TLS certificate files changed: reloaded/);
    });

    test('one guard, two listeners: a rotation reaches both', async () => {
      for (const n of ['crt', 'key']) fs.copyFileSync(f(`server.${n}`), f(`two.${n}`));
      const file = f('two.yml');
      fs.writeFileSync(file, 'tls_server_config:\n  cert_file: two.crt\n  key_file: two.key\n');
      const guard = await WebGuard.start({ file, log });
      const listeners = [0, 1].map(() => guard.createServer({}, (_req, res) => res.end('ok')));
      try {
        const ports = await Promise.all(
          listeners.map(
            (l) =>
              new Promise<number>((resolve) =>
                l.listen(0, '127.0.0.1', () => resolve((l.address() as { port: number }).port)),
              ),
          ),
        );
        const fp = (name: string): string => new crypto.X509Certificate(fs.readFileSync(f(name))).fingerprint256;
        for (const n of ['key', 'crt']) fs.copyFileSync(f(`server2.${n}`), f(`two.${n}`));
        // The first handshake notices the change and sets the new context on both listeners.
        for (const port of ports)
          expect((await handshake(port)).getPeerX509Certificate()?.fingerprint256).toBe(fp('server2.crt'));
      } finally {
        await Promise.all(listeners.map((l) => new Promise((r) => l.close(r))));
      }
    });

    test('a changed web config file applies to the requests after it; a refused one keeps the one in force', async () => {
      const { port, file } = await serve(`${tlsKeys('NoClientCert')}basic_auth_users:\n  prom: ${HASH}\n`);
      const url = `https://127.0.0.1:${port}/metrics`;
      const status = async (user: string): Promise<number> => (await curl([...ca(), '-u', user, url])).status;
      expect(await status('prom:s3cret')).toBe(200);
      fs.writeFileSync(file, `${tlsKeys('NoClientCert')}basic_auth_users:\n  ops: ${bcrypt.hashSync('n3w', 4)}\n`);
      // The request that sees the change starts the load; those after it get the new users.
      const deadline = Date.now() + 20000;
      while ((await status('ops:n3w')) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await status('ops:n3w')).toBe(200);
      expect(await status('prom:s3cret')).toBe(401);

      fs.writeFileSync(file, `${tlsKeys('NoClientCert')}basic_auth_users:\n  ops: not-a-hash\n`);
      const refusedAt = Date.now() + 20000;
      while (!logged.join('').includes('web config file refused') && Date.now() < refusedAt) {
        await status('ops:n3w');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(logged.join('')).toMatch(/web config file refused: keeping the one in force.*expected a bcrypt hash/);
      expect(await status('ops:n3w')).toBe(200);
    });
  },
);
