/**
 * RulesGroups: the admin API's groups, decided with the process_names rules on a fixture process table (the rules'
 * own tableSource): first match wins, children join their nearest matched ancestor, identities are checked. And on
 * the live system, against the process_groups collector's Grouper over the same processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { NoSuchProcess, Process, pidExists, procfsSelfPid, psutil } from '../../src/index';
import { libraryHost } from '../../src/admin/target';
import { compileRulesConfig } from '../../src/rules/config';
import { Grouper } from '../../src/rules/grouper';
import { PsutilSource } from '../../src/rules/source';
import { tableSource, type ProcRecord } from '../../src/rules/table';
import type { ProcIdentity, ProcSource } from '../../src/rules/types';
import { RulesGroups } from '../../src/admin/groups';
import { PYTHON, request, startHarness, until } from './harness';

const TABLE: ProcRecord[] = [
  { pid: 1, ppid: 0, startTime: 1, comm: 'systemd', cmdline: ['/sbin/init'], username: 'root' },
  {
    pid: 100,
    ppid: 1,
    startTime: 500,
    comm: 'python3',
    cmdline: ['/usr/bin/python3', '/srv/job.py'],
    username: 'root',
  },
  { pid: 101, ppid: 100, startTime: 600, comm: 'sh', cmdline: ['sh', '-c', 'sleep 1'], username: 'root' },
  { pid: 102, ppid: 101, startTime: 700, comm: 'sleep', cmdline: ['sleep', '1'], username: 'root' },
  { pid: 200, ppid: 1, startTime: 800, comm: 'nginx', cmdline: ['nginx: master'], username: 'root' },
  { pid: 201, ppid: 200, startTime: 900, comm: 'nginx', cmdline: ['nginx: worker'], username: 'www-data' },
  { pid: 300, ppid: 1, startTime: 950, comm: 'python3', cmdline: null, username: 'root' },
];

function groups(children = true, records = TABLE) {
  const rules = compileRulesConfig(
    [
      { name: 'web', comm: ['nginx'] },
      {
        name: '{{.ExeBase}};{{.Username}};{{.Matches.script}}',
        comm: ['python3'],
        cmdline: ['(?P<script>[^/ ]+\\.py)'],
      },
    ],
    { children },
  );
  const source = tableSource(records);
  return { g: new RulesGroups({ rules: rules.rules, options: rules.options, source, maxAgeMs: 60_000 }), source };
}

describe('RulesGroups', () => {
  it('names groups as the rules do, first match wins', () => {
    const { g } = groups();
    expect(g.groupOf(200, 800)).toBe('web');
    expect(g.groupOf(100, 500)).toBe('python3;root;job.py');
    expect(g.groupOf(1, 1)).toBeNull();
    expect([...g.members('web')].sort()).toEqual([200, 201]);
  });

  it('children join their nearest matched ancestor, unless children is off', () => {
    expect(groups(true).g.groupOf(102, 700)).toBe('python3;root;job.py');
    expect([...groups(true).g.members('python3;root;job.py')].sort()).toEqual([100, 101, 102]);
    expect(groups(false).g.groupOf(102, 700)).toBeNull();
  });

  it('a pid whose start time differs (reused since the listing) is in no group', () => {
    const { g } = groups();
    expect(g.groupOf(200, 801)).toBeNull();
    expect(g.groupOf(200, null)).toBeNull();
    expect(g.groupOf(999, 1)).toBeNull();
  });

  it('a process whose needed facts are unreadable is in no group', () => {
    expect(groups().g.groupOf(300, 950)).toBeNull();
  });

  it('re-lists /proc once the view is older than maxAgeMs', () => {
    let now = 0;
    const rules = compileRulesConfig([{ name: 'web', comm: ['nginx'] }], {});
    const source = tableSource(TABLE);
    const g = new RulesGroups({ rules: rules.rules, options: rules.options, source, maxAgeMs: 1000, now: () => now });
    expect(g.groupOf(200, 800)).toBe('web');
    source.set(TABLE.filter((r) => r.pid !== 200));
    expect(g.groupOf(200, 800)).toBe('web');
    now = 2000;
    expect(g.groupOf(200, 800)).toBeNull();
    expect(source.reads.list).toBe(2);
  });

  it('takes new rules from the reload hook when it lists /proc again', () => {
    let now = 0;
    const first = compileRulesConfig([{ name: 'web', comm: ['nginx'] }], {});
    const second = compileRulesConfig([{ name: 'frontend', comm: ['nginx'] }], {});
    let pending: typeof second | null = null;
    const g = new RulesGroups({
      rules: first.rules,
      options: first.options,
      source: tableSource(TABLE),
      maxAgeMs: 1000,
      now: () => now,
      reload: () => {
        const r = pending;
        pending = null;
        return r && { rules: r.rules, options: r.options };
      },
    });
    expect(g.groupOf(200, 800)).toBe('web');
    pending = second;
    expect(g.groupOf(200, 800)).toBe('web');
    now = 2000;
    expect(g.groupOf(200, 800)).toBe('frontend');
    expect(g.members('web')).toEqual([]);
  });
});

describe('RulesGroups under collectors.process_groups.max_groups', () => {
  // children off: each process's group is its own rule's. The literal group counts towards the cap as in the
  // collector: with max_groups 3 it and the first two template-made groups in listing order (systemd's, python3's)
  // exist, and sh's and sleep's groups would be a fourth and fifth.
  const RULES = [
    { name: 'web-static', comm: ['nginx'], per_process: true },
    { name: 't;{{.Comm}}', comm: ['systemd', 'python3', 'sh', 'sleep'], per_process: true },
  ];
  const OPTIONS = { children: false, max_groups: 3, per_process_limit: 1000 };

  function capped() {
    const rules = compileRulesConfig(RULES, OPTIONS);
    const source = tableSource(TABLE);
    return { g: new RulesGroups({ rules: rules.rules, options: rules.options, source, maxAgeMs: 60_000 }), rules };
  }

  it('a process whose group would pass max_groups is in no group, as the collector leaves it', () => {
    const { g, rules } = capped();
    const snap = new Grouper(rules.rules, rules.options).update(tableSource(TABLE), 2_000_000_000);
    expect(snap.groups.map((x) => x.name).sort()).toEqual(['t;python3', 't;systemd', 'web-static']);
    expect(snap.groupsDropped).toBe(2);
    const collector = new Map(snap.processes.map((p) => [p.pid, p.group]));
    for (const r of TABLE)
      expect([r.pid, g.groupOf(r.pid, r.startTime)]).toEqual([r.pid, collector.get(r.pid) ?? null]);
    expect(g.groupOf(101, 600)).toBeNull();
    expect(g.groupOf(102, 700)).toBeNull();
    expect(g.members('t;sh')).toEqual([]);
    expect(g.refusal('t;sh')).toMatch(/max_groups \(3\)/);
    expect(g.refusal('t;sleep')).toMatch(/max_groups \(3\)/);
    expect(g.refusal('t;python3')).toBeNull();
    expect(g.refusal('no-such-group')).toBeNull();
    // Room for them: the same listing under a higher cap groups them.
    const roomy = compileRulesConfig(RULES, { ...OPTIONS, max_groups: 5 });
    const g5 = new RulesGroups({ rules: roomy.rules, options: roomy.options, source: tableSource(TABLE) });
    expect(g5.groupOf(101, 600)).toBe('t;sh');
    expect(g5.refusal('t;sh')).toBeNull();
  });

  it('the admin API answers 404 group_over_max_groups for such a group, no_such_group for an unknown one', async () => {
    const { g } = capped();
    const h = await startHarness({
      host: libraryHost({
        newProcess: (pid) => new Process(pid),
        pidExists,
        procfs: psutil.roots.procfs,
        procfsSelfPid,
        cpuCount: () => psutil.cpuTimes({ percpu: true }).length,
      }),
      groups: g,
      admin: { policy: [{ groups: ['t;sh', 't;python3', 'ghost'], signals: ['SIGHUP'] }] },
    });
    try {
      const get = await request(h, 'GET', `/v1/groups/${encodeURIComponent('t;sh')}`);
      expect(get.status).toBe(404);
      expect(get.body?.['error']).toMatchObject({ code: 'group_over_max_groups' });
      expect(JSON.stringify(get.body)).toMatch(/collectors\.process_groups\.max_groups \(3\)/);
      const act = await request(h, 'POST', `/v1/groups/${encodeURIComponent('t;sh')}/signal`, {
        body: { signal: 'SIGHUP', dryRun: true },
      });
      expect(act.status).toBe(404);
      expect(act.body?.['error']).toMatchObject({ code: 'group_over_max_groups' });
      const ghost = await request(h, 'GET', '/v1/groups/ghost');
      expect(ghost.status).toBe(404);
      expect(ghost.body?.['error']).toMatchObject({ code: 'no_such_group' });
    } finally {
      await h.close();
      fs.rmSync(h.dir, { recursive: true, force: true });
    }
  });
});

/** A ProcSource that remembers what its list() gave (the collector's view of /proc for this pass). */
function recording(src: ProcSource): { source: ProcSource; listed: ProcIdentity[] } {
  const listed: ProcIdentity[] = [];
  const source: ProcSource = {
    bootTime: src.bootTime,
    clockTicks: src.clockTicks,
    list: (prefetch) => {
      listed.length = 0;
      for (const id of src.list(prefetch)) listed.push(id);
      return listed;
    },
    cmdline: (p) => src.cmdline(p),
    username: (p) => src.username(p),
    cgroups: (p) => src.cgroups(p),
    cwd: (p) => src.cwd(p),
    metrics: (p, needs) => src.metrics(p, needs),
  };
  return { source, listed };
}

