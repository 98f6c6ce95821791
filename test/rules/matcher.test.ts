import * as fs from 'node:fs';
import { loadRulesYaml } from '../../src/rules/config';
import { Grouper } from '../../src/rules/grouper';
import { GoRegexp } from '../../src/rules/matcher';
import { tableSource, type ProcRecord } from '../../src/rules/table';
import { own } from '../helpers/fixtures';
import { argv, CONTAINER_ID, hostTable, POD_UID } from './tables';

/** Group name -> member pids, for the groups that have members. */
function members(yaml: string, table: ProcRecord[], children = false): Record<string, number[]> {
  const cfg = loadRulesYaml(yaml);
  const g = new Grouper(cfg.rules, { ...cfg.options, children });
  const src = tableSource(table);
  g.update(src, 2_000_000_000);
  const out: Record<string, number[]> = {};
  // Members are not in the snapshot; recover them by removing one process at a time would be slow: instead
  // use per_process series, which list pids. Every rule here is made per_process with a high limit.
  const cfg2 = loadRulesYaml(yaml.replace(/^(\s*)- /gm, '$1- per_process: true\n$1  '));
  const g2 = new Grouper(cfg2.rules, { ...cfg2.options, children, perProcessLimit: 1e6 });
  const snap = g2.update(tableSource(table), 2_000_000_000);
  for (const p of snap.processes) (out[labelled(p.group, p.labels)] ??= []).push(p.pid);
  for (const v of Object.values(out)) v.sort((a, b) => a - b);
  // Both groupers agree on the groups and their sizes.
  const sizes = Object.fromEntries(
    g
      .update(src, 2_000_000_001)
      .groups.filter((x) => x.numProcs > 0)
      .map((x) => [labelled(x.name, x.labels), x.numProcs]),
  );
  expect(sizes).toEqual(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length])));
  return out;
}

function labelled(name: string, labels: Readonly<Record<string, string>>): string {
  const l = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return l ? `${name}{${l}}` : name;
}

describe('GoRegexp (RE2 via re2js)', () => {
  it("accepts Go's (?P<name>...) and (?<name>...) captures", () => {
    expect(new GoRegexp('(?P<script>[^/ ]+\\.py)').find('/usr/bin/python3 /opt/app/worker.py -x')).toEqual({
      script: 'worker.py',
    });
    expect(new GoRegexp('(?<n>\\d+)').find('abc 42')).toEqual({ n: '42' });
  });
  it('reports a group that took no part as "", as Go\'s FindStringSubmatch', () => {
    expect(new GoRegexp('a(?P<x>b)?c').find('ac')).toEqual({ x: '' });
  });
  it('returns null without a match, and an empty record for a match without named groups', () => {
    expect(new GoRegexp('^x').find('y')).toBeNull();
    expect(new GoRegexp('.+').find('y')).toEqual({});
  });
  it('refuses what RE2 refuses (backreferences, lookaround)', () => {
    expect(() => new GoRegexp('(a)\\1')).toThrow();
    expect(() => new GoRegexp('(?=a)')).toThrow();
    expect(() => new GoRegexp('(?<=a)b')).toThrow();
  });
  it("stays linear on a pathological pattern: (a+)+$ against 1 MiB of a's and a !", () => {
    // A backtracking engine would never finish this; the assertion is only on the result.
    const input = 'a'.repeat(1 << 20) + '!';
    expect(new GoRegexp('(a+)+$').find(input)).toBeNull();
    expect(new GoRegexp('(?P<x>(a|aa)+)$').find(input)).toBeNull();
    expect(new GoRegexp('(?P<x>(a+)+)!$').find(input)?.['x']?.length).toBe(1 << 20);
  });
});

