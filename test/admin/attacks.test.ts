/**
 * hardening.md B6 cases 26-35 against a running admin server with a real canary process: every bad request gets
 * the right 4xx, leaves an audit line that says so, and the canary shows no action (signals counted by the canary
 * itself; nice, state, affinity and limits read back from /proc; ionice through ionice(1)).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Process, pidExists, procfsSelfPid, psutil } from '../../src/index';
import { AuditLog } from '../../src/admin/audit';
import { libraryHost } from '../../src/admin/target';
import {
  kernelThreadPid,
  rawExchange,
  request,
  snapshot,
  startCanary,
  startHarness,
  statusOf,
  threadIds,
  type Canary,
  type Harness,
} from './harness';

const GROUP = 'canaries';
let dir: string;
let canary: Canary;
let h: Harness;
let before: Record<string, unknown>;
let createTime: number;
const members = new Set<number>();

const host = libraryHost({
  newProcess: (pid) => new Process(pid),
  pidExists,
  procfs: psutil.roots.procfs,
  procfsSelfPid,
  cpuCount: () => psutil.cpuTimes({ percpu: true }).length,
});

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-attacks-'));
  canary = await startCanary(dir);
  members.add(canary.pid);
  h = await startHarness({
    dir,
    host,
    groups: { groupOf: (pid) => (members.has(pid) ? GROUP : null), members: (n) => (n === GROUP ? [...members] : []) },
    admin: {
      read_header_timeout: '300ms',
      request_timeout: '1s',
      // Generous buckets: this file sends many requests on purpose; case 32 has its own server.
      rate_limit: {
        per_credential: { interval: '1ms', burst: 100000 },
        global: { interval: '1ms', burst: 100000 },
        unauthenticated: { interval: '1ms', burst: 100000 },
      },
      policy: [
        {
          groups: [GROUP],
          signals: ['SIGUSR1', 'SIGHUP', 'SIGTERM', 'SIGSTOP'],
          nice: { min: 0, max: 19 },
          ionice_classes: ['best-effort', 'idle'],
          cpu_affinity: true,
          rlimits: { NOFILE: { max: 65536 } },
        },
      ],
    },
  });
  const r = await request(h, 'GET', `/v1/processes/${canary.pid}`);
  expect(r.status).toBe(200);
  createTime = r.body!['createTime'] as number;
  before = snapshot(canary);
});

afterAll(async () => {
  await h?.close();
  await canary?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** After every test: the canary is untouched and no audit line says an action was carried out. */
afterEach(() => {
  expect(snapshot(canary)).toEqual(before);
  const done = h.auditLines().filter((l) => l['decision'] === 'ok' && l['action'] !== 'get');
  expect(done).toEqual([]);
});

const sig = (body: Record<string, unknown>, pid: number | string = canary.pid) =>
  request(h, 'POST', `/v1/processes/${pid}/signal`, { body: { signal: 'SIGUSR1', createTime, ...body } });

describe('26: pid must be a plain decimal integer', () => {
  it.each([
    '"1234"',
    '%221234%22',
    '%20-1%20',
    '-1',
    '0x10',
    '1e3',
    '1.5',
    '2147483648',
    '99999999999',
    'null',
    '%5B1%5D',
    '%7B%7D',
    '01',
    '+5',
    ' 5',
    '5 ',
    '',
  ])('path pid %p -> 400 (or 404 for no route)', async (seg) => {
    const r = await request(h, 'POST', `/v1/processes/${seg.replace(/ /g, '%20')}/signal`, {
      body: { signal: 'SIGUSR1', createTime },
    });
    expect([400, 404]).toContain(r.status);
    if (seg !== '') expect(r.status).toBe(400);
  });

  it('a pid in the body is an unknown field -> 400', async () => {
    for (const pid of [canary.pid, String(canary.pid), ' -1 ', -1, null, [1], {}]) {
      const r = await sig({ pid });
      expect(r.status).toBe(400);
      expect((r.body!['error'] as { code: string }).code).toBe('unknown_field');
    }
  });

  it('a thread id is not a process -> 404 (B6 12)', async () => {
    const tid = threadIds(canary.pid).find((t) => t !== canary.pid)!;
    expect(tid).toBeDefined();
    expect((await request(h, 'GET', `/v1/processes/${tid}`)).status).toBe(404);
    expect((await sig({}, tid)).status).toBe(404);
  });
});

