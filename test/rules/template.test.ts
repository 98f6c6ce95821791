import {
  compileTemplate,
  goTimeString,
  GO_NO_VALUE,
  TemplateError,
  type TemplateValues,
} from '../../src/rules/template';

const values: TemplateValues = {
  Comm: 'python3',
  ExeBase: 'python3',
  ExeFull: '/usr/bin/python3',
  Username: 'www-data',
  PID: 4242,
  StartTime: '2026-11-27 06:05:39.42 +0000 UTC',
  Cgroups: ['/system.slice/app.service', '/'],
  Cwd: '/srv/app',
  Matches: { script: 'worker.py', empty: '' },
  ContainerID: 'abc',
  PodUID: '',
  PodName: 'web-7d9f8c6b5-x2x9q',
  Namespace: 'shop',
  ContainerName: 'nginx',
  SystemdUnit: 'app.service',
};

describe('compileTemplate', () => {
  it.each([
    ['{{.Comm}}', 'python3'],
    ['{{.ExeBase}};{{.Username}};{{.Matches.script}}', 'python3;www-data;worker.py'],
    ['{{ .ExeFull }}', '/usr/bin/python3'],
    ['pid-{{.PID}}', 'pid-4242'],
    ['{{.StartTime}}', '2026-11-27 06:05:39.42 +0000 UTC'],
    ['{{.Cgroups}}', '[/system.slice/app.service /]'],
    ['{{.Namespace}}/{{.PodName}}/{{.ContainerName}}', 'shop/web-7d9f8c6b5-x2x9q/nginx'],
    ['{{.SystemdUnit}}', 'app.service'],
    ['{{.Cwd}}', '/srv/app'],
    ['{{index .Matches "script"}}', 'worker.py'],
    ['{{index .Matches `script`}}', 'worker.py'],
    ['{{.Matches}}', 'map[empty: script:worker.py]'],
    ['{{.Matches.empty}}|', '|'],
    ['{{.ContainerID}}/{{.PodUID}}', 'abc/'],
    ['literal', 'literal'],
    ['', ''],
    ['a {{- .Comm -}} b', 'apython3b'],
    ['a  \n{{- /* a comment */ -}}\n  b', 'ab'],
    ['{{/* only a comment */}}x', 'x'],
    ['x}}y', 'x}}y'],
  ])('%j renders %j', (src, want) => {
    expect(compileTemplate(src).render(values)).toBe(want);
  });

  it('renders a capture that no regexp set as Go does: <no value>', () => {
    expect(compileTemplate('{{.Matches.nope}}').render(values)).toBe(GO_NO_VALUE);
  });

  it('reports the fields and match keys it reads, and whether it is static', () => {
    const t = compileTemplate('{{.Comm}}:{{.Matches.a}}:{{index .Matches "b"}}');
    expect([...t.fields].sort()).toEqual(['Comm', 'Matches']);
    expect([...t.matchKeys].sort()).toEqual(['a', 'b']);
    expect(t.isStatic).toBe(false);
    expect(compileTemplate('nginx').isStatic).toBe(true);
    expect(compileTemplate('{{/* c */}}nginx').isStatic).toBe(true);
  });

  it.each([
    ['{{.Foo}}', /unknown template field \.Foo/],
    ['{{.comm}}', /unknown template field \.comm/],
    ['{{.Comm', /unclosed action/],
    ['{{}}', /empty action/],
    ['{{.Comm | printf "%s"}}', /pipelines/],
    ['{{if .Comm}}x{{end}}', /unsupported template action/],
    ['{{printf "%s" .Comm}}', /unsupported template action/],
    ['{{.}}', /expected a field/],
    ['{{.Comm.X}}', /has no field/],
    ['{{.Matches.a.b}}', /expected \.Matches\.<capture name>/],
    ['{{index .Cgroups 0}}', /only "index \.Matches/],
    ['{{index .Matches x}}', /needs a quoted key/],
    ['{{"unterminated}}', /unterminated|unclosed/],
  ])('refuses %j', (src, re) => {
    expect(() => compileTemplate(src)).toThrow(TemplateError);
    expect(() => compileTemplate(src)).toThrow(re);
  });

  it("keeps newlines, quotes and braces of the values verbatim (escaping is the exposition's job)", () => {
    const v = { ...values, Comm: 'a\n"b"}' };
    expect(compileTemplate('{{.Comm}}').render(v)).toBe('a\n"b"}');
  });
});

describe('goTimeString', () => {
  it('prints a UTC time.Time as Go does, trimming trailing zeros of the fraction', () => {
    // 1_700_000_000 = 2023-11-14 22:13:20 UTC
    expect(goTimeString(1_700_000_000, 0, 100)).toBe('2023-11-14 22:13:20 +0000 UTC');
    expect(goTimeString(1_700_000_000, 4250, 100)).toBe('2023-11-14 22:14:02.5 +0000 UTC');
    expect(goTimeString(1_700_000_000, 4201, 100)).toBe('2023-11-14 22:14:02.01 +0000 UTC');
    expect(goTimeString(1_700_000_000, 360000, 100)).toBe('2023-11-14 23:13:20 +0000 UTC');
  });
});
