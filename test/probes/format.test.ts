/**
 * bytes2human, exported by the library (src/probes/format.ts): psutil._common.bytes2human's output, default format
 * and others, checked against /usr/bin/python3's psutil 5.9 on a spread of values; negatives follow psutil 5.9.6+
 * (|n| picks the prefix), which is checked through the identity it implies on 5.9's own output.
 */
import { spawnSync } from 'node:child_process';
import { bytes2human } from '../../src/index';
import { pyFormat } from '../../src/probes/format';
import { describeOracle, PYTHON } from '../helpers/oracle';

describe('bytes2human', () => {
  test.each([
    [0, '0.0B'],
    [1023, '1023.0B'],
    [1024, '1.0K'],
    [10000, '9.8K'],
    [100001221, '95.4M'],
    [2304, '2.2K'],
    [1048575, '1024.0K'],
    [2 ** 80, '1.0Y'],
    [-5, '-5.0B'],
    // psutil 5.9.6+ (#2268): the magnitude picks the prefix.
    [-2048, '-2.0K'],
    [-100001221, '-95.4M'],
    [Number.NaN, 'nanB'],
    [Number.POSITIVE_INFINITY, 'infY'],
  ])('%p -> %p', (n, s) => {
    expect(bytes2human(n)).toBe(s);
  });

  test('formats: value, symbol and n as Python formats them', () => {
    expect(bytes2human(10000, '%(value).1f %(symbol)s/sec')).toBe('9.8 K/sec');
    expect(bytes2human(10000, '%(value)i%(symbol)s')).toBe('9K');
    expect(bytes2human(10000, '%(value).4g%(symbol)s')).toBe('9.766K');
    expect(bytes2human(10000, '%(n)d bytes = %(value)s%(symbol)s')).toBe('10000 bytes = 9.765625K');
    expect(bytes2human(512, '%(value)s%(symbol)s')).toBe('512B');
    expect(bytes2human(512.5, '%(value)s%(symbol)s')).toBe('512.5B');
    expect(bytes2human(2n ** 90n)).toBe('1024.0Y');
  });

  test('errors: a key the branch lacks, a wrong type, a bad conversion', () => {
    // Below 1 KiB psutil formats with {symbol, value} only: %(n) is a KeyError there.
    expect(() => bytes2human(5, '%(n)d')).toThrow(RangeError);
    expect(() => bytes2human(5000, '%(value)x')).toThrow(TypeError);
    expect(() => bytes2human(5000, '%(value)y')).toThrow(RangeError);
    expect(() => bytes2human('5' as unknown as number)).toThrow(TypeError);
    expect(() => bytes2human(5, 7 as unknown as string)).toThrow(TypeError);
  });

  test("pyFormat: Python's rounding and padding", () => {
    const f = (fmt: string, v: number) => pyFormat(fmt, { v: { kind: 'float', v } });
    expect([
      f('%(v).1f', 0.25),
      f('%(v).1f', 0.35),
      f('%(v).0e', 2.5),
      f('%(v).3g', 1e-5),
      f('%(v)g', 123456789),
    ]).toEqual(['0.2', '0.3', '2e+00', '1e-05', '1.23457e+08']);
    expect([f('%(v)08.2f', -3.14159), f('%(v)-8.1f|', 2), f('%(v)+.1e', 9.96), f('%(v)5f', Number.NaN)]).toEqual([
      '-0003.14',
      '2.0     |',
      '+1.0e+01',
      '  nan',
    ]);
  });
});

describeOracle('bytes2human against psutil 5.9', () => {
  test('every value and format alike (negatives: 5.9.6+ semantics through 5.9 on |n|)', () => {
    const values: number[] = [0, 1, 512, 1023, 1024, 1025, 2304, 1048575, 1048576];
    for (let k = 0; k < 300; k++)
      values.push(k * 1023 + 7, k * 1024 * 1024 + 52429, Math.round(1.37 ** (k / 3) * 1000));
    for (let e = 10; e < 90; e += 10) values.push(2 ** e - 1, 2 ** e, 2 ** e + 1, 2 ** e * 1.5);
    values.push(0.5, 1.25, 999.95, 1023.96);
    const formats = [
      '%(value).1f%(symbol)s',
      '%(value).1f %(symbol)s',
      '%(value)i%(symbol)s',
      '%(value).4g%(symbol)s',
      '%(value).2e%(symbol)s',
      '%(value)s%(symbol)s',
      '%(value)10.3f|%(symbol)-3s|',
      '%(value)+08.2f%(symbol)s %%',
      '%(symbol)r %(value)G',
    ];
    const script = [
      'import json, sys',
      'from psutil._common import bytes2human',
      'vals, fmts = json.load(sys.stdin)',
      'sys.stdout.write(json.dumps([[bytes2human(v if v != int(v) else int(v), f) for f in fmts] for v in vals]))',
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', script], {
      input: JSON.stringify([values, formats]),
      encoding: 'utf8',
      timeout: 30000,
      maxBuffer: 16 << 20,
    });
    expect(r.stderr).toBe('');
    const want = JSON.parse(r.stdout) as string[][];
    const diffs = values.flatMap((v, i) => {
      const got = formats.map((f) => bytes2human(v, f));
      return JSON.stringify(got) === JSON.stringify(want[i]) ? [] : [{ v, got, want: want[i] }];
    });
    expect(diffs).toEqual([]);
    // Negative: 5.9 prints them all in bytes; 5.9.6+ (and here) gives -x of the magnitude's output from 1 KiB on.
    const neg = values.filter((v) => v >= 1024);
    const wantNeg = want.filter((_w, i) => (values[i] as number) >= 1024).map((w) => w[0] as string);
    expect(neg.map((v) => bytes2human(-v))).toEqual(wantNeg.map((s) => `-${s}`));
    expect(values.length).toBeGreaterThan(900);
  });
});
