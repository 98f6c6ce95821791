import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseStat, parseStatBtime, parseStatTotal, CPU_TIME_FIELDS } from '../../../../src/probes/linux/parse/stat';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

const NE_STAT = path.join(NODE_EXPORTER_FIXTURES, 'proc', 'stat');

describe('parseStat', () => {
  test('our 6.x file: 10 fields, CPU 2 offline, a long intr line, every counter and softirq vector', () => {
    const p = own('parse', 'stat', 'stat-6.x');
    const text = fs.readFileSync(p, 'utf8');
    const st = parseStat(text, p);
    expect(st.fieldCount).toBe(10);
    expect(st.total).toEqual({ cpu: -1, ticks: [481237, 1203, 210034, 9876543, 12044, 0, 8810, 233, 0, 0] });
    expect(st.cpus.map((c) => c.cpu)).toEqual([0, 1, 3]);
    expect(st.cpus[2]?.ticks).toEqual([240624, 602, 105023, 4938232, 6023, 0, 2939, 117, 0, 0]);
    expect(st.ctxt).toBe(1844674407370955);
    expect(st.btime).toBe(1780000000);
    expect(st.intr).toBe(98765432);
    expect(st.softirq).toBe(5222222);
    expect(st.softirqs).toEqual({
      hi: 11,
      timer: 2000000,
      net_tx: 12,
      net_rx: 333333,
      block: 44444,
      block_iopoll: 0,
      tasklet: 5555,
      sched: 1666666,
      hrtimer: 7,
      rcu: 1160204,
    });
    expect(st.processes).toBe(4194304);
    expect(st.procsRunning).toBe(3);
    expect(st.procsBlocked).toBe(1);
    expect(parseStatTotal(text, p)).toEqual(st.total);
    expect(parseStatBtime(text, p)).toBe(st.btime);
  });

  test('parseStatBtime agrees with parseStat on our files and the live /proc/stat', () => {
    for (const name of ['stat-6.x', 'stat-2.6.30']) {
      const p = own('parse', 'stat', name);
      const text = fs.readFileSync(p, 'latin1');
      expect(parseStatBtime(text, p)).toBe(parseStat(text, p).btime);
    }
    const live = fs.readFileSync('/proc/stat');
    const btime = parseStatBtime(live, '/proc/stat');
    expect(btime).toBe(parseStat(live, '/proc/stat').btime);
    expect(btime).toBeGreaterThan(0);
  });

  test('parseStatBtime: btime as the first line, no btime line, a bad value', () => {
    expect(parseStatBtime('btime 1700000000\ncpu  1 2 3 4\n')).toBe(1700000000);
    expect(parseStatBtime('cpu  1 2 3 4\nctxt 5\n')).toBeNull();
    // 'xbtime' is another key, not btime.
    expect(parseStatBtime('cpu  1 2 3 4\nxbtime 9\n')).toBeNull();
    expect(() => parseStatBtime('cpu  1 2 3 4\nbtime 12x\n', '/g/stat')).toThrow(ParseError);
  });

  test('our 2.6.30 file: 9 fields (guest, no guest_nice), no softirq line yet', () => {
    const st = parseStat(fs.readFileSync(own('parse', 'stat', 'stat-2.6.30')));
    expect(st.fieldCount).toBe(9);
    expect(st.total.ticks).toEqual([10000, 20, 3000, 400000, 500, 60, 70, 8, 9, 0]);
    expect(st.cpus[1]?.ticks).toEqual([5000, 10, 1500, 200000, 250, 30, 35, 4, 5, 0]);
    expect(st.softirq).toBeNull();
    expect(st.softirqs).toBeNull();
    expect(st.intr).toBe(733112);
    expect(st.processes).toBe(9012);
  });

  testPeer('node_exporter fixture: aggregate, per-CPU lines and the counters', () => {
    const st = parseStat(fs.readFileSync(NE_STAT), NE_STAT);
    expect(st.fieldCount).toBe(10);
    expect(st.total.cpu).toBe(-1);
    expect(st.total.ticks).toEqual([301854, 612, 111922, 8979004, 3552, 2, 3944, 0, 44, 36]);
    expect(st.cpus.map((c) => c.cpu)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(st.cpus[7]?.ticks).toEqual([29098, 268, 10164, 1139282, 555, 0, 31, 0, 9, 8]);
    expect(st.ctxt).toBe(38014093);
    expect(st.btime).toBe(1418183276);
    expect(st.intr).toBe(8885917);
    expect(st.softirq).toBe(5057579);
    expect(st.softirqs).toEqual({
      hi: 250191,
      timer: 1481983,
      net_tx: 1647,
      net_rx: 211099,
      block: 186066,
      block_iopoll: 0,
      tasklet: 1783454,
      sched: 622196,
      hrtimer: 12499,
      rcu: 508444,
    });
    expect(st.processes).toBe(26442);
    expect(st.procsRunning).toBe(2);
    expect(st.procsBlocked).toBe(0);
  });

  testPeer('procfs fixture parses and agrees with parseStatTotal', () => {
    const p = path.join(PROCFS_FIXTURES, 'proc', 'stat');
    const text = fs.readFileSync(p, 'utf8');
    const st = parseStat(text, p);
    expect(st.procsBlocked).toBe(1);
    expect(parseStatTotal(text, p)).toEqual(st.total);
  });

  test.each([
    [7, 'cpu  10 20 30 40 50 60 70', [10, 20, 30, 40, 50, 60, 70, 0, 0, 0]],
    [8, 'cpu  10 20 30 40 50 60 70 80', [10, 20, 30, 40, 50, 60, 70, 80, 0, 0]],
    [9, 'cpu  10 20 30 40 50 60 70 80 90', [10, 20, 30, 40, 50, 60, 70, 80, 90, 0]],
    [10, 'cpu  10 20 30 40 50 60 70 80 90 100', [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]],
    [11, 'cpu  10 20 30 40 50 60 70 80 90 100 110', [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]],
    [4, 'cpu  10 20 30 40', [10, 20, 30, 40, 0, 0, 0, 0, 0, 0]],
  ])('%i cpu fields: all ten kept, missing ones 0', (count, line, ticks) => {
    const st = parseStat(`${line}\n${line.replace('cpu ', 'cpu0')}\n`);
    expect(st.fieldCount).toBe(count);
    expect(st.total.ticks).toEqual(ticks);
    expect(st.cpus[0]?.ticks).toEqual(ticks);
    expect(st.total.ticks).toHaveLength(CPU_TIME_FIELDS.length);
  });

  test('old kernel tree (7 fields, no softirq line): absent lines are null', () => {
    const st = parseStat(fs.readFileSync(own('kernel-2.6.9', 'proc', 'stat')));
    expect(st.fieldCount).toBe(7);
    expect(st.softirq).toBeNull();
    expect(st.softirqs).toBeNull();
    expect(st.intr).toBe(1149392);
  });

  test('per-CPU lines keep their number when CPUs are offline', () => {
    const st = parseStat('cpu 1 1 1 1 1 1 1\ncpu0 1 1 1 1 1 1 1\ncpu3 1 1 1 1 1 1 1\n');
    expect(st.cpus.map((c) => c.cpu)).toEqual([0, 3]);
  });

  test('no trailing newline, CRLF-free whitespace variants', () => {
    expect(parseStat('cpu\t1  2 3 4 5 6 7').total.ticks.slice(0, 7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test.each([
    ['no aggregate line', 'ctxt 5\n'],
    ['too few fields', 'cpu 1 2 3\n'],
    ['non-numeric field', 'cpu 1 2 x 4 5 6 7\n'],
    ['negative field', 'cpu 1 2 -3 4 5 6 7\n'],
    ['bad cpu label', 'cpu 1 2 3 4 5 6 7\ncpuX 1 2 3 4 5 6 7\n'],
    ['bad ctxt', 'cpu 1 2 3 4 5 6 7\nctxt abc\n'],
    ['empty intr', 'cpu 1 2 3 4 5 6 7\nintr \n'],
    ['two aggregate lines', 'cpu 1 2 3 4 5 6 7\ncpu 1 2 3 4 5 6 7\n'],
  ])('%s -> ParseError naming the file', (_name, text) => {
    expect(() => parseStat(text, '/x/proc/stat')).toThrow(ParseError);
    expect(() => parseStat(text, '/x/proc/stat')).toThrow(/\/x\/proc\/stat/);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_name, input) => {
    expect(() => parseStat(input, '/g/stat')).toThrow(ParseError);
    expect(() => parseStatTotal(input, '/g/stat')).toThrow(ParseError);
  });
});
