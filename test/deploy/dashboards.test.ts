/**
 * The Grafana dashboards against what the agent really emits. The built agent runs --once:
 *   - live, with config/default.yaml plus the chart's process_names rule (process groups need one);
 *   - on a small fake host (a mount table and an hwmon chip in temp dirs), for the filesystem and sensors families
 *     that a CI virtual machine may not show (no hwmon; a mount table the live run cannot be sure of);
 *   - live with every netstat field (collectors.netstat.fields: ".*"), to tell "needs an option" from "not emitted".
 * The checked-in golden exposition (node_exporter's fixture host, kept equal to the agent's output by
 * test/e2e/golden.test.ts) adds the hardware families (cpufreq, power supply, thermal zones, many hwmon sensors).
 *
 * Every metric of every PromQL expression of our dashboards must be emitted with default options, and the labels
 * they match on must exist on those families. For Grafana's "Node Exporter Full" (1860), every node_* metric of an
 * area our collectors cover (derived from our output: node_memory, node_disk, ...) must be emitted, except a short
 * allow-list with reasons; the metrics of areas we do not cover must be exactly the list deploy/README.md documents.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { GOLDEN_EXPOSITION_FILE } from '../exporters/golden-compare';
import { describeWithBinary, runCli } from '../e2e/agent-process';
import { own, REPO } from '../helpers/fixtures';
import { dashboardQueries, expositionFamilies, labelNames, literalMatchers, metricNames, substituteGrafanaVariables, type DashboardQuery } from './promql';

const GRAFANA = path.join(REPO, 'deploy', 'grafana');
const OURS = fs.readdirSync(GRAFANA).filter((f) => f.endsWith('.json')).sort();
/** Our copy of the public dashboard (Apache-2.0; test/fixtures/grafana-1860/README.md says why it is in the repository). */
const NODE_EXPORTER_FULL = own('grafana-1860', 'node-exporter-full.json');
const DEPLOY_README = path.join(REPO, 'deploy', 'README.md');

/** 1860 metrics in areas we cover that we do not emit, and why. Keep it short: each entry is a gap to close. */
const ALLOWED_GAPS: Record<string, string> = {};

/** Labels Prometheus adds at scrape time, never in the exposition. */
const TARGET_LABELS = new Set(['job', 'instance', '__name__']);

/** Literal label values our dashboards match that default options do not produce, and why. */
const OPTIONAL_VALUES: Record<string, string> = {
  'memtype=proportionalResident': 'PSS, only with collectors.process_groups.gather_smaps: true (the panel says so)',
};

/**
 * Families our dashboards plot that come from collectors node_exporter (and so the agent) keeps off by default; the
 * opt-in run turns them on, and deploy/README.md names the option.
 */
const OPT_IN_FAMILIES: Record<string, string> = {
  node_tcp_connection_states: 'collectors.sockets.enabled (node_exporter --collector.tcpstat)',
  node_processes_pids: 'collectors.processes.enabled (node_exporter --collector.processes)',
  node_processes_threads: 'collectors.processes.enabled',
  node_processes_max_processes: 'collectors.processes.enabled',
  node_processes_state: 'collectors.processes.enabled',
};

/**
 * Family prefixes of opt-in collectors whose every family a dashboard may plot (deploy/grafana/containers.json): the
 * cgroups collector's container_* families, run on the cgroup-v2 fixture host with the pod log fixture naming it.
 */
const OPT_IN_PREFIXES: Record<string, string> = {
  container_: 'collectors.cgroups.enabled (on in the Helm chart)',
};
const optIn = (m: string): boolean => m in OPT_IN_FAMILIES || Object.keys(OPT_IN_PREFIXES).some((p) => m.startsWith(p));

/** family -> label -> values seen. */
type Families = Map<string, Map<string, Set<string>>>;

function merge(...all: Families[]): Families {
  const out: Families = new Map();
  for (const f of all) {
    for (const [name, labels] of f) {
      const into = out.get(name) ?? new Map<string, Set<string>>();
      for (const [l, vs] of labels) into.set(l, new Set([...(into.get(l) ?? []), ...vs]));
      out.set(name, into);
    }
  }
  return out;
}

function collectorNames(): string[] {
  const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'config', 'schema.json'), 'utf8')) as { properties: { collectors: { properties: Record<string, unknown> } } };
  return Object.keys(schema.properties.collectors.properties);
}

/** A config enabling only `on` (with their options), every other collector off. */
function onlyCollectors(on: Record<string, Record<string, unknown>>): string {
  return toYaml({ collectors: Object.fromEntries(collectorNames().map((n) => [n, n in on ? { enabled: true, ...on[n] } : { enabled: false }])) });
}

function once(dir: string, name: string, configText: string, extra: string[] = []): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, configText);
  const r = runCli(['--once', '--log.level=error', `--config.file=${file}`, ...extra]);
  if (r.status !== 0) throw new Error(`--once (${name}) failed with ${String(r.status)}: ${r.stderr}`);
  return r.stdout;
}

