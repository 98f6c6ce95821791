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
import { activeCollectors, collectorPlans } from '../../../src/exporters/agent';
import { COLLECTORS } from '../../../src/exporters/collectors';
import {
  processGroupsMetrics,
  type ProcessGroupsData,
  type ReloadState,
} from '../../../src/exporters/collectors/process_groups';
import { PrometheusAdapter } from '../../../src/exporters/prometheus';
import { InProcessRunner, SnapshotSource } from '../../../src/exporters/snapshot';
import { createPsutil } from '../../../src/index';
import { parseExposition, type Exposition } from '../golden-compare';
import { IS_ROOT, requireOr } from '../../helpers/require';

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

/**
 * Waits until /proc/<pid>/comm reads `comm`, i.e. a wrapper (bash's exec -a, setpriv) has exec'd its target, at most
 * 30 s. spawn() itself returns only after its own exec, but not after a wrapper's: and rules run once per process
 * (process-exporter without -recheck), so a pass that saw the wrapper would keep the process out of the group for good.
 */
async function execed(c: ChildProcess, comm: string): Promise<void> {
  const pid = c.pid;
  if (pid === undefined) throw new Error(`${comm}: spawn failed`);
  const want = comm.slice(0, 15);
  let seen = '';
  for (let i = 0; i < 1500; i++) {
    // up to 30 s
    if (c.exitCode !== null || c.signalCode !== null) break;
    seen = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trimEnd();
    if (seen === want) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`pid ${pid} did not exec ${comm} (comm ${JSON.stringify(seen)}, exit ${c.exitCode ?? c.signalCode})`);
}

const SLEEP = '/bin/sleep';
const SH = '/bin/sh';

interface Agent {
  scrape(): Promise<Exposition & { text: string; data: ProcessGroupsData }>;
  /**
   * What the agent does with a reload's outcome (exporters/agent.ts): the new file's process_names (null: refused, the
   * ones in force stay) and the state to report, handed to the collector between passes.
   */
  reload(yaml: string | null, state: ReloadState): Promise<string[]>;
  close(): Promise<void>;
}

function agent(yaml: string, reload: ReloadState | null = null): Agent {
  let cfg = parseConfig(yaml, '<test>');
  const { plans, active } = activeCollectors(cfg, reload);
  const only = plans.filter((p) => p.name === 'process_groups');
  const roots = { ...cfg.paths };
  const source = new SnapshotSource(new InProcessRunner({ psutil: createPsutil(roots), roots }, COLLECTORS, only), {
    plans: only,
    maxAgeMs: 0,
    timeoutMs: 30000,
  });
  const pg = active.get('process_groups');
  if (!pg) throw new Error('process_groups is not active');
  const prom = new PrometheusAdapter(new Map([['process_groups', pg]]));
  return {
    async scrape() {
      const snap = await source.get();
      const r = snap.results[0];
      if (r?.kind !== 'data') throw new Error(`process_groups failed: ${r?.kind === 'failed' ? r.error : 'no result'}`);
      const text = await prom.render(snap);
      return { ...parseExposition(text), text, data: r.data as ProcessGroupsData };
    },
    reload(next, state) {
      if (next !== null) cfg = parseConfig(next, '<test>');
      return source.reconfigure(collectorPlans(cfg, state).filter((p) => p.name === 'process_groups'));
    },
    close: () => source.close(),
  };
}

