/**
 * test(): psutil's test(), its ps-like table of every process (psutil/__init__.py, 5.9): USER PID %MEM VSZ RSS NICE
 * STATUS START TIME CMDLINE in `%-10s %5s %5s %7s %7s %5s %6s %6s %6s  %s`, from process_iter(attrs, ad_value=None),
 * sizes by bytes2human, START as %H:%M for a process of today and %b%d before, lines cut to the terminal's width.
 * The `psutil test` and `psutil ps` tools print this same table through the public test().
 * Two departures, both listed in the README: TIME is the process's own user + system CPU time as [H:]MM:SS (psutil
 * formats the sum of all cpu_times fields, children's included, as a local clock time with %M:%S, so it wraps hourly
 * and shifts with the time zone), and output that is not a terminal is cut only when COLUMNS says so (psutil cuts it
 * at 80).
 */
import type { ProcessCpuTimes, ProcessIterFn } from './process/index';
import { bytes2human, cut, ljust, pyFloat, pyRound, rjust, strftime } from './format';
import { PsutilError } from './errors';

/** psutil test()'s attributes, in its order. */
export const TEST_ATTRS = [
  'pid',
  'memoryPercent',
  'name',
  'cmdline',
  'cpuTimes',
  'createTime',
  'memoryInfo',
  'status',
  'nice',
  'username',
] as const;

export interface TestOptions {
  /** Write the table to stdout, as psutil's test() does (default true); the table is returned either way. */
  print?: boolean | undefined;
  /**
   * Cut each line to this many columns; null: never. Default: $COLUMNS when set, else the terminal's width when
   * stdout is one, else no cut.
   */
  width?: number | null | undefined;
}

const line = (c: readonly string[]): string =>
  `${ljust(c[0] as string, 10)} ${rjust(c[1] as string, 5)} ${rjust(c[2] as string, 5)} ${rjust(c[3] as string, 7)} ` +
  `${rjust(c[4] as string, 7)} ${rjust(c[5] as string, 5)} ${rjust(c[6] as string, 6)} ${rjust(c[7] as string, 6)} ` +
  `${rjust(c[8] as string, 6)}  ${c[9] as string}`;

/** The process's own CPU time (user + system) as MM:SS, or H:MM:SS from an hour. */
export function cpuTime(t: ProcessCpuTimes): string {
  const s = Math.trunc(t.user + t.system);
  const h = Math.trunc(s / 3600);
  const mmss = `${String(Math.trunc((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

function sameLocalDay(a: number, b: number): boolean {
  const x = new Date(a * 1000);
  const y = new Date(b * 1000);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
}

function defaultWidth(): number | null {
  const columns = Number(process.env['COLUMNS']);
  if (Number.isInteger(columns) && columns > 0) return columns;
  return process.stdout.isTTY ? process.stdout.columns : null;
}

export function testApi(processIter: ProcessIterFn) {
  return {
    /**
     * psutil's test(): a ps-like table of every process, one line each under a header; printed to stdout (unless
     * `print: false`) and returned as one string, each line ending in a newline. An attribute that is denied or that
     * this kernel lacks is a blank cell (psutil's ad_value=None); a process that vanishes is left out.
     */
    test(opts?: TestOptions | null): string {
      if (opts !== undefined && opts !== null && (typeof opts !== 'object' || Array.isArray(opts)))
        throw new TypeError('test: options must be an object');
      const print = opts?.print ?? true;
      if (typeof print !== 'boolean') throw new TypeError('test: print must be a boolean');
      const w = opts?.width === undefined ? defaultWidth() : opts.width;
      if (w !== null && (typeof w !== 'number' || !Number.isInteger(w) || w < 1))
        throw new RangeError(`test: width must be a positive integer or null, got ${String(w)}`);
      const now = Date.now() / 1000;
      const out = [cut(line(['USER', 'PID', '%MEM', 'VSZ', 'RSS', 'NICE', 'STATUS', 'START', 'TIME', 'CMDLINE']), w)];
      for (const p of processIter({ attrs: TEST_ATTRS, adValue: null })) {
        const i = p.info;
        let user = i.username ?? '';
        if (user === '') {
          // psutil on POSIX: the real uid when no name can be told.
          try {
            user = String(p.uids().real);
          } catch (err) {
            // psutil's `except Error: pass`: the cell stays blank.
            if (!(err instanceof PsutilError)) throw err;
          }
        }
        const start =
          i.createTime !== null && i.createTime !== 0
            ? strftime(sameLocalDay(i.createTime, now) ? '%H:%M' : '%b%d', i.createTime)
            : '';
        const cmdline = i.cmdline !== null && i.cmdline.length > 0 ? i.cmdline.join(' ') : (i.name ?? '');
        out.push(
          cut(
            line([
              [...user].slice(0, 9).join(''),
              String(i.pid),
              i.memoryPercent === null ? '' : pyFloat(pyRound(i.memoryPercent, 1)),
              i.memoryInfo !== null ? bytes2human(i.memoryInfo.vms) : '',
              i.memoryInfo !== null ? bytes2human(i.memoryInfo.rss) : '',
              i.nice !== null && i.nice !== 0 ? String(Math.trunc(i.nice)) : '',
              i.status !== null ? i.status.slice(0, 5) : '',
              start,
              i.cpuTimes !== null ? cpuTime(i.cpuTimes) : '',
              cmdline,
            ]),
            w,
          ),
        );
      }
      const table = out.map((l) => l + '\n').join('');
      if (print) process.stdout.write(table);
      return table;
    },
  };
}
