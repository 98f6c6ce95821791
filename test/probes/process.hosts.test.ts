/**
 * The Process facade on host-server's processes built to break parsers (test/fixtures/host-README.md): a comm holding
 * `) R 1 (` and spaces, a NUL-padded cmdline, kernel threads, a zombie, pid dirs without stat. The values are the ones
 * written in the tree; where the reference psutil is installed, it reads the same tree (PROCFS_PATH) and must agree.
 */
import { createPsutil } from '../../src/probes/psutil';
import { NoSuchProcess, ZombieProcess } from '../../src/probes/errors';
import { clockTicks } from '../../src/probes/linux/sysconf';
import { describeOracle, py } from '../helpers/oracle';
import { own } from '../helpers/fixtures';

const PROC = own('host-server', 'proc');
const ps = createPsutil({ procfs: PROC, sysfs: own('host-server', 'sys'), rootfs: own('host-server') });
const COMM = ') R 1 (x y';

describe('Process on host-server', () => {
  test('pids: every numeric dir, the ones without stat included (they vanish when read)', () => {
    expect(ps.pids()).toEqual([1, 2, 10, 14, 812, 1020, 1337, 4242, 5001, 5002]);
  });

  test('a comm holding ") R 1 (" and spaces: name, status and ppid from after the last ")"', () => {
    const p = new ps.Process(1020);
    expect(p.name()).toBe(COMM);
    expect(p.status()).toBe('sleeping');
    expect(p.ppid()).toBe(1);
    expect(p.numThreads()).toBe(3);
    expect(p.cmdline()).toEqual(['./worker', '--name', COMM]);
    expect(p.cwd()).toBe('/home/bob/work (old)');
    // starttime 901234 ticks after btime 1700000000.
    expect(p.createTime()).toBeCloseTo(1700000000 + 901234 / clockTicks(), 2);
  });

  test('setproctitle: a NUL-padded cmdline splits into the title and empty strings, as psutil splits it', () => {
    const cmd = new ps.Process(1337).cmdline();
    expect(cmd[0]).toBe('postgres: checkpointer   ');
    expect(cmd).toHaveLength(40);
    expect(cmd.slice(1).every((a) => a === '')).toBe(true);
  });

  test('kernel threads: empty cmdline, no exe; migration/0 at SCHED_FIFO keeps its nice of 0', () => {
    const k = new ps.Process(2);
    expect([k.name(), k.cmdline(), k.exe(), k.ppid()]).toEqual(['kthreadd', [], '', 0]);
    const m = new ps.Process(10);
    expect([m.name(), m.cmdline(), m.nice(), m.terminal()]).toEqual(['migration/0', [], 0, null]);
    const w = new ps.Process(14);
    expect([w.name(), w.status(), w.nice()]).toEqual(['kworker/0:0H-kblockd', 'idle', -20]);
  });

  test('a zombie: status and ppid read, cmdline raises ZombieProcess', () => {
    const z = new ps.Process(4242);
    expect([z.status(), z.ppid(), z.name()]).toEqual(['zombie', 1020, 'defunct']);
    expect(() => z.cmdline()).toThrow(ZombieProcess);
  });

  test('a pid dir without stat: NoSuchProcess, as for a process gone between listing and reading', () => {
    expect(() => new ps.Process(5001).name()).toThrow(NoSuchProcess);
    expect(() => new ps.Process(5002)).toThrow(NoSuchProcess);
  });
});

describeOracle('Process on host-server, against psutil (PROCFS_PATH)', () => {
  test.each([1, 2, 10, 14, 812, 1020, 1337])('pid %p: name, cmdline, status, ppid', (pid) => {
    const theirs = py<[string, string[], string, number]>(
      `psutil.PROCFS_PATH = ${JSON.stringify(PROC)}\np = psutil.Process(${pid})\nout = [p.name(), p.cmdline(), p.status(), p.ppid()]`,
    );
    const p = new ps.Process(pid);
    expect([p.name(), p.cmdline(), p.status(), p.ppid()]).toEqual(theirs);
  });
});
