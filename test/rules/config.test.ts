import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  compileRulesConfig,
  DEFAULT_GROUP_OPTIONS,
  formatIssue,
  loadRulesYaml,
  parseDuration,
  RulesConfigError,
} from '../../src/rules/config';
import { own } from '../helpers/fixtures';

const DIR = own('rules', 'config');
const files = fs.readdirSync(DIR).sort();
const good = files.filter((f) => f.endsWith('.good.yaml'));
const bad = files.filter((f) => f.endsWith('.bad.yaml'));

function load(f: string) {
  return loadRulesYaml(fs.readFileSync(path.join(DIR, f), 'utf8'), f);
}

describe('config fixtures', () => {
  it('has good and bad fixtures', () => {
    expect(good.length).toBeGreaterThanOrEqual(5);
    expect(bad.length).toBeGreaterThanOrEqual(20);
  });

  it.each(good)('%s loads without errors', (f) => {
    expect(() => load(f)).not.toThrow();
  });

  it.each(bad)('%s is refused with the expected message and line', (f) => {
    const text = fs.readFileSync(path.join(DIR, f), 'utf8');
    const header = /^# expect: (.*) @ ?(\d*)$/m.exec(text);
    expect(header).not.toBeNull();
    const [, pattern, line] = header as RegExpExecArray;
    let err: unknown;
    try {
      loadRulesYaml(text, f);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RulesConfigError);
    const e = err as RulesConfigError;
    const hit = e.issues.find(
      (i) => i.severity === 'error' && new RegExp(pattern ?? '').test(`${i.path}: ${i.message}`),
    );
    if (!hit) throw new Error(`no issue matches /${pattern}/ in:\n${e.message}`);
    if (line) expect(hit.line).toBe(Number(line));
    // The message names the file and line, ready for --check-config.
    if (line) expect(e.message).toContain(`${f}:${line}:`);
  });
});

describe('loadRulesYaml', () => {
  it("compiles process-exporter's example as is", () => {
    const cfg = load('process-exporter-example.good.yaml');
    expect(cfg.rules.rules).toHaveLength(2);
    expect(cfg.rules.needs).toEqual({ cmdline: true, username: true, cgroups: false, cwd: false, podNames: false });
    expect(cfg.rules.staticGroups).toEqual([]);
    expect(cfg.options).toBe(DEFAULT_GROUP_OPTIONS);
    expect(cfg.warnings).toEqual([]);
  });

  it('reads our options and extensions', () => {
    const cfg = load('extensions.good.yaml');
    expect(cfg.options).toMatchObject({
      children: true,
      threads: true,
      gatherSmaps: false,
      recheckWithTimeLimit: 30,
      removeEmptyGroupsAfter: 600,
      perProcessLimit: 50,
    });
    expect([...cfg.options.excludeFamilies].sort()).toEqual(['open_filedesc', 'worst_fd_ratio']);
    expect(cfg.rules.usesParent).toBe(true);
    expect(cfg.rules.needs).toEqual({ cmdline: true, username: true, cgroups: true, cwd: false, podNames: false });
    expect(cfg.rules.labelNames).toEqual(['container_id', 'team', 'owner']);
    expect(cfg.rules.staticGroups.map((g) => g.name)).toEqual(['nginx-master', 'nginx-worker', 'app', 'pods']);
  });

  it('takes max_groups (default 1000), an integer >= 1', () => {
    expect(loadRulesYaml('process_names: []\n').options.maxGroups).toBe(1000);
    expect(compileRulesConfig([], { max_groups: 5 }).options.maxGroups).toBe(5);
    for (const bad of [0, -1, 1.5, '10']) {
      expect(() => compileRulesConfig([], { max_groups: bad })).toThrow(/max_groups: must be an integer >= 1/);
    }
  });
  it('takes `never` for remove_empty_groups_after', () => {
    expect(load('full-agent-config.good.yaml').options.removeEmptyGroupsAfter).toBeNull();
  });

  it('needs no cmdline for comm-only rules with a literal name', () => {
    const cfg = loadRulesYaml('process_names:\n  - name: sshd\n    comm: [sshd]\n');
    expect(cfg.rules.needs).toEqual({ cmdline: false, username: false, cgroups: false, cwd: false, podNames: false });
    expect(cfg.rules.staticGroups).toEqual([{ name: 'sshd', labels: {} }]);
  });

  it('defaults the name to {{.ExeBase}} when absent or empty, as process-exporter', () => {
    const cfg = loadRulesYaml('process_names:\n  - comm: [a]\n  - name: ""\n    comm: [b]\n');
    for (const r of cfg.rules.rules) expect(r.nameTemplate.source).toBe('{{.ExeBase}}');
    expect(cfg.rules.needs.cmdline).toBe(true);
  });

  it("takes numbers in string lists by their text, as Go's yaml.v2", () => {
    const cfg = loadRulesYaml('process_names:\n  - comm: [123]\n    user: [1000]\n');
    expect(cfg.rules.rules).toHaveLength(1);
  });

  it('warns (without refusing) about .Matches keys no regexp captures, and about empty lists', () => {
    const cfg = loadRulesYaml('process_names:\n  - name: "{{.Matches.x}}"\n    cmdline: ["(?P<y>a)"]\n  - comm: []\n');
    expect(cfg.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/\.Matches\.x is captured by no regexp/),
      expect.stringMatching(/empty list never matches/),
    ]);
    expect(cfg.warnings[0]?.line).toBe(2);
    expect(formatIssue(cfg.warnings[0]!, 'f.yaml')).toMatch(/^f\.yaml:2:\d+: warning: process_names\[0\]\.name: /);
  });

  it('lists every error of a file at once', () => {
    const text = 'process_names:\n  - name: "{{.Bad}}"\n    cmdline: ["("]\n  - bogus: 1\n';
    let err: RulesConfigError | undefined;
    try {
      loadRulesYaml(text, 'x.yaml');
    } catch (e) {
      err = e as RulesConfigError;
    }
    expect(err?.issues.filter((i) => i.severity === 'error').map((i) => i.line)).toEqual([2, 3, 4, 4]);
  });

  it('refuses a root that is not a mapping', () => {
    expect(() => loadRulesYaml('- a\n- b\n')).toThrow(/must be a mapping/);
    expect(() => loadRulesYaml('just text')).toThrow(/must be a mapping/);
  });

  it('accepts an empty document as no rules', () => {
    expect(loadRulesYaml('').rules.rules).toHaveLength(0);
  });
});

