/**
 * The listener's shapes and startup rules: refusing to start unsafe ([SECURITY], case 34), mutual TLS with a SAN
 * allowlist, the 0600 unix socket, and the PID-namespace guard (case 18: a procfs of another namespace means every
 * action is refused with 409 and nothing is done).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { Process, createPsutil, pidExists, procfsSelfPid, psutil } from '../../src/index';
import { AdminSecurityError, parseAdminConfig } from '../../src/admin/config';
import { AdminServer } from '../../src/admin/server';
import { libraryHost } from '../../src/admin/target';
import { request, snapshot, startCanary, startHarness, until, type Canary } from './harness';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const noGroups = { groupOf: () => null, members: () => [] };
const host = libraryHost({
  newProcess: (pid) => new Process(pid),
  pidExists,
  procfs: psutil.roots.procfs,
  procfsSelfPid,
  cpuCount: () => psutil.cpuTimes({ percpu: true }).length,
});

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-server-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function tokenFile(name: string, content: string, mode = 0o400): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content, { mode });
  fs.chmodSync(p, mode);
  return p;
}

const TOKEN = 'f'.repeat(64);

describe('34: refusing to start', () => {
  async function start(admin: Record<string, unknown>): Promise<unknown> {
    try {
      const s = await AdminServer.start({ config: parseAdminConfig(admin), host, groups: noGroups, log: quiet });
      await s.close();
      return null;
    } catch (err) {
      return err;
    }
  }

  it('admin disabled: nothing listens', async () => {
    const err = await start({});
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/admin.enabled is false/);
  });

  it.each([
    ['no authentication', { enabled: true }, /no authentication/],
    [
      '0.0.0.0 without mutual TLS',
      { enabled: true, listen_address: '0.0.0.0:9465', token_file: '/nonexistent' },
      /requires mutual TLS/,
    ],
  ])('%s', async (_n, admin, msg) => {
    const err = await start(admin);
    expect(err).toBeInstanceOf(AdminSecurityError);
    for (const line of (err as AdminSecurityError).problems) expect(line).toMatch(/^\[SECURITY\] /);
    expect((err as Error).message).toMatch(msg);
  });

  it.each([
    ['a missing token file', () => path.join(dir, 'absent'), /cannot open/],
    ['a world-readable token file', () => tokenFile('world', TOKEN, 0o644), /must not be readable/],
    ['a short token', () => tokenFile('short', 'abc'), /at least 32/],
  ])('%s', async (_n, file, msg) => {
    const err = await start({ enabled: true, listen_address: '127.0.0.1:9465', token_file: file() });
    expect(err).toBeInstanceOf(AdminSecurityError);
    expect((err as Error).message).toMatch(/^\[SECURITY\] /);
    expect((err as Error).message).toMatch(msg);
  });
});

describe('unix socket', () => {
  it('is created 0600 from the start, answers, and is removed on close', async () => {
    const sock = path.join(dir, 'admin.sock');
    // A stale socket file from a previous run (bound, never unlinked) is replaced.
    spawnSync('/usr/bin/python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(sock)})`]);
    expect(fs.statSync(sock).isSocket()).toBe(true);
    const server = await AdminServer.start({
      config: parseAdminConfig({
        enabled: true,
        listen_address: `unix:${sock}`,
        token_file: tokenFile('u.token', TOKEN),
        audit_log: path.join(dir, 'u.jsonl'),
      }),
      host,
      groups: noGroups,
      log: quiet,
    });
    try {
      const st = fs.statSync(sock);
      expect(st.isSocket()).toBe(true);
      expect(st.mode & 0o777).toBe(0o600);
      const get = (headers: Record<string, string>) =>
        new Promise<number>((resolve, reject) => {
          http
            .get({ socketPath: sock, path: `/v1/processes/${process.pid}`, headers }, (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            })
            .on('error', reject);
        });
      expect(await get({ host: 'localhost', authorization: `Bearer ${TOKEN}` })).toBe(200);
      expect(await get({ host: 'localhost' })).toBe(401);
      expect(await get({ host: 'evil.example', authorization: `Bearer ${TOKEN}` })).toBe(421);
    } finally {
      await server.close();
    }
    expect(fs.existsSync(sock)).toBe(false);
  });

  it('refuses to replace a file that is not a socket', async () => {
    const p = path.join(dir, 'not-a-socket');
    fs.writeFileSync(p, 'x');
    await expect(
      AdminServer.start({
        config: parseAdminConfig({
          enabled: true,
          listen_address: `unix:${p}`,
          token_file: tokenFile('n.token', TOKEN),
          audit_log: path.join(dir, 'n.jsonl'),
        }),
        host,
        groups: noGroups,
        log: quiet,
      }),
    ).rejects.toThrow(/not a socket/);
    expect(fs.readFileSync(p, 'utf8')).toBe('x');
  });
});

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A leaf certificate `name`.crt/.key signed by `ca`, with SAN lines in openssl config syntax. */
function leaf(name: string, san: string, ca: string, eku: string): void {
  fs.writeFileSync(path.join(dir, `${name}.ext`), `extendedKeyUsage=${eku}\nsubjectAltName=@alt\n[alt]\n${san}\n`);
  openssl([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${name}`,
  ]);
  openssl([
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
}

/** Two CAs, a server certificate for 127.0.0.1, and client certificates with various SANs. */
function makeCerts(): void {
  for (const ca of ['ca', 'otherca']) {
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.crt`,
      '-subj',
      `/CN=${ca}`,
      '-days',
      '2',
    ]);
  }
  leaf('server', 'IP.1 = 127.0.0.1', 'ca', 'serverAuth');
  leaf('ops', 'DNS.1 = ops.example', 'ca', 'clientAuth');
  leaf('intruder', 'DNS.1 = intruder.example', 'ca', 'clientAuth');
  // One SAN whose value holds a comma: it must not read as a second, allowed entry.
  leaf('sneaky', 'DNS.1 = x.example, DNS:ops.example', 'ca', 'clientAuth');
  leaf('foreign', 'DNS.1 = ops.example', 'otherca', 'clientAuth');
}

