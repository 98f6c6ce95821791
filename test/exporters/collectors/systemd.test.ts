/**
 * The systemd collector against a real dbus-daemon serving test/helpers/systemd-standin.js (this machine runs no
 * systemd): every family, label and value is what the stand-in's spec says, worked out by hand below from
 * node_exporter 1.5's rules (src/exporters/collectors/systemd.ts); test/e2e/systemd.test.ts puts Debian's
 * node_exporter on the same stand-in. Also: which D-Bus calls each option makes, failures (no bus, no systemd on the
 * bus, a systemd too slow, no SystemState) as a failed collector rather than a crash, and the D-Bus library loaded only
 * when the collector runs.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Family } from '../../../src/exporters/catalog';
import {
  busCandidates,
  DEFAULT_UNIT_EXCLUDE,
  parseSystemdVersion,
  summarize,
  systemdCollector,
  systemdFamilies,
  unitFilter,
  type SystemdData,
} from '../../../src/exporters/collectors/systemd';
import { CollectionEngine } from '../../../src/exporters/engine';
import { COLLECTORS } from '../../../src/exporters/collectors';
import { createPsutil } from '../../../src/index';
import { own, REPO } from '../../helpers/fixtures';
import { startPrivateBus, withDbusDaemon, type PrivateBus, type StandinSpec } from '../../helpers/systemd-bus';

/** A host's worth of units covering each rule (each odd one says why in its `why`). */
const HOST = JSON.parse(fs.readFileSync(own('systemd', 'host.json'), 'utf8')) as StandinSpec;

/** Families as sorted `name{labels} value` lines, the family's type and HELP on its first. */
function lines(fams: readonly Family[]): string[] {
  const out: string[] = [];
  for (const f of fams) {
    out.push(`# ${f.name} ${f.type} ${f.help}`);
    for (const s of f.series) {
      const labels = f.labelNames.map((l) => `${l}="${s.labels[l] ?? ''}"`).join(',');
      out.push(`${f.name}${labels ? `{${labels}}` : ''} ${s.value}`);
    }
  }
  return out.sort();
}

function states(name: string, type: string, active: string): string[] {
  return ['active', 'activating', 'deactivating', 'inactive', 'failed'].map(
    (s) => `node_systemd_unit_state{name="${name}",state="${s}",type="${type}"} ${s === active ? 1 : 0}`,
  );
}

const HELP = {
  state: '# node_systemd_unit_state gauge Systemd unit',
  units: '# node_systemd_units gauge Summary of systemd unit states',
  running: "# node_systemd_system_running gauge Whether the system is operational (see 'systemctl is-system-running')",
  version: '# node_systemd_version gauge Detected systemd version',
  start: '# node_systemd_unit_start_time_seconds gauge Start time of the unit since unix epoch in seconds.',
  restarts: '# node_systemd_service_restart_total counter Service unit count of Restart triggers',
  tasksCurrent: '# node_systemd_unit_tasks_current gauge Current number of tasks per Systemd unit',
  tasksMax: '# node_systemd_unit_tasks_max gauge Maximum number of tasks per Systemd unit',
  accepted: '# node_systemd_socket_accepted_connections_total counter Total number of accepted socket connections',
  current: '# node_systemd_socket_current_connections gauge Current number of socket connections',
  refused: '# node_systemd_socket_refused_connections_total gauge Total number of refused socket connections',
  trigger: '# node_systemd_timer_last_trigger_seconds gauge Seconds since epoch of last trigger.',
};

