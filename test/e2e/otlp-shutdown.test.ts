/**
 * The last export at shutdown carries the per-process resources (otlp.processes), as a periodic one does: the agent
 * (dist/cli.js) pushes every hour, so the one export the receiver (@elastic/mockotlpserver) gets is the one SIGTERM
 * makes; it holds a resource for a spawned child, with the child's pid, parent pid and executable name, and its
 * process.* metrics. The collection thread is closed only after that export (agent.ts, stop), and the agent exits
 * (through _exit(2)) after both. Over http/protobuf (the packed encoder) and http/json (the SDK's serializer).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COLLECTOR_NAMES } from '../../src/exporters/collectors/names';
import { startAgent, waitFor, type RunningAgent } from './agent-process';
import { startReceiver, type MockServer } from '../helpers/mockotlp';

jest.setTimeout(120000);

// The receiver is CommonJS without types: the part used here, typed.
interface NormalizedExport {
  resourceMetrics: Array<{
    resource: { attributes: Record<string, unknown> };
    scopeMetrics: Array<{ metrics: Array<{ name: string }> }>;
  }>;
}
describe.each(['http/protobuf', 'http/json'])('SIGTERM with otlp.processes on, over %s', (protocol) => {
  const comm = `osd${Math.random().toString(16).slice(2, 6)}`;
  let dir: string;
  let srv: MockServer;
  let agent: RunningAgent;
  let kid: ChildProcess;
  let code: number | null;
  const got: NormalizedExport[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-otlp-shutdown-'));
    const exe = path.join(dir, comm);
    // A copy, not a link: the executable's own name is what include matches (process.executable.name).
    fs.copyFileSync('/bin/sleep', exe);
    fs.chmodSync(exe, 0o755);
    kid = spawn(exe, ['600'], { stdio: 'ignore' });
    srv = await startReceiver<NormalizedExport>((e) => got.push(e));
    const off = COLLECTOR_NAMES.filter((n) => n !== 'process_groups' && n !== 'meminfo')
      .map((n) => `  ${n}: {enabled: false}\n`)
      .join('');
    const file = path.join(dir, 'c.yaml');
    fs.writeFileSync(
      file,
      // max_age 0s: the last export's collect runs a pass of its own, at shutdown, rather than reusing the first one.
      `collection: {max_age: 0s}\ncollectors:\n${off}otlp:\n  enabled: true\n  protocol: ${protocol}\n  endpoint: "${srv.httpUrl.href}v1/metrics"\n` +
        `  interval: 1h\n  processes: {enabled: true, include: {names: ["^${comm}$"]}}\n`,
    );
    agent = await startAgent([`--config.file=${file}`, '--log.level=info']);
    // The push is on (SIGTERM's handler is installed before it starts) and a pass has run.
    await waitFor(
      'the push to start and a first pass',
      async () => /otlp export started/.test(agent.stderr()) && /first collection done/.test(agent.stderr()),
      60000,
    );
    expect(got).toHaveLength(0);
    code = await agent.stop(30000);
  }, 120000);

  afterAll(async () => {
    kid?.kill('SIGKILL');
    await agent?.stop();
    await srv?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the agent stops cleanly after its last export', () => {
    expect(code).toBe(0);
    expect(agent.stderr()).toMatch(/"msg":"stopped"/);
    expect(agent.stderr()).not.toMatch(/otlp shutdown failed|did not finish within its bound/);
  });

  test("the last export carries the child's process resource and process.* metrics beside the host's", () => {
    expect(got).toHaveLength(1);
    const e = got[0] as NormalizedExport;
    const host = e.resourceMetrics.find((r) => r.resource.attributes['process.pid'] === undefined);
    expect(host?.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name))).toContain('system.memory.usage');
    const procs = e.resourceMetrics.filter((r) => r.resource.attributes['process.pid'] !== undefined);
    // include names only the child's executable.
    expect(procs).toHaveLength(1);
    const mine = procs[0];
    expect(Number(mine?.resource.attributes['process.pid'])).toBe(kid.pid);
    expect(Number(mine?.resource.attributes['process.parent_pid'])).toBe(process.pid);
    expect(mine?.resource.attributes['process.executable.name']).toBe(comm);
    expect(mine?.resource.attributes['service.name']).toBe('psutil-exporter');
    const names = mine?.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name)) ?? [];
    expect(names).toEqual(expect.arrayContaining(['process.cpu.time', 'process.memory.usage', 'process.threads']));
  });
});
