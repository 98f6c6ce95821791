/**
 * The process_groups collector in the agent's pipeline (config loader, collector plan, snapshot, prom-client
 * rendering), in this thread, on live processes this test starts under names of its own (symlinks to sleep and sh,
 * so that their comm is known and unique).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, parseConfig } from '../../../src/config/load';
import { activeCollectors } from '../../../src/exporters/agent';
import { COLLECTORS } from '../../../src/exporters/collectors';
import { processGroupsMetrics, type ProcessGroupsData } from '../../../src/exporters/collectors/process_groups';
import { PrometheusAdapter } from '../../../src/exporters/prometheus';
import { InProcessRunner, SnapshotSource } from '../../../src/exporters/snapshot';
import { createPsutil } from '../../../src/index';
import { parseExposition, type Exposition } from '../golden-compare';

const tag = Math.random().toString(16).slice(2, 6);
let dir: string;
const kids: ChildProcess[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgroups-'));
});

afterAll(() => {
  for (const k of kids) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts `target` (sleep or sh) under the name `name`: its comm is `name`. */
function start(name: string, target: string, args: string[]): ChildProcess {
  const link = path.join(dir, name);
  if (!fs.existsSync(link)) fs.symlinkSync(target, link);
  const c = spawn(link, args, { stdio: 'ignore' });
  kids.push(c);
  return c;
}

function stop(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });
}

const SLEEP = '/bin/sleep';
const SH = '/bin/sh';

interface Agent {
  scrape(): Promise<Exposition & { text: string; data: ProcessGroupsData }>;
  close(): Promise<void>;
}

function agent(yaml: string, file: string | null = null): Agent {
  const cfg = parseConfig(yaml, file ?? '<test>');
  const { plans, active } = activeCollectors(cfg, file);
  const only = plans.filter((p) => p.name === 'process_groups');
  const roots = { ...cfg.paths };
  const source = new SnapshotSource(new InProcessRunner({ psutil: createPsutil(roots), roots }, COLLECTORS, only), {
    plans: only, maxAgeMs: 0, timeoutMs: 30000,
  });
  const pg = active.get('process_groups');
  if (!pg) throw new Error('process_groups is not active');
  const prom = new PrometheusAdapter(new Map([['process_groups', pg]]));
  return {
    async scrape() {
      const snap = await source.get();
      const r = snap.results[0];
      if (!r?.ok) throw new Error(`process_groups failed: ${r?.error ?? 'no result'}`);
      const text = await prom.render(snap);
      return { ...parseExposition(text), text, data: r.data as ProcessGroupsData };
    },
    close: () => source.close(),
  };
}

function value(e: Exposition, name: string, labels: Record<string, string>): number | undefined {
  return e.series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** Scrapes until `ok` holds (processes take a moment to exec), at most ~5 s. */
async function until(a: Agent, ok: (e: Exposition) => boolean): Promise<Exposition & { text: string; data: ProcessGroupsData }> {
  let last = await a.scrape();
  for (let i = 0; i < 50 && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 100));
    last = await a.scrape();
  }
  return last;
}

const NUM = 'namedprocess_namegroup_num_procs';

test('a declared group reports num_procs 0 before its processes start, then counts them, then 0 again', async () => {
  const name = `pgst${tag}`;
  const a = agent(`log: {level: error}\nprocess_names:\n  - name: static-${tag}\n    comm: [${name}]\n`);
  try {
    expect(value(await a.scrape(), NUM, { groupname: `static-${tag}` })).toBe(0);
    const cs = [start(name, SLEEP, ['600']), start(name, SLEEP, ['600']), start(name, SLEEP, ['600'])];
    const e = await until(a, (x) => value(x, NUM, { groupname: `static-${tag}` }) === 3);
    expect(value(e, NUM, { groupname: `static-${tag}` })).toBe(3);
    expect(value(e, 'namedprocess_namegroup_states', { groupname: `static-${tag}`, state: 'Sleeping' })).toBe(3);
    expect(value(e, 'namedprocess_namegroup_num_threads', { groupname: `static-${tag}` })).toBe(3);
    expect(value(e, 'namedprocess_namegroup_memory_bytes', { groupname: `static-${tag}`, memtype: 'resident' })).toBeGreaterThan(0);
    await Promise.all(cs.map(stop));
    const after = await until(a, (x) => value(x, NUM, { groupname: `static-${tag}` }) === 0);
    expect(value(after, NUM, { groupname: `static-${tag}` })).toBe(0);
    expect(value(after, 'namedprocess_namegroup_oldest_start_time_seconds', { groupname: `static-${tag}` })).toBeUndefined();
  } finally {
    await a.close();
  }
});

