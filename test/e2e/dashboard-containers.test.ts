/**
 * deploy/grafana/containers.json against a real Prometheus scraping the agent's cgroups collector: the agent runs on a
 * copy of the cgroup-v2 fixture host (test/fixtures/cgroup-v2: Kubernetes pods of each QoS class, docker, podman,
 * systemd units) with the pod log fixture naming its containers, and the nginx container's cpu.stat and
 * memory.events are advanced while Prometheus scrapes, so its usage, throttling and OOM counters move. Every panel
 * query, with the variables at "All" (Grafana's allValue), returns series; the variable queries list the fixture's
 * names; with namespace, pod and container picked from them the CPU and memory panels show that container alone, and
 * its CPU usage, throttling and OOM increase are above 0.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dashboardQueries, substituteGrafanaVariables } from '../deploy/promql';
import { collectorsOffBut } from '../helpers/e2e';
import { own, REPO } from '../helpers/fixtures';
import { describeWithBinary, request, startAgent, waitFor, type RunningAgent } from './agent-process';
import { startPrometheus } from '../helpers/prometheus';

const DASHBOARD = path.join(REPO, 'deploy', 'grafana', 'containers.json');
const NGINX_DIR = path.join(
  'fs',
  'cgroup',
  'kubepods.slice',
  'kubepods-burstable.slice',
  'kubepods-burstable-pod8b6a59d0_730a_4f51_b11c_825bea3e1157.slice',
  'cri-containerd-aaac5e952418d5f3a97fff92fd31a623d9efdc5517e1c776200f7d75fdfb9c12.scope',
);

interface QueryResult {
  status: string;
  error?: string;
  data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

/** Grafana's values for the "All" selection of each variable (the dashboard's allValue). */
function allValues(dashboard: {
  templating: { list: Array<{ name: string; allValue?: string }> };
}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of dashboard.templating.list) if (v.allValue !== undefined) out[v.name] = v.allValue;
  return out;
}

