/**
 * The web config file end to end: one file, accepted or refused alike by the agent and by Debian's node_exporter
 * (so the format compatibility is real, not assumed); the built agent serving /metrics over TLS with client
 * certificates and basic auth, scraped by a real Prometheus (right password up, wrong password 401); a bad file
 * refused at start and by --check-config with its line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as bcrypt from 'bcryptjs';
import { ConfigError } from '../../src/config/errors';
import { loadWebConfigFile } from '../../src/config/webconfig';
import { curl } from '../helpers/curl';
import { HAVE_OPENSSL, makePki } from '../helpers/pki';
import { onPath, requireOr } from '../helpers/require';
import { CLI, freePort, request, runCli, waitFor } from './agent-process';

const HASH = bcrypt.hashSync('s3cret', 10);
const NODE_EXPORTER = 'prometheus-node-exporter';

const TLS = 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n';
const MTLS = `${TLS}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n`;

/** Files both must accept: [name, text]. */
const GOOD: Array<[string, string]> = [
  ['empty', ''],
  ['basic auth only', `basic_auth_users:\n  prom: ${HASH}\n`],
  ['TLS', TLS],
  [
    'mutual TLS, headers, users',
    `${MTLS}http_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: deny\n    X-Content-Type-Options: nosniff\n    Strict-Transport-Security: max-age=63072000\nbasic_auth_users:\n  prom: ${HASH}\n`,
  ],
  [
    'versions, ciphers, curves',
    `${TLS}  min_version: TLS12\n  max_version: TLS13\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]\n  prefer_server_cipher_suites: false\n  curve_preferences: [X25519, CurveP256]\n`,
  ],
  ['every client_auth_type', `${TLS}  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n`],
  ['RequireAnyClientCert', `${TLS}  client_auth_type: RequireAnyClientCert\n`],
  ['tls_server_config with nothing that turns TLS on', 'tls_server_config:\n  min_version: TLS13\n'],
  ['YAML 1.1 booleans', `${TLS}  prefer_server_cipher_suites: yes\nhttp_server_config:\n  http2: off\n`],
];

/** Files both must refuse. */
const BAD: Array<[string, string]> = [
  ['unknown key', `${TLS}  certfile: x\n`],
  ['bad YAML', 'tls_server_config: [\n'],
  ['header not allowed', 'http_server_config:\n  headers:\n    Server: x\n'],
  ['header value', 'http_server_config:\n  headers:\n    X-Frame-Options: allow-from\n'],
  ['not a bcrypt hash', 'basic_auth_users:\n  prom: s3cret\n'],
  ['key without cert', 'tls_server_config:\n  key_file: server.key\n'],
  ['missing cert file', 'tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n'],
  ['key of another certificate', 'tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n'],
  ['client CA without client auth', `${TLS}  client_ca_file: ca.crt\n`],
  ['bad client_auth_type', `${TLS}  client_auth_type: Always\n`],
  ['insecure cipher', `${TLS}  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n`],
  ['bad curve', `${TLS}  curve_preferences: [CurveP224]\n`],
  ['bad version', `${TLS}  min_version: SSL3\n`],
  ['repeated key', `basic_auth_users:\n  prom: ${HASH}\n  prom: ${HASH}\n`],
];

function oursAccepts(file: string): boolean {
  try {
    loadWebConfigFile(file);
    return true;
  } catch (e) {
    if (e instanceof ConfigError) return false;
    throw e;
  }
}

/**
 * Whether node_exporter starts with the file: it logs "TLS is enabled."/"TLS is disabled." once the file passed its
 * checks, and exits with an error when it does not.
 */
