/**
 * RulesGroups: the admin API's groups, decided with the process_names rules on a fixture process table (the rules'
 * own tableSource): first match wins, children join their nearest matched ancestor, identities are checked.
 */
import { compileRulesConfig } from '../../src/rules/config';
import { tableSource, type ProcRecord } from '../../src/rules/table';
import { RulesGroups } from '../../src/admin/groups';

const TABLE: ProcRecord[] = [
  { pid: 1, ppid: 0, startTime: 1, comm: 'systemd', cmdline: ['/sbin/init'], username: 'root' },
  { pid: 100, ppid: 1, startTime: 500, comm: 'python3', cmdline: ['/usr/bin/python3', '/srv/job.py'], username: 'root' },
  { pid: 101, ppid: 100, startTime: 600, comm: 'sh', cmdline: ['sh', '-c', 'sleep 1'], username: 'root' },
  { pid: 102, ppid: 101, startTime: 700, comm: 'sleep', cmdline: ['sleep', '1'], username: 'root' },
  { pid: 200, ppid: 1, startTime: 800, comm: 'nginx', cmdline: ['nginx: master'], username: 'root' },
  { pid: 201, ppid: 200, startTime: 900, comm: 'nginx', cmdline: ['nginx: worker'], username: 'www-data' },
  { pid: 300, ppid: 1, startTime: 950, comm: 'python3', cmdline: null, username: 'root' },
];

function groups(children = true, records = TABLE) {
  const rules = compileRulesConfig([
    { name: 'web', comm: ['nginx'] },
    { name: '{{.ExeBase}};{{.Username}};{{.Matches.script}}', comm: ['python3'], cmdline: ['(?P<script>[^/ ]+\\.py)'] },
  ], { children });
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
      rules: first.rules, options: first.options, source: tableSource(TABLE), maxAgeMs: 1000, now: () => now,
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
