import { DEFAULT_GROUP_OPTIONS, loadRulesYaml, type GroupOptions } from '../../src/rules/config';
import { Grouper, type GroupSample, type GroupSnapshot } from '../../src/rules/grouper';
import { tableSource, type ProcRecord } from '../../src/rules/table';
import type { ProcSource, ThreadMetrics } from '../../src/rules/types';
import { argv, hostTable, withMetrics } from './tables';

const T0 = 2_000_000_000;

function grouper(yaml: string, opts: Partial<GroupOptions> = {}): Grouper {
  const cfg = loadRulesYaml(yaml);
  return new Grouper(cfg.rules, { ...cfg.options, ...opts });
}

function byName(s: GroupSnapshot): Record<string, GroupSample> {
  return Object.fromEntries(s.groups.map((g) => [g.name, g]));
}

const proc = (pid: number, over: Partial<ProcRecord> = {}): ProcRecord => ({
  pid,
  ppid: 1,
  startTime: pid,
  comm: 'worker',
  cmdline: argv('/bin/worker'),
  username: 'u',
  cgroups: '',
  state: 'S',
  cpuUser: 0,
  cpuSystem: 0,
  readBytes: 0,
  writeBytes: 0,
  minorFaults: 0,
  majorFaults: 0,
  ctxVoluntary: 0,
  ctxInvoluntary: 0,
  rss: 0,
  vms: 0,
  swap: 0,
  numFds: 0,
  fdLimit: 1024,
  numThreads: 1,
  ...over,
});

describe('static groups', () => {
  it('exist from the first cycle with num_procs 0, and stay when empty', () => {
    const g = grouper(
      'process_names:\n  - name: postgres\n    comm: [postgres]\n  - name: "{{.Comm}}"\n    comm: [x]\n',
    );
    const s = g.update(tableSource([]), T0);
    expect(s.groups.map((x) => [x.name, x.numProcs, x.isStatic])).toEqual([['postgres', 0, true]]);
    expect(byName(s)['postgres']?.oldestStartTime).toBeNull();
    const s2 = g.update(tableSource([proc(5, { comm: 'postgres' })]), T0 + 10);
    expect(byName(s2)['postgres']?.numProcs).toBe(1);
    const s3 = g.update(tableSource([]), T0 + 1e6);
    expect(byName(s3)['postgres']?.numProcs).toBe(0);
  });
});

describe('dynamic groups', () => {
  const yaml = 'process_names:\n  - name: "{{.Comm}}"\n    cmdline: [".+"]\n';
  it('disappear after remove_empty_groups_after without members', () => {
    const g = grouper(yaml, { removeEmptyGroupsAfter: 60 });
    const src = tableSource([proc(5, { comm: 'job' })]);
    expect(byName(g.update(src, T0))['job']?.numProcs).toBe(1);
    src.set([]);
    expect(byName(g.update(src, T0 + 30))['job']?.numProcs).toBe(0);
    expect(byName(g.update(src, T0 + 59))['job']).toBeDefined();
    expect(byName(g.update(src, T0 + 60))['job']).toBeUndefined();
  });
  it('with 0, disappear as soon as they are empty; with never (null), stay', () => {
    const g0 = grouper(yaml, { removeEmptyGroupsAfter: 0 });
    const gN = grouper(yaml, { removeEmptyGroupsAfter: null });
    for (const g of [g0, gN]) g.update(tableSource([proc(5, { comm: 'job' })]), T0);
    expect(byName(g0.update(tableSource([]), T0 + 1))['job']).toBeUndefined();
    expect(byName(gN.update(tableSource([]), T0 + 1e9))['job']?.numProcs).toBe(0);
  });
  it('keep their counters while they wait, and start again from 0 once expired', () => {
    const g = grouper(yaml, { removeEmptyGroupsAfter: 60 });
    g.update(tableSource([proc(5, { comm: 'job', cpuUser: 1 })]), T0);
    g.update(tableSource([proc(5, { comm: 'job', cpuUser: 3 })]), T0 + 1);
    expect(byName(g.update(tableSource([]), T0 + 2))['job']?.counters.cpuUser).toBe(2);
    g.update(tableSource([]), T0 + 100);
    const back = g.update(tableSource([proc(6, { comm: 'job', cpuUser: 50 })]), T0 + 101);
    // pid 6 was born after the previous cycle's newest process: its whole CPU time counts.
    expect(byName(back)['job']?.counters.cpuUser).toBe(50);
  });
});