describe('27: protected targets -> 403', () => {
  it.each([
    ['pid 0', () => 0],
    ['pid 1', () => 1],
    ['the agent', () => process.pid],
    ["the agent's parent", () => process.ppid],
  ])('%s', async (_n, pid) => {
    const r = await sig({}, pid());
    expect(r.status).toBe(403);
    expect((r.body!['error'] as { code: string }).code).toBe('protected_target');
  });

  it('a kernel thread (and kthreadd)', async () => {
    const kt = kernelThreadPid();
    for (const pid of kt === null ? [2] : [2, kt]) {
      if (!fs.existsSync(`/proc/${pid}`)) continue;
      const r = await sig({}, pid);
      expect(r.status).toBe(403);
      expect((r.body!['error'] as { message: string }).message).toBe(`pid ${pid} is a kernel thread`);
    }
  });

  it('SIGSTOP aimed at the agent (28)', async () => {
    const r = await request(h, 'POST', `/v1/processes/${process.pid}/signal`, {
      body: { signal: 'SIGSTOP', createTime: 1 },
    });
    expect(r.status).toBe(403);
  });
});

describe('28: signals come from a named allowlist', () => {
  it.each([
    9,
    'constructor',
    'SIGKIL',
    9.5,
    0,
    '0',
    'SIGRTMIN',
    'SIGRTMIN+1',
    'RTMIN',
    'sigusr1',
    'USR1',
    '__proto__',
    null,
    ['SIGUSR1'],
    { name: 'SIGUSR1' },
  ])('signal %p -> 400', async (s) => {
    const r = await sig({ signal: s });
    expect(r.status).toBe(400);
  });

  it('an allowlisted signal the policy does not grant -> 403', async () => {
    const r = await sig({ signal: 'SIGKILL' });
    expect(r.status).toBe(403);
    expect((r.body!['error'] as { code: string }).code).toBe('policy_denied');
  });
});

describe('29: authentication', () => {
  const path_ = () => `/v1/processes/${canary.pid}/signal`;
  const body = () => ({ signal: 'SIGUSR1', createTime });
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['"Bearer" alone', 'Bearer'],
    ['"Bearer " and nothing', 'Bearer '],
    ['wrong token', `Bearer ${'0'.repeat(64)}`],
    ['token with a trailing "\\n" literal', 'newline'],
    ['right prefix', 'prefix'],
    ['token twice', 'twice'],
    ['basic auth', `Basic ${Buffer.from('admin:admin').toString('base64')}`],
  ])('%s -> 401', async (_n, value) => {
    let auth: string | string[] | undefined = value;
    if (value === 'newline') auth = `Bearer ${h.token}\\n`;
    if (value === 'prefix') auth = `Bearer ${h.token.slice(0, -1)}`;
    if (value === 'twice') auth = [`Bearer ${h.token}`, `Bearer ${h.token}`];
    const headers: Record<string, string | string[]> = {};
    if (auth !== undefined) headers['authorization'] = auth;
    const r = await request(h, 'POST', path_(), { body: body(), auth: false, headers });
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it.each(['bearer', 'BEARER', 'bEaReR'])(
    'the scheme is case-insensitive (RFC 9110 11.1): %s authenticates',
    async (scheme) => {
      const r = await request(h, 'POST', path_(), {
        body: { ...body(), dryRun: true },
        auth: false,
        headers: { authorization: `${scheme} ${h.token}` },
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ dryRun: true });
    },
  );

  it.each([
    ['two spaces', '  '],
    ['a tab', '\t'],
  ])('the scheme and the token separated by %s -> 401', async (_n, sep) => {
    const r = await request(h, 'POST', path_(), {
      body: { ...body(), dryRun: true },
      auth: false,
      headers: { authorization: `Bearer${sep}${h.token}` },
    });
    expect(r.status).toBe(401);
  });

  it('a raw newline after the token never authenticates', async () => {
    const raw = await rawExchange(h.port, (s) => {
      const b = JSON.stringify(body());
      s.write(
        `POST ${path_()} HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nAuthorization: Bearer ${h.token}\n\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\nConnection: close\r\n\r\n${b}`,
      );
    });
    expect([400, 401]).toContain(statusOf(raw));
  });

  it('a 64 KiB Authorization header -> 431', async () => {
    const raw = await rawExchange(h.port, (s) => {
      s.write(
        `GET /v1/processes/${canary.pid} HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nAuthorization: Bearer ${'a'.repeat(65536)}\r\n\r\n`,
      );
    });
    expect(statusOf(raw)).toBe(431);
  });

  it('401 comes before the route is revealed', async () => {
    expect((await request(h, 'GET', '/v1/nothing-here', { auth: false })).status).toBe(401);
    expect((await request(h, 'GET', '/v1/nothing-here')).status).toBe(404);
  });
});