async function nodeExporterAccepts(file: string): Promise<boolean> {
  const port = await freePort();
  const proc = spawn(
    NODE_EXPORTER,
    [`--web.config.file=${file}`, `--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  try {
    return await waitFor(
      `node_exporter to accept or refuse ${file}`,
      () => {
        if (/TLS is (enabled|disabled)/.test(err)) return Promise.resolve('accepted');
        if (proc.exitCode !== null) return Promise.resolve('refused');
        return Promise.resolve(null);
      },
      20000,
      50,
    ).then((v) => v === 'accepted');
  } finally {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    await exited;
  }
}

requireOr(HAVE_OPENSSL, 'no openssl (apt-get install openssl)').describe('the web config file end to end', () => {
  let dir: string;
  const f = (name: string): string => path.join(dir, name);
  const write = (name: string, text: string): string => {
    fs.writeFileSync(f(name), text);
    return f(name);
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-web-e2e-'));
    makePki(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  requireOr(onPath(NODE_EXPORTER), `no ${NODE_EXPORTER} (apt-get install prometheus-node-exporter)`).describe(
    `one file for both: Debian's ${NODE_EXPORTER} decides as the agent does`,
    () => {
      test.each(GOOD)('accepted by both: %s', async (name, text) => {
        const file = write(`good-${name.replace(/\W+/g, '-')}.yml`, text);
        expect({ ours: oursAccepts(file), nodeExporter: await nodeExporterAccepts(file) }).toEqual({
          ours: true,
          nodeExporter: true,
        });
      });

      test.each(BAD)('refused by both: %s', async (name, text) => {
        const file = write(`bad-${name.replace(/\W+/g, '-')}.yml`, text);
        expect({ ours: oursAccepts(file), nodeExporter: await nodeExporterAccepts(file) }).toEqual({
          ours: false,
          nodeExporter: false,
        });
      });

      test('the differences, each on purpose: client_allowed_sans is newer than node_exporter 1.5; min above max', async () => {
        // exporter-toolkit 0.9 added client_allowed_sans; the 0.8 inside Debian's node_exporter 1.5 refuses it.
        const sans = write('sans.yml', `${MTLS}  client_allowed_sans: [prom.example]\n`);
        expect({ ours: oursAccepts(sans), nodeExporter: await nodeExporterAccepts(sans) }).toEqual({
          ours: true,
          nodeExporter: false,
        });
        // Go starts and then fails every handshake; refused at start here.
        const minmax = write('minmax.yml', `${TLS}  min_version: TLS13\n  max_version: TLS12\n`);
        expect({ ours: oursAccepts(minmax), nodeExporter: await nodeExporterAccepts(minmax) }).toEqual({
          ours: false,
          nodeExporter: true,
        });
      });
    },
  );

  test('a bad web config file stops the agent at start and fails --check-config, with its line', async () => {
    const web = write('broken.yml', `${TLS}  client_auth_typ: NoClientCert\n`);
    const agentCfg = write('agent-broken.yml', `web:\n  config_file: ${web}\n`);
    const check = runCli(['--check-config', `--config.file=${agentCfg}`]);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain(`${web}:4:3: tls_server_config.client_auth_typ: unknown key "client_auth_typ"`);
    const port = await freePort();
    const proc = spawn(process.execPath, [CLI, `--config.file=${agentCfg}`, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => proc.kill('SIGKILL'), 30000);
      proc.once('exit', (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    expect(code).toBe(1);
    expect(err).toContain(`${web}:4:3:`);
  });

  requireOr(onPath('prometheus') && onPath('curl'), 'no prometheus or curl (apt-get install prometheus curl)').describe(
    'Prometheus scraping the agent over mutual TLS with basic auth',
    () => {
      let agent: ChildProcess;
      let prom: ChildProcess;
      let agentErr = '';
      let promUrl: string;
      let port: number;

      beforeAll(async () => {
        const web = write(
          'web.yml',
          `${MTLS}http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\nbasic_auth_users:\n  prom: ${HASH}\n`,
        );
        const agentCfg = write('agent.yml', `web:\n  config_file: ${web}\n`);
        port = await freePort();
        agent = spawn(
          process.execPath,
          [CLI, `--config.file=${agentCfg}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        agent.stderr?.on('data', (c: Buffer) => (agentErr += c.toString()));
        const ready = [
          '--cacert',
          f('ca.crt'),
          '--cert',
          f('client.crt'),
          '--key',
          f('client.key'),
          '-u',
          'prom:s3cret',
          `https://127.0.0.1:${port}/readyz`,
        ];
        await waitFor(
          'the agent to be ready over TLS',
          async () => {
            if (agent.exitCode !== null) throw new Error(`agent exited with ${agent.exitCode}: ${agentErr}`);
            return (await curl(ready)).status === 200;
          },
          60000,
          250,
        );

        const promPort = await freePort();
        promUrl = `http://127.0.0.1:${promPort}`;
        const tlsConfig = `{ ca_file: ${f('ca.crt')}, cert_file: ${f('client.crt')}, key_file: ${f('client.key')} }`;
        const job = (name: string, password: string): string[] => [
          `  - job_name: ${name}`,
          '    scheme: https',
          '    scrape_timeout: 900ms',
          `    tls_config: ${tlsConfig}`,
          `    basic_auth: { username: prom, password: ${password} }`,
          `    static_configs: [ { targets: ['127.0.0.1:${port}'] } ]`,
        ];
        write(
          'prometheus.yml',
          [
            'global: { scrape_interval: 1s, evaluation_interval: 1s }',
            'scrape_configs:',
            ...job('right', 's3cret'),
            ...job('wrong', 'guess'),
            '',
          ].join('\n'),
        );
        prom = spawn(
          'prometheus',
          [
            `--config.file=${f('prometheus.yml')}`,
            `--storage.tsdb.path=${f('data')}`,
            `--web.listen-address=127.0.0.1:${promPort}`,
            '--log.level=warn',
          ],
          { stdio: 'ignore' },
        );
        await waitFor(
          'Prometheus to be ready',
          async () => (await request(`${promUrl}/-/ready`)).status === 200,
          60000,
        );
      }, 180000);

      afterAll(async () => {
        prom?.kill('SIGTERM');
        agent?.kill('SIGTERM');
        await Promise.all(
          [prom, agent].map(
            (p) => new Promise<void>((r) => (p === undefined || p.exitCode !== null ? r() : p.once('exit', () => r()))),
          ),
        );
      });

      interface Target {
        labels: { job: string };
        health: string;
        lastError: string;
      }

      test('the right password scrapes (up 1, node_load1 stored), the wrong one is told 401', async () => {
        const targets = await waitFor(
          'both targets scraped',
          async () => {
            const r = JSON.parse((await request(`${promUrl}/api/v1/targets`)).body.toString()) as {
              data: { activeTargets: Target[] };
            };
            const t = r.data.activeTargets;
            // The first scrape of each may time out while bcrypt runs (cost 10 in JavaScript): the next is cached.
            const ok = (job: string, health: string, err: RegExp): boolean =>
              t.some((x) => x.labels.job === job && x.health === health && err.test(x.lastError));
            return ok('right', 'up', /^$/) && ok('wrong', 'down', /401/) ? t : null;
          },
          60000,
          500,
        );
        const byJob = new Map(targets.map((t) => [t.labels.job, t]));
        expect(byJob.get('right')).toMatchObject({ health: 'up', lastError: '' });
        expect(byJob.get('wrong')).toMatchObject({ health: 'down', lastError: expect.stringMatching(/401/) });
        const q = JSON.parse(
          (
            await request(`${promUrl}/api/v1/query?query=${encodeURIComponent('node_load1{job="right"}')}`)
          ).body.toString(),
        ) as { data: { result: unknown[] } };
        expect(q.data.result).toHaveLength(1);
      });

      test('without a client certificate, or over plain HTTP, nothing is served', async () => {
        const noCert = await curl(['--cacert', f('ca.crt'), '-u', 'prom:s3cret', `https://127.0.0.1:${port}/metrics`]);
        expect(noCert.status).toBe(0);
        expect((await curl([`http://127.0.0.1:${port}/metrics`])).status).toBe(0);
      });
    },
  );
});
