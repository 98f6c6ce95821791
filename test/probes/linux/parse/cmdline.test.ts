import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgv, parseCmdline } from '../../../../src/probes/linux/parse/cmdline';
import { fsencode } from '../../../../src/util/fsencoding';
import { PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { randomBytes } from '../../../helpers/garbage';

describe('parseCmdline (psutil #1179 rules)', () => {
  test.each([
    ['NUL-separated with the trailing NUL', 'foo\0bar\0', ['foo', 'bar']],
    ['an empty last argument', 'foo\0bar\0\0', ['foo', 'bar', '']],
    ['setproctitle: spaces, no NUL', 'foo bar ', ['foo', 'bar']],
    ['spaces and a trailing NUL (one NUL element holding spaces)', 'foo\x20bar\0', ['foo', 'bar']],
    ['spaces without a trailing separator', 'nginx: worker process', ['nginx:', 'worker', 'process']],
    ['an argument with a space among NUL-separated ones stays whole', 'sh\0-c\0echo hi\0', ['sh', '-c', 'echo hi']],
    ['empty (kernel thread or zombie)', '', []],
  ])('%s', (_n, input, want) => {
    expect(parseCmdline(input)).toEqual(want);
    expect(parseCmdline(Buffer.from(input))).toEqual(want);
  });

  test('our fixtures: an argument holding a space, the NUL-padded title nginx sets, a kernel thread', () => {
    expect(parseCmdline(fs.readFileSync(own('parse', 'pid', '4321', 'cmdline')))).toEqual([
      'python3',
      '-m',
      'http.server',
      '--directory',
      '/srv/my files',
    ]);
    const padded = fs.readFileSync(own('parse', 'pid', '600', 'cmdline'));
    const args = parseCmdline(padded);
    // 'nginx: worker process' then 43 NULs: split at NUL (several elements, so no split at the spaces, psutil #1179),
    // and psutil keeps every empty argument the padding makes: as many elements as NULs.
    expect(args[0]).toBe('nginx: worker process');
    expect(args).toHaveLength(padded.filter((b) => b === 0).length);
    expect(args).toHaveLength(43);
    expect(args.slice(1).every((a) => a === '')).toBe(true);
    expect(parseCmdline(fs.readFileSync(own('parse', 'pid', '555', 'cmdline')))).toEqual(['sh', '-c', 'sleep 1000']);
    // Kernel threads and zombies: an empty file.
    for (const pid of ['17', '131', '777'])
      expect(parseCmdline(fs.readFileSync(own('parse', 'pid', pid, 'cmdline')))).toEqual([]);
  });

  testPeer('procfs 26231 and the NUL-padded 26233', () => {
    expect(parseCmdline(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', '26231', 'cmdline')))).toEqual([
      'vim',
      'test.go',
      '+10',
    ]);
    const padded = fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', '26233', 'cmdline'));
    const args = parseCmdline(padded);
    // psutil keeps every empty argument the padding makes: one fewer than the NULs.
    const nuls = padded.filter((b) => b === 0).length;
    expect(args[0]).toBe('com.github.uiautomator');
    expect(args).toHaveLength(nuls);
    expect(args.slice(1).every((a) => a === '')).toBe(true);
  });

  test("non-UTF-8 bytes are kept as escapes (U+DC80 + byte - 0x80, psutil's surrogateescape); the others intact", () => {
    const raw = Buffer.from([0x61, 0xff, 0x62, 0x00, 0xc0, 0x80, 0xc3, 0xa9, 0x00, 0x63, 0x00]);
    const args = parseCmdline(raw);
    expect(args).toEqual(['a\udcffb', '\udcc0\udc80\u00e9', 'c']);
    expect(Buffer.concat(args.map((a) => Buffer.concat([fsencode(a), Buffer.of(0)])))).toEqual(raw);
  });

  test('random bytes: every argument gives its bytes back through fsencode', () => {
    const raw = Buffer.concat([randomBytes(64 * 1024).map((b) => (b === 0x20 ? 0x21 : b)), Buffer.of(0)]);
    const args = parseCmdline(raw);
    expect(Buffer.concat(args.map((a) => Buffer.concat([fsencode(a), Buffer.of(0)])))).toEqual(raw);
  });

  test('random bytes: an array of strings, no exception', () => {
    const args = parseCmdline(randomBytes(64 * 1024));
    expect(Array.isArray(args)).toBe(true);
    for (const a of args) expect(typeof a).toBe('string');
  });
});

describe("parseArgv (split at NUL only: prometheus/procfs CmdLine, process-exporter's argv)", () => {
  test.each([
    ['NUL-separated with the trailing NUL', 'foo\0bar\0', ['foo', 'bar']],
    ['an empty argument in the middle stays', 'foo\0\0bar\0', ['foo', '', 'bar']],
    [
      'every trailing NUL is dropped (padding after setproctitle)',
      'nginx: worker process\0\0\0\0',
      ['nginx: worker process'],
    ],
    [
      'setproctitle: spaces, no NUL at all',
      'nginx: master process /usr/sbin/nginx',
      ['nginx: master process /usr/sbin/nginx'],
    ],
    ['one argument holding spaces', 'foo bar\0', ['foo bar']],
    ['empty (kernel thread or zombie)', '', []],
    ['only NULs', '\0\0', []],
  ])('%s', (_n, input, want) => {
    expect(parseArgv(input)).toEqual(want);
    expect(parseArgv(Buffer.from(input))).toEqual(want);
  });

  test("our fixtures: the NUL padding after nginx's title is dropped whole, the space-holding argument kept whole", () => {
    expect(parseArgv(fs.readFileSync(own('parse', 'pid', '600', 'cmdline')))).toEqual(['nginx: worker process']);
    expect(parseArgv(fs.readFileSync(own('parse', 'pid', '4321', 'cmdline'))).at(-1)).toBe('/srv/my files');
  });

  test("differs from psutil's split only for a single argument holding spaces, and for trailing padding", () => {
    expect(parseCmdline('sh\0-c\0echo hi\0')).toEqual(parseArgv('sh\0-c\0echo hi\0'));
    expect(parseCmdline('nginx: worker process\0')).toEqual(['nginx:', 'worker', 'process']);
    expect(parseArgv('nginx: worker process\0')).toEqual(['nginx: worker process']);
  });

  test('non-UTF-8 bytes are kept as escapes; random bytes give strings, no exception', () => {
    expect(parseArgv(Buffer.from([0x61, 0xff, 0x00, 0x62, 0x00]))).toEqual(['a\udcff', 'b']);
    for (const a of parseArgv(randomBytes(64 * 1024))) expect(typeof a).toBe('string');
  });
});
