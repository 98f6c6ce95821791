/**
 * Running the built agent (dist/cli.js) as a child process on a free loopback port, with bounded waits, and the
 * small HTTP client the end-to-end tests use. Every process started here is stopped by the test that started it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { REPO } from '../helpers/fixtures';
import { onPath, REQUIRED, requireOr } from '../helpers/require';

export const CLI = path.join(REPO, 'dist', 'cli.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 15000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 30000,
  stepMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e; // not up yet: retry until the deadline
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

export interface RunningAgent {
  readonly port: number;
  readonly url: string;
  readonly proc: ChildProcess;
  /** Everything the agent wrote to stderr (JSON log lines). */
  stderr(): string;
  /** SIGTERM, then the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

export async function startAgent(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningAgent> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: the jest globalSetup builds it`);
  const port = await freePort();
  const proc = spawn(process.execPath, [CLI, `--web.listen-address=127.0.0.1:${port}`, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  proc.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const agent: RunningAgent = {
    port,
    url,
    proc,
    stderr: () => err,
    async stop(graceMs = 10000) {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
  try {
    await waitFor(
      'the agent to be ready',
      async () => {
        if (proc.exitCode !== null) throw new Error(`agent exited with ${proc.exitCode}: ${err}`);
        return (await request(`${url}/readyz`, { timeoutMs: 2000 })).status === 200;
      },
      60000,
    );
  } catch (e) {
    await agent.stop(1000);
    throw e;
  }
  return agent;
}

/** Runs the CLI to completion (--once, --check-config, --help). */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120000,
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `promtool check metrics` on a text exposition: its exit code and complaint lines. */
export function promtoolCheck(text: string): { status: number | null; problems: string[] } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 60000 });
  const problems = `${r.stdout}${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return { status: r.status, problems };
}

/**
 * Whether a tool is installed, for checks made only where it is (`if (hasBinary('promtool')) ...`); where the run
 * demands every conditional check (REQUIRE_ORACLE=1, set by .ci/run, which installs the Debian packages), its absence
 * throws instead of quietly leaving the check out.
 */
export function hasBinary(name: string): boolean {
  if (onPath(name)) return true;
  if (REQUIRED) throw new Error(`REQUIRE_ORACLE=1 but ${name} is not installed`);
  return false;
}

/** The Debian package of each tool the e2e tests run. */
const PACKAGE_OF: Record<string, string> = { promtool: 'prometheus' };

/**
 * `describe` that needs a binary (promtool, prometheus, prometheus-node-exporter): through requireOr, a visible skip
 * without it, a failure where REQUIRE_ORACLE=1 demands it.
 */
export function describeWithBinary(binary: string): jest.Describe {
  const c = requireOr(onPath(binary), `no ${binary} (apt-get install ${PACKAGE_OF[binary] ?? binary})`);
  return ((name: string, fn: () => void) => c.describe(name, fn)) as jest.Describe;
}
