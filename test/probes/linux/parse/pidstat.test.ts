import * as fs from 'node:fs';
import * as path from 'node:path';
import { PF_KTHREAD, parsePidStat, parsePidStatState } from '../../../../src/probes/linux/parse/pidstat';
import { fsencode } from '../../../../src/util/fsencoding';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, describePeer, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

const proc = (rel: string): Buffer => fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', rel));
const OURS = own('parse', 'pid');
const ours = (rel: string): Buffer => fs.readFileSync(path.join(OURS, rel));

/** A stat line with the given comm and state; the numbers are distinct so that a shifted field shows. */
function statLine(comm: string | Buffer, state = 'S', extra = ''): Buffer {
  const nums = Array.from({ length: 49 }, (_, i) => String(i + 100));
  return Buffer.concat([
    Buffer.from('4242 ('),
    Buffer.isBuffer(comm) ? comm : Buffer.from(comm),
    Buffer.from(`) ${state} ${nums.join(' ')}${extra}\n`),
  ]);
}

describe('parsePidStat', () => {
  test('our python3 (52 fields, rsslim at the u64 maximum): fields by man 5 proc position', () => {
    expect(parsePidStat(ours('4321/stat'), '4321/stat')).toEqual({
      pid: 4321,
      comm: 'python3',
      commBytes: 7,
      state: 'S',
      ppid: 4300,
      pgrp: 4321,
      session: 4300,
      ttyNr: 34817,
      tpgid: 4321,
      flags: 4194560,
      kernelThread: false,
      minflt: 20411,
      cminflt: 1022,
      majflt: 3,
      cmajflt: 1,
      utime: 1530,
      stime: 212,
      cutime: 7,
      cstime: 2,
      priority: 20,
      nice: 0,
      numThreads: 3,
      starttime: 987654,
      vsize: 257142784,
      rss: 6211,
      processor: 1,
      rtPriority: 0,
      policy: 0,
      blkioTicks: 12,
    });
  });

  test('our threads: task stats with their own comm and counters', () => {
    expect(parsePidStat(ours('4321/task/4322/stat'))).toMatchObject({
      pid: 4322,
      comm: 'asyncio_0',
      state: 'S',
      utime: 40,
      stime: 9,
      processor: 0,
    });
    expect(parsePidStat(ours('4321/task/4323/stat'))).toMatchObject({
      pid: 4323,
      comm: 'ThreadPoolExecu',
      commBytes: 15,
      state: 'R',
      utime: 901,
      majflt: 1,
    });
  });

  test('our comm `) D 1 2 (z) ` (fake state and ppid, a trailing space) splits at the last )', () => {
    const st = parsePidStat(ours('555/stat'));
    expect(st).toMatchObject({
      pid: 555,
      comm: ') D 1 2 (z) ',
      commBytes: 12,
      state: 'S',
      ppid: 4300,
      pgrp: 555,
      starttime: 990001,
      numThreads: 1,
    });
  });

  test('our kernel threads: a workqueue worker whose comm runs past 15 bytes (nice -20), a SCHED_FIFO 99 migration thread', () => {
    const kw = parsePidStat(ours('131/stat'));
    expect(kw).toMatchObject({
      comm: 'kworker/1:1H-kblockd',
      commBytes: 20,
      state: 'I',
      ppid: 2,
      flags: 0x04208060,
      kernelThread: true,
      priority: 0,
      nice: -20,
      vsize: 0,
      rss: 0,
      processor: 1,
    });
    const mig = parsePidStat(ours('17/stat'));
    expect(mig).toMatchObject({
      comm: 'migration/2',
      ppid: 2,
      kernelThread: true,
      priority: -100,
      nice: 0,
      rtPriority: 99,
      policy: 1,
      processor: 2,
    });
    for (const v of [...Object.values(kw), ...Object.values(mig)])
      if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
  });

  test('our zombie', () => {
    expect(parsePidStat(ours('777/stat'))).toMatchObject({
      pid: 777,
      comm: 'defunct-child',
      state: 'Z',
      ppid: 4321,
      kernelThread: false,
    });
  });

  testPeer('procfs 26231 (vim): fields by man 5 proc position', () => {
    const st = parsePidStat(proc('26231/stat'));
    expect(st).toMatchObject({
      pid: 26231,
      comm: 'vim',
      commBytes: 3,
      state: 'R',
      ppid: 5392,
      pgrp: 7446,
      session: 5392,
      ttyNr: 34835,
      tpgid: 7446,
      minflt: 32533,
      cminflt: 309516,
      majflt: 26,
      cmajflt: 82,
      utime: 1677,
      stime: 44,
      cutime: 158,
      cstime: 99,
      priority: 20,
      nice: 0,
      numThreads: 1,
      starttime: 82375,
      vsize: 56274944,
      rss: 1981,
      processor: 0,
      rtPriority: 0,
      policy: 0,
      blkioTicks: 31,
    });
  });

  testPeer('flags (field 9) and PF_KTHREAD: procfs 26232 (ata_sff) is a kernel thread, 26231 (vim) is not', () => {
    const kt = parsePidStat(proc('26232/stat'));
    expect(kt.flags).toBe(69238880);
    expect(kt.kernelThread).toBe(true);
    const vim = parsePidStat(proc('26231/stat'));
    expect(vim.flags).toBe(4218880);
    expect(vim.kernelThread).toBe(false);
  });

  test.each([
    [PF_KTHREAD, true],
    [PF_KTHREAD - 1, false],
    [PF_KTHREAD * 2, false],
    [4294967295, true], // u32 max: every flag
    [4294967295 - PF_KTHREAD, false],
    [0, false],
  ])('flags %i -> kernelThread %p', (flags, want) => {
    // The 6th number after the state is field 9 (pid, comm, state, ppid, pgrp, session, tty_nr, tpgid, flags).
    const nums = Array.from({ length: 49 }, (_, i) => String(i === 5 ? flags : i + 100));
    const st = parsePidStat(`7 (kworker/0:0) I ${nums.join(' ')}\n`);
    expect(st.flags).toBe(flags);
    expect(st.kernelThread).toBe(want);
  });

  testPeer('procfs 584: a comm full of parentheses and spaces splits at the last ); a second line is ignored', () => {
    const st = parsePidStat(proc('584/stat'));
    expect(st.comm).toBe('(a b ) ( c d) ');
    expect(st.state).toBe('R');
    expect(st.ppid).toBe(28378);
    expect(st.starttime).toBe(10839175);
  });

  testPeer('procfs 26232 (kernel-thread-like): i64 extremes stay finite numbers, no NaN', () => {
    const st = parsePidStat(proc('26232/stat'));
    expect(st.comm).toBe('ata_sff');
    expect(st.ppid).toBe(2);
    expect(st.cutime).toBe(-(2 ** 63));
    expect(st.cstime).toBe(2 ** 63); // i64 max, 9223372036854775807, as the nearest double
    expect(st.nice).toBe(-20);
    for (const v of Object.values(st)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
  });

  testPeer('procfs 27079 task stats', () => {
    const st = parsePidStat(proc('27079/task/27080/stat'));
    expect(st).toMatchObject({ pid: 27080, comm: 'pthread_load', state: 'R', utime: 34136, stime: 3 });
  });

  test('a comm injecting fake fields (`x) Z 1 1`) does not move state or ppid', () => {
    const st = parsePidStat(statLine('x) Z 1 1'));
    expect(st.comm).toBe('x) Z 1 1');
    expect(st.state).toBe('S');
    expect(st.ppid).toBe(100);
    expect(st.starttime).toBe(118);
  });

  test('a comm with a newline and a tab: stat is not line-based', () => {
    const st = parsePidStat(statLine('a\nb\tc'));
    expect(st.comm).toBe('a\nb\tc');
    expect(st.ppid).toBe(100);
  });

  test('a comm cut inside a UTF-8 character: the cut bytes kept as escapes, byte length kept', () => {
    const full = Buffer.from('inner-job-同步任务');
    const cut = full.subarray(0, 15);
    const st = parsePidStat(statLine(cut));
    expect(st.commBytes).toBe(15);
    expect(st.comm.startsWith('inner-job-同')).toBe(true);
    // 步 is E6 AD A5: two of its bytes made it, each an escape (psutil's surrogateescape gives the same).
    expect(st.comm.endsWith('\udce6\udcad')).toBe(true);
    expect(fsencode(st.comm)).toEqual(cut);
  });

  test('old kernels without the trailing fields: processor and blkio read 0 (psutil #2455)', () => {
    const nums = Array.from({ length: 30 }, (_, i) => String(i + 1));
    const st = parsePidStat(`7 (old) S ${nums.join(' ')}\n`);
    expect(st.starttime).toBe(19);
    expect(st.processor).toBe(0);
    expect(st.blkioTicks).toBe(0);
  });

  test('a string input parses like the bytes', () => {
    expect(parsePidStat(ours('4321/stat').toString())).toEqual(parsePidStat(ours('4321/stat')));
    expect(parsePidStat(ours('555/stat').toString())).toEqual(parsePidStat(ours('555/stat')));
  });

  test.each([
    ['no parentheses', '12 foo S 1 2 3\n'],
    ['no ) at all', '12 (foo S 1 2 3\n'],
    ['too few fields', '12 (foo) S 1 2 3\n'],
    ['a non-numeric field', `12 (foo) S ${Array.from({ length: 40 }, () => 'x').join(' ')}\n`],
    ['a non-numeric pid', `zz (foo) S ${Array.from({ length: 40 }, () => '1').join(' ')}\n`],
  ])('%s -> ParseError naming the file', (_n, text) => {
    expect(() => parsePidStat(text, '/p/1/stat')).toThrow(ParseError);
    expect(() => parsePidStat(text, '/p/1/stat')).toThrow(/\/p\/1\/stat/);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parsePidStat(input)).toThrow(ParseError);
  });
});