describeWithBinary('prometheus')('deploy/grafana/containers.json with a real Prometheus', () => {
  let agent: RunningAgent;
  let prom: ChildProcess;
  let dir: string;
  let promUrl: string;
  let ticker: NodeJS.Timeout | undefined;
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as {
    templating: { list: Array<{ name: string; allValue?: string }> };
  };

  async function query(q: string): Promise<QueryResult> {
    const r = await request(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    return JSON.parse(r.body.toString()) as QueryResult;
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-dash-ctr-'));
    const sys = path.join(dir, 'sys');
    fs.cpSync(own('cgroup-v2', 'sys'), sys, { recursive: true });
    // The nginx container works, is throttled and OOM-kills a process while Prometheus watches: counters move.
    const nginx = path.join(sys, NGINX_DIR);
    let n = 0;
    // Written aside and renamed over: the agent never reads a half-written file.
    const put = (file: string, text: string): void => {
      fs.writeFileSync(`${file}.new`, text);
      fs.renameSync(`${file}.new`, file);
    };
    const advance = (): void => {
      n++;
      put(
        path.join(nginx, 'cpu.stat'),
        [
          `usage_usec ${7500000 + n * 100000}`,
          `user_usec ${5000000 + n * 60000}`,
          `system_usec ${2500000 + n * 40000}`,
          'nice_usec 0',
          `nr_periods ${1200 + n * 5}`,
          `nr_throttled ${300 + n * 2}`,
          `throttled_usec ${4500000 + n * 20000}`,
          '',
        ].join('\n'),
      );
      const events = fs.readFileSync(path.join(nginx, 'memory.events'), 'utf8');
      put(path.join(nginx, 'memory.events'), events.replace(/^oom_kill \d+$/m, `oom_kill ${1 + Math.floor(n / 4)}`));
    };
    advance();
    ticker = setInterval(advance, 500);

    const cfg = path.join(dir, 'agent.yaml');
    fs.writeFileSync(
      cfg,
      [
        'collection: {max_age: 100ms}',
        'collectors:',
        ...collectorsOffBut('cgroups'),
        `  cgroups: ${JSON.stringify({ enabled: true, pods_log_dir: own('podlogs', 'var', 'log', 'pods') })}`,
        '',
      ].join('\n'),
    );
    agent = await startAgent([
      `--config.file=${cfg}`,
      `--path.procfs=${own('cgroup-v2', 'proc')}`,
      `--path.sysfs=${sys}`,
      '--path.rootfs=/',
      '--log.level=warn',
    ]);
    ({ proc: prom, url: promUrl } = await startPrometheus(dir, [{ name: 'agent', port: agent.port }]));
    // rate() and increase() over the 1m windows want a few samples of each series.
    await waitFor(
      'ten samples of the container series',
      async () =>
        (await query('count_over_time(container_memory_working_set_bytes{container="nginx"}[20s]) >= 10')).data?.result
          .length === 1,
      60000,
      500,
    );
  }, 180000);

  afterAll(async () => {
    if (ticker !== undefined) clearInterval(ticker);
    prom?.kill('SIGTERM');
    await agent?.stop();
    if (prom !== undefined && prom.exitCode === null && prom.signalCode === null)
      await Promise.race([new Promise((r) => prom.once('exit', r)), new Promise((r) => setTimeout(r, 10000))]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const panelQueries = () => dashboardQueries(dashboard).filter((q) => !q.where.startsWith('variable'));

  test('every panel query returns series with the variables at All', async () => {
    const vars = { ...allValues(dashboard), job: 'agent', instance: `127.0.0.1:${agent.port}` };
    const qs = panelQueries();
    expect(qs.length).toBeGreaterThanOrEqual(15);
    const empty: string[] = [];
    for (const q of qs) {
      const r = await query(substituteGrafanaVariables(q.expr, vars));
      expect({ expr: q.expr, status: r.status, error: r.error }).toEqual({
        expr: q.expr,
        status: 'success',
        error: undefined,
      });
      if (r.data.result.length === 0) empty.push(`${q.where}: ${q.expr}`);
    }
    expect(empty).toEqual([]);
  }, 120000);

  test("the variable queries list the fixture's names; picked, the panels show that container alone", async () => {
    const vars: Record<string, string> = { ...allValues(dashboard), job: 'agent', instance: `127.0.0.1:${agent.port}` };
    const labelsOf = async (name: string): Promise<string[]> => {
      const v = dashboardQueries(dashboard).find((q) => q.where === `variable "${name}"`)!;
      const m = /^label_values\(([\s\S]*),\s*(\w+)\)$/.exec(v.expr.trim())!;
      const r = await query(substituteGrafanaVariables(m[1]!, vars));
      return [...new Set(r.data.result.map((s) => s.metric[m[2]!] ?? ''))].filter((x) => x !== '').sort();
    };
    expect(await labelsOf('job')).toEqual(['agent']);
    expect(await labelsOf('namespace')).toEqual(expect.arrayContaining(['default', 'kube-system']));
    vars['namespace'] = 'default';
    const pods = await labelsOf('pod');
    expect(pods.length).toBeGreaterThan(0);
    vars['pod'] = pods.find((p) => p.startsWith('nginx')) ?? pods[0]!;
    expect(await labelsOf('container')).toContain('nginx');
    vars['container'] = 'nginx';

    const value = async (title: string, ref = 0): Promise<QueryResult['data']['result']> => {
      const q = panelQueries().filter((x) => x.where === title)[ref]!;
      return (await query(substituteGrafanaVariables(q.expr, vars))).data.result;
    };
    for (const title of ['CPU usage against limit', 'Throttled periods', 'Working set against limit', 'OOM events']) {
      const r = await value(title);
      expect({ title, containers: r.map((s) => s.metric['container']) }).toEqual({ title, containers: ['nginx'] });
      expect({ title, positive: Number(r[0]!.value[1]) > 0 }).toEqual({ title, positive: true });
    }
    // The CPU limit of the fixture's nginx container: 2 CPUs (cpu.max 200000 100000).
    expect(Number((await value('CPU usage against limit', 1))[0]!.value[1])).toBe(2);
  }, 60000);
});