describe('max_groups', () => {
  const yaml = 'process_names:\n  - name: declared\n    comm: [db]\n  - name: "{{.Comm}}"\n    cmdline: [".+"]\n';
  const names = (s: GroupSnapshot) => s.groups.map((x) => x.name);

  it('creates no group past the cap: its processes are in none, each counted once; declared groups always exist', () => {
    const g = grouper(yaml, { maxGroups: 3, removeEmptyGroupsAfter: 60 });
    const table = [
      proc(5, { comm: 'a' }),
      proc(6, { comm: 'b' }),
      proc(7, { comm: 'c' }),
      proc(8, { comm: 'd' }),
      proc(9, { comm: 'a' }),
    ];
    const src = tableSource(table);
    const s1 = g.update(src, T0);
    // declared + a + b: c and d are refused (pid order), pid 9 joins the existing a.
    expect(names(s1)).toEqual(['a', 'b', 'declared']);
    expect(byName(s1)['a']?.numProcs).toBe(2);
    expect(s1.groupsDropped).toBe(2);
    const s2 = g.update(src, T0 + 1);
    expect(names(s2)).toEqual(['a', 'b', 'declared']);
    expect(s2.groupsDropped).toBe(2); // still refused, not counted again
  });

  it('decides refused processes again once expired groups made room', () => {
    const g = grouper(yaml, { maxGroups: 2, removeEmptyGroupsAfter: 60 });
    const src = tableSource([proc(5, { comm: 'a' }), proc(6, { comm: 'b' })]);
    expect(names(g.update(src, T0))).toEqual(['a', 'declared']);
    src.set([proc(6, { comm: 'b' })]); // a's only member exits
    expect(names(g.update(src, T0 + 1))).toEqual(['a', 'declared']);
    expect(names(g.update(src, T0 + 61))).toEqual(['declared']); // a expired: room again
    const s = g.update(src, T0 + 62);
    expect(names(s)).toEqual(['b', 'declared']);
    expect(byName(s)['b']?.numProcs).toBe(1);
    expect(s.groupsDropped).toBe(1);
  });

  it('children of a refused process are in no group either (they inherit what the dashboards show)', () => {
    const g = grouper(yaml, { maxGroups: 2, children: true });
    const s = g.update(
      tableSource([proc(5, { comm: 'a' }), proc(6, { comm: 'b' }), proc(7, { ppid: 6, comm: 'c', cmdline: [] })]),
      T0,
    );
    expect(names(s)).toEqual(['a', 'declared']);
    expect(s.groupsDropped).toBe(1);
    expect(s.groups.reduce((n, x) => n + x.numProcs, 0)).toBe(1);
  });

  it('holds memory under churn: 5,000 short-lived distinct names leave at most max_groups groups', () => {
    const g = grouper(yaml, { maxGroups: 100 });
    const src = tableSource([]);
    let pid = 100;
    for (let cycle = 0; cycle < 50; cycle++) {
      const batch: ProcRecord[] = [];
      for (let i = 0; i < 100; i++, pid++) batch.push(proc(pid, { comm: `churn${pid}` }));
      src.set(batch);
      const s = g.update(src, T0 + cycle);
      expect(s.groups.length).toBeLessThanOrEqual(100);
    }
    const last = g.update(src, T0 + 50);
    // 1 declared + 99 template-made groups kept for their 10-minute expiry; every other process was refused once.
    expect(last.groups.length).toBe(100);
    expect(last.groupsDropped).toBe(5000 - 99);
  });
});