describe('mutual TLS', () => {
  let server: AdminServer;
  let port: number;
  const auditPath = () => path.join(dir, 'tls.jsonl');
  beforeAll(async () => {
    makeCerts();
    server = await AdminServer.start({
      config: {
        ...parseAdminConfig({
          enabled: true,
          listen_address: '127.0.0.1:9465',
          audit_log: auditPath(),
          tls_server_config: {
            cert_file: path.join(dir, 'server.crt'),
            key_file: path.join(dir, 'server.key'),
            client_ca_file: path.join(dir, 'ca.crt'),
            client_allowed_sans: ['ops.example'],
          },
        }),
        listen: { kind: 'tcp', host: '127.0.0.1', port: 0, loopback: true },
      },
      host,
      groups: noGroups,
      log: quiet,
    });
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await server?.close();
  });

  function get(client: string | null): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          path: `/v1/processes/${process.pid}`,
          method: 'GET',
          agent: false,
          ca: fs.readFileSync(path.join(dir, 'ca.crt')),
          ...(client
            ? {
                cert: fs.readFileSync(path.join(dir, `${client}.crt`)),
                key: fs.readFileSync(path.join(dir, `${client}.key`)),
              }
            : {}),
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('an allowed client certificate is a credential of its own', async () => {
    expect(await get('ops')).toBe(200);
    const lines = fs
      .readFileSync(auditPath(), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ who: 'cert:ops.example', status: 200 });
  });

  it('a verified certificate without an allowed SAN -> 401', async () => {
    expect(await get('intruder')).toBe(401);
    expect(await get('sneaky')).toBe(401);
  });

  it('rotated server certificates are used for the next connections, without a restart', async () => {
    const fingerprint = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const req = https.request(
          {
            host: '127.0.0.1',
            port,
            path: `/v1/processes/${process.pid}`,
            agent: false,
            ca: fs.readFileSync(path.join(dir, 'ca.crt')),
            cert: fs.readFileSync(path.join(dir, 'ops.crt')),
            key: fs.readFileSync(path.join(dir, 'ops.key')),
          },
          (res) => {
            res.resume();
            resolve((res.socket as TLSSocket).getPeerX509Certificate()?.fingerprint256 ?? '');
          },
        );
        req.on('error', reject);
        req.end();
      });
    const first = await fingerprint();
    leaf('server2', 'IP.1 = 127.0.0.1', 'ca', 'serverAuth');
    // Key first, then certificate, each by rename, as cert-manager style tools do.
    fs.copyFileSync(path.join(dir, 'server2.key'), path.join(dir, 'server.key.new'));
    fs.renameSync(path.join(dir, 'server.key.new'), path.join(dir, 'server.key'));
    fs.copyFileSync(path.join(dir, 'server2.crt'), path.join(dir, 'server.crt.new'));
    fs.renameSync(path.join(dir, 'server.crt.new'), path.join(dir, 'server.crt'));
    await fingerprint(); // this request notices the change
    const rotated = await fingerprint();
    expect(rotated).not.toBe(first);
    expect(rotated).toBe(new crypto.X509Certificate(fs.readFileSync(path.join(dir, 'server2.crt'))).fingerprint256);
  });

  it('no certificate, or one from another CA: the handshake fails', async () => {
    await expect(get(null)).rejects.toThrow();
    await expect(get('foreign')).rejects.toThrow();
  });
});

