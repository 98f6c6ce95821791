import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

import { parsePressure } from '../../../../src/probes/linux/parse/pressure';

const ne = (f: string): string => path.join(NODE_EXPORTER_FIXTURES, 'proc/pressure', f);
const ours = (f: string): Buffer => fs.readFileSync(own('parse', 'pressure', f));

describe('parsePressure', () => {
  test('our files: some and full with totals in microseconds; irq has only full; cpu before 5.13 only some', () => {
    expect(parsePressure(ours('cpu'), 'cpu')).toEqual({
      some: { avg10: 1.53, avg60: 0.87, avg300: 0.29, total: 183927461 },
      full: { avg10: 0, avg60: 0, avg300: 0, total: 0 },
    });
    expect(parsePressure(ours('io')).full).toEqual({ avg10: 0.29, avg60: 0.1, avg300: 0.02, total: 80211367 });
    expect(parsePressure(ours('irq'))).toEqual({
      some: null,
      full: { avg10: 0.02, avg60: 0.01, avg300: 0, total: 5311 },
    });
    expect(parsePressure(ours('cpu-5.10'))).toEqual({
      some: { avg10: 12.5, avg60: 4.08, avg300: 1, total: 42 },
      full: null,
    });
  });

  test('our memory file: averages of 100.00, u64 totals beyond 2^53 as the nearest double', () => {
    const r = parsePressure(ours('memory'));
    expect(r.some).toEqual({ avg10: 100, avg60: 99.98, avg300: 95.4, total: 18446744073709551615 });
    expect(r.full?.total).toBe(9007199254740992);
  });

  testPeer("node_exporter's fixture: some and full with totals in microseconds; irq has only full", () => {
    expect(parsePressure(fs.readFileSync(ne('cpu')), ne('cpu'))).toEqual({
      some: { avg10: 0, avg60: 0, avg300: 0, total: 14036781 },
      full: { avg10: 0, avg60: 0, avg300: 0, total: 0 },
    });
    expect(parsePressure(fs.readFileSync(ne('io'))).full).toEqual({
      avg10: 0.18,
      avg60: 0.34,
      avg300: 0.1,
      total: 159229614,
    });
    expect(parsePressure(fs.readFileSync(ne('irq')))).toEqual({
      some: null,
      full: { avg10: 0, avg60: 0, avg300: 0, total: 8494 },
    });
  });

  testPeer("procfs's fixture: cpu before 5.13 has no full line", () => {
    const p = path.join(PROCFS_FIXTURES, 'proc/pressure');
    expect(parsePressure(fs.readFileSync(path.join(p, 'cpu')))).toEqual({
      some: { avg10: 0.1, avg60: 2, avg300: 3.85, total: 15 },
      full: null,
    });
    expect(parsePressure(fs.readFileSync(path.join(p, 'memory'))).full?.total).toBe(25);
  });

  test.each([
    ['empty', ''],
    ['unknown kind', 'half avg10=0.00 avg60=0.00 avg300=0.00 total=1\n'],
    ['missing total', 'some avg10=0.00 avg60=0.00 avg300=0.00\n'],
    ['negative total', 'some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\n'],
    [
      'two some lines',
      'some avg10=0.00 avg60=0.00 avg300=0.00 total=1\nsome avg10=0.00 avg60=0.00 avg300=0.00 total=2\n',
    ],
    ['binary', '\u0000\u0001'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parsePressure(body, '/proc/pressure/cpu')).toThrow(ParseError);
    expect(() => parsePressure(body, '/proc/pressure/cpu')).toThrow('/proc/pressure/cpu');
  });

  test('bytes and text give the same record: averages with 0-2 decimals, totals up to and past 2^53', () => {
    // The byte path computes each value itself; the text path is Number() of the regex's groups.
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const num = (): string => {
      const int = String(rnd(10) === 0 ? 100 : rnd(100));
      const frac = rnd(3);
      return frac === 0 ? int : `${int}.${String(rnd(10 ** frac)).padStart(frac, '0')}`;
    };
    const totals = [
      '0',
      '183927461',
      '9007199254740993',
      '18446744073709551615',
      '999999999999999',
      '1000000000000000',
    ];
    for (let k = 0; k < 500; k++) {
      const line = (kind: string) =>
        `${kind} avg10=${num()} avg60=${num()} avg300=${num()} total=${totals[rnd(totals.length)]!}\n`;
      const body = rnd(3) === 0 ? line('some') : rnd(2) === 0 ? line('full') : line('some') + line('full');
      expect(parsePressure(Buffer.from(body))).toEqual(parsePressure(body));
    }
  });

  test('fuzz: random bytes and mutated fixtures give a record or ParseError, nothing else', () => {
    onlyParseErrors((b) => parsePressure(b, 'x'), [ours('io'), ours('irq'), ours('memory')]);
  });
});