describe('counters', () => {
  const yaml = 'process_names:\n  - name: w\n    comm: [worker]\n';

  it('start at 0 for processes present at the first cycle, then add increases', () => {
    const g = grouper(yaml);
    const s1 = g.update(tableSource([proc(5, { cpuUser: 100, readBytes: 1000 })]), T0);
    expect(byName(s1)['w']?.counters.cpuUser).toBe(0);
    const s2 = g.update(tableSource([proc(5, { cpuUser: 101.5, readBytes: 1500 })]), T0 + 1);
    expect(byName(s2)['w']?.counters).toMatchObject({ cpuUser: 1.5, readBytes: 500 });
  });

  it('never go down when members exit or a pid is reused', () => {
    const g = grouper(yaml);
    const src = tableSource([proc(5, { cpuUser: 10 }), proc(6, { cpuUser: 20 })]);
    g.update(src, T0);
    src.set([proc(5, { cpuUser: 12 }), proc(6, { cpuUser: 25 })]);
    const a = byName(g.update(src, T0 + 1))['w']?.counters.cpuUser;
    expect(a).toBe(7);
    src.set([proc(5, { cpuUser: 13 })]); // 6 exits
    const b = byName(g.update(src, T0 + 2))['w']?.counters.cpuUser;
    expect(b).toBe(8);
    // pid 6 comes back as a new process (another start time) with small values: it adds, never subtracts.
    src.set([proc(5, { cpuUser: 13 }), proc(6, { startTime: 9999, cpuUser: 0.5 })]);
    const c = byName(g.update(src, T0 + 3))['w']?.counters.cpuUser;
    expect(c).toBe(8.5);
    src.set([proc(5, { cpuUser: 13 }), proc(6, { startTime: 9999, cpuUser: 1 })]);
    expect(byName(g.update(src, T0 + 4))['w']?.counters.cpuUser).toBe(9);
  });

  it('count a process born between two cycles in full (process-exporter would drop it)', () => {
    const g = grouper(yaml);
    const src = tableSource([proc(5, { startTime: 100, cpuUser: 10 })]);
    g.update(src, T0);
    src.set([proc(5, { startTime: 100, cpuUser: 10 }), proc(7, { startTime: 200, cpuUser: 3, minorFaults: 40 })]);
    expect(byName(g.update(src, T0 + 1))['w']?.counters).toMatchObject({ cpuUser: 3, minorFaults: 40 });
  });

  it('ignore a counter that went down (and unreadable io), then resume from the new value', () => {
    const g = grouper(yaml);
    const src = tableSource([proc(5, { readBytes: 1000 })]);
    g.update(src, T0);
    src.set([proc(5, { readBytes: null })]);
    const s1 = g.update(src, T0 + 1);
    expect(byName(s1)['w']?.counters.readBytes).toBe(0);
    expect(s1.partialErrors).toBe(1);
    src.set([proc(5, { readBytes: 1600 })]);
    expect(byName(g.update(src, T0 + 2))['w']?.counters.readBytes).toBe(600);
    src.set([proc(5, { readBytes: 100 })]);
    expect(byName(g.update(src, T0 + 3))['w']?.counters.readBytes).toBe(600);
    src.set([proc(5, { readBytes: 150 })]);
    expect(byName(g.update(src, T0 + 4))['w']?.counters.readBytes).toBe(650);
  });

  it('are monotonic over a long random run with exits, births and pid reuse', () => {
    const g = grouper('process_names:\n  - name: "{{.Comm}}"\n    cmdline: [".+"]\n', { removeEmptyGroupsAfter: null });
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let live = new Map<number, ProcRecord>();
    let start = 1;
    const prev = new Map<string, number>();
    for (let cycle = 0; cycle < 200; cycle++) {
      for (const [pid, r] of live) {
        if (rnd() < 0.1) live.delete(pid);
        else live.set(pid, { ...r, cpuUser: (r.cpuUser ?? 0) + rnd(), ctxVoluntary: (r.ctxVoluntary ?? 0) + 3 });
      }
      for (let i = 0; i < 3; i++) {
        const pid = 10 + Math.floor(rnd() * 40); // a small pid space: reuse is frequent
        if (!live.has(pid)) live.set(pid, proc(pid, { startTime: start++, comm: `c${pid % 4}`, cpuUser: rnd() * 5 }));
      }
      live = new Map([...live].sort((a, b) => a[0] - b[0]));
      const s = g.update(tableSource([...live.values()]), T0 + cycle);
      for (const grp of s.groups) {
        for (const [k, v] of Object.entries(grp.counters)) {
          const key = `${grp.name}.${k}`;
          expect(v).toBeGreaterThanOrEqual(prev.get(key) ?? 0);
          prev.set(key, v);
        }
      }
    }
  });
});

