import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, configSchema, loadConfigFile, parseConfig, parseListenAddress } from '../../src/config/load';
import { RE2JS } from 're2js';
import { parseDuration } from '../../src/util/duration';
import { COLLECTORS } from '../../src/exporters/collectors';
import { own, REPO, SHARED, testPeer } from '../helpers/fixtures';
import { schemaRegexpDefaults } from '../helpers/generated';

const BAD_DIR = own('config');

function issuesOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  const cfg = parseConfig('');

  test('an empty file gives the documented defaults', () => {
    expect(cfg.web).toEqual({
      listenAddress: '0.0.0.0:9464',
      host: '0.0.0.0',
      port: 9464,
      listeners: [{ text: '0.0.0.0:9464', host: '0.0.0.0', port: 9464 }],
      telemetryPath: '/metrics',
      maxRequests: 40,
      disableExporterMetrics: false,
      configFile: null,
    });
    expect(cfg.log).toEqual({ level: 'info', format: 'json' });
    expect(cfg.paths).toEqual({ procfs: '/proc', sysfs: '/sys', rootfs: '/' });
    expect(cfg.otlp.enabled).toBe(false);
    expect(cfg.otlp.protocol).toBe('http/protobuf');
    expect(cfg.otlp.intervalMs).toBe(60000);
    expect(cfg.admin.enabled).toBe(false);
    expect(cfg.processNames).toEqual([]);
    expect(cfg.collection).toEqual({
      maxAgeMs: 500,
      timeoutMs: 10000,
      collectorTimeoutMs: 5000,
      disableDefaults: false,
    });
    expect(cfg.exposition).toEqual({ maxLabelValueBytes: 1024, maxSeriesPerFamily: 10000 });
  });

  test('exposition caps are read; 0 turns a cap off', () => {
    const c = parseConfig('exposition: {max_label_value_bytes: 256, max_series_per_family: 0}\n');
    expect(c.exposition).toEqual({ maxLabelValueBytes: 256, maxSeriesPerFamily: 0 });
  });

  test('every registered collector has a config entry, and nothing else is in the schema', () => {
    const schemaNames = Object.keys(configSchema().properties?.['collectors']?.properties ?? {}).sort();
    expect(schemaNames).toEqual([...COLLECTORS.keys()].sort());
  });

  test("node_exporter's default set: every collector on but sockets (tcpstat), interrupts, processes, systemd, softirqs, cpu_vulnerabilities; ours: cgroups", () => {
    const off = [...COLLECTORS.keys()].filter((name) => cfg.collectors[name]?.enabled !== true);
    expect(off.sort()).toEqual([
      'cgroups',
      'cpu_vulnerabilities',
      'interrupts',
      'processes',
      'sockets',
      'softirqs',
      'systemd',
    ]);
    expect(cfg.collectors['processes']?.options['threads']).toBe(false);
  });

  test("node_exporter's default exclusions are the filesystem defaults", () => {
    expect(cfg.collectors['filesystem']?.options['mount_points_exclude']).toBe(
      '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)',
    );
    expect(cfg.collectors['filesystem']?.options['stat_timeout']).toBe('5s');
  });

  test('a collector timeout defaults to collection.collector_timeout', () => {
    const c = parseConfig('collection: {collector_timeout: 2s}\ncollectors: {cpu: {timeout: 250ms}}\n');
    expect(c.collectors['cpu']?.timeoutMs).toBe(250);
    expect(c.collectors['meminfo']?.timeoutMs).toBe(2000);
  });

  test('config/default.yaml (what npm start runs) is valid and equals the defaults', () => {
    const d = loadConfigFile(path.join(REPO, 'config', 'default.yaml'));
    expect(d).toEqual(cfg);
  });

  test.each(fs.readdirSync(path.join(REPO, 'config', 'examples')))('config/examples/%s is valid', (f) => {
    expect(() => loadConfigFile(path.join(REPO, 'config', 'examples', f))).not.toThrow();
  });

  test('a process-exporter config alone is valid and keeps its matchers as written', () => {
    const c = loadConfigFile(path.join(REPO, 'config', 'examples', 'process-exporter.yaml'));
    expect(c.processNames[0]).toEqual({
      name: '{{.ExeBase}};{{.Username}};{{.Matches.script}}',
      comm: ['python3'],
      cmdline: ['(?P<script>[^/ ]+\\.py)'],
    });
    expect(c.collectors['cpu']?.enabled).toBe(true);
  });

  test('every regexp default of the schema is RE2 (the loader checks only values that differ from it)', () => {
    const defaults = schemaRegexpDefaults();
    expect(defaults.length).toBeGreaterThan(3);
    for (const d of defaults) expect(() => RE2JS.compile(d)).not.toThrow();
    // A value that differs is still checked: RE2 has no lookbehind.
    expect(() => parseConfig('collectors:\n  filesystem: {mount_points_exclude: "(?<=x)y"}\n')).toThrow(
      /expected an RE2 regular expression/,
    );
  });

  // The peers' reference file: a visible skip where their folder is absent (testPeer), never a silent pass.
  testPeer("the peers' process-exporter example parses, its two matchers kept", () => {
    const c = loadConfigFile(path.join(SHARED, 'reference', 'process_exporter_config_example.yml'));
    expect(c.processNames.map((m) => m.name)).toEqual(['{{.ExeBase}};{{.Username}};{{.Matches.script}}', '{{.Comm}}']);
  });
});

