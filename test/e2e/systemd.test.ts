/**
 * The systemd collector in the running agent (dist/), against a real dbus-daemon serving the systemd stand-in
 * (test/helpers/systemd-standin.js, test/fixtures/systemd/host.json), and side by side with Debian's node_exporter
 * 1.5.0 pointed at the same bus (go-systemd connects to DBUS_SYSTEM_BUS_ADDRESS first): the same node_systemd_*
 * families, types, HELP, series and values. Then the stand-in goes away: the agent keeps serving, with the
 * collector's success 0. Last, where the host runs systemd, the agent and node_exporter on its real system bus.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collectorsOffBut } from '../helpers/e2e';
import { own } from '../helpers/fixtures';
import { onPath, requireOr } from '../helpers/require';
import { startPrivateBus, withDbusDaemon, type PrivateBus, type StandinSpec } from '../helpers/systemd-bus';
import { parseExposition, seriesKey, type Exposition } from '../exporters/golden-compare';
import { describeWithBinary, freePort, request, startAgent, waitFor, type RunningAgent } from './agent-process';

const HOST = JSON.parse(fs.readFileSync(own('systemd', 'host.json'), 'utf8')) as StandinSpec;
/** node_exporter 1.5's own default; Debian's package adds |target, so it is given to node_exporter explicitly. */
const UPSTREAM_EXCLUDE = '.+\\.(automount|device|mount|scope|slice)';

function systemdOnly(e: Exposition): Map<string, number> {
  return new Map(e.series.filter((s) => s.name.startsWith('node_systemd_')).map((s) => [seriesKey(s), s.value]));
}

function success(e: Exposition, family: string): number | undefined {
  return e.series.find((s) => s.name === family && s.labels['collector'] === 'systemd')?.value;
}

withDbusDaemon().describe('the agent with the systemd collector on a private bus', () => {
  let bus: PrivateBus;
  let agent: RunningAgent;
  let dir: string;

  beforeAll(async () => {
    bus = await startPrivateBus();
    await bus.serve(HOST);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-systemd-'));
    const cfg = [
      'collection: {max_age: 100ms}',
      'collectors:',
      ...collectorsOffBut('systemd'),
      `  systemd: {enabled: true, timeout: 5s, bus_address: ${JSON.stringify(bus.address)}, enable_task_metrics: true, enable_restarts_metrics: true, enable_start_time_metrics: true}`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'c.yaml'), cfg);
    agent = await startAgent([`--config.file=${path.join(dir, 'c.yaml')}`, '--log.level=error']);
  }, 120000);

  afterAll(async () => {
    await agent?.stop();
    await bus?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('serves the units the stand-in holds', async () => {
    const e = parseExposition((await request(`${agent.url}/metrics`)).body.toString());
    expect(success(e, 'psutil_exporter_scrape_collector_success')).toBe(1);
    const got = systemdOnly(e);
    expect(got.get('node_systemd_version{version="252.30-1~deb12u2"}')).toBe(252.3);
    expect(got.get('node_systemd_system_running{}')).toBe(1);
    expect(got.get('node_systemd_unit_state{name="ssh.service",state="active",type="notify"}')).toBe(1);
    expect(got.get('node_systemd_unit_start_time_seconds{name="ssh.service"}')).toBe(1700000000.123456);
    expect(got.get('node_systemd_socket_accepted_connections_total{name="dbus.socket"}')).toBe(7);
    expect(e.types.get('node_systemd_service_restart_total')).toBe('counter');
  });

  describeWithBinary('prometheus-node-exporter')('side by side with node_exporter on the same bus', () => {
    let ne: ChildProcess;
    let ours: Exposition;
    let theirs: Exposition;

    beforeAll(async () => {
      const port = await freePort();
      ne = spawn(
        'prometheus-node-exporter',
        [
          `--web.listen-address=127.0.0.1:${port}`,
          '--collector.disable-defaults',
          '--collector.systemd',
          `--collector.systemd.unit-exclude=${UPSTREAM_EXCLUDE}`,
          '--collector.systemd.enable-task-metrics',
          '--collector.systemd.enable-restarts-metrics',
          '--collector.systemd.enable-start-time-metrics',
        ],
        { stdio: 'ignore', env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus.address } },
      );
      const url = `http://127.0.0.1:${port}/metrics`;
      await waitFor('node_exporter', async () => (await request(url)).status === 200);
      theirs = parseExposition((await request(url)).body.toString());
      ours = parseExposition((await request(`${agent.url}/metrics`)).body.toString());
    }, 60000);

    afterAll(() => {
      ne?.kill('SIGTERM');
    });

    test('node_exporter read the stand-in (the comparison is not empty on its side)', () => {
      expect(success(theirs, 'node_scrape_collector_success')).toBe(1);
      expect(systemdOnly(theirs).size).toBeGreaterThan(50);
    });

    test('the same families, types and HELP', () => {
      const fams = (e: Exposition): string[] =>
        [...new Set(e.series.filter((s) => s.name.startsWith('node_systemd_')).map((s) => s.name))].map(
          (f) => `${f} ${e.types.get(f)} ${e.helps.get(f)}`,
        );
      expect(fams(ours).sort()).toEqual(fams(theirs).sort());
    });

    test('the same series with the same values', () => {
      const a = systemdOnly(ours);
      const b = systemdOnly(theirs);
      expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
      const differ = [...b].filter(([k, v]) => a.get(k) !== v).map(([k, v]) => `${k}: ours ${a.get(k)}, theirs ${v}`);
      expect(differ).toEqual([]);
    });
  });

  test('with systemd gone from the bus the agent still serves, the collector failed', async () => {
    await bus.unserve();
    const e = await waitFor('a pass without systemd', async () => {
      const x = parseExposition((await request(`${agent.url}/metrics`)).body.toString());
      return success(x, 'psutil_exporter_scrape_collector_success') === 0 ? x : null;
    });
    expect(systemdOnly(e).size).toBe(0);
    expect(agent.proc.exitCode).toBeNull();
  }, 60000);
});