test('unmatched children count in their matched parent\'s group', async () => {
  const name = `pgpa${tag}`;
  const a = agent(`log: {level: error}\nprocess_names:\n  - name: family\n    comm: [${name}]\n`);
  try {
    await a.scrape();
    const c = start(name, SH, ['-c', 'sleep 600 & sleep 600 & wait']);
    const e = await until(a, (x) => value(x, NUM, { groupname: 'family' }) === 3);
    expect(value(e, NUM, { groupname: 'family' })).toBe(3);
    await stop(c);
  } finally {
    await a.close();
  }
});

test('a group\'s CPU seconds never go down when its busy member exits', async () => {
  const name = `pgcpu${tag}`;
  const a = agent(`log: {level: error}\nprocess_names:\n  - name: "{{.Comm}}"\n    comm: [${name}, pgidle${tag}]\n`);
  try {
    await a.scrape();
    const idle = start(`pgidle${tag}`, SLEEP, ['600']);
    const busy = start(name, SH, ['-c', 'while :; do :; done']);
    const cpu = (e: Exposition) =>
      (value(e, 'namedprocess_namegroup_cpu_seconds_total', { groupname: name, mode: 'user' }) ?? 0) +
      (value(e, 'namedprocess_namegroup_cpu_seconds_total', { groupname: name, mode: 'system' }) ?? 0);
    // The busy process was born after the first pass: everything it used counts.
    const during = await until(a, (x) => cpu(x) >= 0.2);
    expect(cpu(during)).toBeGreaterThanOrEqual(0.2);
    await stop(busy);
    const gone = await until(a, (x) => value(x, NUM, { groupname: name }) === 0);
    expect(value(gone, NUM, { groupname: name })).toBe(0);
    expect(cpu(gone)).toBeGreaterThanOrEqual(cpu(during));
    const later = await a.scrape();
    expect(cpu(later)).toBe(cpu(gone));
    await stop(idle);
  } finally {
    await a.close();
  }
});

test('reload: a good file replaces the rules and keeps counters; a bad one is refused and the old rules stay', async () => {
  const file = path.join(dir, 'agent.yaml');
  const name = `pgrl${tag}`;
  const rules = (group: string) => `log: {level: error}\nprocess_names:\n  - name: ${group}\n    comm: [${name}]\n`;
  fs.writeFileSync(file, rules('before'));
  const a = agent(fs.readFileSync(file, 'utf8'), file);
  const c = start(name, SLEEP, ['600']);
  try {
    let e = await until(a, (x) => value(x, NUM, { groupname: 'before' }) === 1);
    expect(value(e, NUM, { groupname: 'before' })).toBe(1);
    expect(value(e, 'psutil_process_groups_config_last_reload_successful', {})).toBe(1);

    fs.writeFileSync(file, rules('after'));
    e = await a.scrape();
    expect(value(e, NUM, { groupname: 'after' })).toBe(1);
    // "before" is no longer declared: it stays (empty) until it expires like any template-made group.
    expect(value(e, NUM, { groupname: 'before' })).toBe(0);
    expect(value(e, 'psutil_process_groups_config_last_reload_successful', {})).toBe(1);

    // A bad template: refused with its line number, "after" stays in force.
    fs.writeFileSync(file, `log: {level: error}\nprocess_names:\n  - name: "{{.Nope}}"\n    comm: [${name}]\n`);
    const stderr = process.stderr.write;
    let logged = '';
    process.stderr.write = ((s: string) => ((logged += s), true)) as typeof process.stderr.write;
    try {
      e = await a.scrape();
    } finally {
      process.stderr.write = stderr;
    }
    expect(value(e, 'psutil_process_groups_config_last_reload_successful', {})).toBe(0);
    expect(value(e, NUM, { groupname: 'after' })).toBe(1);
    expect(logged).toMatch(/reload refused/);
    expect(logged).toContain('agent.yaml:3:');
    expect(e.data.reload?.error).toMatch(/unknown template field \.Nope/);

    // Fixed again: accepted.
    fs.writeFileSync(file, rules('after'));
    e = await a.scrape();
    expect(value(e, 'psutil_process_groups_config_last_reload_successful', {})).toBe(1);
  } finally {
    await stop(c);
    await a.close();
  }
});