describe('gauges', () => {
  it('sum memory, fds, threads and states; take the worst fd ratio and the oldest start', () => {
    const g = grouper('process_names:\n  - name: w\n    comm: [worker]\n', { gatherSmaps: true });
    const s = g.update(
      tableSource(
        [
          proc(5, {
            startTime: 500,
            rss: 100,
            vms: 1000,
            swap: 1,
            pss: 50,
            swapPss: 1,
            numFds: 10,
            fdLimit: 100,
            numThreads: 3,
            state: 'R',
          }),
          proc(6, {
            startTime: 250,
            rss: 200,
            vms: 2000,
            swap: 2,
            pss: 70,
            swapPss: 0,
            numFds: 900,
            fdLimit: 1000,
            numThreads: 1,
            state: 'D',
          }),
          proc(7, { startTime: 300, numFds: null, fdLimit: null, state: 'Z' }),
          proc(8, { startTime: 301, state: 'T' }),
        ],
        { bootTime: 1_600_000_000, clockTicks: 100 },
      ),
      T0,
    );
    const w = byName(s)['w'] as GroupSample;
    expect(w.numProcs).toBe(4);
    expect(w.numThreads).toBe(6);
    expect(w.memory).toEqual({
      resident: 300,
      virtual: 3000,
      swapped: 3,
      proportionalResident: 120,
      proportionalSwapped: 1,
    });
    expect(w.openFds).toBe(910);
    expect(w.worstFdRatio).toBeCloseTo(0.9, 12);
    expect(w.oldestStartTime).toBe(1_600_000_002.5);
    expect(w.states).toEqual({ running: 1, sleeping: 0, waiting: 1, zombie: 1, other: 1 });
    expect(s.partialErrors).toBe(1);
  });
});

