/** The built agent as users run it: flags, endpoints, gzip, logs, shutdown, config errors, the lint of a live scrape. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { own, REPO } from '../helpers/fixtures';
import { parseExposition } from '../exporters/golden-compare';
import { describeWithBinary, promtoolCheck, request, runCli, startAgent, type RunningAgent } from './agent-process';

describe('command line', () => {
  test('--help lists every flag', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    for (const f of [
      '--config.file',
      '--web.listen-address',
      '--path.procfs',
      '--path.sysfs',
      '--path.rootfs',
      '--once',
      '--check-config',
      '--help',
      '--log.level',
      '--version',
    ]) {
      expect(r.stdout).toContain(f);
    }
  });

  test('--version prints the package version', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(runCli(['--version']).stdout.trim()).toBe(pkg.version);
  });

  test('an unknown flag exits 2 and says which', () => {
    const r = runCli(['--web.listen-adress=:1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('--web.listen-adress: unknown flag (try --help)\n');
  });

  test('--check-config: 0 and OK for a good file', () => {
    const r = runCli(['--check-config', `--config.file=${path.join(REPO, 'config', 'default.yaml')}`]);
    expect(r).toMatchObject({ status: 0 });
    expect(r.stdout).toMatch(/default\.yaml: OK/);
  });

  test.each(fs.readdirSync(own('config')).filter((f) => f.endsWith('.bad.yaml')))(
    '--check-config refuses %s with its line',
    (f) => {
      const file = own('config', f);
      const want = /^# expect: (\d+):(\d+) /m.exec(fs.readFileSync(file, 'utf8'));
      const r = runCli(['--check-config', `--config.file=${file}`]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`${file}:${want?.[1]}:${want?.[2]}: `);
    },
  );

  test('a bad listen address on the command line is refused before anything starts', () => {
    const r = runCli(['--web.listen-address=nowhere', '--once']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^command line: --web.listen-address=nowhere: web.listen_address: expected HOST:PORT/m);
  });
});

describe('--once', () => {
  test('prints one scrape in text format 0.0.4 and exits 0', () => {
    const r = runCli(['--once', '--log.level=error']);
    expect(r.status).toBe(0);
    const e = parseExposition(r.stdout);
    expect(e.types.get('node_cpu_seconds_total')).toBe('counter');
    expect(e.series.some((s) => s.name === 'node_memory_MemAvailable_bytes')).toBe(true);
    expect(
      e.series.find((s) => s.name === 'psutil_exporter_scrape_collector_success' && s.labels['collector'] === 'meminfo')
        ?.value,
    ).toBe(1);
  });
});

describe('the running agent', () => {
  let agent: RunningAgent;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-agent-'));
    // A budget nobody can meet for one collector: it alone must fail.
    fs.writeFileSync(path.join(dir, 'c.yaml'), 'collectors:\n  processes: {enabled: true, timeout: 1ms}\n');
    agent = await startAgent([`--config.file=${path.join(dir, 'c.yaml')}`]);
  });

  afterAll(async () => {
    await agent?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('/healthz and /readyz', async () => {
    expect((await request(`${agent.url}/healthz`)).status).toBe(200);
    expect((await request(`${agent.url}/readyz`)).status).toBe(200);
  });

  test('/ is an HTML page with the version, the collectors and links', async () => {
    const r = await request(`${agent.url}/`);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    const html = r.body.toString();
    expect(html).toContain('href="/metrics"');
    expect(html).toMatch(/<td>meminfo<\/td><td>ok<\/td>/);
  });

  test('/metrics: text 0.0.4, gzip when asked, HEAD without a body', async () => {
    const plain = await request(`${agent.url}/metrics`);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gz = await request(`${agent.url}/metrics`, { headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toContain('# TYPE node_cpu_seconds_total counter');
    const head = await request(`${agent.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  test('unknown paths 404, other methods 405', async () => {
    expect((await request(`${agent.url}/nope`)).status).toBe(404);
    const post = await request(`${agent.url}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
  });

  test('a collector over its time budget fails alone: success 0, its families gone, the rest served', async () => {
    const e = parseExposition((await request(`${agent.url}/metrics`)).body.toString());
    const success = Object.fromEntries(
      e.series
        .filter((s) => s.name === 'psutil_exporter_scrape_collector_success')
        .map((s) => [s.labels['collector'], s.value]),
    );
    expect(success['processes']).toBe(0);
    expect(success['cpu']).toBe(1);
    expect(e.series.some((s) => s.name.startsWith('node_processes_'))).toBe(false);
    expect(e.series.some((s) => s.name === 'node_load1')).toBe(true);
  });

  test('concurrent scrapes are all answered, from shared passes', async () => {
    const rs = await Promise.all(Array.from({ length: 20 }, () => request(`${agent.url}/metrics`)));
    expect(rs.every((r) => r.status === 200)).toBe(true);
    const passes = new Set(rs.map((r) => /node_time_seconds (\S+)/.exec(r.body.toString())?.[1]));
    expect(passes.size).toBeLessThan(20);
  });

  test('logs are JSON lines', () => {
    const lines = agent.stderr().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(JSON.parse(l)).toHaveProperty('level');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('listening');
  });
});

test('SIGTERM stops the agent gracefully: exit code 0, "stopped" logged', async () => {
  const a = await startAgent([]);
  expect((await request(`${a.url}/metrics`)).status).toBe(200);
  expect(await a.stop()).toBe(0);
  expect(a.stderr()).toMatch(/"msg":"stopped"/);
});

describeWithBinary('promtool')('promtool check metrics on a live scrape', () => {
  test("finds nothing but the warnings node_exporter's own names draw (camelCase, entropy in bits)", async () => {
    const a = await startAgent([]);
    try {
      const text = (await request(`${a.url}/metrics`)).body.toString();
      const { problems } = promtoolCheck(text);
      const other = problems.filter(
        (p) =>
          !/^node_(memory|netstat|sockstat)_\S+ metric names should be written in 'snake_case' not 'camelCase'$/.test(
            p,
          ) && !/^node_entropy_(available|pool_size)_bits use base unit "bytes" instead of "bits"$/.test(p),
      );
      expect(other).toEqual([]);
    } finally {
      await a.stop();
    }
  });
});