describe("process-exporter's matchers on a fixture table", () => {
  it("groups a config in process-exporter's syntax (a python3 rule with a capture, a {{.Comm}} catch-all) as process-exporter does", () => {
    const yaml = fs.readFileSync(own('process-exporter', 'config.yml'), 'utf8');
    expect(members(yaml, hostTable())).toEqual({
      'python3;www-data;worker.py': [800],
      systemd: [1],
      sshd: [500, 600],
      bash: [700],
      sh: [801],
      nginx: [900, 901, 902],
      'a b) Z 1': [1000],
      'new\nline': [1001],
      'inner-job-同\uFFFD': [1002],
      'redis-server': [1200],
      // kthreadd and kworker have an empty cmdline: '.+' does not match them.
    });
  });

  it('first match wins, in config order', () => {
    const yaml = 'process_names:\n  - name: first\n    comm: [sshd]\n  - name: second\n    comm: [sshd, bash]\n';
    expect(members(yaml, hostTable())).toEqual({ first: [500, 600], second: [700] });
  });

  it("exe: a bare name matches argv[0]'s basename, a path matches argv[0] exactly", () => {
    const t = hostTable();
    expect(members('process_names:\n  - name: e\n    exe: [sshd]\n', t)).toEqual({ e: [500] });
    expect(members('process_names:\n  - name: e\n    exe: [/usr/sbin/sshd]\n', t)).toEqual({ e: [500] });
    expect(members('process_names:\n  - name: e\n    exe: [/sbin/sshd]\n', t)).toEqual({});
    // setproctitle: argv[0] is the whole line; its basename is what follows the last '/'.
    expect(members('process_names:\n  - name: e\n    exe: [nginx]\n', t)).toEqual({});
    expect(members('process_names:\n  - name: "{{.ExeBase}}"\n    comm: [nginx]\n', t)).toEqual({
      'nginx -g daemon on;': [900],
      'nginx: worker process': [901, 902],
    });
  });

  it('cmdline: every regexp must match argv joined by spaces; captures feed .Matches', () => {
    const yaml = `process_names:
  - name: "{{.Matches.prog}}:{{.Matches.q}}"
    cmdline: ['python3 \\S*/(?P<prog>[^/ ]+)\\.py', '--queue (?P<q>\\w+)']
`;
    expect(members(yaml, hostTable())).toEqual({ 'worker:mail': [800] });
    expect(members("process_names:\n  - name: x\n    cmdline: ['python3', 'nomatch']\n", hostTable())).toEqual({});
  });

  it('comm is matched whole, never as a prefix', () => {
    expect(members('process_names:\n  - name: x\n    comm: [ssh]\n', hostTable())).toEqual({});
  });

  it('templates: ExeFull, Username, PID and the comm fallback for kernel threads', () => {
    const yaml = `process_names:
  - name: "{{.ExeFull}}|{{.Username}}"
    comm: [sshd]
  - name: "{{.ExeBase}}#{{.PID}}"
    comm: [kthreadd]
`;
    expect(members(yaml, hostTable())).toEqual({
      '/usr/sbin/sshd|root': [500],
      'sshd: alice [priv]|root': [600],
      'kthreadd#2': [2],
    });
  });

  it('names stay valid UTF-8 and are capped', () => {
    const huge = 'x'.repeat(5000);
    const t: ProcRecord[] = [
      { pid: 10, ppid: 1, startTime: 10, comm: 'big', cmdline: argv(`/bin/${huge}`), username: 'u', cgroups: '' },
    ];
    const out = members('process_names:\n  - name: "{{.ExeBase}}"\n    comm: [big]\n', t);
    const [name] = Object.keys(out);
    expect(Buffer.byteLength(name ?? '', 'utf8')).toBe(1024);
    const bad: ProcRecord[] = [
      { pid: 11, ppid: 1, startTime: 11, comm: 'a\uD800b', cmdline: argv('x'), username: 'u', cgroups: '' },
    ];
    expect(Object.keys(members('process_names:\n  - name: "{{.Comm}}"\n    comm: ["a\\uD800b"]\n', bad))).toEqual([
      'a\uFFFDb',
    ]);
  });

  it('a 1 MiB cmdline is matched (and captured) in full', () => {
    const long = 'y'.repeat(1 << 20);
    const t: ProcRecord[] = [
      {
        pid: 10,
        ppid: 1,
        startTime: 10,
        comm: 'java',
        cmdline: argv('/usr/bin/java', `-Dx=${long}`, '-jar', 'app.jar'),
        username: 'u',
        cgroups: '',
      },
    ];
    const yaml = "process_names:\n  - name: '{{.Matches.jar}}'\n    cmdline: ['-jar (?P<jar>\\S+)$']\n";
    expect(members(yaml, t)).toEqual({ 'app.jar': [10] });
  });
});

