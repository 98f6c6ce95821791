import { argvFromRaw, decodeLossy, goBase, labelValue, MAX_LABEL_BYTES, wellFormed } from '../../src/rules/text';

describe('goBase (Go filepath.Base)', () => {
  it.each([
    ['/usr/bin/python3', 'python3'],
    ['python3', 'python3'],
    ['/usr/bin/', 'bin'],
    ['', '.'],
    ['/', '/'],
    ['///', '/'],
    ['nginx: master process /usr/sbin/nginx', 'nginx'],
    ['./run.sh', 'run.sh'],
  ])('%j -> %j', (p, want) => expect(goBase(p)).toBe(want));
});

describe('argvFromRaw (prometheus/procfs CmdLine)', () => {
  it('splits at NUL and trims trailing NULs only', () => {
    expect(argvFromRaw(Buffer.from('foo\0bar\0\0'))).toEqual(['foo', 'bar']);
    expect(argvFromRaw(Buffer.from('foo\0\0bar\0'))).toEqual(['foo', '', 'bar']);
    expect(argvFromRaw(Buffer.from('nginx: master process /usr/sbin/nginx'))).toEqual([
      'nginx: master process /usr/sbin/nginx',
    ]);
    expect(argvFromRaw(Buffer.from('x' + '\0'.repeat(70)))).toEqual(['x']);
    expect(argvFromRaw(Buffer.alloc(0))).toEqual([]);
    expect(argvFromRaw('\0\0')).toEqual([]);
  });
  it('decodes invalid UTF-8 lossily', () => {
    expect(argvFromRaw(Buffer.from([0x61, 0xff, 0x00, 0x62]))).toEqual(['a\uFFFD', 'b']);
    expect(decodeLossy(Buffer.from([0xe5, 0x90, 0x8c, 0xe6, 0xad]))).toBe('同\uFFFD');
  });
});

describe('label values', () => {
  it('replaces lone surrogates', () => {
    expect(wellFormed('a\uD800b')).toBe('a\uFFFDb');
    expect(wellFormed('a\uDC00')).toBe('a\uFFFD');
    expect(wellFormed('ok 😀')).toBe('ok 😀');
  });
  it('caps at MAX_LABEL_BYTES UTF-8 bytes, at a character boundary', () => {
    const long = '😀'.repeat(1000); // 4 bytes each
    const v = labelValue(long);
    expect(Buffer.byteLength(v, 'utf8')).toBeLessThanOrEqual(MAX_LABEL_BYTES);
    expect(Buffer.byteLength(v, 'utf8')).toBeGreaterThan(MAX_LABEL_BYTES - 4);
    expect(wellFormed(v)).toBe(v);
    expect(labelValue('short')).toBe('short');
    expect(labelValue('é'.repeat(600))).toBe('é'.repeat(512));
  });
});
