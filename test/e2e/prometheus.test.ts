/**
 * A real Prometheus (Debian `prometheus`) scrapes the agent on loopback; PromQL over its samples returns data. The
 * scrape negotiates OpenMetrics 1.0.0 (Prometheus asks for it first), so this is also the real parser on the agent's
 * OpenMetrics.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeWithBinary, request, startAgent, waitFor, type RunningAgent } from './agent-process';
import { startPrometheus } from '../helpers/prometheus';

interface QueryResult {
  status: string;
  data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

describeWithBinary('prometheus')('Prometheus scraping the agent', () => {
  let agent: RunningAgent;
  let prom: ChildProcess;
  let dir: string;
  let promUrl: string;

  async function query(q: string): Promise<QueryResult['data']['result']> {
    const r = await request(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = JSON.parse(r.body.toString()) as QueryResult;
    if (body.status !== 'success') throw new Error(`query failed: ${r.body.toString()}`);
    return body.data.result;
  }

  beforeAll(async () => {
    agent = await startAgent(['--log.level=warn']);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-prom-'));
    ({ proc: prom, url: promUrl } = await startPrometheus(dir, [{ name: 'psutil-exporter', port: agent.port }]));
    // Target discovery pushes at most every 5 s: poll `up` instead of sleeping.
    await waitFor(
      'the target to be up',
      async () => (await query('up{job="psutil-exporter"}'))[0]?.value[1] === '1',
      60000,
      500,
    );
    // rate() extrapolates only half an interval past the first sample: let the series be older than the 5 s windows.
    await waitFor(
      'eight seconds of samples',
      async () => Number((await query('count_over_time(node_load1[10s])'))[0]?.value[1] ?? 0) >= 8,
      60000,
      500,
    );
  }, 180000);

  afterAll(async () => {
    prom?.kill('SIGTERM');
    await agent?.stop();
    await new Promise((r) => setTimeout(r, 500));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the scrape is healthy', async () => {
    const r = await request(`${promUrl}/api/v1/targets`);
    const t = JSON.parse(r.body.toString()) as {
      data: { activeTargets: Array<{ health: string; lastError: string }> };
    };
    expect(t.data.activeTargets[0]).toMatchObject({ health: 'up', lastError: '' });
  });

  test("the scrape negotiated OpenMetrics: the agent answers Prometheus's Accept with it, metadata has OpenMetrics names", async () => {
    // Prometheus 2.42's scrape Accept header (scrape/scrape.go).
    const accept =
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    const direct = await request(`${agent.url}/metrics`, { headers: { accept } });
    expect(direct.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const text = direct.body.toString();
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(text).toContain('\n# TYPE node_cpu_seconds counter\n');
    expect(text).toMatch(/\nnode_cpu_seconds_total\{cpu="0",mode="idle"\} /);
    // Metadata is keyed by the family name the scrape parsed: `node_cpu_seconds` (counter) only from OpenMetrics
    // (text 0.0.4 names the family node_cpu_seconds_total), and `unknown` rather than 0.0.4's `untyped`.
    type Meta = { data: Array<{ metric: string; type: string }> };
    const meta = async (metric: string): Promise<Meta['data']> =>
      (JSON.parse((await request(`${promUrl}/api/v1/targets/metadata?metric=${metric}`)).body.toString()) as Meta).data;
    expect((await meta('node_cpu_seconds')).map((m) => m.type)).toEqual(['counter']);
    expect(await meta('node_cpu_seconds_total')).toEqual([]);
    const untyped = /\n# TYPE (\S+) unknown\n/.exec(text)?.[1];
    expect(untyped).toBeDefined();
    expect((await meta(untyped ?? '')).map((m) => m.type)).toEqual(['unknown']);
    expect((await query('node_cpu_seconds_total')).length).toBeGreaterThan(0);
  });

  test.each([
    ['rate(node_cpu_seconds_total{mode="idle"}[5s])', { cpu: expect.any(String), mode: 'idle' }],
    ['node_memory_MemAvailable_bytes', {}],
    [
      'node_filesystem_avail_bytes{mountpoint="/"}',
      { mountpoint: '/', fstype: expect.any(String), device: expect.any(String) },
    ],
    ['node_load1', {}],
    ['rate(node_network_receive_bytes_total[5s])', { device: expect.any(String) }],
    ['rate(node_disk_io_time_seconds_total[5s])', { device: expect.any(String) }],
    ['node_boot_time_seconds', {}],
    ['psutil_exporter_scrape_collector_success{collector="meminfo"} == 1', { collector: 'meminfo' }],
  ])('%s returns data', async (q, labels) => {
    const r = await query(q);
    expect(r.length).toBeGreaterThan(0);
    expect(r[0]?.metric).toMatchObject(labels);
    expect(Number.isFinite(Number(r[0]?.value[1]))).toBe(true);
  });

  test('CPU rates are plausible: idle plus busy seconds per second add up to about one per CPU', async () => {
    const r = await query('sum by (cpu) (rate(node_cpu_seconds_total[5s]))');
    // One rate per CPU the agent exports (an empty result would pass the loops below).
    const cpus = (await query('node_cpu_seconds_total{mode="idle"}')).map((s) => s.metric['cpu']);
    expect(cpus.length).toBeGreaterThan(0);
    expect(r.map((s) => s.metric['cpu']).sort()).toEqual([...cpus].sort());
    for (const s of r) expect(Number(s.value[1])).toBeGreaterThan(0.5);
    for (const s of r) expect(Number(s.value[1])).toBeLessThan(1.5);
  });
});