describe('18: a procfs of another PID namespace', () => {
  let canary: Canary;
  beforeAll(async () => {
    canary = await startCanary(dir);
  });
  afterAll(async () => {
    await canary?.stop();
  });

  async function allRefused(procfs: string, why: RegExp): Promise<void> {
    const ps = createPsutil({ procfs });
    const h = await startHarness({
      host: libraryHost({
        newProcess: (pid) => new Process(pid),
        pidExists,
        procfs,
        procfsSelfPid: () => ps.procfsSelfPid(),
        cpuCount: () => ps.cpuTimes({ percpu: true }).length,
      }),
      groups: { groupOf: () => 'g', members: () => [canary.pid] },
      admin: { policy: [{ groups: ['g'], signals: ['SIGUSR1'], nice: { min: 0, max: 19 } }] },
    });
    try {
      const before = snapshot(canary);
      expect((await request(h, 'GET', `/v1/processes/${canary.pid}`)).status).toBe(409);
      for (const [action, body] of [
        ['signal', { signal: 'SIGUSR1' }],
        ['nice', { value: 10 }],
      ] as const) {
        const r = await request(h, 'POST', `/v1/processes/${canary.pid}/${action}`, {
          body: { ...body, createTime: 1 },
        });
        expect(r.status).toBe(409);
        expect(r.body!['error']).toMatchObject({ code: 'foreign_pid_namespace', message: expect.stringMatching(why) });
        const g = await request(h, 'POST', `/v1/groups/g/${action}`, { body });
        expect(g.status).toBe(409);
      }
      expect(snapshot(canary)).toEqual(before);
      expect(h.auditLines().filter((l) => l['decision'] === 'ok' && l['action'] !== 'get')).toEqual([]);
    } finally {
      await h.close();
      fs.rmSync(h.dir, { recursive: true, force: true });
    }
  }

  it('a procfs whose self is not the agent (fixture tree)', async () => {
    const fake = path.join(dir, 'fakeproc');
    fs.mkdirSync(fake);
    fs.symlinkSync('4242', path.join(fake, 'self'));
    await allRefused(fake, /self is 4242, not the agent's pid/);
  });

  it('a real procfs mounted from a child PID namespace', async () => {
    const mnt = path.join(dir, 'nsproc');
    fs.mkdirSync(mnt);
    // unshare(1) forks into a new PID namespace and mounts that namespace's procfs where we can see it.
    const child = spawn(
      'unshare',
      ['--pid', '--fork', '--kill-child', 'sh', '-c', `mount -t proc proc '${mnt}' && exec sleep 600`],
      { stdio: 'ignore' },
    );
    try {
      await until(() => fs.existsSync(path.join(mnt, '1')) || child.exitCode !== null, 'the namespace procfs');
      if (child.exitCode !== null) throw new Error('unshare/mount failed: this test needs root (CAP_SYS_ADMIN)');
      // Our process is not in that namespace: its self link names no process.
      await allRefused(mnt, /self does not name a process/);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      spawnSync('umount', ['-l', mnt]);
    }
  });
});