describe('bad configs are refused with the line and what was expected', () => {
  const files = fs.readdirSync(BAD_DIR).filter((f) => f.endsWith('.bad.yaml'));

  test('there is one fixture per rule', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  test.each(files)('%s', (f) => {
    const text = fs.readFileSync(path.join(BAD_DIR, f), 'utf8');
    const m = /^# expect: (\d+):(\d+) (.+)$/m.exec(text);
    if (!m) throw new Error(`${f} lacks its "# expect: LINE:COL text" header`);
    const err = issuesOf(() => loadConfigFile(path.join(BAD_DIR, f)));
    const hit = err.issues.find((i) => i.line === Number(m[1]) && i.message.includes(m[3] as string));
    expect({ issues: err.issues, hit: hit !== undefined }).toMatchObject({ hit: true });
    expect(hit?.column).toBe(Number(m[2]));
    // The formatted message names the file and the line.
    expect(err.message).toContain(`${path.join(BAD_DIR, f)}:${m[1]}:`);
  });

  test('every problem of a file is reported, in line order', () => {
    const err = issuesOf(() =>
      parseConfig('web:\n  max_requests: "x"\ncollectors:\n  cpu: {enabled: 1}\n  nope: {}\n', 'multi.yaml'),
    );
    expect(err.issues.map((i) => i.line)).toEqual([2, 4, 5]);
  });

  test('an unknown key lists the allowed ones', () => {
    const err = issuesOf(() => parseConfig('otlp: {endpiont: x}\n'));
    expect(err.issues[0]?.message).toMatch(/unknown key "endpiont"; expected one of: enabled, endpoint/);
    expect(err.issues[0]?.path).toBe('otlp.endpiont');
  });

  test('otlp.processes: off by default, max 1000; include/exclude with their match type; a bad regexp is refused', () => {
    expect(parseConfig('').otlp.processes).toEqual({
      enabled: false,
      include: null,
      exclude: null,
      max: 1000,
      keptFds: 'dir',
    });
    const c = parseConfig(
      'otlp: {processes: {enabled: true, max: 5, include: {names: ["^java$"]}, exclude: {names: [sh], match_type: strict}}}\n',
    ).otlp.processes;
    expect(c).toEqual({
      enabled: true,
      include: { names: ['^java$'], matchType: 'regexp' },
      exclude: { names: ['sh'], matchType: 'strict' },
      max: 5,
      keptFds: 'dir',
    });
    expect(parseConfig('otlp: {processes: {kept_fds: files}}\n').otlp.processes.keptFds).toBe('files');
    expect(issuesOf(() => parseConfig('otlp: {processes: {kept_fds: all}}\n')).issues[0]?.path).toBe(
      'otlp.processes.kept_fds',
    );
    const err = issuesOf(() => parseConfig('otlp:\n  processes: {include: {names: ["a(", ok]}}\n'));
    expect(err.issues[0]?.path).toBe('otlp.processes.include.names[0]');
    expect(err.issues[0]?.message).toMatch(/regular expression/);
    expect(() => parseConfig('otlp: {processes: {max: -1}}\n')).toThrow(/otlp\.processes\.max/);
  });

  test('otlp.timeout unset follows the interval (min(10s, interval)); only a timeout the file states can contradict it', () => {
    expect(parseConfig('otlp: {enabled: true, interval: 2s}\n').otlp).toMatchObject({
      intervalMs: 2000,
      timeoutMs: 2000,
    });
    expect(parseConfig('otlp: {interval: 30s}\n').otlp).toMatchObject({ intervalMs: 30000, timeoutMs: 10000 });
    expect(parseConfig('').otlp).toMatchObject({ intervalMs: 60000, timeoutMs: 10000 });
    expect(parseConfig('otlp: {interval: 2s, timeout: 1500ms}\n').otlp.timeoutMs).toBe(1500);
    expect(issuesOf(() => parseConfig('otlp: {interval: 2s, timeout: 10s}\n', 'o.yaml')).message).toMatch(
      /o\.yaml:1:31: otlp\.timeout: expected a timeout no longer than otlp\.interval \(2s\), got "10s"/,
    );
  });

  test('the longest duration a timer can wait is accepted, one millisecond more is not', () => {
    expect(parseConfig('collection: {timeout: 596h31m23.647s}\n').collection.timeoutMs).toBe(2 ** 31 - 1);
    expect(issuesOf(() => parseConfig('collection: {timeout: 596h31m23.648s}\n')).issues[0]?.path).toBe(
      'collection.timeout',
    );
    // Every duration of the file, wherever the schema has one (here an anyOf of a duration and "never").
    expect(
      issuesOf(() => parseConfig('collectors: {process_groups: {remove_empty_groups_after: 600h}}\n')).issues[0]?.path,
    ).toBe('collectors.process_groups.remove_empty_groups_after');
  });

  test('problems past the first 100 are counted, not listed', () => {
    const err = issuesOf(() => parseConfig(Array.from({ length: 150 }, (_, i) => `k${i}: 1\n`).join(''), 'many.yaml'));
    expect(err.issues).toHaveLength(100);
    expect(err.omitted).toBe(50);
    expect(err.issues.map((i) => i.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(err.message).toMatch(/^many\.yaml: 150 problems\n/);
    expect(err.message).toMatch(/\nmany\.yaml: 50 more problems not shown \(the first 100 are listed\)$/);
  });

  test('a text over 1 MiB is refused before it is parsed', () => {
    const err = issuesOf(() => parseConfig(`# ${'x'.repeat(1024 * 1024)}\n`, 'big.yaml'));
    expect(err.issues).toEqual([
      {
        line: 0,
        column: 0,
        path: '',
        message: expect.stringMatching(/^the file is 1048579 bytes, over the 1048576 bytes/) as unknown,
      },
    ]);
  });

  test('a missing file is a ConfigError, not a crash', () => {
    const err = issuesOf(() => loadConfigFile('/nonexistent/psutil-exporter.yaml'));
    expect(err.issues[0]?.message).toMatch(/ENOENT/);
  });
});

describe('values', () => {
  test.each([
    ['500ms', 500],
    ['5s', 5000],
    ['1m30s', 90000],
    ['1h', 3600000],
    ['0.5s', 500],
    ['5 s', null],
    ['5', null],
    ['', null],
    ['-1s', null],
  ])('duration %s', (t, ms) => {
    expect(parseDuration(t)).toBe(ms);
  });

  test.each([
    ['0.0.0.0:9464', { host: '0.0.0.0', port: 9464 }],
    [':9100', { host: '0.0.0.0', port: 9100 }],
    ['[::]:9464', { host: '::', port: 9464 }],
    ['[::1]:0', { host: '::1', port: 0 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
    ['localhost', null],
    ['x:65536', null],
    ['::1:80', null],
  ])('listen address %s', (t, want) => {
    expect(parseListenAddress(t)).toEqual(want);
  });
});