/** HOST with the default options: every family but the three opt-in ones. */
const HOST_DEFAULT = [
  HELP.version,
  'node_systemd_version{version="252.30-1~deb12u2"} 252.3',
  HELP.units,
  // Every listed unit, loaded or not, excluded or not: 8 active, 1 failed, 2 inactive, 1 reloading.
  'node_systemd_units{state="active"} 8',
  'node_systemd_units{state="activating"} 0',
  'node_systemd_units{state="deactivating"} 0',
  'node_systemd_units{state="failed"} 1',
  'node_systemd_units{state="inactive"} 2',
  'node_systemd_units{state="reloading"} 1',
  HELP.running,
  'node_systemd_system_running 1',
  HELP.state,
  // Kept: loaded, and not .mount/.device (the default exclusions); multi-user.target stays (Debian's exclusion only).
  ...states('ssh.service', 'notify', 'active'),
  ...states('cron.service', 'simple', 'failed'),
  ...states('foo@bar-1.service', 'oneshot', 'reloading'),
  ...states('odd.service', '', 'inactive'),
  ...states('dbus.socket', '', 'active'),
  ...states('old.socket', '', 'active'),
  ...states('bare.socket', '', 'active'),
  ...states('apt-daily.timer', '', 'active'),
  ...states('multi-user.target', '', 'active'),
  HELP.accepted,
  'node_systemd_socket_accepted_connections_total{name="dbus.socket"} 7',
  'node_systemd_socket_accepted_connections_total{name="old.socket"} 5',
  HELP.current,
  'node_systemd_socket_current_connections{name="dbus.socket"} 1',
  'node_systemd_socket_current_connections{name="old.socket"} 0',
  HELP.refused,
  'node_systemd_socket_refused_connections_total{name="dbus.socket"} 3',
  HELP.trigger,
  'node_systemd_timer_last_trigger_seconds{name="apt-daily.timer"} 1700000100',
];

/** What the three options add on HOST. */
const HOST_OPT_IN = [
  HELP.start,
  // Active units: ActiveEnterTimestamp / 1e6 where systemd answers; the others 0 without asking.
  'node_systemd_unit_start_time_seconds{name="ssh.service"} 1700000000.123456',
  'node_systemd_unit_start_time_seconds{name="dbus.socket"} 1699999999.000001',
  'node_systemd_unit_start_time_seconds{name="cron.service"} 0',
  'node_systemd_unit_start_time_seconds{name="foo@bar-1.service"} 0',
  'node_systemd_unit_start_time_seconds{name="odd.service"} 0',
  HELP.restarts,
  'node_systemd_service_restart_total{name="ssh.service"} 2',
  'node_systemd_service_restart_total{name="cron.service"} 0',
  'node_systemd_service_restart_total{name="foo@bar-1.service"} 1',
  HELP.tasksCurrent,
  // UINT64_MAX (cron's TasksCurrent, ssh's TasksMax) is "no value".
  'node_systemd_unit_tasks_current{name="ssh.service"} 1',
  'node_systemd_unit_tasks_current{name="foo@bar-1.service"} 3',
  HELP.tasksMax,
  'node_systemd_unit_tasks_max{name="cron.service"} 4915',
  'node_systemd_unit_tasks_max{name="foo@bar-1.service"} 10',
];

const ALL_ON = { enable_task_metrics: true, enable_restarts_metrics: true, enable_start_time_metrics: true };

