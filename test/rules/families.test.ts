import * as fs from 'node:fs';
import { loadRulesYaml, type GroupOptions } from '../../src/rules/config';
import { otlpMetrics, prometheusFamilies, GROUP_ATTRIBUTE, type MetricFamily } from '../../src/rules/families';
import { Grouper } from '../../src/rules/grouper';
import { tableSource } from '../../src/rules/table';
import type { ThreadMetrics } from '../../src/rules/types';
import { own } from '../helpers/fixtures';
import { hostTable, withMetrics } from './tables';

const T0 = 2_000_000_000;

/**
 * HELP, TYPE and label names of every namedprocess_namegroup_* family in a real scrape of Debian's
 * prometheus-process-exporter 0.7.10 (test/fixtures/process-exporter/regenerate.sh wrote it, threads and smaps on).
 */
function reference(): Map<string, { help: string; type: string; labels: Set<string> }> {
  const text = fs.readFileSync(own('process-exporter', 'process-exporter-0.7.10.prom'), 'utf8');
  const out = new Map<string, { help: string; type: string; labels: Set<string> }>();
  for (const line of text.split('\n')) {
    let m = /^# HELP (namedprocess_namegroup_\w+) (.*)$/.exec(line);
    if (m) out.set(m[1] ?? '', { help: m[2] ?? '', type: '', labels: new Set() });
    m = /^# TYPE (namedprocess_namegroup_\w+) (\w+)$/.exec(line);
    if (m) (out.get(m[1] ?? '') as { type: string }).type = m[2] ?? '';
    m = /^(namedprocess_namegroup_\w+)\{(.*)\} /.exec(line);
    if (m) for (const l of (m[2] ?? '').matchAll(/(\w+)="/g)) out.get(m[1] ?? '')?.labels.add(l[1] ?? '');
  }
  return out;
}

function snapshot(
  opts: Partial<GroupOptions> = {},
  yaml = 'process_names:\n  - name: "{{.Comm}}"\n    cmdline: [".+"]\n',
) {
  const cfg = loadRulesYaml(yaml);
  const g = new Grouper(cfg.rules, { ...cfg.options, ...opts });
  g.update(tableSource(withMetrics(hostTable(), 0)), T0);
  return g.update(tableSource(withMetrics(hostTable(), 1)), T0 + 15);
}

const fam = (fs_: MetricFamily[], name: string) => fs_.find((f) => f.name === name) as MetricFamily;

describe('prometheusFamilies', () => {
  it("has process-exporter's names, help, types and labels, for every family (threads and smaps on)", () => {
    const ref = reference();
    expect(ref.size).toBeGreaterThan(15);
    const ours = prometheusFamilies(snapshot({ threads: true, gatherSmaps: true }));
    const namegroup = ours.filter((f) => f.name.startsWith('namedprocess_namegroup_'));
    expect(namegroup.map((f) => f.name).sort()).toEqual([...ref.keys()].sort());
    for (const f of namegroup) {
      const r = ref.get(f.name);
      expect({ name: f.name, help: f.help, type: f.type }).toEqual({ name: f.name, help: r?.help, type: r?.type });
      expect(new Set(f.labelNames)).toEqual(r?.labels);
    }
  });

  it('emits the five memtypes with smaps, three without, and the five states', () => {
    const withSmaps = fam(prometheusFamilies(snapshot({ gatherSmaps: true })), 'namedprocess_namegroup_memory_bytes');
    const memtypes = (f: MetricFamily) => [...new Set(f.samples.map((s) => s.labels['memtype']))].sort();
    expect(memtypes(withSmaps)).toEqual([
      'proportionalResident',
      'proportionalSwapped',
      'resident',
      'swapped',
      'virtual',
    ]);
    const plain = prometheusFamilies(snapshot());
    expect(memtypes(fam(plain, 'namedprocess_namegroup_memory_bytes'))).toEqual(['resident', 'swapped', 'virtual']);
    const states = fam(plain, 'namedprocess_namegroup_states').samples.filter((s) => s.labels['groupname'] === 'bash');
    expect(states.map((s) => [s.labels['state'], s.value])).toEqual([
      ['Running', 1],
      ['Sleeping', 0],
      ['Waiting', 0],
      ['Zombie', 0],
      ['Other', 0],
    ]);
    expect(plain.some((f) => /_thread_|_threads_/.test(f.name))).toBe(false);
  });

  it('gives group values in base units: seconds, bytes, whole-second start times', () => {
    const f = prometheusFamilies(snapshot());
    const v = (name: string, labels: Record<string, string>) =>
      fam(f, name).samples.find((s) => Object.entries(labels).every(([k, x]) => s.labels[k] === x))?.value;
    // sshd: pids 500 and 600, each +1 s user, +0.5 s system, +4096 read bytes between the two cycles.
    expect(v('namedprocess_namegroup_cpu_seconds_total', { groupname: 'sshd', mode: 'user' })).toBe(2);
    expect(v('namedprocess_namegroup_cpu_seconds_total', { groupname: 'sshd', mode: 'system' })).toBe(1);
    expect(v('namedprocess_namegroup_read_bytes_total', { groupname: 'sshd' })).toBe(8192);
    expect(v('namedprocess_namegroup_num_procs', { groupname: 'sshd' })).toBe(2);
    expect(v('namedprocess_namegroup_memory_bytes', { groupname: 'sshd', memtype: 'resident' })).toBe(2_000_000);
    expect(v('namedprocess_namegroup_oldest_start_time_seconds', { groupname: 'sshd' })).toBe(1_700_000_005);
    expect(v('namedprocess_namegroup_worst_fd_ratio', { groupname: 'sshd' })).toBeCloseTo(10 / 1024, 12);
  });

  it("leaves out oldest_start_time_seconds for an empty group (process-exporter prints Go's zero time)", () => {
    const f = prometheusFamilies(snapshot({}, 'process_names:\n  - name: none\n    comm: [nothing]\n'));
    expect(fam(f, 'namedprocess_namegroup_num_procs').samples).toEqual([{ labels: { groupname: 'none' }, value: 0 }]);
    expect(fam(f, 'namedprocess_namegroup_oldest_start_time_seconds').samples).toEqual([]);
  });

  it("adds the rules' labels to every group series and leaves excluded families out", () => {
    const yaml = "process_names:\n  - name: web\n    comm: [nginx]\n    labels: {tier: front, user: '{{.Username}}'}\n";
    const f = prometheusFamilies(snapshot({ excludeFamilies: new Set(['open_filedesc', 'states']) }, yaml));
    expect(f.map((x) => x.name)).not.toContain('namedprocess_namegroup_open_filedesc');
    expect(f.map((x) => x.name)).not.toContain('namedprocess_namegroup_states');
    const np = fam(f, 'namedprocess_namegroup_num_procs');
    expect(np.labelNames).toEqual(['groupname', 'tier', 'user']);
    expect(np.samples).toEqual([
      { labels: { groupname: 'web', tier: 'front', user: 'root' }, value: 1 },
      { labels: { groupname: 'web', tier: 'front', user: 'www-data' }, value: 2 },
    ]);
  });

  it('has no duplicate series', () => {
    for (const f of prometheusFamilies(snapshot({ threads: true, gatherSmaps: true }))) {
      const keys = f.samples.map((s) => JSON.stringify(Object.entries(s.labels).sort()));
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it('per-process families carry a pid label and a dropped counter', () => {
    const yaml = 'process_names:\n  - name: ngx\n    comm: [nginx]\n    per_process: true\n';
    const f = prometheusFamilies(snapshot({ perProcessLimit: 2 }, yaml));
    const cpu = fam(f, 'psutil_group_process_cpu_seconds_total');
    expect(cpu.type).toBe('counter');
    expect(new Set(cpu.samples.map((s) => s.labels['pid']))).toEqual(new Set(['900', '901']));
    expect(fam(f, 'psutil_group_process_dropped_total').samples[0]?.value).toBe(2);
    expect(prometheusFamilies(snapshot()).some((x) => x.name.startsWith('psutil_group_process_'))).toBe(false);
  });

  it('counts the processes refused past max_groups in psutil_process_groups_dropped_total', () => {
    const all = snapshot();
    const capped = snapshot({ maxGroups: 2 });
    expect(capped.groups.length).toBe(2);
    expect(all.groups.length).toBeGreaterThan(2);
    const dropped = fam(prometheusFamilies(capped), 'psutil_process_groups_dropped_total');
    expect(dropped.type).toBe('counter');
    // Every grouped process of the uncapped run beyond those of the two groups kept.
    const kept = new Set(capped.groups.map((x) => x.name));
    const refused = all.groups.filter((x) => !kept.has(x.name)).reduce((n, x) => n + x.numProcs, 0);
    expect(refused).toBeGreaterThan(0);
    expect(dropped.samples).toEqual([{ labels: {}, value: refused }]);
    expect(fam(prometheusFamilies(all), 'psutil_process_groups_dropped_total').samples[0]?.value).toBe(0);
  });

  it('sums thread families by thread name and lists wchans', () => {
    const th = (tid: number, name: string, cpu: number, wchan: string): ThreadMetrics => ({
      tid,
      startTime: tid,
      name,
      state: 'S',
      cpuUser: cpu,
      cpuSystem: 0,
      readBytes: 0,
      writeBytes: 0,
      minorFaults: 0,
      majorFaults: 0,
      ctxVoluntary: 0,
      ctxInvoluntary: 0,
      wchan,
    });
    const cfg = loadRulesYaml('process_names:\n  - name: j\n    comm: [java]\n');
    const g = new Grouper(cfg.rules, { ...cfg.options, threads: true });
    const rec = (k: number) => [
      {
        pid: 5,
        ppid: 1,
        startTime: 5,
        comm: 'java',
        numThreads: 2,
        threads: [th(5, 'java', k, 'ep_poll'), th(6, 'C2', 2 * k, 'futex')],
      },
    ];
    g.update(tableSource(rec(1)), T0);
    const f = prometheusFamilies(g.update(tableSource(rec(2)), T0 + 1));
    expect(
      fam(f, 'namedprocess_namegroup_thread_cpu_seconds_total')
        .samples.filter((s) => s.labels['mode'] === 'user')
        .map((s) => [s.labels['threadname'], s.value]),
    ).toEqual([
      ['C2', 2],
      ['java', 1],
    ]);
    expect(fam(f, 'namedprocess_namegroup_thread_count').samples.map((s) => s.value)).toEqual([1, 1]);
    expect(fam(f, 'namedprocess_namegroup_threads_wchan').samples.map((s) => [s.labels['wchan'], s.value])).toEqual([
      ['ep_poll', 1],
      ['futex', 1],
    ]);
  });
});

describe('otlpMetrics', () => {
  it('gives the groups as process.* semantic-convention metrics with group.name', () => {
    const m = otlpMetrics(snapshot());
    const byName = Object.fromEntries(m.map((x) => [x.name, x]));
    expect(Object.keys(byName).sort()).toEqual([
      'process.context_switches',
      'process.count',
      'process.cpu.time',
      'process.disk.io',
      'process.memory.usage',
      'process.memory.virtual',
      'process.paging.faults',
      'process.thread.count',
      'process.unix.file_descriptor.count',
      'process.uptime',
    ]);
    expect(byName['process.cpu.time']).toMatchObject({ unit: 's', kind: 'sum', monotonic: true });
    expect(byName['process.memory.usage']).toMatchObject({ unit: 'By', kind: 'sum', monotonic: false });
    const cpu = byName['process.cpu.time']?.points.filter((p) => p.attributes[GROUP_ATTRIBUTE] === 'sshd');
    expect(cpu?.map((p) => [p.attributes['cpu.mode'], p.value])).toEqual([
      ['user', 2],
      ['system', 1],
    ]);
    expect(cpu?.[0]?.startTime).toBe(T0);
    const dir = byName['process.disk.io']?.points
      .filter((p) => p.attributes[GROUP_ATTRIBUTE] === 'sshd')
      .map((p) => p.attributes['disk.io.direction']);
    expect(dir).toEqual(['read', 'write']);
    const up = byName['process.uptime']?.points.find((p) => p.attributes[GROUP_ATTRIBUTE] === 'sshd');
    expect(up?.value).toBeCloseTo(T0 + 15 - 1_700_000_005, 6);
  });
});