/**
 * On a host that runs systemd (not this one, nor CI's container): the agent and node_exporter on the real system bus,
 * each with its default connection. Units come and go and task counts move, so what is compared is what holds still:
 * the families with their types and HELP, the units with their types, and the version.
 */
requireOr(
  fs.existsSync('/run/systemd/system') && onPath('prometheus-node-exporter'),
  'no systemd on this host (/run/systemd/system absent) or no prometheus-node-exporter',
  { demand: false },
).describe('on a host with systemd, side by side with node_exporter', () => {
  let agent: RunningAgent;
  let ne: ChildProcess;
  let neUrl: string;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-systemd-live-'));
    const cfg = ['collectors:', ...collectorsOffBut('systemd'), '  systemd: {enabled: true}', ''].join('\n');
    fs.writeFileSync(path.join(dir, 'c.yaml'), cfg);
    agent = await startAgent([`--config.file=${path.join(dir, 'c.yaml')}`, '--log.level=error']);
    const port = await freePort();
    ne = spawn(
      'prometheus-node-exporter',
      [
        `--web.listen-address=127.0.0.1:${port}`,
        '--collector.disable-defaults',
        '--collector.systemd',
        `--collector.systemd.unit-exclude=${UPSTREAM_EXCLUDE}`,
      ],
      { stdio: 'ignore' },
    );
    neUrl = `http://127.0.0.1:${port}/metrics`;
    await waitFor('node_exporter', async () => (await request(neUrl)).status === 200);
  }, 120000);

  afterAll(async () => {
    ne?.kill('SIGTERM');
    await agent?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the same families, units, unit types and version', async () => {
    const still = (e: Exposition): string[] =>
      e.series
        .filter((s) => /^node_systemd_(unit_state|version)$/.test(s.name))
        .map((s) => seriesKey(s))
        .sort();
    // A unit may start or stop between the two reads: compare until two reads agree, within a bound.
    const pair = await waitFor(
      'agreeing reads',
      async () => {
        const theirs = parseExposition((await request(neUrl)).body.toString());
        const ours = parseExposition((await request(`${agent.url}/metrics`)).body.toString());
        return JSON.stringify(still(ours)) === JSON.stringify(still(theirs)) ? { ours, theirs } : null;
      },
      30000,
      1000,
    );
    expect(success(pair.theirs, 'node_scrape_collector_success')).toBe(1);
    expect(success(pair.ours, 'psutil_exporter_scrape_collector_success')).toBe(1);
    const fams = (e: Exposition): string[] =>
      [...new Set(e.series.filter((s) => s.name.startsWith('node_systemd_')).map((s) => s.name))]
        .map((f) => `${f} ${e.types.get(f)} ${e.helps.get(f)}`)
        .sort();
    expect(fams(pair.ours)).toEqual(fams(pair.theirs));
    expect(still(pair.ours).length).toBeGreaterThan(0);
  }, 60000);
});