let dir: string;
let defaults: Families; // default options: live + fake host
let everything: Families; // plus the golden fixture host and the opt-in runs
let optInFamilies: Families; // the opt-in runs only

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-dash-'));
  // Live, default config plus the chart's process_names (the default has none, and then no group families).
  const chartValues = parseYaml(fs.readFileSync(path.join(REPO, 'deploy', 'helm', 'psutil-exporter', 'values.yaml'), 'utf8')) as { config: { process_names: unknown[] } };
  const live = once(dir, 'live', `${fs.readFileSync(path.join(REPO, 'config', 'default.yaml'), 'utf8')}\n${toYaml({ process_names: chartValues.config.process_names })}`
    .replace(/^process_names: \[\]\n/m, ''));

  // A fake host: one ext4 root mount (statfs runs on the real /), one hwmon chip with the sensors 1860 plots.
  const host = path.join(dir, 'host');
  fs.mkdirSync(path.join(host, 'proc', '1'), { recursive: true });
  fs.writeFileSync(path.join(host, 'proc', '1', 'mountinfo'), '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n');
  const chip = path.join(host, 'sys', 'class', 'hwmon', 'hwmon0');
  fs.mkdirSync(chip, { recursive: true });
  for (const [f, v] of Object.entries({ name: 'fixture', temp1_input: 45000, temp1_max: 80000, temp1_crit: 95000, temp1_crit_hyst: 90000, temp1_crit_alarm: 0, fan1_input: 1200, fan1_min: 300 })) {
    fs.writeFileSync(path.join(chip, f), `${v}\n`);
  }
  const fake = once(dir, 'fake-host', onlyCollectors({ filesystem: {}, sensors: {} }),
    [`--path.procfs=${path.join(host, 'proc')}`, `--path.sysfs=${path.join(host, 'sys')}`, '--path.rootfs=/']);

  const optInRun = once(dir, 'opt-in', onlyCollectors({ netstat: { fields: '.*' }, sockets: {}, processes: {} }));
  const cgroupsRun = once(dir, 'cgroups', onlyCollectors({ cgroups: { pods_log_dir: own('podlogs', 'var', 'log', 'pods') } }),
    [`--path.procfs=${own('cgroup-v2', 'proc')}`, `--path.sysfs=${own('cgroup-v2', 'sys')}`, '--path.rootfs=/']);
  const golden = fs.readFileSync(GOLDEN_EXPOSITION_FILE, 'utf8');

  defaults = merge(expositionFamilies(live), expositionFamilies(fake));
  optInFamilies = merge(expositionFamilies(optInRun), expositionFamilies(cgroupsRun));
  everything = merge(defaults, expositionFamilies(golden), optInFamilies);
}, 120000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the runs produced the families the checks rely on', () => {
  for (const f of ['node_cpu_seconds_total', 'node_memory_MemTotal_bytes', 'node_filesystem_avail_bytes', 'node_hwmon_temp_celsius', 'namedprocess_namegroup_num_procs', 'psutil_cpu_percent']) {
    expect(`${f}: ${defaults.has(f) ? 'emitted' : 'missing'}`).toBe(`${f}: emitted`);
  }
  for (const f of ['container_memory_working_set_bytes', 'container_cpu_cfs_periods_total']) {
    expect(`${f}: ${optInFamilies.has(f) ? 'emitted' : 'missing'}`).toBe(`${f}: emitted`);
  }
  // The names the containers dashboard's variables list come from the pod log fixture.
  expect([...(optInFamilies.get('container_memory_working_set_bytes')?.get('container') ?? [])]).toContain('nginx');
});

