/**
 * Grafana's "Node Exporter Full" (1860) against a real Prometheus scraping Debian's node_exporter and the agent side
 * by side, both with their default collectors, on this machine: every panel query that returns data for
 * node_exporter's job returns data for the agent's too. The dashboard's variables are given each job's own values
 * ($job, $node as the target's instance), as Grafana would when the job is picked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dashboardQueries, substituteGrafanaVariables } from '../deploy/promql';
import { describeWithBinary, freePort, request, startAgent, waitFor, type RunningAgent } from './agent-process';
import { startPrometheus } from '../helpers/prometheus';

const NODE_EXPORTER = 'prometheus-node-exporter';
const DASHBOARD = path.join(__dirname, '..', 'fixtures', 'grafana-1860', 'node-exporter-full.json');

interface QueryResult {
  status: string;
  error?: string;
  data: { result: unknown[] };
}

describeWithBinary(NODE_EXPORTER)('dashboard 1860: the agent answers every query node_exporter answers', () => {
  describeWithBinary('prometheus')('with a real Prometheus', () => {
    let agent: RunningAgent;
    let ne: ChildProcess;
    let prom: ChildProcess;
    let dir: string;
    let promUrl: string;
    let nePort: number;

    async function query(q: string): Promise<QueryResult> {
      const r = await request(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
      return JSON.parse(r.body.toString()) as QueryResult;
    }

    beforeAll(async () => {
      agent = await startAgent(['--log.level=warn']);
      nePort = await freePort();
      ne = spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${nePort}`, '--log.level=error'], { stdio: 'ignore' });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-1860-'));
      ({ proc: prom, url: promUrl } = await startPrometheus(dir, [
        { name: 'agent', port: agent.port },
        { name: 'node', port: nePort },
      ]));
      await waitFor(
        'both targets to be up',
        async () =>
          (await query('sum(up)')).data?.result.length === 1 && (await query('up == 1')).data.result.length === 2,
        60000,
        500,
      );
      // rate() over the 1m windows wants a few samples of each series, from both jobs.
      await waitFor(
        'ten seconds of samples from both jobs',
        async () => (await query('count_over_time(node_load1[15s]) >= 10')).data.result.length === 2,
        60000,
        500,
      );
    }, 180000);

    afterAll(async () => {
      prom?.kill('SIGTERM');
      ne?.kill('SIGTERM');
      await agent?.stop();
      await new Promise((r) => setTimeout(r, 500));
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    test('every panel query with data for node_exporter has data for the agent', async () => {
      const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as unknown;
      const exprs = [
        ...new Set(
          dashboardQueries(dashboard)
            .filter((q) => !q.where.startsWith('variable'))
            .map((q) => q.expr),
        ),
      ];
      expect(exprs.length).toBeGreaterThan(200);
      let neAnswered = 0;
      let agentAnswered = 0;
      const missing: string[] = [];
      for (const expr of exprs) {
        const neRes = await query(substituteGrafanaVariables(expr, { job: 'node', node: `127.0.0.1:${nePort}` }));
        const agRes = await query(substituteGrafanaVariables(expr, { job: 'agent', node: `127.0.0.1:${agent.port}` }));
        // A query Prometheus refuses is a defect of the substitution, not of either exporter: it must not happen.
        expect({ expr, ne: neRes.status, agent: agRes.status }).toEqual({ expr, ne: 'success', agent: 'success' });
        const ne = neRes.data.result.length > 0;
        const ag = agRes.data.result.length > 0;
        if (ne) neAnswered++;
        if (ag) agentAnswered++;
        if (ne && !ag) missing.push(expr);
      }
      // The figures, for the README and the count (node_exporter's and ours of the unique panel queries).
      process.stdout.write(
        `dashboard 1860: ${exprs.length} unique panel queries; node_exporter answers ${neAnswered}, the agent ${agentAnswered}\n`,
      );
      expect(neAnswered).toBeGreaterThan(50);
      expect(missing).toEqual([]);
    }, 120000);
  });
});