describe('parsePidStatState (state and num_threads only, for processSummary)', () => {
  /** Every stat and task stat file under a proc tree. */
  function statFiles(root: string): string[] {
    const out: string[] = [];
    for (const pid of fs.readdirSync(root).filter((n) => /^[0-9]+$/.test(n))) {
      const dir = path.join(root, pid);
      if (fs.existsSync(path.join(dir, 'stat'))) out.push(path.join(dir, 'stat'));
      const task = path.join(dir, 'task');
      if (!fs.existsSync(task)) continue;
      for (const tid of fs.readdirSync(task))
        if (fs.existsSync(path.join(task, tid, 'stat'))) out.push(path.join(task, tid, 'stat'));
    }
    return out;
  }

  function agreeOnTree(root: string): void {
    const files = statFiles(root);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const buf = fs.readFileSync(f);
      const full = parsePidStat(buf, f);
      expect([f, parsePidStatState(buf, f)]).toEqual([f, { state: full.state, numThreads: full.numThreads }]);
    }
  }

  test('our fixture stats (threads, kernel threads, a zombie, a comm faking fields): the state and numThreads parsePidStat gives', () => {
    expect(statFiles(OURS)).toHaveLength(9);
    agreeOnTree(OURS);
  });

  describePeer("the peers' stats", () => {
    test.each([
      ['procfs', path.join(PROCFS_FIXTURES, 'proc')],
      ['node_exporter', path.join(NODE_EXPORTER_FIXTURES, 'proc')],
    ])('%s fixture stats: the state and numThreads parsePidStat gives', (_n, root) => {
      agreeOnTree(root);
    });
  });

  test('live /proc: every readable stat and task stat agrees with parsePidStat on the same bytes', () => {
    let compared = 0;
    for (const f of statFiles('/proc')) {
      let buf: Buffer;
      try {
        buf = fs.readFileSync(f);
      } catch (err) {
        void err; // the process or thread exited since the listing
        continue;
      }
      const full = parsePidStat(buf, f);
      expect([f, parsePidStatState(buf, f)]).toEqual([f, { state: full.state, numThreads: full.numThreads }]);
      compared++;
    }
    // This test process alone has several threads.
    expect(compared).toBeGreaterThan(1);
  });

  test('ours: python3 (3 threads), the comm faking a D state, a worker past 15 bytes, a zombie', () => {
    expect(parsePidStatState(ours('4321/stat'))).toEqual({ state: 'S', numThreads: 3 });
    expect(parsePidStatState(ours('555/stat'))).toEqual({ state: 'S', numThreads: 1 });
    expect(parsePidStatState(ours('131/stat'))).toEqual({ state: 'I', numThreads: 1 });
    expect(parsePidStatState(ours('777/stat')).state).toBe('Z');
  });

  testPeer('procfs 26231 (vim) and 584 (a comm of parentheses): values by man 5 proc position', () => {
    expect(parsePidStatState(proc('26231/stat'))).toEqual({ state: 'R', numThreads: 1 });
    expect(parsePidStatState(proc('584/stat')).state).toBe('R');
  });

  test('num_threads is the 17th number after the state (man 5 proc field 20); a comm injecting fields or holding a newline moves nothing', () => {
    // statLine numbers the fields after the state 100 (ppid, field 4), 101, ...: num_threads (field 20) is 116.
    expect(parsePidStatState(statLine('sleepy'))).toEqual({ state: 'S', numThreads: 116 });
    expect(parsePidStatState(statLine('x) Z 1 1', 'D'))).toEqual({ state: 'D', numThreads: 116 });
    expect(parsePidStatState(statLine('a\nb\tc', 'I'))).toEqual({ state: 'I', numThreads: 116 });
    expect(parsePidStatState(statLine('sleepy').toString())).toEqual({ state: 'S', numThreads: 116 });
  });

  test('the state and 17 numbers after the comm are enough; 16 numbers are not', () => {
    const nums = (k: number): string => Array.from({ length: k }, (_, i) => String(i + 1)).join(' ');
    expect(parsePidStatState(`7 (short) R ${nums(17)}\n`)).toEqual({ state: 'R', numThreads: 17 });
    expect(() => parsePidStatState(`7 (short) R ${nums(16)}\n`, '/p/7/stat')).toThrow(/\/p\/7\/stat/);
  });

  test.each([
    ['no parentheses', '12 foo S 1 2 3\n'],
    ['no ) at all', '12 (foo S 1 2 3\n'],
    ['no state', '12 (foo) '],
    ['too few fields', '12 (foo) S 1 2 3\n'],
    [
      'a non-numeric num_threads',
      `12 (foo) S ${Array.from({ length: 40 }, (_, i) => (i === 16 ? 'x' : '1')).join(' ')}\n`,
    ],
  ])('%s -> ParseError naming the file', (_n, text) => {
    expect(() => parsePidStatState(text, '/p/1/stat')).toThrow(ParseError);
    expect(() => parsePidStatState(text, '/p/1/stat')).toThrow(/\/p\/1\/stat/);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parsePidStatState(input)).toThrow(ParseError);
  });
});
