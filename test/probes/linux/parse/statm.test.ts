import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseStatm, statmFromStatus } from '../../../../src/probes/linux/parse/statm';
import { ParseError } from '../../../../src/probes/errors';
import { PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

describe('parseStatm', () => {
  test('our python3 process and a kernel thread', () => {
    expect(parseStatm(fs.readFileSync(own('parse', 'pid', '4321', 'statm')))).toEqual({
      size: 62779,
      resident: 6211,
      shared: 3100,
      text: 682,
      lib: 0,
      data: 10233,
      dirty: 0,
    });
    expect(parseStatm(fs.readFileSync(own('parse', 'pid', '17', 'statm')))).toEqual({
      size: 0,
      resident: 0,
      shared: 0,
      text: 0,
      lib: 0,
      data: 0,
      dirty: 0,
    });
  });

  testPeer('procfs 26231, including a u64 maximum', () => {
    const m = parseStatm(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', '26231', 'statm')));
    expect(m).toEqual({
      size: 149919,
      resident: 12547,
      shared: 2 ** 64 /* u64 max as the nearest double */,
      text: 19864,
      lib: 0,
      data: 14531,
      dirty: 0,
    });
  });

  test('a kernel thread: seven zeros', () => {
    expect(parseStatm('0 0 0 0 0 0 0\n')).toEqual({
      size: 0,
      resident: 0,
      shared: 0,
      text: 0,
      lib: 0,
      data: 0,
      dirty: 0,
    });
  });

  test.each([
    ['six fields', '1 2 3 4 5 6\n'],
    ['a negative', '1 2 3 4 5 -6 7\n'],
    ['a word', '1 2 3 four 5 6 7\n'],
  ])('%s -> ParseError', (_n, t) => {
    expect(() => parseStatm(t, '/p/1/statm')).toThrow(ParseError);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parseStatm(input)).toThrow(ParseError);
  });
  test.each([
    ['the kernel form', '149919 12547 2861 19864 0 14531 0\n'],
    ['no newline', '1 2 3 4 5 6 7'],
    ['16 digits', '1234567890123456 2 3 4 5 6 7\n'],
    ['15 digits', '123456789012345 2 3 4 5 6 7\n'],
    ['two spaces', '1  2 3 4 5 6 7\n'],
    ['an eighth field', '1 2 3 4 5 6 7 8\n'],
    ['trailing blanks', '1 2 3 4 5 6 7 \n\n'],
    ['a leading blank', ' 1 2 3 4 5 6 7\n'],
    ['a tab', '1\t2 3 4 5 6 7\n'],
    ['six fields', '1 2 3 4 5 6\n'],
    ['a sign', '1 2 3 4 5 +6 7\n'],
  ])('bytes and text parse alike: %s', (_n, t) => {
    const outcome = (input: Buffer | string): unknown => {
      try {
        return parseStatm(input, '/p/1/statm');
      } catch (e) {
        return e instanceof ParseError ? 'ParseError' : e;
      }
    };
    expect(outcome(Buffer.from(t, 'latin1'))).toEqual(outcome(t));
  });
});

describe('statmFromStatus', () => {
  const status = (over: Record<string, string | null> = {}): string => {
    const lines: Record<string, string | null> = {
      Name: 'python3',
      VmPeak: '251264 kB',
      VmSize: '251116 kB',
      VmHWM: '25420 kB',
      VmRSS: '24844 kB',
      RssAnon: '12400 kB',
      RssFile: '12440 kB',
      RssShmem: '4 kB',
      VmData: '40932 kB',
      VmStk: '132 kB',
      VmExe: '2728 kB',
      VmLib: '9012 kB',
      Threads: '1',
      ...over,
    };
    return Object.entries(lines)
      .filter((e): e is [string, string] => e[1] !== null)
      .map(([k, v]) => `${k}:\t${v}\n`)
      .join('');
  };

  test('kB lines as pages: shared = RssFile + RssShmem, data = VmData + VmStk, lib and dirty 0', () => {
    expect(statmFromStatus(status(), 4096)).toEqual({
      size: 62779,
      resident: 6211,
      shared: 3111,
      text: 682,
      lib: 0,
      data: 10266,
      dirty: 0,
    });
    expect(
      statmFromStatus(
        status({
          VmSize: '65536 kB',
          VmRSS: '16 kB',
          RssFile: '0 kB',
          RssShmem: '16 kB',
          VmData: '32 kB',
          VmStk: '32 kB',
          VmExe: '16 kB',
        }),
        16384,
      ),
    ).toMatchObject({
      size: 4096,
      resident: 1,
      shared: 1,
      text: 1,
      data: 4,
    });
  });

  test.each([
    ['VmLib 0 (VmExe may be capped below statm text)', { VmLib: '0 kB' }],
    [
      'a kernel thread (no Vm lines)',
      {
        VmPeak: null,
        VmSize: null,
        VmHWM: null,
        VmRSS: null,
        RssAnon: null,
        RssFile: null,
        RssShmem: null,
        VmData: null,
        VmStk: null,
        VmExe: null,
        VmLib: null,
      },
    ],
    ['no RssShmem (before Linux 4.5)', { RssShmem: null }],
    ['no VmStk', { VmStk: null }],
    ['a figure that is not whole pages', { VmExe: '6 kB' }],
  ])('%s -> null (the caller reads statm)', (_n, over) => {
    expect(statmFromStatus(status(over), 4096)).toBeNull();
  });

  test('a malformed kB line -> ParseError', () => {
    expect(() => statmFromStatus(status({ VmRSS: 'lots' }), 4096, '/p/1/status')).toThrow(ParseError);
  });

  test('live: a sleeping process gives the figures of its own statm', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      const pageSize = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }));
      // sleep(1) has exec'd once its status names it; until then the figures are node's fork.
      let text = '';
      for (let i = 0; i < 200 && !/^Name:\tsleep$/m.test(text); i++) {
        text = fs.readFileSync(`/proc/${child.pid}/status`, 'latin1');
        if (!/^Name:\tsleep$/m.test(text)) await new Promise((r) => setTimeout(r, 10));
      }
      expect(text).toMatch(/^Name:\tsleep$/m);
      const statm = parseStatm(fs.readFileSync(`/proc/${child.pid}/statm`));
      const derived = statmFromStatus(fs.readFileSync(`/proc/${child.pid}/status`, 'latin1'), pageSize);
      expect(derived).toEqual(statm);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
