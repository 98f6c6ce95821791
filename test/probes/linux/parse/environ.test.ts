import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseEnviron } from '../../../../src/probes/linux/parse/environ';
import { PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { randomBytes } from '../../../helpers/garbage';
import { fsencode } from '../../../../src/util/fsencoding';

describe('parseEnviron (psutil parse_environ_block)', () => {
  test('bytes that are not UTF-8 are kept as escapes in names and values (psutil surrogateescape)', () => {
    const raw = Buffer.concat([
      Buffer.from('P\xff=/tmp/', 'latin1'),
      Buffer.of(0xc0, 0x80),
      Buffer.from('\0A=\xe9\0', 'latin1'),
    ]);
    const env = parseEnviron(raw);
    expect(env).toEqual({ 'P\udcff': '/tmp/\udcc0\udc80', A: '\udce9' });
    expect(fsencode(env['P\udcff'] as string)).toEqual(Buffer.concat([Buffer.from('/tmp/'), Buffer.of(0xc0, 0x80)]));
  });

  test('our python3 process: values holding = and ;, an empty value, in file order', () => {
    const env = parseEnviron(fs.readFileSync(own('parse', 'pid', '4321', 'environ')));
    expect(Object.entries(env)).toEqual([
      ['LANG', 'C.UTF-8'],
      ['PATH', '/usr/local/bin:/usr/bin:/bin'],
      ['HOME', '/home/ann'],
      ['LS_COLORS', 'rs=0:di=01;34:ln=01;36'],
      ['PYTHONPATH', ''],
      ['SHELL', '/bin/bash'],
    ]);
  });

  testPeer('procfs 26231', () => {
    const env = parseEnviron(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', '26231', 'environ')));
    expect({ ...env }).toEqual({
      PATH: '/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOSTNAME: 'cd24e11f73a5',
      TERM: 'xterm',
      GOLANG_VERSION: '1.12.5',
      GOPATH: '/go',
      HOME: '/root',
    });
  });

  test('a last entry without its NUL is dropped, as psutil does', () => {
    expect({ ...parseEnviron('A=1\0B=2') }).toEqual({ A: '1' });
  });

  test('values with =, entries without =, a leading =, and the stop at a double NUL', () => {
    const env = parseEnviron('A=1=2\0NOEQ\0=x\0B=\0\0C=3\0');
    expect({ ...env }).toEqual({ A: '1=2', B: '' });
  });

  test('__proto__ and constructor are plain keys (no prototype)', () => {
    const env = parseEnviron('__proto__=p\0constructor=c\0');
    expect(Object.getPrototypeOf(env)).toBeNull();
    expect(env['__proto__']).toBe('p');
    expect(env['constructor']).toBe('c');
  });

  test('empty and random input never throw', () => {
    expect({ ...parseEnviron('') }).toEqual({});
    expect(typeof parseEnviron(randomBytes(64 * 1024))).toBe('object');
  });
});