describe('what is read', () => {
  it('reads static facts once per process identity, and metrics only for grouped processes', () => {
    const g = grouper('process_names:\n  - name: "{{.Comm}}"\n    comm: [sshd, bash]\n    cmdline: [".+"]\n');
    const src = tableSource(withMetrics(hostTable(), 0));
    g.update(src, T0);
    // comm is checked first: only sshd and bash (3 processes) have their cmdline read.
    expect(src.reads.cmdline).toBe(3);
    expect(src.reads.username + src.reads.cgroups + src.reads.cwd).toBe(0);
    expect([...src.reads.metricPids].sort((a, b) => a - b)).toEqual([500, 600, 700]);
    src.set(withMetrics(hostTable(), 1));
    g.update(src, T0 + 1);
    expect(src.reads.cmdline).toBe(3);
    // A reused pid is a new process: its facts are read again.
    src.set(withMetrics(hostTable(), 2).map((r) => (r.pid === 700 ? { ...r, startTime: 99999 } : r)));
    g.update(src, T0 + 2);
    expect(src.reads.cmdline).toBe(4);
  });

  it('asks only for the metric files the options and families need', () => {
    const src = tableSource([proc(5)]);
    grouper('process_names:\n  - comm: [worker]\n').update(src, T0);
    expect(src.reads.lastNeeds).toEqual({ status: true, io: true, fds: true, smaps: false, threads: false });
    grouper('process_names:\n  - comm: [worker]\n', {
      gatherSmaps: true,
      threads: true,
      excludeFamilies: new Set(['read_bytes_total', 'write_bytes_total', 'open_filedesc', 'worst_fd_ratio']),
    }).update(src, T0);
    expect(src.reads.lastNeeds).toEqual({ status: true, io: false, fds: false, smaps: true, threads: true });
  });

  it('leaves a process undecided while a fact is unreadable, and decides it once readable', () => {
    const g = grouper('process_names:\n  - name: w\n    cmdline: ["worker"]\n');
    const src = tableSource([proc(5, { cmdline: null })]);
    expect(byName(g.update(src, T0))['w']?.numProcs).toBe(0);
    src.set([proc(5)]);
    expect(byName(g.update(src, T0 + 1))['w']?.numProcs).toBe(1);
  });

  it('counts a process whose metrics throw as a read error and goes on', () => {
    const g = grouper('process_names:\n  - name: w\n    comm: [worker]\n');
    const base = tableSource([proc(5), proc(6)]);
    const src: ProcSource = {
      ...base,
      list: () => base.list(),
      metrics: (p, n) => {
        if (p.pid === 6) throw new Error('EACCES');
        return base.metrics(p, n);
      },
    };
    const s = g.update(src, T0);
    expect(byName(s)['w']?.numProcs).toBe(1);
    expect(s.readErrors).toBe(1);
  });
});

describe('recheck', () => {
  const yaml = 'process_names:\n  - name: renamed\n    comm: [newname]\n';
  it('off: a process that matched nothing is not looked at again', () => {
    const g = grouper(yaml, { children: false });
    g.update(tableSource([proc(5, { comm: 'oldname' })]), T0);
    expect(byName(g.update(tableSource([proc(5, { comm: 'newname' })]), T0 + 1))['renamed']?.numProcs).toBe(0);
  });
  it('on: unmatched processes are matched again every cycle', () => {
    const g = grouper(yaml, { children: false, recheck: true });
    g.update(tableSource([proc(5, { comm: 'oldname' })]), T0);
    expect(byName(g.update(tableSource([proc(5, { comm: 'newname' })]), T0 + 1))['renamed']?.numProcs).toBe(1);
  });
  it('with a time limit: young processes are matched again, even matched ones', () => {
    const y = 'process_names:\n  - name: a\n    comm: [first]\n  - name: b\n    comm: [second]\n';
    const g = grouper(y, { recheckWithTimeLimit: 30 });
    const boot = 1_999_999_000; // the process starts at boot + 995 s = T0 - 5 s
    const mk = (comm: string) => tableSource([proc(5, { comm, startTime: 99_500 })], { bootTime: boot });
    g.update(mk('first'), T0);
    expect(byName(g.update(mk('second'), T0 + 1))['b']?.numProcs).toBe(1);
    // Once older than the limit, the group sticks.
    expect(byName(g.update(mk('first'), T0 + 100))['b']?.numProcs).toBe(1);
  });
});

