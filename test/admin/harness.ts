/**
 * Test support for the admin API: a canary process that counts the signals it receives, readers of its nice,
 * affinity, limits and I/O priority straight from /proc (and ionice(1)), an admin server started in-process with a
 * fresh token and audit log, and a raw HTTP client that can send what well-behaved clients never would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAdminConfig } from '../../src/admin/config';
import type { AdminGroups } from '../../src/admin/engine';
import { AdminServer } from '../../src/admin/server';
import type { AdminHost } from '../../src/admin/target';

export const PYTHON = '/usr/bin/python3';

const CANARY = `
import json, os, signal, sys, threading, time
path = sys.argv[1]
counts = {}
def handler(sig, frame):
    name = signal.Signals(sig).name
    counts[name] = counts.get(name, 0) + 1
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(counts, f)
    os.replace(tmp, path)
for s in ('SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGTERM', 'SIGWINCH', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGCONT', 'SIGABRT'):
    signal.signal(getattr(signal, s), handler)
# A second thread, so that the canary has a thread id that is not its pid. It blocks every signal: Python runs
# handlers in the main thread only, and a signal the kernel routed to this thread would wait unseen.
# The mask is set before the thread starts (it inherits it), so there is no window.
signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals))
threading.Thread(target=lambda: time.sleep(1e6), daemon=True).start()
signal.pthread_sigmask(signal.SIG_UNBLOCK, set(signal.Signals))
with open(path, 'w') as f:
    json.dump(counts, f)
while True:
    signal.pause()
`;

export interface Canary {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Signals received so far, by name. */
  counts(): Record<string, number>;
  total(): number;
  stop(): Promise<void>;
}