describe.each(OURS)('deploy/grafana/%s', (file) => {
  const dashboard = JSON.parse(fs.readFileSync(path.join(GRAFANA, file), 'utf8')) as { uid: string; title: string; templating: { list: Array<{ name: string; type: string }> } };
  const queries = dashboardQueries(dashboard);

  test('is a dashboard with a Prometheus data source variable and queries', () => {
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.templating.list.find((v) => v.type === 'datasource')?.name).toBe('datasource');
    expect(queries.length).toBeGreaterThan(10);
  });

  test('every metric it queries is emitted by the agent with default options (or with its opt-in collector)', () => {
    const missing = queries.flatMap((q) =>
      metricNames(q.expr)
        .filter((m) => !defaults.has(m) && !(optIn(m) && optInFamilies.has(m)))
        .map((m) => `${q.where}: ${m}`),
    );
    expect(missing).toEqual([]);
    expect(queries.every((q) => q.where.startsWith('variable') || metricNames(q.expr).length > 0)).toBe(true);
  });

  test('every label it matches or groups on exists on the families of its expression', () => {
    const wrong: string[] = [];
    for (const q of queries) {
      const have = new Set(metricNames(q.expr).flatMap((m) => [...((defaults.get(m) ?? (optIn(m) ? optInFamilies.get(m) : undefined))?.keys() ?? [])]));
      for (const l of labelNames(q.expr)) if (!TARGET_LABELS.has(l) && !have.has(l)) wrong.push(`${q.where}: ${l} in ${q.expr}`);
    }
    expect(wrong).toEqual([]);
  });

  test('every literal label value it matches on (memtype="resident", collector="process_groups") is emitted', () => {
    const wrong: string[] = [];
    for (const q of queries) {
      for (const [l, v] of literalMatchers(q.expr)) {
        const seen = metricNames(q.expr).some((m) => (defaults.get(m) ?? (optIn(m) ? optInFamilies.get(m) : undefined))?.get(l)?.has(v));
        if (!seen && !(`${l}=${v}` in OPTIONAL_VALUES)) wrong.push(`${q.where}: ${l}="${v}"`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('panel ids are unique', () => {
    const ids: number[] = [];
    const walk = (ps: Array<{ id: number; panels?: unknown[] }> | undefined): void => {
      for (const p of ps ?? []) {
        ids.push(p.id);
        walk(p.panels as Array<{ id: number }> | undefined);
      }
    };
    walk((dashboard as unknown as { panels: Array<{ id: number }> }).panels);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describeWithBinary('promtool')('PromQL syntax (promtool check rules)', () => {
  test.each(OURS)('%s: every expression parses', (file) => {
    const queries = dashboardQueries(JSON.parse(fs.readFileSync(path.join(GRAFANA, file), 'utf8')))
      .filter((q) => !q.where.startsWith('variable'));
    const rules = { groups: [{ name: 'dashboard', rules: queries.map((q: DashboardQuery, i) => ({ record: `dashboard:expr_${i}`, expr: substituteGrafanaVariables(q.expr) })) }] };
    const f = path.join(dir, `${file}.rules.yml`);
    fs.writeFileSync(f, toYaml(rules));
    const r = spawnSync('promtool', ['check', 'rules', f], { encoding: 'utf8', timeout: 60000 });
    expect(`${r.stdout}${r.stderr}`).toMatch(new RegExp(`SUCCESS: ${queries.length} rules found`));
    expect(r.status).toBe(0);
  });
});

describe('Grafana "Node Exporter Full" (1860)', () => {
  const area = (m: string): string => m.split('_').slice(0, 2).join('_');
  let used: string[];
  let covered: Set<string>;

  beforeAll(() => {
    const queries = dashboardQueries(JSON.parse(fs.readFileSync(NODE_EXPORTER_FULL, 'utf8')));
    used = [...new Set(queries.flatMap((q) => metricNames(q.expr)))].filter((m) => m.startsWith('node_')).sort();
    covered = new Set([...everything.keys()].filter((m) => m.startsWith('node_')).map(area));
  });

  test('uses node_* families (sanity of the reading)', () => {
    expect(used.length).toBeGreaterThan(150);
    expect(used).toContain('node_cpu_seconds_total');
  });

  test('every node_* metric of an area our collectors cover is emitted (meminfo fields absent from this kernel aside)', () => {
    // node_exporter's names: `Active(anon)` -> node_memory_Active_anon_bytes.
    const fields = new Set(fs.readFileSync('/proc/meminfo', 'utf8').split('\n').map((l) => (l.split(':')[0] ?? '').trim().replace(/\((\w+)\)/, '_$1')).filter(Boolean));
    const absent = (m: string): boolean => {
      const field = /^node_memory_(\w+?)(?:_bytes)?$/.exec(m)?.[1];
      return field !== undefined && !fields.has(field);
    };
    const gaps = used.filter((m) => covered.has(area(m)) && !everything.has(m) && !(m in ALLOWED_GAPS) && !absent(m));
    expect(gaps).toEqual([]);
  });

  test('the allow-list holds only real gaps', () => {
    for (const m of Object.keys(ALLOWED_GAPS)) {
      expect({ m, used: used.includes(m), emitted: everything.has(m) }).toEqual({ m, used: true, emitted: false });
    }
  });

  test('deploy/README.md lists exactly the 1860 metrics we do not emit', () => {
    const notEmitted = used.filter((m) => !everything.has(m) && (!covered.has(area(m)) || m in ALLOWED_GAPS));
    const readme = fs.readFileSync(DEPLOY_README, 'utf8');
    const block = /<!-- 1860-not-emitted:start -->([\s\S]*?)<!-- 1860-not-emitted:end -->/.exec(readme)?.[1] ?? '';
    const documented = [...block.matchAll(/`(node_[A-Za-z0-9_]+)`/g)].map((m) => m[1] as string).sort();
    expect(documented).toEqual(notEmitted);
  });

  test('metrics that need an option are named in deploy/README.md with it', () => {
    const needOption = used.filter((m) => everything.has(m) && !defaults.has(m) && m.startsWith('node_netstat_'));
    const readme = fs.readFileSync(DEPLOY_README, 'utf8');
    for (const m of needOption) expect(readme).toContain(m);
  });
});
