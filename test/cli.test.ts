/**
 * The command line (src/config/flags.ts): node_exporter's flags read with kingpin's rules into config assignments,
 * checked against Debian's node_exporter 1.5 `--help` where it is installed (every flag it lists is either read,
 * ignored with a reason, or refused naming the flag), and applied by the loader as the keys they set.
 */
import { spawnSync } from 'node:child_process';
import { ConfigError } from '../src/config/errors';
import {
  FlagError,
  NODE_EXPORTER_COLLECTORS,
  helpText,
  parseFlags,
  resolveCollector,
  type FlagAssignment,
} from '../src/config/flags';
import { parseConfig } from '../src/config/load';
import { COLLECTOR_NAMES } from '../src/exporters/collectors/names';
import { describeWithBinary } from './e2e/agent-process';

function problems(argv: string[]): string[] {
  try {
    parseFlags(argv);
  } catch (e) {
    if (e instanceof FlagError) return [...e.problems];
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(argv)} to be refused`);
}

const value = (as: readonly FlagAssignment[], path: string): unknown =>
  as.filter((a) => a.path.join('.') === path).at(-1)?.value;

describe('kingpin rules', () => {
  test('--flag=value and --flag value; our own flags', () => {
    const f = parseFlags([
      '--config.file',
      'a.yaml',
      '--web.telemetry-path=/m',
      '--path.procfs',
      '/host/proc',
      '--once',
    ]);
    expect(f).toMatchObject({ configFile: 'a.yaml', once: true, checkConfig: false, help: false });
    expect(value(f.assignments, 'web.telemetry_path')).toBe('/m');
    expect(value(f.assignments, 'paths.procfs')).toBe('/host/proc');
  });

  test('booleans: --flag, --no-flag, =true/=false; a value after --no- is refused', () => {
    const f = parseFlags(['--collector.cpu.info', '--no-collector.cpu.guest', '--collector.stat.softirq=false']);
    expect(value(f.assignments, 'collectors.cpu.info')).toBe(true);
    expect(value(f.assignments, 'collectors.cpu.guest')).toBe(false);
    expect(value(f.assignments, 'collectors.stat.softirq')).toBe(false);
    expect(problems(['--no-collector.cpu=x'])[0]).toMatch(/--no-collector.cpu: a boolean flag takes no value/);
  });

  test('a repeated --web.listen-address makes a list; a single one a string; the last value of others wins', () => {
    const f = parseFlags(['--web.listen-address=:1', '--web.listen-address', '127.0.0.1:2', '--log.level=warn']);
    expect(value(f.assignments, 'web.listen_address')).toEqual([':1', '127.0.0.1:2']);
    expect(value(parseFlags(['--web.listen-address=:1']).assignments, 'web.listen_address')).toBe(':1');
  });

  test('unknown flags, missing values and arguments are refused, every one named', () => {
    expect(problems(['--web.listen-adress=:1', '--path.procfs', 'x', 'extra', '--log.level'])).toEqual([
      '--web.listen-adress: unknown flag (try --help)',
      'unexpected argument "extra": every setting is a --flag (try --help)',
      '--log.level: expected a value (--log.level=VALUE)',
    ]);
    expect(problems(['--no-web.telemetry-path'])).toEqual(['--no-web.telemetry-path: unknown flag (try --help)']);
  });

  test('-h, --help, --help-long, --version', () => {
    expect(parseFlags(['-h']).help).toBe(true);
    expect(parseFlags(['--help-long']).help).toBe(true);
    expect(parseFlags(['--version']).version).toBe(true);
  });
});

describe('collectors', () => {
  test('--[no-]collector.<name> sets enabled, under node_exporter names too (tcpstat is our sockets)', () => {
    const f = parseFlags(['--collector.processes', '--no-collector.cpu', '--collector.tcpstat']);
    expect(value(f.assignments, 'collectors.processes.enabled')).toBe(true);
    expect(value(f.assignments, 'collectors.cpu.enabled')).toBe(false);
    expect(value(f.assignments, 'collectors.sockets.enabled')).toBe(true);
  });

  test('hwmon, thermal_zone and powersupplyclass are parts of sensors: each its own switch', () => {
    const f = parseFlags(['--no-collector.hwmon', '--collector.thermal_zone']);
    expect(value(f.assignments, 'collectors.sensors.hwmon')).toBe(false);
    expect(value(f.assignments, 'collectors.sensors.thermal_zone')).toBe(true);
    expect(value(f.assignments, 'collectors.sensors.enabled')).toBe(true);
  });

  test('turning on a collector the agent lacks is refused naming it; turning one off is a note', () => {
    expect(problems(['--collector.wifi', '--collector.buddyinfo'])).toEqual([
      "--collector.wifi: node_exporter's wifi collector is not in this agent (README: collectors)",
      "--collector.buddyinfo: node_exporter's buddyinfo collector is not in this agent (README: collectors)",
    ]);
    const f = parseFlags(['--no-collector.wifi']);
    expect(f.assignments).toEqual([]);
    expect(f.notes).toEqual([{ level: 'info', flag: '--no-collector.wifi', msg: expect.stringMatching(/no wifi/) }]);
  });

  test('an option of a collector the agent lacks is refused; one node_exporter dropped is a warning', () => {
    expect(problems(['--collector.qdisc.fixtures=x'])[0]).toMatch(/qdisc collector, which this agent does not have/);
    expect(parseFlags(['--collector.gmond']).notes[0]).toMatchObject({ level: 'warn' });
  });

  test('generic options: --collector.<name>.<a-b.c> sets collectors.<ours>.a_b_c', () => {
    const f = parseFlags(['--collector.netclass.ignored-devices=^veth', '--collector.cpu.info.flags-include=^aes$']);
    expect(value(f.assignments, 'collectors.netclass.ignored_devices')).toBe('^veth');
    expect(value(f.assignments, 'collectors.cpu.flags_include')).toBe('^aes$');
  });

  test('old spellings are read as the new ones, with a warning', () => {
    const f = parseFlags(['--collector.filesystem.ignored-mount-points=^/x', '--collector.netdev.device-blacklist=lo']);
    expect(value(f.assignments, 'collectors.filesystem.mount_points_exclude')).toBe('^/x');
    expect(value(f.assignments, 'collectors.netdev.device_exclude')).toBe('lo');
    expect(f.notes.map((n) => n.level)).toEqual(['warn', 'warn']);
  });

  test('the table maps every collector of ours that node_exporter has under another name', () => {
    for (const c of NODE_EXPORTER_COLLECTORS) {
      const r = resolveCollector(c.name);
      if (r.ours !== null) expect(COLLECTOR_NAMES).toContain(r.ours);
    }
    expect(resolveCollector('hwmon')).toMatchObject({ ours: 'sensors' });
    expect(resolveCollector('users')).toEqual({ ours: 'users' });
  });

  test('--help lists the flags and the collectors', () => {
    const h = helpText();
    for (const f of ['--web.listen-address', '--[no-]web.disable-exporter-metrics', '--path.udev.data', '--log.format'])
      expect(h).toContain(f);
    expect(h).toMatch(/sockets \(node_exporter: tcpstat\)/);
  });
});

describe('flags and the file are one model', () => {
  const load = (argv: string[], text = ''): ReturnType<typeof parseConfig> =>
    parseConfig(text, 'c.yaml', parseFlags(argv).assignments);

  test('a flag overrides its key in the file', () => {
    const c = load(['--web.max-requests=3', '--path.procfs=/host/proc'], 'web: {max_requests: 9}\n');
    expect(c.web.maxRequests).toBe(3);
    expect(c.paths.procfs).toBe('/host/proc');
  });

  test("node_exporter's default set: processes, sockets, interrupts, softirqs, cpu_vulnerabilities, systemd off; ours: cgroups", () => {
    const c = load([]);
    expect(
      Object.entries(c.collectors)
        .filter(([, s]) => !s.enabled)
        .map(([n]) => n)
        .sort(),
    ).toEqual(['cgroups', 'cpu_vulnerabilities', 'interrupts', 'processes', 'sockets', 'softirqs', 'systemd']);
  });

  test('--collector.cgroups and its options set the config keys', () => {
    const c = load(['--collector.cgroups', '--collector.cgroups.depth=3', '--no-collector.cgroups.io']);
    expect(c.collectors['cgroups']?.enabled).toBe(true);
    expect(c.collectors['cgroups']?.options).toMatchObject({ depth: 3, io: false, memory: true });
  });

  test('--collector.disable-defaults: only what the line or the file names (forced either way), process_groups kept', () => {
    const c = load(
      ['--collector.disable-defaults', '--collector.cpu', '--collector.hwmon'],
      'collectors: {meminfo: {enabled: true}}\n',
    );
    const on = Object.entries(c.collectors)
      .filter(([, s]) => s.enabled)
      .map(([n]) => n)
      .sort();
    expect(on).toEqual(['cpu', 'meminfo', 'process_groups', 'sensors']);
    expect(c.collectors['sensors']?.options).toMatchObject({
      hwmon: true,
      thermal_zone: false,
      powersupplyclass: false,
    });
  });

  test('all three sensors parts off turns sensors off', () => {
    const c = load(['--no-collector.hwmon', '--no-collector.thermal_zone', '--no-collector.powersupplyclass']);
    expect(c.collectors['sensors']?.enabled).toBe(false);
  });

  test('several listeners; log format; exporter metrics; web config file', () => {
    const c = load([
      '--web.listen-address=127.0.0.1:1',
      '--web.listen-address=[::1]:2',
      '--log.format=logfmt',
      '--web.disable-exporter-metrics',
      '--web.config.file=/etc/node_exporter/web.yml',
    ]);
    expect(c.web.listeners).toEqual([
      { text: '127.0.0.1:1', host: '127.0.0.1', port: 1 },
      { text: '[::1]:2', host: '::1', port: 2 },
    ]);
    expect([c.web.port, c.log.format, c.web.disableExporterMetrics, c.web.configFile]).toEqual([
      1,
      'logfmt',
      true,
      '/etc/node_exporter/web.yml',
    ]);
  });

  test("a flag's bad value is reported under the flag, not a place in the file", () => {
    const refusal = (argv: string[]): string => {
      try {
        load(argv, 'log: {level: warn}\n');
      } catch (e) {
        if (e instanceof ConfigError) return e.message;
        throw e;
      }
      throw new Error('expected a refusal');
    };
    const shape = refusal(['--web.max-requests=many', '--collector.cpu.info.nope=1']);
    expect(shape).toMatch(/^command line: --web.max-requests=many: web.max_requests: expected an integer/m);
    expect(shape).toMatch(/^command line: --collector.cpu.info.nope=1: collectors.cpu.info_nope: unknown key/m);
    expect(refusal(['--collector.vmstat.fields=('])).toMatch(
      /^command line: --collector.vmstat.fields=\(: collectors.vmstat.fields: expected an RE2/m,
    );
  });
});

/** node_exporter 1.5's flags, as its --help lists them: `--[no-]name` and whether it takes a value. */
function nodeExporterFlags(): { name: string; bool: boolean }[] {
  const r = spawnSync('prometheus-node-exporter', ['--help'], { encoding: 'utf8', timeout: 10_000 });
  const out: { name: string; bool: boolean }[] = [];
  for (const m of `${r.stdout}${r.stderr}`.matchAll(/^\s+(?:-h, )?--([a-zA-Z0-9_.-]+)(=\S*)?/gm))
    out.push({ name: m[1] as string, bool: m[2] === undefined });
  return out;
}

describeWithBinary('prometheus-node-exporter')("against node_exporter 1.5's own --help", () => {
  const flags = nodeExporterFlags();

  test('its flag list is read (sanity: more than 100 flags)', () => {
    expect(flags.length).toBeGreaterThan(100);
  });

  test('every flag is read, noted or refused naming itself: never "unknown flag"', () => {
    for (const { name, bool } of flags) {
      if (name === 'help' || name === 'version') continue;
      const argv = bool ? [`--${name}`] : [`--${name}=x`];
      try {
        parseFlags(argv);
      } catch (e) {
        if (!(e instanceof FlagError)) throw e;
        expect(e.problems).toHaveLength(1);
        expect(e.problems[0]).not.toMatch(/unknown flag/);
        expect(e.problems[0]).toContain(`--${name}`);
      }
    }
  });

  test('its collectors and their default states are the table', () => {
    const listed = new Map<string, boolean>();
    const r = spawnSync('prometheus-node-exporter', ['--help'], { encoding: 'utf8', timeout: 10_000 });
    for (const m of `${r.stdout}${r.stderr}`.matchAll(
      /--collector\.([a-z_]+)\s+Enable the \1 collector \(default:\s+(enabled|disabled)\)/g,
    ))
      listed.set(m[1] as string, m[2] === 'enabled');
    expect(listed.size).toBeGreaterThan(50);
    expect(new Map(NODE_EXPORTER_COLLECTORS.map((c) => [c.name, c.defaultOn]))).toEqual(listed);
  });

  test("our defaults are node_exporter's for every collector both have", () => {
    const cfg = parseConfig('');
    for (const c of NODE_EXPORTER_COLLECTORS) {
      const r = resolveCollector(c.name);
      if (r.ours === null) continue;
      const s = cfg.collectors[r.ours];
      const on = r.part !== undefined ? s?.enabled === true && s.options[r.part.part as string] !== false : s?.enabled;
      // systemd: Debian's build turns it on, upstream's leaves it off; the systemd collector follows its own notes.
      if (c.name === 'systemd') continue;
      expect([c.name, on]).toEqual([c.name, c.defaultOn]);
    }
  });
});