describe('compileRulesConfig without source text', () => {
  it('reports paths without lines', () => {
    expect(() => compileRulesConfig([{ comm: 'x' }], undefined)).toThrow(/process_names\[0\]\.comm: must be a list/);
  });
  it('uses the given paths', () => {
    expect(() => compileRulesConfig('x', 1, { namesPath: ['a'], optionsPath: ['b'] })).toThrow(
      /a: must be a list[\s\S]*b: must be a mapping/,
    );
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['10m', 600],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['250ms', 0.25],
    ['0', 0],
    [45, 45],
    ['2d', 172800],
  ])('%j = %d s', (v, want) => expect(parseDuration(v)).toBeCloseTo(want, 9));
  it.each(['', 'ten', '10', '-5s', '5 s', 's', null, -1, Number.NaN])('refuses %j', (v) =>
    expect(parseDuration(v)).toBeNull(),
  );
});

describe('pod, container and systemd unit selectors', () => {
  it('compile as whole-name regexps, read cgroups and (for pod names) the pod log index', () => {
    const cfg = compileRulesConfig(
      [
        { name: '{{.Matches.app}}', pod_name: ['(?P<app>web)-.*'], namespace: ['default'] },
        { name: '{{.SystemdUnit}}', systemd_unit: ['.*\\.service'] },
      ],
      { pod_logs_dir: '/host/var/log/pods' },
    );
    expect(cfg.warnings).toEqual([]);
    expect(cfg.options.podLogsDir).toBe('/host/var/log/pods');
    expect(cfg.rules.rules[0]!.needs).toMatchObject({ cgroups: true, podNames: true, cmdline: false });
    expect(cfg.rules.rules[1]!.needs).toMatchObject({ cgroups: true, podNames: false });
    expect(compileRulesConfig(undefined, undefined).options.podLogsDir).toBe('/var/log/pods');
  });
  it('a template with {{.ContainerName}} alone needs the index', () => {
    const cfg = compileRulesConfig([{ name: '{{.ContainerName}}', container_id: ['*'] }], undefined);
    expect(cfg.rules.needs).toMatchObject({ cgroups: true, podNames: true });
  });
  it('refuses bad regexps, non-lists and a relative pod_logs_dir, each at its path', () => {
    expect(() =>
      compileRulesConfig([{ pod_name: ['('], namespace: 'x', container_name: [1, {}] }], { pod_logs_dir: 'var/log' }),
    ).toThrow(
      /pod_name\[0\]: bad regexp[\s\S]*namespace: must be a list[\s\S]*container_name\[1\]: must be a string[\s\S]*pod_logs_dir: must be an absolute path/,
    );
  });
  it('a selector alone is a matcher; a static pod UID (32 hex digits) is a pod_uid', () => {
    expect(compileRulesConfig([{ systemd_unit: ['x.service'] }], undefined).rules.rules).toHaveLength(1);
    expect(compileRulesConfig([{ pod_uid: ['fdddaf06cf500dcb43e30469b6880934'] }], undefined).rules.rules).toHaveLength(
      1,
    );
  });
});