describe('reload (setRules)', () => {
  it('keeps the counters of groups that stay, drops those no longer declared, adds new static groups at 0', () => {
    const g = grouper('process_names:\n  - name: w\n    comm: [worker]\n  - name: old\n    comm: [nothing]\n', {
      removeEmptyGroupsAfter: 60,
    });
    const src = tableSource([proc(5, { cpuUser: 1 })]);
    g.update(src, T0);
    src.set([proc(5, { cpuUser: 4 })]);
    expect(byName(g.update(src, T0 + 1))['w']?.counters.cpuUser).toBe(3);

    const next = loadRulesYaml(
      'process_names:\n  - name: w\n    cmdline: [worker]\n  - name: new\n    comm: [other]\n',
    );
    g.setRules(next.rules, { ...DEFAULT_GROUP_OPTIONS, removeEmptyGroupsAfter: 60 });
    src.set([proc(5, { cpuUser: 6 })]);
    const s = byName(g.update(src, T0 + 2));
    expect(s['w']?.counters.cpuUser).toBe(5);
    expect(s['w']?.numProcs).toBe(1);
    expect(s['new']).toMatchObject({ numProcs: 0, isStatic: true });
    expect(s['old']).toMatchObject({ numProcs: 0, isStatic: false });
    expect(byName(g.update(src, T0 + 100))['old']).toBeUndefined();
  });

  it('moves a process to its new group without moving what it already counted', () => {
    const g = grouper('process_names:\n  - name: a\n    comm: [worker]\n');
    const src = tableSource([proc(5, { cpuUser: 1 })]);
    g.update(src, T0);
    src.set([proc(5, { cpuUser: 2 })]);
    g.update(src, T0 + 1);
    g.setRules(loadRulesYaml('process_names:\n  - name: b\n    comm: [worker]\n').rules);
    src.set([proc(5, { cpuUser: 5 })]);
    const s = byName(g.update(src, T0 + 2));
    expect(s['a']?.counters.cpuUser).toBe(1);
    expect(s['b']?.counters.cpuUser).toBe(3);
  });

  it('reads a decided process argv again, so that the new rules match its argv of now (exec since)', () => {
    const g = grouper('process_names:\n  - name: "{{.Matches.tool}}"\n    cmdline: ["/bin/(?P<tool>\\\\w+)"]\n');
    const src = tableSource([proc(5), proc(6)]);
    g.update(src, T0);
    expect(src.reads.cmdline).toBe(2);
    g.update(src, T0 + 1);
    expect(src.reads.cmdline).toBe(2); // decided: not read again from pass to pass
    // Process 6 ran exec(2) with the same comm; the old rules keep it where its first argv put it.
    src.set([proc(5), proc(6, { cmdline: argv('/bin/other') })]);
    expect(byName(g.update(src, T0 + 2))['worker']?.numProcs).toBe(2);
    g.setRules(
      loadRulesYaml('process_names:\n  - name: "x-{{.Matches.tool}}"\n    cmdline: ["/bin/(?P<tool>\\\\w+)"]\n').rules,
    );
    const s = byName(g.update(src, T0 + 3));
    expect(src.reads.cmdline).toBe(4);
    expect(s['x-worker']?.numProcs).toBe(1);
    expect(s['x-other']?.numProcs).toBe(1);
  });
});

