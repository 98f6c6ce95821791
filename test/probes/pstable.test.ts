/**
 * test() (psutil's test()): the table on a fixture host and on this machine against psutil 5.9's own test() output,
 * column by column for the processes both list (TIME excepted: the library prints the process's own CPU time where
 * psutil formats a clock time; the sizes and %MEM move between the two runs, so only their layout is compared).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as lib from '../../src/index';
import { createPsutil } from '../../src/index';
import { describeOracle, PYTHON } from '../helpers/oracle';
import { run, rootsOf } from '../tools/run';

const HEADER = 'USER         PID  %MEM     VSZ     RSS  NICE STATUS  START   TIME  CMDLINE';
const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** A table line's cells by psutil's template `%-10s %5s %5s %7s %7s %5s %6s %6s %6s  %s`. */
function cellsOf(l: string): string[] {
  const cuts = [0, 10, 16, 22, 30, 38, 44, 51, 58, 65, 67];
  return cuts.map((c, i) => l.slice(c, i + 1 < cuts.length ? (cuts[i + 1] as number) : undefined).trim());
}

describe('test() on host-laptop', () => {
  const root = path.join(FIXTURES, 'host-laptop');
  const ps = createPsutil({ procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys'), rootfs: root });

  test("psutil's header, one line per process, each cut to the width; the tools print the same lines", async () => {
    const table = ps.test({ print: false, width: null });
    const lines = table.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe(HEADER);
    expect(lines.length - 1).toBe(ps.pids().length);
    expect(lines.slice(1).map((l) => Number(cellsOf(l)[1]))).toEqual(ps.pids());
    const cut = ps.test({ print: false, width: 40 });
    expect(cut.split('\n').every((l) => [...l].length <= 40)).toBe(true);
    const tz = process.env['TZ'];
    process.env['TZ'] = 'UTC';
    try {
      const tool = await run(['test', ...rootsOf('host-laptop')]);
      expect(tool.out).toBe(ps.test({ print: false, width: null }));
    } finally {
      if (tz === undefined) delete process.env['TZ'];
      else process.env['TZ'] = tz;
    }
  });

  test('prints to stdout by default, as psutil does, and returns the same text', () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    let table: string;
    try {
      table = ps.test({ width: null });
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toBe(table);
  });

  test('$COLUMNS sets the default width', () => {
    const c = process.env['COLUMNS'];
    process.env['COLUMNS'] = '33';
    try {
      const lines = ps.test({ print: false }).split('\n');
      expect(Math.max(...lines.map((l) => [...l].length))).toBe(33);
    } finally {
      if (c === undefined) delete process.env['COLUMNS'];
      else process.env['COLUMNS'] = c;
    }
  });

  test('bad options: TypeError or RangeError', () => {
    expect(() => ps.test({ width: 0 })).toThrow(RangeError);
    expect(() => ps.test({ print: 'no' as unknown as boolean })).toThrow(TypeError);
    expect(() => ps.test(5 as unknown as object)).toThrow(TypeError);
  });

  test('the package exports test() of the default instance', () => {
    expect(typeof lib.test).toBe('function');
  });
});

describeOracle('test() against psutil 5.9 on this machine', () => {
  test('header and, for every process both list, USER PID NICE START CMDLINE alike and sizes in the same layout', () => {
    const r = spawnSync(PYTHON, ['-c', 'import psutil; psutil.test()'], {
      encoding: 'utf8',
      env: { ...process.env, COLUMNS: '4000' },
      timeout: 60000,
      maxBuffer: 64 << 20,
    });
    expect(r.stderr).toBe('');
    const ours = lib.test({ print: false, width: 4000 }).split('\n').slice(0, -1);
    const theirs = r.stdout.split('\n').slice(0, -1);
    expect(ours[0]).toBe(theirs[0]);
    expect(ours[0]).toBe(HEADER);
    // A cmdline holding newlines (python3 -c '<script>' of another test running beside this one) continues on lines
    // of its own in both tables: only lines with a PID cell are rows.
    const byPid = (lines: string[]) =>
      new Map(
        lines
          .slice(1)
          .map(cellsOf)
          .filter((c) => /^\d+$/.test(c[1] as string))
          .map((c) => [c[1] as string, c]),
      );
    const a = byPid(ours);
    const b = byPid(theirs);
    const self = new Set([String(process.pid), String(r.pid)]);
    const common = [...a.keys()].filter((pid) => b.has(pid) && !self.has(pid));
    expect(common.length).toBeGreaterThan(10);
    const size = /^(\d+\.\d[BKMGTPEZY])?$/;
    const diffs = common.flatMap((pid) => {
      const x = a.get(pid) as string[];
      const y = b.get(pid) as string[];
      const pick = (c: string[]) => [c[0], c[1], c[5], c[7], c[9]];
      const sameLayout = [3, 4].every((k) => size.test(x[k] as string) && size.test(y[k] as string));
      return JSON.stringify(pick(x)) === JSON.stringify(pick(y)) && sameLayout ? [] : [{ ours: x, theirs: y }];
    });
    expect(diffs).toEqual([]);
  });
});