/** Waits (polling, no timing assertion) until `fn` is true. */
export async function until(fn: () => boolean, what: string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * `marker` is an extra argument for process_names rules to match on. `onlyPid`: a canary that did not get this pid is
 * killed at once and null returned (a PID reuse test tries many times; waiting for each canary to be ready made the
 * tries slow enough for the machine's other forks to take the pid every time).
 */
export async function startCanary(dir: string, marker?: string): Promise<Canary>;
export async function startCanary(dir: string, marker: string | undefined, onlyPid: number): Promise<Canary | null>;
export async function startCanary(dir: string, marker?: string, onlyPid?: number): Promise<Canary | null> {
  const file = path.join(dir, `canary-${crypto.randomBytes(4).toString('hex')}.json`);
  const child = spawn(PYTHON, ['-c', CANARY, file, ...(marker === undefined ? [] : [marker])], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('canary did not start');
  if (onlyPid !== undefined && pid !== onlyPid) {
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await gone;
    return null;
  }
  await until(() => fs.existsSync(file) && threadIds(pid).length >= 2, 'the canary to be ready', 45000);
  const counts = (): Record<string, number> => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number>;
  return {
    pid,
    child,
    counts,
    total: () => Object.values(counts()).reduce((a, b) => a + b, 0),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

/** Fields of /proc/<pid>/stat after the comm (index 0 = state), split at the last ')'. */
export function statFields(pid: number): string[] {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  return s
    .slice(s.lastIndexOf(')') + 2)
    .trim()
    .split(' ');
}

export function procState(pid: number): string {
  return statFields(pid)[0] as string;
}

export function procNice(pid: number): number {
  return Number(statFields(pid)[16]);
}

export function procAffinity(pid: number): string {
  const m = /^Cpus_allowed_list:\s*(\S+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] ?? '';
}

/** /proc/<pid>/limits as {"Max open files": ["1024", "4096"], ...}. */
export function procLimits(pid: number): Record<string, [string, string]> {
  const out: Record<string, [string, string]> = {};
  for (const line of fs.readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').slice(1)) {
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    if (m) out[m[1] as string] = [m[2] as string, m[3] as string];
  }
  return out;
}

/** ionice(1)'s view of the target, e.g. "best-effort: prio 4" or "idle". */
export function procIonice(pid: number): string {
  const r = spawnSync('ionice', ['-p', String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ionice -p ${pid}: ${r.stderr}`);
  return r.stdout.trim();
}

export function threadIds(pid: number): number[] {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** Everything that an admin action could change on a process, read from /proc: equal snapshots = no action. */
export function snapshot(c: Canary): Record<string, unknown> {
  return {
    signals: c.counts(),
    state: procState(c.pid),
    nice: procNice(c.pid),
    affinity: procAffinity(c.pid),
    limits: procLimits(c.pid),
    ionice: procIonice(c.pid),
  };
}

export { pidfdOpens } from '../helpers/children';

/** A pid of a kernel thread (PF_KTHREAD set in stat flags) other than kthreadd, read from /proc. */
export function kernelThreadPid(): number | null {
  for (const e of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(e) || e === '2') continue;
    try {
      const f = statFields(Number(e));
      if ((Number(f[6]) & 0x00200000) !== 0) return Number(e);
    } catch {
      // exited while listed
    }
  }
  return null;
}

export interface Harness {
  readonly server: AdminServer;
  readonly port: number;
  readonly token: string;
  readonly dir: string;
  /** psutil_exporter_admin_requests_total as {"action/decision": n}. */
  counts(): Record<string, number>;
  auditLines(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  host: AdminHost;
  groups: AdminGroups;
  /** Extra `admin:` keys (snake_case), merged over the defaults. */
  admin?: Record<string, unknown>;
  dir?: string;
}

export async function startHarness(o: HarnessOptions): Promise<Harness> {
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'admin-'));
  const token = crypto.randomBytes(32).toString('hex');
  const tokenFile = path.join(dir, 'admin.token');
  fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o400 });
  const auditFile = path.join(dir, 'audit.jsonl');
  const config = parseAdminConfig({
    enabled: true,
    listen_address: '127.0.0.1:9465',
    token_file: tokenFile,
    audit_log: auditFile,
    ...o.admin,
  });
  // Port 0 (any free port) is not a valid config value; the harness binds one itself.
  const cfg = { ...config, listen: config.listen.kind === 'tcp' ? { ...config.listen, port: 0 } : config.listen };
  const server = await AdminServer.start({
    config: cfg,
    host: o.host,
    groups: o.groups,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const addr = server.address();
  return {
    server,
    port: 'port' in addr ? addr.port : 0,
    token,
    dir,
    counts: () => {
      const out: Record<string, number> = {};
      for (const f of server.metricFamilies())
        for (const x of f.series) out[`${x.labels['action']}/${x.labels['decision']}`] = x.value;
      return out;
    },
    auditLines: () =>
      fs
        .readFileSync(auditFile, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    close: () => server.close(),
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> | null;
  text: string;
}

/** One HTTP request to the admin server; by default authenticated, JSON, Host 127.0.0.1:port. */
export function request(
  h: Harness,
  method: string,
  urlPath: string,
  opts: { body?: unknown; raw?: string | Buffer; headers?: Record<string, string | string[]>; auth?: boolean } = {},
): Promise<Reply> {
  const headers: Record<string, string | string[]> = { host: `127.0.0.1:${h.port}` };
  if (opts.auth !== false) headers['authorization'] = `Bearer ${h.token}`;
  let payload: Buffer | null = null;
  if (opts.raw !== undefined) payload = Buffer.from(opts.raw);
  else if (opts.body !== undefined) {
    payload = Buffer.from(JSON.stringify(opts.body));
    headers['content-type'] = 'application/json';
  }
  Object.assign(headers, opts.headers ?? {});
  for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: h.port, method, path: urlPath, headers, agent: false, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, unknown> | null = null;
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
          } catch {
            body = null;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.end(payload);
    else req.end();
  });
}

/** Sends raw bytes on a fresh connection; resolves with everything received until the server closes it. */
export function rawExchange(port: number, write: (s: net.Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e),
    );
    s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    s.on('connect', () => write(s));
  });
}

export function statusOf(raw: string): number {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(raw);
  return m ? Number(m[1]) : 0;
}