test('the config loader refuses bad process_names with line numbers (and --check-config with it)', () => {
  const bad = 'process_names:\n  - name: x\n    comm: [a]\n    labels: {groupname: y}\n  - name: "{{if .Comm}}{{end}}"\n    comm: [b]\n';
  let err: ConfigError | undefined;
  try {
    parseConfig(bad, 'bad.yaml');
  } catch (e) {
    if (e instanceof ConfigError) err = e;
    else throw e;
  }
  expect(err?.issues.map((i) => [i.line, i.path])).toEqual([
    [4, 'process_names[0].labels.groupname'],
    [5, 'process_names[1].name'],
  ]);
  expect(err?.message).toMatch(/bad\.yaml:4:\d+: process_names\[0\]\.labels\.groupname: "groupname" is a label the families already use/);
});

test('odd process names stay one well-formed series each (promtool check metrics passes)', async () => {
  const odd = `pg)x "y\\${tag}`;
  const a = agent(`log: {level: error}\nprocess_names:\n  - name: "{{.Comm}}"\n    comm: [${JSON.stringify(odd)}]\n`);
  try {
    const c = start(odd, SLEEP, ['600']);
    const e = await until(a, (x) => x.series.some((s) => s.name === NUM && s.value === 1));
    expect(e.series.filter((s) => s.name === NUM && s.value === 1)).toHaveLength(1);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: e.text, encoding: 'utf8' });
    if (promtool.error === undefined) expect(promtool.stderr + promtool.stdout).toBe('');
    await stop(c);
  } finally {
    await a.close();
  }
});

test('OTLP: the groups as process.* metrics with group.name', async () => {
  const name = `pgot${tag}`;
  const a = agent(`log: {level: error}\nprocess_names:\n  - name: otel-${tag}\n    comm: [${name}]\n    labels: {team: infra}\n`);
  try {
    const c = start(name, SLEEP, ['600']);
    const e = await until(a, (x) => value(x, NUM, { groupname: `otel-${tag}` }) === 1);
    const m = processGroupsMetrics(e.data);
    const count = m.find((x) => x.name === 'process.count');
    expect(count).toMatchObject({ kind: 'updowncounter', unit: '{process}', valueType: 'int' });
    expect(count?.points).toEqual([{ attributes: { 'group.name': `otel-${tag}`, team: 'infra' }, value: 1 }]);
    expect(m.find((x) => x.name === 'process.cpu.time')).toMatchObject({ kind: 'counter', unit: 's', valueType: 'double' });
    await stop(c);
  } finally {
    await a.close();
  }
});

test('without process_names, nothing is read or sent (the reload gauges only when a file is watched)', async () => {
  const file = path.join(dir, 'empty.yaml');
  fs.writeFileSync(file, 'log: {level: error}\n');
  for (const [f, want] of [[null, []], [file, [
    'psutil_process_groups_config_last_reload_success_timestamp_seconds',
    'psutil_process_groups_config_last_reload_successful',
  ]]] as const) {
    const a = agent('log: {level: error}\n', f);
    try {
      const e = await a.scrape();
      expect(e.data.snapshot.groups).toEqual([]);
      const ours = e.series.map((s) => s.name).filter((n) => !n.startsWith('psutil_exporter_'));
      expect([...new Set(ours)].sort()).toEqual(want);
    } finally {
      await a.close();
    }
  }
});
