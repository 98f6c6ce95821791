/** The live system against `who -u`, `vmstat -s` and /proc/stat (psutil test_posix users, TestMisc boot time). */
import * as fs from 'node:fs';
import { bootTime, users } from '../../src/index';
import { sh } from '../helpers/oracle';
import { vmstatS } from '../helpers/retry';

describe('bootTime', () => {
  test('int(bootTime()) == /proc/stat btime (== vmstat -s "boot time"); in the past', () => {
    const bt = bootTime();
    const btime = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    expect(Math.trunc(bt)).toBe(btime);
    let vm: number | undefined;
    try {
      vm = vmstatS(sh('vmstat', ['-s']))['boot time'];
    } catch {
      // No procps here: /proc/stat already gave the reference value.
      vm = undefined;
    }
    if (vm !== undefined) expect(Math.abs(Math.trunc(bt) - vm)).toBeLessThanOrEqual(1);
    expect(bt).toBeGreaterThan(0);
    expect(bt).toBeLessThan(Date.now() / 1000);
  });
});

describe('users', () => {
  test('(name, terminal, pid) multiset == who -u', () => {
    let who: string;
    try {
      who = sh('who', ['-u']);
    } catch {
      // No coreutils `who`: nothing to compare with.
      return;
    }
    // who -u: NAME LINE DATE TIME IDLE PID (COMMENT)
    const theirs = who
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const t = l.trim().split(/\s+/);
        const pid = t.find((x, i) => i >= 4 && /^\d+$/.test(x));
        return `${t[0]}|${t[1]}|${pid}`;
      })
      .sort();
    const ours = users()
      .map((u) => `${u.name}|${u.terminal}|${u.pid}`)
      .sort();
    expect(ours).toEqual(theirs);
  });
});