describe('our selectors', () => {
  it('user: any of the names', () => {
    expect(members('process_names:\n  - name: web\n    user: [www-data]\n', hostTable())).toEqual({
      web: [800, 801, 901, 902],
    });
  });

  it('cgroup: regexps on the cgroup paths, with captures', () => {
    const yaml =
      "process_names:\n  - name: '{{.Matches.unit}}'\n    cgroup: ['^/system\\.slice/(?P<unit>[^/]+)\\.service$']\n";
    expect(members(yaml, hostTable())).toEqual({ ssh: [500], app: [800, 801], nginx: [900, 901, 902] });
  });

  it('container_id (a prefix, or *) and pod_uid, with the ids as template fields and labels', () => {
    const yaml = `process_names:
  - name: "c-{{.ContainerID}}"
    container_id: ["${CONTAINER_ID.slice(0, 12)}"]
    labels: {pod: "{{.PodUID}}"}
`;
    expect(members(yaml, hostTable())).toEqual({ [`c-${CONTAINER_ID}{pod=${POD_UID}}`]: [1200] });
    expect(members('process_names:\n  - name: any\n    container_id: ["*"]\n', hostTable())).toEqual({ any: [1200] });
    expect(
      members(
        `process_names:\n  - name: p\n    pod_uid: ["${POD_UID.replace(/-/g, '_').toUpperCase()}"]\n`,
        hostTable(),
      ),
    ).toEqual({ p: [1200] });
    expect(members('process_names:\n  - name: p\n    pod_uid: ["*"]\n', hostTable())).toEqual({ p: [1200] });
    expect(members('process_names:\n  - name: none\n    container_id: [ffff]\n', hostTable())).toEqual({});
  });

  it("parent: the parent process's group", () => {
    const yaml = `process_names:
  - name: workers
    comm: [nginx]
    parent: [master]
  - name: master
    cmdline: ['^nginx: master']
`;
    expect(members(yaml, hostTable())).toEqual({ master: [900], workers: [901, 902] });
  });

  it('labels: extra labels from templates split one name into several groups', () => {
    const yaml = "process_names:\n  - name: nginx\n    comm: [nginx]\n    labels: {user: '{{.Username}}', tier: web}\n";
    expect(members(yaml, hostTable())).toEqual({
      'nginx{user=root,tier=web}': [900],
      'nginx{user=www-data,tier=web}': [901, 902],
    });
  });
});

describe('children', () => {
  const yaml = 'process_names:\n  - name: ssh\n    exe: [/usr/sbin/sshd]\n  - name: app\n    comm: [python3]\n';
  it("unmatched children count in the nearest matched ancestor's group", () => {
    expect(members(yaml, hostTable(), true)).toEqual({ ssh: [500, 600, 700], app: [800, 801] });
  });
  it('without children, only matched processes count', () => {
    expect(members(yaml, hostTable(), false)).toEqual({ ssh: [500], app: [800] });
  });
  it('a matching rule wins over inheritance', () => {
    const y2 = yaml + '  - name: shells\n    comm: [bash, sh]\n';
    expect(members(y2, hostTable(), true)).toEqual({ ssh: [500, 600], app: [800], shells: [700, 801] });
  });
});