describe('RulesGroups on live processes, against the process_groups collector', () => {
  const marker = `admin-groups-${crypto.randomBytes(4).toString('hex')}`;
  let tree: ChildProcess;
  let sibling: ChildProcess;

  beforeAll(async () => {
    // python3 <marker> -> sh -> sleep (children inherit), and an unmarked python3 beside it (in no group).
    const code = "import subprocess, sys, time\nsubprocess.Popen(['sh', '-c', 'sleep 600; :'])\ntime.sleep(600)\n";
    tree = spawn(PYTHON, ['-c', code, marker], { stdio: 'ignore' });
    sibling = spawn(PYTHON, ['-c', 'import time; time.sleep(600)'], { stdio: 'ignore' });
    await until(() => descendants(tree.pid ?? -1).length >= 2, 'the marked tree (sh and sleep) to start');
  });

  afterAll(() => {
    for (const pid of descendants(tree.pid ?? -1)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (err) {
        // Already gone: nothing to clean up.
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    }
    tree.kill('SIGKILL');
    sibling.kill('SIGKILL');
  });

  function descendants(pid: number): number[] {
    const out: number[] = [];
    for (const c of new Process(pid).children({ recursive: true })) out.push(c.pid);
    return out;
  }

  it.each([true, false])(
    "admin groups equal the collector's for every process it listed (children: %p)",
    (children) => {
      const rules = compileRulesConfig(
        [
          { name: 'marked;{{.Matches.m}}', cmdline: [`(?P<m>${marker})`], per_process: true },
          // A parent selector on the marked group: the marked tree's sh gets its own group.
          { name: 'marked-shell', parent: [`marked;${marker}`], comm: ['sh'], per_process: true },
        ],
        { children, per_process_limit: 100000 },
      );
      const { source, listed } = recording(new PsutilSource(psutil));
      const snap = new Grouper(rules.rules, rules.options).update(source);
      const collector = new Map(snap.processes.map((p) => [p.pid, p.group]));
      const admin = new RulesGroups({
        rules: rules.rules,
        options: rules.options,
        source: new PsutilSource(psutil),
        maxAgeMs: 60_000,
      });

      const root = tree.pid ?? -1;
      const sh = descendants(root).find((pid) => new Process(pid).name() === 'sh');
      const sleep = descendants(root).find((pid) => new Process(pid).name() === 'sleep');
      expect(collector.get(root)).toBe(`marked;${marker}`);
      expect(sh !== undefined && collector.get(sh)).toBe('marked-shell');
      expect(sleep !== undefined && collector.get(sleep)).toBe(children ? 'marked-shell' : undefined);
      expect(collector.has(sibling.pid ?? -1)).toBe(false);

      let compared = 0;
      for (const id of listed) {
        const got = admin.groupOf(id.pid, id.startTime);
        // A process that exited or was replaced between the two listings is not the same process to compare.
        let same: boolean;
        try {
          same = new Process(id.pid).startTicks === id.startTime;
        } catch (err) {
          if (!(err instanceof NoSuchProcess)) throw err;
          same = false;
        }
        if (!same) continue;
        expect([id.pid, got]).toEqual([id.pid, collector.get(id.pid) ?? null]);
        compared++;
      }
      expect(compared).toBeGreaterThan(4);
      expect([...admin.members(`marked;${marker}`)]).toEqual([root]);
    },
  );
});