describe('30: DNS rebinding and CSRF', () => {
  it.each(['evil.example', `evil.example:${0}`, 'localhost.evil.example', '127.0.0.1', '127.0.0.2:1', '0.0.0.0'])(
    'Host %s -> 421',
    async (host) => {
      const r = await request(h, 'POST', `/v1/processes/${canary.pid}/signal`, {
        body: { signal: 'SIGUSR1', createTime },
        headers: { host },
      });
      expect(r.status).toBe(421);
    },
  );

  it.each([
    ['the same one twice', 'self'],
    ['ours, then another', 'evil.example'],
  ])('two Host headers (%s) -> 400, nothing done (RFC 9112 3.2)', async (_n, second) => {
    const before = canary.counts()['SIGUSR1'] ?? 0;
    const b = JSON.stringify({ signal: 'SIGUSR1', createTime });
    const other = second === 'self' ? `127.0.0.1:${h.port}` : second;
    const raw = await rawExchange(h.port, (s) => {
      s.write(
        `POST /v1/processes/${canary.pid}/signal HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nHost: ${other}\r\nAuthorization: Bearer ${h.token}\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\nConnection: close\r\n\r\n${b}`,
      );
    });
    expect(statusOf(raw)).toBe(400);
    expect(canary.counts()['SIGUSR1'] ?? 0).toBe(before);
  });

  it.each(['http://evil.example', 'null', `http://127.0.0.1:${0}`])('Origin %s -> 403', async (origin) => {
    const r = await request(h, 'POST', `/v1/processes/${canary.pid}/signal`, {
      body: { signal: 'SIGUSR1', createTime: 1 },
      headers: { origin },
    });
    expect(r.status).toBe(403);
  });

  it('the same-origin Origin of the admin address itself -> 403', async () => {
    const r = await request(h, 'POST', `/v1/processes/${canary.pid}/signal`, {
      body: { signal: 'SIGUSR1', createTime },
      headers: { origin: `http://127.0.0.1:${h.port}` },
    });
    expect(r.status).toBe(403);
  });

  it.each([
    ['text/plain', JSON.stringify({ signal: 'SIGUSR1', createTime: 1 })],
    ['application/x-www-form-urlencoded', 'signal=SIGUSR1&createTime=1'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="signal"\r\n\r\nSIGUSR1\r\n--x--'],
    ['application/json-patch+json', '{}'],
    ['application/jsonx', '{}'],
    ['', JSON.stringify({ signal: 'SIGUSR1', createTime: 1 })],
  ])('Content-Type %p -> 415', async (ct, raw) => {
    const r = await request(h, 'POST', `/v1/processes/${canary.pid}/signal`, { raw, headers: { 'content-type': ct } });
    expect(r.status).toBe(415);
  });

  it.each(['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'])('%s on a mutating route -> 405', async (m) => {
    const r = await request(h, m, `/v1/processes/${canary.pid}/signal`);
    expect(r.status).toBe(405);
    expect(r.headers['allow']).toBe('POST');
  });

  it('POST on a read route -> 405', async () => {
    const r = await request(h, 'POST', `/v1/processes/${canary.pid}`, { body: {} });
    expect(r.status).toBe(405);
  });

  it('no CORS headers, ever', async () => {
    const r = await request(h, 'GET', `/v1/processes/${canary.pid}`);
    expect(Object.keys(r.headers).filter((k) => k.startsWith('access-control'))).toEqual([]);
  });
});

describe('31: body abuse', () => {
  it('a 1 MiB body -> 413 (declared length)', async () => {
    const r = await request(h, 'POST', `/v1/processes/${canary.pid}/signal`, {
      raw: `{"signal":"SIGUSR1","createTime":${createTime},"x":"${'a'.repeat(1 << 20)}"}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(413);
  });

  it('an endless chunked body -> 413 and the connection closes', async () => {
    const raw = await rawExchange(h.port, (s) => {
      s.write(
        `POST /v1/processes/${canary.pid}/signal HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nAuthorization: Bearer ${h.token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      const chunk = `400\r\n${' '.repeat(0x400)}\r\n`;
      const pump = (): void => {
        if (s.destroyed || !s.writable) return;
        s.write(chunk, () => setImmediate(pump));
      };
      pump();
    });
    expect(statusOf(raw)).toBe(413);
  });

  it('slowloris: headers that never finish end in 408 or a close', async () => {
    const raw = await rawExchange(h.port, (s) => {
      s.write(`GET /v1/processes/${canary.pid} HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\n`);
      const t = setInterval(() => (s.writable ? s.write('X-a: b\r\n') : clearInterval(t)), 50);
      s.on('close', () => clearInterval(t));
    });
    expect([0, 408]).toContain(statusOf(raw));
  });

  it('a body trickled slowly ends in 408 or a close', async () => {
    const raw = await rawExchange(h.port, (s) => {
      s.write(
        `POST /v1/processes/${canary.pid}/signal HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nAuthorization: Bearer ${h.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
      );
      const t = setInterval(() => (s.writable ? s.write(' ') : clearInterval(t)), 50);
      s.on('close', () => clearInterval(t));
    });
    expect([0, 408]).toContain(statusOf(raw));
  });

  it.each([
    ['2000-deep JSON (within 4 KiB)', 400, '['.repeat(2000) + ']'.repeat(2000)],
    ['10k-deep JSON (over 4 KiB)', 413, '['.repeat(10000) + ']'.repeat(10000)],
    ['__proto__ key', 400, () => `{"signal":"SIGUSR1","createTime":${createTime},"__proto__":{"polluted":true}}`],
    [
      'constructor key',
      400,
      () => `{"signal":"SIGUSR1","createTime":${createTime},"constructor":{"prototype":{"polluted":true}}}`,
    ],
    ['duplicate keys', 400, () => `{"signal":"SIGKILL","signal":"SIGUSR1","createTime":${createTime}}`],
    ['an unknown field', 400, () => `{"signal":"SIGUSR1","createTime":${createTime},"force":true}`],
    ['invalid UTF-8', 400, Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
    ['not JSON', 400, 'signal=SIGUSR1'],
    ['an array', 400, '[]'],
    ['empty', 400, ''],
  ] as const)('%s -> %i', async (_n, status, raw) => {
    const payload = typeof raw === 'function' ? raw() : raw;
    const r = await request(h, 'POST', `/v1/processes/${canary.pid}/signal`, {
      raw: payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(status);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('33: identity binding and dry run', () => {
  it('a createTime that does not match the live process -> 409', async () => {
    for (const ct of [createTime + 1, createTime - 0.01, 1]) {
      const r = await sig({ createTime: ct });
      expect(r.status).toBe(409);
      expect((r.body!['error'] as { code: string }).code).toBe('identity_mismatch');
    }
  });

  it.each([
    ['signal', { signal: 'SIGTERM' }],
    ['signal', { signal: 'SIGSTOP' }],
    ['nice', { value: 19 }],
    ['ionice', { ioclass: 'idle' }],
    ['cpu-affinity', { cpus: [0] }],
    ['rlimit', { resource: 'NOFILE', soft: 100, hard: 200 }],
  ])('dryRun on %s returns the decision and changes nothing', async (action, b) => {
    const r = await request(h, 'POST', `/v1/processes/${canary.pid}/${action}`, {
      body: { ...b, createTime, dryRun: true },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ dryRun: true, decision: 'allowed' });
    const last = h.auditLines().at(-1)!;
    expect(last).toMatchObject({ decision: 'dry_run', dryRun: true });
  });

  it('dryRun of a denied request says 403', async () => {
    const r = await request(h, 'POST', `/v1/processes/${canary.pid}/nice`, {
      body: { value: -5, createTime, dryRun: true },
    });
    expect(r.status).toBe(403);
  });

  it('group dry run lists the members and changes nothing', async () => {
    const r = await request(h, 'POST', `/v1/groups/${GROUP}/signal`, { body: { signal: 'SIGTERM', dryRun: true } });
    expect(r.status).toBe(200);
    expect(r.body!['members']).toEqual([expect.objectContaining({ pid: canary.pid, createTime })]);
  });

  it('a group no rule names -> 403 before resolving; a control character in a group name -> 400', async () => {
    expect((await request(h, 'POST', '/v1/groups/other/signal', { body: { signal: 'SIGTERM' } })).status).toBe(403);
    expect(
      (
        await request(h, 'POST', `/v1/groups/${encodeURIComponent('bad\u0001name')}/signal`, {
          body: { signal: 'SIGTERM' },
        })
      ).status,
    ).toBe(400);
  });
});

describe('35: no basic-auth cache to poison (CVE-2022-46146)', () => {
  it.each([
    ['a:b', 'c'],
    ['a', 'b:c'],
  ])('user %p pass %p -> 401', async (u, p) => {
    const r = await request(h, 'GET', `/v1/processes/${canary.pid}`, {
      auth: false,
      headers: { authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` },
    });
    expect(r.status).toBe(401);
  });
});

describe('audit and counters', () => {
  it('every refused request left one audit line with its status and decision', async () => {
    // A new sampling window: the tests above sent more than 10 unauthenticated requests within this one.
    h.server.flushAudit();
    const n0 = h.auditLines().length;
    await sig({ signal: 'SIGKIL' });
    await request(h, 'GET', `/v1/processes/${canary.pid}`, { auth: false });
    const lines = h.auditLines().slice(n0);
    expect(lines).toEqual([
      expect.objectContaining({
        status: 400,
        decision: 'invalid',
        action: 'signal',
        who: expect.stringMatching(/^token:/),
      }),
      expect.objectContaining({ status: 401, decision: 'unauthorized', who: null }),
    ]);
    const counts = h.counts();
    expect(counts['signal/invalid']).toBeGreaterThanOrEqual(1);
    expect(counts['get/unauthorized']).toBeGreaterThanOrEqual(1);
    expect(counts['signal/ok']).toBeUndefined();
    // Every request was counted once, and is in the log: on a line of its own or in a sampled flood's summary.
    h.server.flushAudit();
    expect(Object.values(h.counts()).reduce((a, b) => a + b, 0)).toBe(logged(h.auditLines()));
  });
});

/** Requests the audit lines account for: one each, plus the count of each summary line. */
function logged(lines: Array<Record<string, unknown>>): number {
  return lines.reduce((n, l) => n + (l['kind'] === 'suppressed' ? (l['count'] as number) : 1), 0);
}

describe('32: flood', () => {
  it('refused floods are sampled in the audit log, every accepted request keeps its line (hardening #12)', async () => {
    const flood = await startHarness({
      host,
      groups: { groupOf: () => null, members: () => [] },
      admin: { rate_limit: { per_credential: { interval: '1m', burst: 30 } } },
    });
    try {
      // 300 requests with no credential (401, then 429 once the unauthenticated budget is spent), then 60 with one:
      // 30 answered (each keeps its line), 30 past the credential's burst (429, sampled).
      const codes: number[] = [];
      for (let i = 0; i < 300; i++)
        codes.push((await request(flood, 'GET', `/v1/processes/${canary.pid}`, { auth: false })).status);
      for (let i = 0; i < 60; i++) codes.push((await request(flood, 'GET', `/v1/processes/${canary.pid}`)).status);
      expect(codes.slice(300, 330).every((c) => c === 200)).toBe(true);
      expect(codes.slice(330).every((c) => c === 429)).toBe(true);
      flood.server.flushAudit();
      const lines = flood.auditLines();
      const whole = lines.filter((l) => l['kind'] === undefined);
      const summaries = lines.filter((l) => l['kind'] === 'suppressed');
      // Every answered request has its own line.
      expect(whole.filter((l) => l['decision'] === 'ok')).toHaveLength(30);
      // At most 10 whole lines per (source, decision, status) and window; the rest in summaries from 127.0.0.1.
      const perKey = new Map<string, number>();
      for (const l of whole)
        if (l['decision'] !== 'dry_run' && l['decision'] !== 'ok')
          perKey.set(
            `${String(l['decision'])}/${String(l['status'])}`,
            (perKey.get(`${String(l['decision'])}/${String(l['status'])}`) ?? 0) + 1,
          );
      expect([...perKey.values()].every((n) => n <= 10)).toBe(true);
      expect(summaries.length).toBeGreaterThan(0);
      for (const s of summaries)
        expect(s).toMatchObject({
          remote: '127.0.0.1',
          count: expect.any(Number),
          since: expect.any(String),
          reasons: expect.any(Object),
        });
      expect(lines.length).toBeLessThan(80);
      // Nothing is lost: the counter and the log account for the same requests.
      const total = Object.values(flood.counts()).reduce((a, b) => a + b, 0);
      expect(total).toBe(360);
      expect(logged(lines)).toBe(total);
    } finally {
      await flood.close();
      fs.rmSync(flood.dir, { recursive: true, force: true });
    }
  });

  it('a window writes its summaries by itself when it ends', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-'));
    const file = path.join(dir, 'audit.jsonl');
    const log = new AuditLog(file, () => undefined, { sampleFirst: 2, windowMs: 200, maxKeys: 2 });
    log.open();
    try {
      const rec = (remote: string) => ({
        time: new Date().toISOString(),
        requestId: 'r',
        remote,
        who: null,
        method: 'GET',
        path: '/',
        action: 'get',
        scope: null,
        group: null,
        request: null,
        dryRun: false,
        target: null,
        decision: 'unauthorized' as const,
        status: 401,
        reason: 'a valid credential is required',
        errno: null,
      });
      for (let i = 0; i < 5; i++) log.write(rec(`10.0.0.1:${1000 + i}`));
      // A new key per address: the first fits under maxKeys, the others share '*'.
      for (let i = 0; i < 5; i++) log.write(rec(`fd00::${i}:80`));
      const read = () =>
        fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(read()).toHaveLength(2 + 1 + 2);
      const deadline = Date.now() + 5000;
      while (read().length === 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const summaries = read().filter((l) => l['kind'] === 'suppressed');
      expect(summaries).toEqual([
        expect.objectContaining({ remote: '10.0.0.1', count: 3, reasons: { 'a valid credential is required': 3 } }),
        expect.objectContaining({ remote: '*', count: 2 }),
      ]);
    } finally {
      log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('429 after the burst, per credential', async () => {
    const flood = await startHarness({
      host,
      groups: { groupOf: () => null, members: () => [] },
      admin: { rate_limit: { per_credential: { interval: '1m', burst: 5 } } },
    });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 20; i++) codes.push((await request(flood, 'GET', `/v1/processes/${canary.pid}`)).status);
      expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(codes.slice(5).every((c) => c === 429)).toBe(true);
    } finally {
      await flood.close();
      fs.rmSync(flood.dir, { recursive: true, force: true });
    }
  });
});
