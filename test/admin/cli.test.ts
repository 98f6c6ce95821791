/**
 * The admin API inside the built agent (dist/cli.js): off by default (nothing listens), refusing to start when unsafe
 * (exit 1 with [SECURITY] lines), and when on, acting on a process grouped by the config's own process_names rules,
 * with its request counter on /metrics.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, request, runCli, startAgent, waitFor, type RunningAgent } from '../e2e/agent-process';
import { startCanary, until, type Canary } from './harness';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-cli-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string, mode = 0o600): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text, { mode });
  fs.chmodSync(p, mode);
  return p;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('34: off by default, refusing to start when unsafe', () => {
  it('admin disabled: its port stays closed', async () => {
    const port = await freePort();
    const cfg = file('off.yaml', `admin: {enabled: false, listen_address: "127.0.0.1:${port}"}\n`);
    const agent = await startAgent([`--config.file=${cfg}`]);
    try {
      expect(await refused(port)).toBe(true);
      expect(agent.stderr()).not.toContain('admin API listening');
    } finally {
      await agent.stop();
    }
  });

  const token = crypto.randomBytes(32).toString('hex');
  it.each([
    [
      'no authentication',
      () => 'admin: {enabled: true}\n',
      /\[SECURITY\] admin\.enabled is true but no authentication/,
    ],
    [
      '0.0.0.0 without mutual TLS',
      () => `admin: {enabled: true, listen_address: "0.0.0.0:9465", token_file: ${file('t1', token, 0o400)}}\n`,
      /\[SECURITY\] admin\.listen_address 0\.0\.0\.0:9465 is not a loopback/,
    ],
    [
      'a world-readable token file',
      () => `admin: {enabled: true, listen_address: "127.0.0.1:1", token_file: ${file('t2', token, 0o644)}}\n`,
      /^\[SECURITY\] .*must not be readable by group or others/m,
    ],
    [
      'a missing token file',
      () => `admin: {enabled: true, listen_address: "127.0.0.1:1", token_file: ${path.join(dir, 'absent')}}\n`,
      /^\[SECURITY\] .*cannot open/m,
    ],
  ])('%s: exit 1 with [SECURITY]', (_n, yaml, msg) => {
    const cfg = file('unsafe.yaml', yaml());
    const r = runCli([`--config.file=${cfg}`, '--web.listen-address=127.0.0.1:0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(msg);
  });

  it('--check-config reports the [SECURITY] problems with their lines', () => {
    const cfg = file('check.yaml', 'admin:\n  enabled: true\n');
    const r = runCli([`--config.file=${cfg}`, '--check-config']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${cfg}:2:12: admin.enabled: [SECURITY]`);
  });
});

describe('admin enabled in the agent', () => {
  let agent: RunningAgent;
  let canary: Canary;
  let port: number;
  let cfgPath: string;
  const token = crypto.randomBytes(32).toString('hex');
  const tokenFile = () => path.join(dir, 'admin.token');
  const marker = `admin-e2e-canary-${process.pid}`;
  const audit = () => path.join(dir, 'audit.jsonl');

  // The config file, with the canary's rule naming `group`; the policy always names e2e-canaries.
  const configText = (group: string): string =>
    [
      'process_names:',
      `  - name: ${group}`,
      `    cmdline: ['${marker}']`,
      'admin:',
      '  enabled: true',
      `  listen_address: "127.0.0.1:${port}"`,
      `  token_file: ${fs.existsSync(tokenFile()) ? tokenFile() : file('admin.token', `${token}\n`, 0o400)}`,
      `  audit_log: ${audit()}`,
      '  policy:',
      '    - groups: [e2e-canaries]',
      '      signals: [SIGUSR1]',
      '',
    ].join('\n');

  beforeAll(async () => {
    canary = await startCanary(dir, marker);
    port = await freePort();
    cfgPath = file('on.yaml', configText('e2e-canaries'));
    agent = await startAgent([`--config.file=${cfgPath}`]);
  });
  afterAll(async () => {
    await agent?.stop();
    await canary?.stop();
  });

  const admin = (method: string, p: string, body?: unknown) =>
    request(`http://127.0.0.1:${port}${p}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('groups the canary by process_names and signals it once', async () => {
    const r = await admin('GET', `/v1/processes/${canary.pid}`);
    expect(r.status).toBe(200);
    const info = JSON.parse(r.body.toString()) as { group: string; createTime: number };
    expect(info.group).toBe('e2e-canaries');
    const s = await admin('POST', `/v1/processes/${canary.pid}/signal`, {
      signal: 'SIGUSR1',
      createTime: info.createTime,
    });
    expect(s.status).toBe(200);
    await until(() => canary.counts()['SIGUSR1'] === 1, 'SIGUSR1');
    const g = await admin('GET', '/v1/groups/e2e-canaries');
    expect((JSON.parse(g.body.toString()) as { members: Array<{ pid: number }> }).members.map((m) => m.pid)).toEqual([
      canary.pid,
    ]);
  });

  it('refuses what the policy does not grant, and the agent itself', async () => {
    const info = JSON.parse((await admin('GET', `/v1/processes/${canary.pid}`)).body.toString()) as {
      createTime: number;
    };
    expect(
      (await admin('POST', `/v1/processes/${canary.pid}/signal`, { signal: 'SIGTERM', createTime: info.createTime }))
        .status,
    ).toBe(403);
    expect(
      (await admin('POST', `/v1/processes/${agent.proc.pid}/signal`, { signal: 'SIGUSR1', createTime: 1 })).status,
    ).toBe(403);
    expect(canary.counts()).toEqual({ SIGUSR1: 1 });
  });

  it('counts requests on /metrics, and the metrics port knows nothing of /v1', async () => {
    const text = await waitFor('the admin counter on /metrics', async () => {
      const t = (await request(`${agent.url}/metrics`)).body.toString();
      return /psutil_exporter_admin_requests_total\{action="signal",decision="ok"\} 1\b/.test(t) ? t : null;
    });
    expect(text).toMatch(/psutil_exporter_admin_requests_total\{action="signal",decision="denied"\} 2\b/);
    expect(
      (await request(`${agent.url}/v1/processes/${canary.pid}`, { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(404);
    const lines = fs
      .readFileSync(audit(), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { decision: string });
    expect(lines.filter((l) => l.decision === 'ok' && (l as { action?: string }).action === 'signal')).toHaveLength(1);
  });

  it('follows a process_names reload: the renamed group is no longer allowed', async () => {
    // Rename the canary's group in the file (atomically): the policy names only the old one.
    const tmp = `${cfgPath}.new`;
    fs.writeFileSync(tmp, configText('e2e-renamed'));
    fs.renameSync(tmp, cfgPath);
    const info = await waitFor('the new group name', async () => {
      const i = JSON.parse((await admin('GET', `/v1/processes/${canary.pid}`)).body.toString()) as {
        group: string;
        createTime: number;
      };
      return i.group === 'e2e-renamed' ? i : null;
    });
    expect(
      (await admin('POST', `/v1/processes/${canary.pid}/signal`, { signal: 'SIGUSR1', createTime: info.createTime }))
        .status,
    ).toBe(403);
    expect(canary.counts()).toEqual({ SIGUSR1: 1 });
  });
});