describe('threads', () => {
  const th = (tid: number, name: string, state: string, over: Partial<ThreadMetrics> = {}): ThreadMetrics => ({
    tid,
    startTime: tid,
    name,
    state,
    cpuUser: 0,
    cpuSystem: 0,
    readBytes: 0,
    writeBytes: 0,
    minorFaults: 0,
    majorFaults: 0,
    ctxVoluntary: 0,
    ctxInvoluntary: 0,
    wchan: '',
    ...over,
  });

  it('sum states and context switches over threads as process-exporter does, and aggregate by thread name', () => {
    const g = grouper('process_names:\n  - name: j\n    comm: [java]\n', { threads: true });
    const mk = (step: number) =>
      tableSource([
        proc(5, {
          comm: 'java',
          state: 'S',
          numThreads: 3,
          ctxVoluntary: 1,
          wchan: 'futex_wait_queue',
          threads: [
            th(5, 'java', 'S', { ctxVoluntary: 1 + step, cpuUser: step, wchan: 'futex_wait_queue' }),
            th(6, 'GC', 'R', { ctxVoluntary: 10 + 2 * step, cpuUser: 2 * step }),
            th(7, 'GC', 'S', { ctxVoluntary: 20, ctxInvoluntary: step, wchan: 'do_epoll_wait' }),
          ],
        }),
        proc(9, { comm: 'java', state: 'S', ctxVoluntary: 7 }),
      ]);
    g.update(mk(0), T0);
    const s = g.update(mk(1), T0 + 1);
    const j = byName(s)['j'] as GroupSample;
    // pid 5 counts itself and its 3 threads; pid 9 (single-threaded) counts once.
    expect(j.states).toEqual({ running: 1, sleeping: 4, waiting: 0, zombie: 0, other: 0 });
    expect(j.counters.ctxVoluntary).toBe(3);
    expect(j.counters.ctxInvoluntary).toBe(1);
    expect(j.threads).toEqual([
      { name: 'GC', count: 2, counters: expect.objectContaining({ cpuUser: 2, ctxVoluntary: 2, ctxInvoluntary: 1 }) },
      { name: 'java', count: 1, counters: expect.objectContaining({ cpuUser: 1, ctxVoluntary: 1 }) },
    ]);
    expect(j.wchans).toEqual({ futex_wait_queue: 2, do_epoll_wait: 1 });
  });

  it('without threads, states count processes and thread data is ignored', () => {
    const g = grouper('process_names:\n  - name: j\n    comm: [java]\n');
    const s = g.update(
      tableSource([proc(5, { comm: 'java', numThreads: 2, threads: [th(5, 'java', 'S'), th(6, 'x', 'R')] })]),
      T0,
    );
    expect(byName(s)['j']?.states).toEqual({ running: 0, sleeping: 1, waiting: 0, zombie: 0, other: 0 });
    expect(byName(s)['j']?.threads).toEqual([]);
  });
});

describe('per-process series', () => {
  it('are kept for the busiest processes up to the limit; the rest is counted', () => {
    const g = grouper(
      'process_names:\n  - name: w\n    comm: [worker]\n    per_process: true\n  - name: o\n    comm: [other]\n',
      { perProcessLimit: 2 },
    );
    const mk = (k: number) =>
      tableSource([
        proc(5, { cpuUser: 1 * k }),
        proc(6, { cpuUser: 3 * k }),
        proc(7, { cpuUser: 2 * k }),
        proc(8, { comm: 'other' }),
      ]);
    const s0 = g.update(mk(0), T0);
    expect(s0.processes.map((p) => p.pid)).toEqual([5, 6]); // no CPU used yet: lowest pids
    expect(s0.processesDropped).toBe(1);
    const s1 = g.update(mk(1), T0 + 1);
    expect(s1.processes.map((p) => p.pid)).toEqual([6, 7]);
    expect(s1.processesDropped).toBe(2);
    expect(s1.processes[0]).toMatchObject({ pid: 6, group: 'w', cpuUser: 3 });
    expect(s1.perProcess).toBe(true);
  });
});

describe('cgroup facts', () => {
  it('shared by processes whose cgroup files read the same, each still grouped by its own', () => {
    const g = grouper('process_names:\n  - name: "{{.SystemdUnit}}"\n    systemd_unit: [".*\\\\.service"]\n');
    const a = '0::/system.slice/a.service\n';
    const b = '0::/system.slice/b.service\n';
    const src = tableSource([
      proc(5, { cgroups: a }),
      proc(6, { cgroups: a }),
      proc(7, { cgroups: b }),
      proc(8, { cgroups: '0::/system.slice/a.service/sub\n' }),
    ]);
    let s = g.update(src, T0);
    expect(s.groups.map((x) => [x.name, x.numProcs])).toEqual([
      ['a.service', 3],
      ['b.service', 1],
    ]);
    // The shared facts outlive the first process that read them (dropped only when no process holds them).
    src.set([proc(6, { cgroups: a }), proc(7, { cgroups: b }), proc(9, { cgroups: a }), proc(10, { cgroups: b })]);
    s = g.update(src, T0 + 1);
    expect(s.groups.map((x) => [x.name, x.numProcs])).toEqual([
      ['a.service', 2],
      ['b.service', 2],
    ]);
  });
});