function value(e: Exposition, name: string, labels: Record<string, string>): number | undefined {
  return e.series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** Scrapes until `ok` holds (a new process's metrics and thread names take a moment to settle), at most ~20 s. */
async function until(
  a: Agent,
  ok: (e: Exposition) => boolean,
): Promise<Exposition & { text: string; data: ProcessGroupsData }> {
  let last = await a.scrape();
  for (let i = 0; i < 200 && !ok(last); i++) {
    // up to 20 s: a pass on a loaded CI machine can take seconds
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
    // A sleep that has just exec'd may still be runnable (R) until it reaches nanosleep: wait for all three asleep.
    const e = await until(
      a,
      (x) =>
        value(x, NUM, { groupname: `static-${tag}` }) === 3 &&
        value(x, 'namedprocess_namegroup_states', { groupname: `static-${tag}`, state: 'Sleeping' }) === 3,
    );
    expect(value(e, NUM, { groupname: `static-${tag}` })).toBe(3);
    expect(value(e, 'namedprocess_namegroup_states', { groupname: `static-${tag}`, state: 'Sleeping' })).toBe(3);
    expect(value(e, 'namedprocess_namegroup_num_threads', { groupname: `static-${tag}` })).toBe(3);
    expect(
      value(e, 'namedprocess_namegroup_memory_bytes', { groupname: `static-${tag}`, memtype: 'resident' }),
    ).toBeGreaterThan(0);
    await Promise.all(cs.map(stop));
    const after = await until(a, (x) => value(x, NUM, { groupname: `static-${tag}` }) === 0);
    expect(value(after, NUM, { groupname: `static-${tag}` })).toBe(0);
    expect(
      value(after, 'namedprocess_namegroup_oldest_start_time_seconds', { groupname: `static-${tag}` }),
    ).toBeUndefined();
  } finally {
    await a.close();
  }
});

test("unmatched children count in their matched parent's group", async () => {
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

test("a group's CPU seconds never go down when its busy member exits", async () => {
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

test('reload: new rules replace the old ones and keep counters; a refusal changes only the reported state', async () => {
  const name = `pgrl${tag}`;
  const rules = (group: string) => `log: {level: error}\nprocess_names:\n  - name: ${group}\n    comm: [${name}]\n`;
  const start0 = { ok: true, successTime: 1000, error: null };
  const a = agent(rules('before'), start0);
  const c = start(name, SLEEP, ['600']);
  try {
    let e = await until(a, (x) => value(x, NUM, { groupname: 'before' }) === 1);
    expect(value(e, NUM, { groupname: 'before' })).toBe(1);
    expect(value(e, 'psutil_process_groups_config_last_reload_successful', {})).toBe(1);
    expect(value(e, 'psutil_process_groups_config_last_reload_success_timestamp_seconds', {})).toBe(1000);

    expect(await a.reload(rules('after'), { ok: true, successTime: 2000, error: null })).toEqual([]);
    e = await a.scrape();
    expect(value(e, NUM, { groupname: 'after' })).toBe(1);
    // "before" is no longer declared: it stays (empty) until it expires like any template-made group.
    expect(value(e, NUM, { groupname: 'before' })).toBe(0);
    expect(value(e, 'psutil_process_groups_config_last_reload_success_timestamp_seconds', {})).toBe(2000);

    // Refused (the watcher has the reason): "after" stays in force, the state says so.
    await a.reload(null, {
      ok: false,
      successTime: 2000,
      error: 'agent.yaml:3:11: process_names[0].name: unknown template field .Nope',
    });
    e = await a.scrape();
    expect(value(e, 'psutil_process_groups_config_last_reload_successful', {})).toBe(0);
    expect(value(e, NUM, { groupname: 'after' })).toBe(1);
    expect(e.data.reload?.error).toMatch(/unknown template field \.Nope/);

    // Fixed again: accepted.
    await a.reload(rules('after'), { ok: true, successTime: 3000, error: null });
    e = await a.scrape();
    expect(value(e, 'psutil_process_groups_config_last_reload_successful', {})).toBe(1);
    expect(value(e, NUM, { groupname: 'after' })).toBe(1);
  } finally {
    await stop(c);
    await a.close();
  }
});

test('the config loader refuses bad process_names with line numbers (and --check-config with it)', () => {
  const bad =
    'process_names:\n  - name: x\n    comm: [a]\n    labels: {groupname: y}\n  - name: "{{if .Comm}}{{end}}"\n    comm: [b]\n';
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
  expect(err?.message).toMatch(
    /bad\.yaml:4:\d+: process_names\[0\]\.labels\.groupname: "groupname" is a label the families already use/,
  );
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
  const a = agent(
    `log: {level: error}\nprocess_names:\n  - name: otel-${tag}\n    comm: [${name}]\n    labels: {team: infra}\n`,
  );
  try {
    const c = start(name, SLEEP, ['600']);
    const e = await until(a, (x) => value(x, NUM, { groupname: `otel-${tag}` }) === 1);
    const m = processGroupsMetrics(e.data);
    const count = m.find((x) => x.name === 'process.count');
    expect(count).toMatchObject({ kind: 'updowncounter', unit: '{process}', valueType: 'int' });
    expect(count?.points).toEqual([{ attributes: { 'group.name': `otel-${tag}`, team: 'infra' }, value: 1 }]);
    expect(m.find((x) => x.name === 'process.cpu.time')).toMatchObject({
      kind: 'counter',
      unit: 's',
      valueType: 'double',
    });
    await stop(c);
  } finally {
    await a.close();
  }
});

test('without process_names, nothing is read or sent (the reload gauges only when a file is watched)', async () => {
  const watched = { ok: true, successTime: 1000, error: null };
  for (const [f, want] of [
    [null, []],
    [
      watched,
      [
        'psutil_process_groups_config_last_reload_success_timestamp_seconds',
        'psutil_process_groups_config_last_reload_successful',
      ],
    ],
  ] as const) {
    const a = agent('log: {level: error}\n', f);
    try {
      const e = await a.scrape();
      expect(e.data.snapshot.groups).toEqual([]);
      // Self metrics aside (ours, and node_exporter's per-collector ones).
      const ours = e.series
        .map((s) => s.name)
        .filter((n) => !n.startsWith('psutil_exporter_') && !n.startsWith('node_scrape_collector_'));
      expect([...new Set(ours)].sort()).toEqual(want);
    } finally {
      await a.close();
    }
  }
});

/** A python3 under the name `name` (a symlink, so its comm is `name`) with three named threads parked on an Event. */
function startThreads(name: string): ChildProcess {
  return start(name, '/usr/bin/python3', [
    '-c',
    `import ctypes, threading, time
libc = ctypes.CDLL(None)
ev = threading.Event()
def work(n):
    libc.prctl(15, ctypes.c_char_p(n), 0, 0, 0)
    ev.wait()
for n in [b'pgw-a', b'pgw-b', b'pgw-b']:
    threading.Thread(target=work, args=(n,), daemon=True).start()
time.sleep(600)
`,
  ]);
}

test('threads: true: thread families by thread name, states and wchans summed over threads as process-exporter does', async () => {
  const name = `pgth${tag}`;
  const a = agent(
    `log: {level: error}\ncollectors:\n  process_groups: {threads: true}\nprocess_names:\n  - name: "{{.Comm}}"\n    comm: [${name}, pgone${tag}]\n`,
  );
  try {
    await a.scrape();
    const c = startThreads(name);
    const one = start(`pgone${tag}`, SLEEP, ['600']);
    // Every worker has named itself (a thread runs start() before its prctl): the /proc read below then agrees.
    // And the stat read of the same pass saw all four threads too (under load a pass can read stat while the last
    // thread is still being made, then list task/ after it).
    const named = (x: Exposition) =>
      value(x, 'namedprocess_namegroup_thread_count', { groupname: name, threadname: 'pgw-a' }) === 1 &&
      value(x, 'namedprocess_namegroup_thread_count', { groupname: name, threadname: 'pgw-b' }) === 2 &&
      value(x, 'namedprocess_namegroup_num_threads', { groupname: name }) === 4;
    const e = await until(a, (x) => named(x) && value(x, NUM, { groupname: `pgone${tag}` }) === 1);
    const tids = fs.readdirSync(`/proc/${c.pid}/task`);
    const names = tids.map((t) => fs.readFileSync(`/proc/${c.pid}/task/${t}/comm`, 'utf8').trim());
    const byName = new Map<string, number>();
    for (const n of names) byName.set(n, (byName.get(n) ?? 0) + 1);
    for (const [n, count] of byName)
      expect([n, value(e, 'namedprocess_namegroup_thread_count', { groupname: name, threadname: n })]).toEqual([
        n,
        count,
      ]);
    // States: the process once, then each of its threads (process-exporter's count); num_threads stays the kernel's.
    const states = ['Running', 'Sleeping', 'Waiting', 'Zombie', 'Other'].reduce(
      (s, st) => s + (value(e, 'namedprocess_namegroup_states', { groupname: name, state: st }) ?? 0),
      0,
    );
    expect(states).toBe(1 + tids.length);
    expect(value(e, 'namedprocess_namegroup_num_threads', { groupname: name })).toBe(tids.length);
    // Every family of the thread set exists for the group, with process-exporter's labels.
    for (const [fam, labels] of [
      ['namedprocess_namegroup_thread_cpu_seconds_total', { threadname: 'pgw-a', mode: 'user' }],
      ['namedprocess_namegroup_thread_io_bytes_total', { threadname: 'pgw-a', iomode: 'read' }],
      ['namedprocess_namegroup_thread_major_page_faults_total', { threadname: 'pgw-a' }],
      ['namedprocess_namegroup_thread_minor_page_faults_total', { threadname: 'pgw-a' }],
      ['namedprocess_namegroup_thread_context_switches_total', { threadname: 'pgw-a', ctxswitchtype: 'voluntary' }],
    ] as const) {
      expect([fam, value(e, fam, { groupname: name, ...labels })]).toEqual([fam, expect.any(Number)]);
    }
    // wchans: the process's and each waiting thread's (none counted for a running one); a single-threaded process
    // counts its own and has no thread series.
    const wchans = e.series.filter(
      (s) => s.name === 'namedprocess_namegroup_threads_wchan' && s.labels['groupname'] === name,
    );
    expect(wchans.reduce((s, x) => s + x.value, 0)).toBeGreaterThanOrEqual(tids.length);
    expect(wchans.reduce((s, x) => s + x.value, 0)).toBeLessThanOrEqual(1 + tids.length);
    expect(
      e.series
        .filter((s) => s.name === 'namedprocess_namegroup_threads_wchan' && s.labels['groupname'] === `pgone${tag}`)
        .reduce((s, x) => s + x.value, 0),
    ).toBe(1);
    expect(
      e.series.some((s) => s.name === 'namedprocess_namegroup_thread_count' && s.labels['groupname'] === `pgone${tag}`),
    ).toBe(false);
    await Promise.all([stop(c), stop(one)]);
  } finally {
    await a.close();
  }
});

test('without threads: no thread families, and each process counts once in states', async () => {
  const name = `pgnt${tag}`;
  const a = agent(`log: {level: error}\nprocess_names:\n  - name: "{{.Comm}}"\n    comm: [${name}]\n`);
  try {
    await a.scrape();
    const c = startThreads(name);
    const e = await until(a, (x) => value(x, 'namedprocess_namegroup_num_threads', { groupname: name }) === 4);
    expect(e.series.filter((s) => /_thread_|threads_wchan/.test(s.name))).toEqual([]);
    const states = ['Running', 'Sleeping', 'Waiting', 'Zombie', 'Other'].reduce(
      (s, st) => s + (value(e, 'namedprocess_namegroup_states', { groupname: name, state: st }) ?? 0),
      0,
    );
    expect(states).toBe(1);
    await stop(c);
  } finally {
    await a.close();
  }
});

test('max_groups under churn: distinct {{.Comm}} names past the cap make no group and are counted once each', async () => {
  // Two waves of 8 processes with distinct names; a wave is stopped before the next starts (short-lived churn).
  const a = agent(`log: {level: error}\ncollectors:\n  process_groups: {max_groups: 3}\nprocess_names:
  - name: "{{.Comm}}"
    cmdline: ['^${dir}/pgch${tag}-']
`);
  const ours = (e: Exposition) =>
    e.series.filter((s) => s.name === NUM && s.labels['groupname']?.startsWith(`pgch${tag}-`) === true);
  const dropped = (e: Exposition) => value(e, 'psutil_process_groups_dropped_total', {});
  try {
    for (const wave of [0, 1]) {
      const procs = Array.from({ length: 8 }, (_, i) => start(`pgch${tag}-${wave}${i}`, SLEEP, ['600']));
      // Wave 1: 3 groups made, 5 processes refused; wave 2: the 3 groups wait for their expiry, 8 more refused.
      const want = wave === 0 ? 5 : 13;
      const e = await until(a, (x) => dropped(x) === want);
      expect(dropped(e)).toBe(want);
      expect(ours(e)).toHaveLength(3);
      expect(ours(e).reduce((n, s) => n + s.value, 0)).toBe(wave === 0 ? 3 : 0);
      expect(e.series.filter((s) => s.name === NUM)).toHaveLength(3); // no other group in this agent
      await Promise.all(procs.map(stop));
    }
    // Counted once each: later passes add nothing.
    expect(dropped(await a.scrape())).toBe(13);
  } finally {
    await a.close();
  }
});

test('cgroups: {{.Cgroups}} lists the paths of /proc/<pid>/cgroup, a cgroup regexp matches and captures', async () => {
  const name = `pgcg${tag}`;
  const a = agent(`log: {level: error}\nprocess_names:
  - name: "cg:{{.Matches.first}}"
    comm: [${name}]
    cgroup: ['^(?P<first>/.*)$']
    labels: {cgroups: "{{.Cgroups}}"}
  - name: never
    comm: [${name}]
    container_id: ['*']
`);
  try {
    await a.scrape();
    const c = start(name, SLEEP, ['600']);
    const e = await until(a, (x) =>
      x.series.some((s) => s.name === NUM && s.labels['groupname']?.startsWith('cg:') === true && s.value === 1),
    );
    const paths = fs
      .readFileSync(`/proc/${c.pid}/cgroup`, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.slice(l.indexOf(':', l.indexOf(':') + 1) + 1));
    const s = e.series.find(
      (x) => x.name === NUM && x.labels['groupname']?.startsWith('cg:') === true && x.value === 1,
    );
    // Go's {{.Cgroups}}: a list printed as [a b c]; the capture comes from the first path that matches every regexp.
    expect(s?.labels['cgroups']).toBe(`[${paths.join(' ')}]`);
    expect(paths).toContain(s?.labels['groupname']?.slice(3));
    await stop(c);
  } finally {
    await a.close();
  }
});

test('exe and {{.ExeBase}} see argv[0] whole for a setproctitle() line, as process-exporter does', async () => {
  const name = `pgng${tag}`;
  const link = path.join(dir, name);
  fs.symlinkSync('/bin/cat', link);
  // One argument with spaces: psutil's cmdline() would make argv[0] "nginx:". Exec'd before the agent starts: a pass
  // that met it as bash, or in the middle of its exec (the new comm before the new argv), would decide it for good
  // (a process is matched once per pid and start time, as process-exporter does without recheck).
  const c = spawn('bash', ['-c', `exec -a "nginx: master process /usr/sbin/nginx" ${link}`], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  kids.push(c);
  await execed(c, name);
  const a = agent(
    `log: {level: error}\nprocess_names:\n  - name: "{{.ExeBase}}|{{.ExeFull}}"\n    exe: [nginx]\n    comm: [${name}]\n`,
  );
  try {
    const group = 'nginx|nginx: master process /usr/sbin/nginx';
    const e = await until(a, (x) => value(x, NUM, { groupname: group }) === 1);
    expect(value(e, NUM, { groupname: group })).toBe(1);
    await stop(c);
  } finally {
    await a.close();
  }
});

requireOr(IS_ROOT, 'not root (setpriv --euid)').test(
  'user: and {{.Username}} are the effective user (a process started with another euid)',
  async () => {
    const name = `pgeu${tag}`;
    const nobody = spawnSync('id', ['-nu', '65534'], { encoding: 'utf8' }).stdout.trim() || '65534';
    const a = agent(
      `log: {level: error}\nprocess_names:\n  - name: "{{.Username}}"\n    comm: [${name}]\n    user: ['${nobody}']\n`,
    );
    try {
      await a.scrape();
      const link = path.join(dir, name);
      fs.symlinkSync(SLEEP, link);
      const c = spawn('setpriv', ['--euid=65534', link, '600'], { stdio: 'ignore' });
      kids.push(c);
      await execed(c, name);
      const e = await until(a, (x) => value(x, NUM, { groupname: nobody }) === 1);
      expect(value(e, NUM, { groupname: nobody })).toBe(1);
      await stop(c);
    } finally {
      await a.close();
    }
  },
);

test('gather_smaps: proportionalResident and proportionalSwapped from smaps_rollup', async () => {
  const name = `pgsm${tag}`;
  const a = agent(
    `log: {level: error}\ncollectors:\n  process_groups: {gather_smaps: true}\nprocess_names:\n  - name: "{{.Comm}}"\n    comm: [${name}]\n`,
  );
  try {
    await a.scrape();
    const c = start(name, SLEEP, ['600']);
    const e = await until(a, (x) => value(x, NUM, { groupname: name }) === 1);
    const pss = value(e, 'namedprocess_namegroup_memory_bytes', { groupname: name, memtype: 'proportionalResident' });
    const swapPss = value(e, 'namedprocess_namegroup_memory_bytes', {
      groupname: name,
      memtype: 'proportionalSwapped',
    });
    expect(pss).toBeGreaterThan(0);
    expect(pss).toBeLessThanOrEqual(
      value(e, 'namedprocess_namegroup_memory_bytes', { groupname: name, memtype: 'resident' }) ?? 0,
    );
    const rollup = fs.readFileSync(`/proc/${c.pid}/smaps_rollup`, 'utf8');
    // SwapPss moves only when the host swaps: compare with the file right after.
    const want = Number(/^SwapPss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
    expect(swapPss).toBe(want);
    await stop(c);
  } finally {
    await a.close();
  }
});

test('a zombie (empty cmdline) is grouped as process-exporter groups it: through its parent, counted in states', async () => {
  const name = `pgzb${tag}`;
  const a = agent(`log: {level: error}\nprocess_names:\n  - name: zfam\n    comm: [${name}]\n    cmdline: ['.+']\n`);
  try {
    await a.scrape();
    // The forked child exits at once and stays a zombie: its cmdline reads empty, so only the children rule groups it.
    const c = start(name, '/usr/bin/python3', [
      '-c',
      'import os, time\nif os.fork() == 0:\n    os._exit(0)\ntime.sleep(600)\n',
    ]);
    const e = await until(
      a,
      (x) => value(x, 'namedprocess_namegroup_states', { groupname: 'zfam', state: 'Zombie' }) === 1,
    );
    expect(value(e, NUM, { groupname: 'zfam' })).toBe(2);
    expect(value(e, 'namedprocess_namegroup_states', { groupname: 'zfam', state: 'Zombie' })).toBe(1);
    await stop(c);
  } finally {
    await a.close();
  }
});
