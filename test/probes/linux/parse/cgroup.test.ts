import { parseCgroup } from '../../../../src/probes/linux/parse/cgroup';
import { ParseError } from '../../../../src/probes/errors';
import { GARBAGE } from '../../../helpers/garbage';

describe('parseCgroup (/proc/<pid>/cgroup)', () => {
  test('cgroup v1 hierarchies with controllers, a named hierarchy, and the v2 line, in file order', () => {
    const text =
      '12:name=systemd:/user.slice/user-1000.slice/session-3.scope\n4:cpu,cpuacct:/\n1:memory:/docker/abc\n0::/user.slice\n';
    expect(parseCgroup(text)).toEqual([
      { hierarchyId: 12, controllers: ['name=systemd'], path: '/user.slice/user-1000.slice/session-3.scope' },
      { hierarchyId: 4, controllers: ['cpu', 'cpuacct'], path: '/' },
      { hierarchyId: 1, controllers: ['memory'], path: '/docker/abc' },
      { hierarchyId: 0, controllers: [], path: '/user.slice' },
    ]);
    expect(parseCgroup(Buffer.from(text))).toEqual(parseCgroup(text));
  });

  test('a pure v2 host: one line; a path holding colons and spaces is kept whole', () => {
    expect(parseCgroup('0::/\n')).toEqual([{ hierarchyId: 0, controllers: [], path: '/' }]);
    expect(parseCgroup('0::/system.slice/a:b c.service\n')).toEqual([
      { hierarchyId: 0, controllers: [], path: '/system.slice/a:b c.service' },
    ]);
    // No trailing newline: the last line still counts.
    expect(parseCgroup('0::/x')).toEqual([{ hierarchyId: 0, controllers: [], path: '/x' }]);
  });

  test('kubernetes and docker paths come out verbatim (the agent derives container ids and pod uids from them)', () => {
    const id = 'f'.repeat(64);
    const p = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b3c4d_0000_4111_8222_123456789abc.slice/cri-containerd-${id}.scope`;
    expect(parseCgroup(`0::${p}\n`)[0]?.path).toBe(p);
  });

  test('non-UTF-8 bytes in a path are kept as escapes (fsdecode), never an exception', () => {
    expect(parseCgroup(Buffer.from([0x30, 0x3a, 0x3a, 0x2f, 0x61, 0xff, 0x0a]))).toEqual([
      { hierarchyId: 0, controllers: [], path: '/a\udcff' },
    ]);
  });

  test('an empty file is no cgroups (no hierarchy visible to the process); blank lines are skipped', () => {
    expect(parseCgroup('')).toEqual([]);
    expect(parseCgroup('\n\n')).toEqual([]);
  });

  test.each([
    ['one colon', '0:/x\n'],
    ['a non-numeric id', 'x::/\n'],
    ['a negative id', '-1::/\n'],
    ['a huge id', '99999999999::/\n'],
  ])('%s is a ParseError naming the line', (_n, text) => {
    expect(() => parseCgroup(`0::/\n${text}`, '/proc/1/cgroup')).toThrow(ParseError);
    expect(() => parseCgroup(`0::/\n${text}`, '/proc/1/cgroup')).toThrow(/\/proc\/1\/cgroup: line 2/);
  });

  test.each(GARBAGE.filter(([n]) => n !== 'empty' && n !== 'newlines only'))(
    'garbage: %s is a ParseError',
    (_n, input) => {
      expect(() => parseCgroup(input)).toThrow(ParseError);
    },
  );
});
