/**
 * Issue 11 #10 through the built agent: a process whose name holds `\r` (any user can set one with prctl) used to make
 * the OpenMetrics conversion refuse the whole host, which then got text 0.0.4 (and an error line per snapshot). Now
 * Prometheus's Accept gets OpenMetrics with that name as its group label, and both formats pass Prometheus's parsers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTextFormat } from '../../src/exporters/exposition';
import { describeWithBinary, promtoolCheck, request, startAgent, waitFor, type RunningAgent } from './agent-process';

/** Prometheus 2.42's scrape Accept header (scrape/scrape.go). */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const tag = Math.random().toString(16).slice(2, 6);
/** comm holds 15 bytes: `cr`, a carriage return, the tag. */
const comm = `cr\r${tag}`;

describeWithBinary('promtool')('a process name with a carriage return', () => {
  let dir: string;
  let agent: RunningAgent;
  let kid: ChildProcess;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-om-e2e-'));
    // PR_SET_NAME (15) from the process itself, as any unprivileged user can.
    kid = spawn(
      '/usr/bin/python3',
      ['-c', `import ctypes, time\nctypes.CDLL(None).prctl(15, b"cr\\r${tag}", 0, 0, 0)\ntime.sleep(600)`],
      { stdio: 'ignore' },
    );
    await waitFor(
      'the renamed process',
      () => Promise.resolve(fs.readFileSync(`/proc/${kid.pid as number}/comm`, 'utf8') === `${comm}\n`),
      10000,
    );
    const file = path.join(dir, 'agent.yaml');
    fs.writeFileSync(file, `log: {level: info}\nprocess_names:\n  - name: "{{.Comm}}"\n    comm: ["cr\\r${tag}"]\n`);
    agent = await startAgent([`--config.file=${file}`]);
  });

  afterAll(async () => {
    kid?.kill('SIGKILL');
    await agent?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('Prometheus gets OpenMetrics holding the name raw, and its parser reads the name back as it was', async () => {
    const om = await waitFor('the group in OpenMetrics', async () => {
      const r = await request(`${agent.url}/metrics`, { headers: { accept: PROMETHEUS_ACCEPT } });
      const body = r.body.toString('utf8');
      return body.includes(`namedprocess_namegroup_num_procs{groupname="${comm}"} 1\n`) ? r : null;
    });
    expect(om.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const text = om.body.toString('utf8');
    expect(text.endsWith('# EOF\n')).toBe(true);
    // Backfilled by Prometheus's OpenMetrics parser (it wants a timestamp on every sample) and dumped back.
    const stamped = text
      .split('\n')
      .map((l) => (l === '' || l.startsWith('#') ? l : `${l} 1700000000`))
      .join('\n');
    fs.writeFileSync(path.join(dir, 'scrape.om'), stamped);
    const b = spawnSync(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', path.join(dir, 'scrape.om'), path.join(dir, 'tsdb')],
      { encoding: 'utf8', timeout: 120000 },
    );
    expect({ status: b.status, stderr: b.stderr }).toEqual({ status: 0, stderr: '' });
    fs.mkdirSync(path.join(dir, 'tsdb', 'wal'), { recursive: true });
    const d = spawnSync('promtool', ['tsdb', 'dump', path.join(dir, 'tsdb')], {
      encoding: 'utf8',
      timeout: 120000,
      maxBuffer: 64 << 20,
    });
    expect(d.status).toBe(0);
    expect(d.stdout).toContain(
      `{__name__="namedprocess_namegroup_num_procs", groupname="cr\\r${tag}"} 1 1700000000000`,
    );
    expect(agent.stderr()).not.toMatch(/OpenMetrics/);
  });

  test('text 0.0.4 holds the same name and passes promtool check metrics (lints of node_exporter names aside)', async () => {
    const r = await request(`${agent.url}/metrics`);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = r.body.toString('utf8');
    const group = parseTextFormat(text).find((f) => f.name === 'namedprocess_namegroup_num_procs');
    expect(group?.samples.map((s) => s.labels['groupname'])).toContain(comm);
    // Lints of node_exporter's own names (node_netstat_Tcp_..., node_entropy_available_bits) aside: a parse error
    // would read "error while linting: text format parsing error in line N".
    expect(
      promtoolCheck(text).problems.filter((p) => !/^node_\S+ (metric names should|use base unit)/.test(p)),
    ).toEqual([]);
  });
});
