/**
 * The tools' Python-compatible formatting (src/tools/format.ts): the cases docs/tools.md and psutil's captured outputs
 * name, then a differential run against /usr/bin/python3 over a spread of values (ties, prefixes, exponents).
 */
import { spawnSync } from 'node:child_process';
import { bytes2human, cut, fixed, ljust, pyFloat, pyRound, rjust, strftime, timedelta } from '../../src/tools/format';
import { convertBytes } from '../../src/tools/procsmem';
import { cpuTime } from '../../src/probes/pstable';
import { timePlus } from '../../src/tools/procinfo';
import { secs2hours } from '../../src/tools/sensors_common';
import { PYTHON } from '../helpers/oracle';
import { requireOr } from '../helpers/require';

describe('bytes2human (psutil._common, 5.9)', () => {
  test.each([
    [0, '0.0B'],
    [1023, '1023.0B'],
    [-5, '-5.0B'],
    [1024, '1.0K'],
    [10000, '9.8K'],
    [100001221, '95.4M'],
    // 2304 / 1024 = 2.25 exactly: Python's %.1f goes to the even 2.2 where toFixed gives 2.3.
    [2304, '2.2K'],
    [2432, '2.4K'],
    // The prefix is picked before rounding: 1048575 stays in K.
    [1048575, '1024.0K'],
    [1048576, '1.0M'],
    [252 * 2 ** 30, '252.0G'],
    [2 ** 80, '1.0Y'],
    [2 ** 90, '1024.0Y'],
  ])('%p -> %p', (n, s) => {
    expect(bytes2human(n)).toBe(s);
  });
  test("procsmem's own convert_bytes prints a bare integer below 1 KiB", () => {
    expect([convertBytes(0), convertBytes(512), convertBytes(1024), convertBytes(2304)]).toEqual([
      '0B',
      '512B',
      '1.0K',
      '2.2K',
    ]);
  });
});

describe("Python's float printing and rounding", () => {
  test.each([
    [1, '1.0'],
    [100, '100.0'],
    [54, '54.0'],
    [0.1, '0.1'],
    [27.8, '27.8'],
    [93.47, '93.47'],
    [0, '0.0'],
    [-0, '-0.0'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [9999999999999998, '9999999999999998.0'],
    [0.0001, '0.0001'],
    [1e-5, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [123456789012345678, '1.2345678901234568e+17'],
    [1e22, '1e+22'],
    [-2.5, '-2.5'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
  ])('str(%p) is %p', (x, s) => {
    expect(pyFloat(x)).toBe(s);
  });
  test('%.Nf and round() go half-to-even on the exact binary value', () => {
    expect([fixed(2.5, 0), fixed(3.5, 0), fixed(0.375, 2), fixed(0.125, 2), fixed(2.675, 2), fixed(1.005, 2)]).toEqual([
      '2',
      '4',
      '0.38',
      '0.12',
      '2.67',
      '1.00',
    ]);
    expect([pyRound(2.5), pyRound(0.5), pyRound(1.5), pyRound(2.675, 2), pyRound(0.0825, 2)]).toEqual([
      2, 0, 2, 2.67, 0.08,
    ]);
    expect(fixed(-0.25, 1)).toBe('-0.2');
  });
  test('timedelta, strftime, padding and cutting', () => {
    expect([
      timedelta(1979),
      timedelta(86400),
      timedelta(8 * 86400 + 21 * 3600 + 15 * 60 + 40.9),
      timedelta(-1),
    ]).toEqual(['0:32:59', '1 day, 0:00:00', '8 days, 21:15:40', '-1 day, 23:59:59']);
    const tz = process.env['TZ'];
    process.env['TZ'] = 'UTC';
    try {
      // 2023-11-14 22:13:20 UTC
      expect(strftime('%Y-%m-%d %H:%M|%b%d|%H:%M:%S', 1700000000)).toBe('2023-11-14 22:13|Nov14|22:13:20');
    } finally {
      if (tz === undefined) delete process.env['TZ'];
      else process.env['TZ'] = tz;
    }
    expect([ljust('ab', 4), rjust('ab', 4), ljust('abcdef', 4), rjust('°C', 3)]).toEqual([
      'ab  ',
      '  ab',
      'abcdef',
      ' °C',
    ]);
    expect([cut('abcdef', 3), cut('abcdef', null), cut('°°°°', 2)]).toEqual(['abc', 'abcdef', '°°']);
  });
  test('the fixed value formats: ps TIME, TIME+, battery time left', () => {
    const t = (user: number, system: number) => ({ user, system, childrenUser: 99, childrenSystem: 99, iowait: 5 });
    // Own user+system only: children and iowait left out, and hours kept rather than wrapped.
    expect([cpuTime(t(0, 0)), cpuTime(t(30.5, 14.9)), cpuTime(t(3600, 62))]).toEqual(['00:00', '00:45', '1:01:02']);
    // Real centiseconds: psutil prints 0.05 s as .50 and 0 as .0.
    expect([timePlus(0), timePlus(0.05), timePlus(61.27), timePlus(3723.5)]).toEqual([
      '0:00.00',
      '0:00.05',
      '1:01.27',
      '1:02:03.50',
    ]);
    expect([secs2hours(7891), secs2hours(-1), secs2hours(-2)]).toEqual(['2:11:31', 'N/A', 'unlimited']);
  });
});

const hasPython = spawnSync(PYTHON, ['-c', 'import psutil._common'], { stdio: 'ignore' }).status === 0;

requireOr(hasPython, 'no /usr/bin/python3 with psutil (apt-get install python3-psutil)').describe(
  'against Python itself',
  () => {
    test('bytes2human, repr(float), %.1f and round(x, 2) agree on 3,000 values', () => {
      // Ties (k + 0.5 at every scale), prefix edges, a deterministic spread of magnitudes, negatives and tiny values.
      const values: number[] = [];
      for (let k = 0; k < 400; k++)
        values.push(k + 0.5, (k + 0.5) / 10, (k + 0.25) / 100, k * 1024 + 512, k * 1024 * 1024 + 52429);
      let x = 0.000123;
      for (let i = 0; i < 500; i++) {
        values.push(x, -x / 3);
        x *= 1.137;
      }
      for (let e = 0; e < 90; e += 10) values.push(2 ** e - 1, 2 ** e, 2 ** e + 1);
      const script = [
        'import json, sys',
        'from psutil._common import bytes2human',
        'vals = json.load(sys.stdin)',
        'out = [[bytes2human(v) if v >= 0 else None, repr(float(v)), "%.1f" % float(v), repr(round(float(v), 2))] for v in vals]',
        'sys.stdout.write(json.dumps(out))',
      ].join('\n');
      const r = spawnSync(PYTHON, ['-c', script], {
        input: JSON.stringify(values),
        encoding: 'utf8',
        timeout: 30000,
        maxBuffer: 16 << 20,
      });
      expect(r.status).toBe(0);
      const want = JSON.parse(r.stdout) as Array<[string | null, string, string, string]>;
      const got = values.map((v) => [v >= 0 ? bytes2human(v) : null, pyFloat(v), fixed(v, 1), pyFloat(pyRound(v, 2))]);
      const diffs = got.flatMap((g, i) =>
        JSON.stringify(g) === JSON.stringify(want[i]) ? [] : [{ v: values[i], got: g, want: want[i] }],
      );
      expect(diffs).toEqual([]);
      expect(values.length).toBeGreaterThan(3000);
    });
  },
);