describe('the pure parts', () => {
  test("node_exporter's version parse: the first 3+ digits with a fraction", () => {
    expect(parseSystemdVersion('252.30-1~deb12u2')).toEqual({ version: '252.30-1~deb12u2', number: 252.3 });
    expect(parseSystemdVersion('v256.7')).toEqual({ version: 'v256.7', number: 256.7 });
    expect(parseSystemdVersion('245')).toEqual({ version: '245', number: 245 });
    expect(parseSystemdVersion('99')).toEqual({ version: '', number: 0 });
    expect(parseSystemdVersion('')).toEqual({ version: '', number: 0 });
  });

  test('unit filter: whole names, include then exclude; the default exclusions', () => {
    const f = unitFilter('.+', DEFAULT_UNIT_EXCLUDE);
    expect(
      ['a.service', 'b.mount', 'c.device', 'd.slice', 'e.scope', 'f.automount', 'g.target'].filter((n) => f.passes(n)),
    ).toEqual(['a.service', 'g.target']);
    const g = unitFilter('ssh', '');
    expect(['ssh', 'ssh.service', 'openssh'].filter((n) => g.passes(n))).toEqual(['ssh']);
    expect(unitFilter('', '').passes('x.service')).toBe(false);
  });

  test('summary: the five states always, then any other in order of appearance', () => {
    expect(summarize(['active', 'maintenance', 'active'])).toEqual([
      ['active', 2],
      ['activating', 0],
      ['deactivating', 0],
      ['inactive', 0],
      ['failed', 0],
      ['maintenance', 1],
    ]);
  });

  test("where it connects: bus_address; else the system bus, then root's private socket (go-systemd's order)", () => {
    const client = { DEFAULT_SYSTEM_BUS: 'unix:path=/var/run/dbus/system_bus_socket', SYSTEMD_PRIVATE_SOCKET: 'P' };
    const o = (raw: Record<string, unknown>) => systemdCollector.options(raw);
    expect(busCandidates(o({}), {}, 1000, client)).toEqual([['unix:path=/var/run/dbus/system_bus_socket', false]]);
    expect(busCandidates(o({}), { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/x' }, 0, client)).toEqual([
      ['unix:path=/x', false],
      ['P', true],
    ]);
    expect(busCandidates(o({ private: true }), {}, 0, client)).toEqual([['P', true]]);
    expect(busCandidates(o({ bus_address: 'tcp:host=h,port=1', private: true }), {}, 0, client)).toEqual([
      ['tcp:host=h,port=1', false],
    ]);
  });

  test('families: absent values are absent series, system_running only when read', () => {
    const d: SystemdData = {
      version: '',
      versionNumber: 0,
      summary: summarize([]),
      systemRunning: null,
      units: [],
    };
    expect(lines(systemdFamilies(d)).filter((l) => !l.startsWith('node_systemd_units'))).toEqual([
      HELP.units,
      HELP.version,
      'node_systemd_version{version=""} 0',
    ]);
  });
});

withDbusDaemon().describe('against a dbus-daemon serving a systemd stand-in', () => {
  let bus: PrivateBus;
  const psutil = createPsutil();
  const env = { psutil, roots: { procfs: '/proc', sysfs: '/sys', rootfs: '/' } };

  beforeAll(async () => {
    bus = await startPrivateBus();
  }, 30000);
  afterAll(async () => {
    await bus?.stop();
  });

  async function collect(opts: Record<string, unknown> = {}, timeoutMs = 10000): Promise<string[]> {
    const o = systemdCollector.options({ bus_address: bus.address, ...opts });
    const data = await systemdCollector.create(env, o)({ deadline: Date.now() + timeoutMs });
    return lines(systemdCollector.prometheus(data, o));
  }

  /** One pass through the engine, as the worker runs it: the result's ok and error. */
  async function pass(opts: Record<string, unknown>, timeoutMs: number): Promise<{ ok: boolean; error: string }> {
    const engine = new CollectionEngine(env, COLLECTORS, [{ name: 'systemd', timeoutMs, options: opts }]);
    const { results } = await engine.run();
    const r = results[0];
    return { ok: r?.ok ?? false, error: r?.error ?? '' };
  }

  test('default options: the families node_exporter 1.5 serves, from what the stand-in holds', async () => {
    await bus.serve(HOST);
    expect(await collect()).toEqual([...HOST_DEFAULT].sort());
    // Asked as node_exporter asks: no property the default options do not need.
    const asked = new Set(bus.calls().map((c) => (c.member === 'Get' ? `${c.args.join('.')}` : c.member)));
    expect([...asked].sort()).toEqual(
      [
        'ListUnits',
        'org.freedesktop.systemd1.Manager.SystemState',
        'org.freedesktop.systemd1.Manager.Version',
        'org.freedesktop.systemd1.Service.Type',
        'org.freedesktop.systemd1.Socket.NAccepted',
        'org.freedesktop.systemd1.Socket.NConnections',
        'org.freedesktop.systemd1.Socket.NRefused',
        'org.freedesktop.systemd1.Timer.LastTriggerUSec',
      ].sort(),
    );
  });

  test('enable_task_metrics, enable_restarts_metrics, enable_start_time_metrics add their families', async () => {
    await bus.serve(HOST);
    expect(await collect(ALL_ON)).toEqual([...HOST_DEFAULT, ...HOST_OPT_IN].sort());
    // Start times are asked of active units only.
    const startAsked = bus
      .calls()
      .filter((c) => c.args[1] === 'ActiveEnterTimestamp')
      .map((c) => c.path.replace(/^.*\//, ''))
      .sort();
    expect(startAsked).toEqual(
      [
        'apt_2ddaily_2etimer',
        'bare_2esocket',
        'dbus_2esocket',
        'multi_2duser_2etarget',
        'old_2esocket',
        'ssh_2eservice',
      ].sort(),
    );
  });

  test('unit_include and unit_exclude match whole names; node_systemd_units still counts every unit', async () => {
    await bus.serve(HOST);
    const got = await collect({ unit_include: 'ssh.*|cron.*|.+\\.mount', unit_exclude: 'cron.*' });
    expect(got.filter((l) => l.startsWith('node_systemd_unit_state'))).toEqual(
      [...states('ssh.service', 'notify', 'active'), ...states('-.mount', 'ext4', 'active')].sort(),
    );
    expect(got).toContain('node_systemd_units{state="active"} 8');
    expect(got.some((l) => l.startsWith('node_systemd_socket') || l.startsWith('node_systemd_timer'))).toBe(false);
  });

  test('below systemd 212: no SystemState, no timers, and neither is asked', async () => {
    await bus.serve({ ...HOST, version: '211' });
    const got = await collect();
    expect(got).toContain('node_systemd_version{version="211"} 211');
    expect(got.some((l) => /system_running|timer_last_trigger/.test(l))).toBe(false);
    expect(bus.calls().filter((c) => c.args[1] === 'SystemState' || c.args[1] === 'LastTriggerUSec')).toEqual([]);
  });

  test('a version without a number is 0 with version="" (so: no SystemState either)', async () => {
    await bus.serve({ ...HOST, version: 'unknown' });
    const got = await collect();
    expect(got).toContain('node_systemd_version{version=""} 0');
    expect(got.some((l) => l.startsWith('node_systemd_system_running'))).toBe(false);
  });

  test('a system that is not "running" is 0', async () => {
    await bus.serve({ ...HOST, systemState: 'degraded' });
    expect(await collect()).toContain('node_systemd_system_running 0');
  });

  test('a host of 400 services: every property read, within the limit of pending replies', async () => {
    // 2,000 property reads, more than dbus-daemon lets one connection wait for at once (max_replies_per_connection,
    // left at its built-in default here as on the system bus): the client keeps at most MAX_CALLS_IN_FLIGHT waiting.
    const units = Array.from({ length: 400 }, (_, i) => ({
      name: `svc${i}.service`,
      loadState: 'loaded',
      activeState: i % 4 === 0 ? 'failed' : 'active',
      subState: 'running',
      props: {
        Unit: { ActiveEnterTimestamp: 1700000000000000 + i },
        Service: { Type: 'simple', NRestarts: i, TasksCurrent: i % 7, TasksMax: 100 + i },
      },
    }));
    await bus.serve({ version: '252', systemState: 'running', units });
    const got = await collect(ALL_ON, 60000);
    const count = (prefix: string): number => got.filter((l) => l.startsWith(prefix)).length;
    expect(count('node_systemd_unit_state{')).toBe(2000);
    expect(count('node_systemd_service_restart_total{')).toBe(400);
    expect(count('node_systemd_unit_tasks_current{')).toBe(400);
    expect(count('node_systemd_unit_tasks_max{')).toBe(400);
    expect(count('node_systemd_unit_start_time_seconds{')).toBe(400);
    expect(got).toContain('node_systemd_service_restart_total{name="svc399.service"} 399');
    expect(got).toContain('node_systemd_unit_start_time_seconds{name="svc1.service"} 1700000000.000001');
    expect(got).toContain('node_systemd_unit_start_time_seconds{name="svc4.service"} 0');
    expect(got).toContain('node_systemd_units{state="failed"} 100');
  }, 90000);

  test('a bus that refuses calls (LimitsExceeded): the data served, the collector marked incomplete', async () => {
    // A bus that lets a connection wait on 4 calls only, fewer than the client sends at once: some reads are refused.
    const tight = await startPrivateBus({ maxReplies: 4 });
    try {
      const units = Array.from({ length: 40 }, (_, i) => ({
        name: `svc${i}.service`,
        loadState: 'loaded',
        activeState: 'active',
        subState: 'running',
        props: { Service: { Type: 'simple', NRestarts: i } },
      }));
      await tight.serve({ version: '252', systemState: 'running', units });
      const engine = new CollectionEngine(env, COLLECTORS, [
        { name: 'systemd', timeoutMs: 30000, options: { bus_address: tight.address, enable_restarts_metrics: true } },
      ]);
      const r = (await engine.run()).results[0];
      expect(r?.ok).toBe(true);
      expect(r?.incomplete).toMatch(/LimitsExceeded/);
      const fams = systemdCollector.prometheus((r as { data: SystemdData }).data, systemdCollector.options({}));
      expect(fams.find((f) => f.name === 'node_systemd_units')?.series.length).toBe(5);
    } finally {
      await tight.stop();
    }
  }, 60000);

  test('failures are a failed collector, not a crash', async () => {
    // No SystemState answer: node_exporter's Update fails the same way.
    const { systemState: _s, ...noState } = HOST;
    await bus.serve(noState as StandinSpec);
    const r1 = await pass({ bus_address: bus.address }, 10000);
    expect(r1.ok).toBe(false);
    expect(r1.error).toMatch(/UnknownProperty/);

    // A systemd slower than the budget.
    await bus.serve({ ...HOST, delayMs: 3000 });
    const r2 = await pass({ bus_address: bus.address }, 300);
    expect(r2.ok).toBe(false);
    expect(r2.error).toMatch(/budget/);

    // A bus without systemd on it.
    await bus.unserve();
    const r3 = await pass({ bus_address: bus.address }, 10000);
    expect(r3.ok).toBe(false);
    expect(r3.error).toMatch(/ServiceUnknown|NameHasNoOwner/);

    // No bus at all, and an address the library cannot use.
    const r4 = await pass({ bus_address: `unix:path=${path.join(bus.dir, 'nothing-here')}` }, 10000);
    expect(r4).toEqual({ ok: false, error: expect.stringMatching(/DbusConnectionError: .*ENOENT/) as unknown });
    const r5 = await pass({ bus_address: 'nonsense:x=1' }, 10000);
    expect(r5.ok).toBe(false);
  }, 60000);
});

test('the D-Bus library loads only when the collector runs', () => {
  const script = `
    require(${JSON.stringify(path.join(REPO, 'test', 'helpers', 'ts-require.js'))});
    const loaded = () => Object.keys(require.cache).some((k) => k.includes('dbus-native'));
    const { COLLECTORS } = require(${JSON.stringify(path.join(REPO, 'src', 'exporters', 'collectors', 'index.ts'))});
    const sd = COLLECTORS.get('systemd');
    const before = loaded();
    const fn = sd.create({}, sd.options({ bus_address: 'unix:path=/nonexistent/bus' }));
    const created = loaded();
    fn({ deadline: Date.now() + 5000 }).then(
      () => console.log(JSON.stringify({ before, created, after: loaded(), error: null })),
      (e) => console.log(JSON.stringify({ before, created, after: loaded(), error: e.name })),
    );
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60000, cwd: REPO });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ before: false, created: false, after: true, error: 'DbusConnectionError' });
});
