/**
 * groupLookup: one process's group under the process_names rules, on fixture tables (the rules' tableSource), held
 * against the process_groups collector's Grouper on the same tables: every process the grouper reports per process
 * has the lookup's group, and the processes it leaves out are in none.
 */
import { compileRulesConfig } from '../../src/rules/config';
import { Grouper } from '../../src/rules/grouper';
import { groupLookup } from '../../src/rules/lookup';
import { tableSource, type ProcRecord } from '../../src/rules/table';
import type { ProcIdentity } from '../../src/rules/types';

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
  { pid: 202, ppid: 201, startTime: 910, comm: 'helper', cmdline: ['helper'], username: 'www-data' },
  // cmdline unreadable: a rule that needs it cannot decide, and neither can its children.
  { pid: 300, ppid: 1, startTime: 950, comm: 'python3', cmdline: null, username: 'root' },
  { pid: 301, ppid: 300, startTime: 960, comm: 'cat', cmdline: ['cat'], username: 'root' },
  // Parent not listed (a reaped parent's orphan seen mid-reparent).
  { pid: 400, ppid: 399, startTime: 970, comm: 'orphan', cmdline: ['orphan'], username: 'root' },
  { pid: 500, ppid: 1, startTime: 980, comm: 'bash', cmdline: ['bash'], username: 'alice' },
  { pid: 501, ppid: 500, startTime: 990, comm: 'vim', cmdline: ['vim'], username: 'alice' },
];

const RULES = [
  { name: 'web', comm: ['nginx'], per_process: true },
  {
    name: '{{.ExeBase}};{{.Username}};{{.Matches.script}}',
    comm: ['python3'],
    cmdline: ['(?P<script>[^/ ]+\\.py)'],
    per_process: true,
  },
  // A parent selector: children of an nginx get their own group rather than inheriting web.
  { name: 'web-children', parent: ['web'], comm: ['helper'], per_process: true },
  { name: 'users', user: ['alice'], per_process: true },
];

function byPid(records: readonly ProcRecord[]): Map<number, ProcIdentity> {
  return new Map(records.map((r) => [r.pid, r]));
}

function lookup(children: boolean, records = TABLE) {
  const rules = compileRulesConfig(RULES, { children });
  const source = tableSource(records);
  return { l: groupLookup(rules.rules, rules.options, source, byPid(records)), source };
}

describe('groupLookup', () => {
  it('first matching rule names the group (templates expanded)', () => {
    const { l } = lookup(true);
    expect(l.groupOf(200)).toBe('web');
    expect(l.groupOf(201)).toBe('web');
    expect(l.groupOf(100)).toBe('python3;root;job.py');
    expect(l.groupOf(500)).toBe('users');
    expect(l.groupOf(1)).toBeNull();
  });

  it('children join their nearest matched ancestor with children on, none with it off', () => {
    expect(lookup(true).l.groupOf(101)).toBe('python3;root;job.py');
    expect(lookup(true).l.groupOf(102)).toBe('python3;root;job.py');
    expect(lookup(false).l.groupOf(102)).toBeNull();
    expect(lookup(false).l.groupOf(101)).toBeNull();
  });

  it("a parent selector sees the parent's group", () => {
    expect(lookup(true).l.groupOf(202)).toBe('web-children');
    expect(lookup(false).l.groupOf(202)).toBe('web-children');
  });

  it('an unreadable fact: the process and the children that would inherit from it are in no group', () => {
    const { l } = lookup(true);
    expect(l.groupOf(300)).toBeNull();
    expect(l.groupOf(301)).toBeNull();
  });

  it('unlisted pids and children of unlisted parents are in no group', () => {
    const { l } = lookup(true);
    expect(l.groupOf(999)).toBeNull();
    expect(l.groupOf(400)).toBeNull();
  });

  it('reads each fact at most once per lookup, and only those the rules need', () => {
    const { l, source } = lookup(true);
    for (const r of TABLE) l.groupOf(r.pid);
    for (const r of TABLE) l.groupOf(r.pid);
    expect(source.reads.cmdline).toBeLessThanOrEqual(TABLE.length);
    expect(source.reads.cwd).toBe(0);
    expect(source.reads.cgroups).toBe(0);
  });

  it.each([true, false])('agrees with the Grouper on every process (children: %p)', (children) => {
    const rules = compileRulesConfig(RULES, { children, per_process_limit: 1000 });
    const source = tableSource(TABLE);
    const snap = new Grouper(rules.rules, rules.options).update(source, 2_000_000_000);
    const collector = new Map(snap.processes.map((p) => [p.pid, p.group]));
    expect(collector.size).toBeGreaterThan(3);
    const l = groupLookup(rules.rules, rules.options, source, byPid(TABLE));
    for (const r of TABLE) expect([r.pid, l.groupOf(r.pid)]).toEqual([r.pid, collector.get(r.pid) ?? null]);
  });

  // RULES declare three literal groups (web, web-children, users), which exist whatever the cap, and one template
  // (python3;root;job.py, pid 100's): a cap of 3 or less refuses it, and with children pid 100's children with it.
  it.each([
    [2, true],
    [3, true],
    [3, false],
    [4, true],
    [4, false],
  ])('agrees with the Grouper under max_groups %i (children: %p)', (maxGroups, children) => {
    const rules = compileRulesConfig(RULES, { children, per_process_limit: 1000, max_groups: maxGroups });
    const source = tableSource(TABLE);
    const snap = new Grouper(rules.rules, rules.options).update(source, 2_000_000_000);
    const collector = new Map(snap.processes.map((p) => [p.pid, p.group]));
    const l = groupLookup(rules.rules, rules.options, source, byPid(TABLE));
    // Asked in an order other than the listing's: the answers do not depend on it.
    for (const r of [...TABLE].reverse())
      expect([r.pid, l.groupOf(r.pid)]).toEqual([r.pid, collector.get(r.pid) ?? null]);
    const refused = maxGroups <= 3;
    expect(snap.groupsDropped).toBe(refused ? 1 : 0);
    expect(l.refusedGroup('python3;root;job.py')).toBe(refused);
    expect(l.groupOf(100)).toBe(refused ? null : 'python3;root;job.py');
    for (const name of ['web', 'web-children', 'users']) expect(l.refusedGroup(name)).toBe(false);
  });
});
