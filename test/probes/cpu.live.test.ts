/**
 * The live system against nproc, lscpu, vmstat -s, /proc and /sys (psutil TestSystemCPU*, test_system CPU checks).
 */
import * as fs from 'node:fs';
import {
  cpuCount,
  cpuTimes,
  cpuPercent,
  cpuTimesPercent,
  cpuStats,
  cpuFreq,
  getloadavg,
  procStat,
  procLoadavg,
  cpuInfo,
  createPsutil,
} from '../../src/index';
import { sh } from '../helpers/oracle';
import { onPath, requireOr } from '../helpers/require';
import { retry, vmstatS } from '../helpers/retry';

const FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guestNice'] as const;

describe('cpuCount', () => {
  test('== nproc --all, /sys cpuN entries and max+1 of /sys/devices/system/cpu/online', () => {
    const n = cpuCount();
    expect(n).toBe(Number(sh('nproc', ['--all']).trim()));
    const dirs = fs.readdirSync('/sys/devices/system/cpu').filter((d) => /^cpu\d+$/.test(d));
    expect(n).toBe(dirs.length);
    const online = fs.readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
    const last = Number(online.split(/[,-]/).pop());
    expect(n).toBe(last + 1);
  });

  test('the fixture-style path (cpuinfo) agrees with sysconf on this machine', () => {
    // A procfs root other than "/proc" skips sysconf and counts /proc/cpuinfo.
    expect(createPsutil({ procfs: '/proc/.' }).cpuCount()).toBe(cpuCount());
  });

  // Skipped only without util-linux's lscpu (minimal containers); the sysfs/nproc checks above still run.
  requireOr(onPath('lscpu'), 'no lscpu (apt-get install util-linux)').test(
    'cores == distinct Core ids of lscpu -p; cores <= logical',
    () => {
      const cores = new Set(
        sh('lscpu', ['-p'])
          .split('\n')
          .filter((l) => l !== '' && !l.startsWith('#'))
          .map((l) => l.split(',')[1]),
      );
      const ours = cpuCount({ logical: false });
      expect(ours).toBe(cores.size);
      expect(ours as number).toBeLessThanOrEqual(cpuCount() as number);
    },
  );

  test('== len(cpuTimes({percpu})) == len(cpuPercent({percpu}))', () => {
    expect(cpuTimes({ percpu: true })).toHaveLength(cpuCount() as number);
    expect(cpuPercent({ percpu: true })).toHaveLength(cpuCount() as number);
    expect(cpuTimesPercent({ percpu: true })).toHaveLength(cpuCount() as number);
  });
});

describe('cpuTimes', () => {
  test('all ten fields, finite, >= 0; the sum grows within 5 s', async () => {
    const t = cpuTimes();
    expect(Object.keys(t)).toEqual([...FIELDS]);
    for (const v of Object.values(t)) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
    }
    const sum = (x: typeof t) => Object.values(x).reduce((a, b) => a + b, 0);
    const first = sum(t);
    const deadline = Date.now() + 5000;
    let grew = false;
    while (!grew && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      grew = sum(cpuTimes()) > first;
    }
    expect(grew).toBe(true);
  });

  test('Σ percpu ≈ total within 2 s per field (psutil test_cpu_times_comparison)', () => {
    const total = cpuTimes();
    const per = cpuTimes({ percpu: true });
    for (const f of FIELDS) {
      const s = per.reduce((a, c) => a + c[f], 0);
      expect(Math.abs(s - total[f])).toBeLessThanOrEqual(2);
    }
  });

  test('matches /proc/stat / CLK_TCK within 1 s', () => {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] as string;
    const user = Number(line.split(/\s+/)[1]);
    const hz = Number(sh('getconf', ['CLK_TCK']).trim());
    expect(Math.abs(cpuTimes().user - user / hz)).toBeLessThanOrEqual(1);
  });
});

describe('cpuPercent / cpuTimesPercent', () => {
  test('100 non-blocking calls stay in 0..100 (total and percpu)', () => {
    for (let i = 0; i < 100; i++) {
      const p = cpuPercent();
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(100);
      for (const x of cpuPercent({ percpu: true })) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(100);
      }
      const tp = cpuTimesPercent();
      for (const v of Object.values(tp)) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(100);
      }
      for (const t of cpuTimesPercent({ percpu: true }))
        for (const v of Object.values(t)) expect(v).toBeLessThanOrEqual(100);
    }
  });

  test('blocking form over 0.2 s: a number in 0..100, field percents summing to ~100', async () => {
    const p = await cpuPercent({ interval: 0.2 });
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThanOrEqual(100);
    const tp = await cpuTimesPercent({ interval: 0.2 });
    const sum = Object.entries(tp)
      .filter(([k]) => k !== 'guest' && k !== 'guestNice')
      .reduce((a, [, v]) => a + v, 0);
    expect(sum).toBeGreaterThan(98);
    expect(sum).toBeLessThan(102);
  });
});

describe('cpuStats, getloadavg, procStat', () => {
  // Skipped only without procps' vmstat; getloadavg and procStat below still compare with /proc.
  requireOr(onPath('vmstat'), 'no vmstat (apt-get install procps)').test(
    'interrupts within 500 of vmstat -s; ctx switches > 0',
    () => {
      retry(5, () => {
        const v = vmstatS(sh('vmstat', ['-s']));
        const s = cpuStats();
        expect(Math.abs(s.interrupts - (v['interrupts'] as number))).toBeLessThanOrEqual(500);
        expect(s.ctxSwitches).toBeGreaterThan(0);
        expect(s.syscalls).toBe(0);
      });
    },
  );

  test('getloadavg within 1 of /proc/loadavg', () => {
    const l = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
    const ours = getloadavg();
    expect(ours).toHaveLength(3);
    ours.forEach((v, i) => expect(Math.abs(v - (l[i] as number))).toBeLessThanOrEqual(1));
    expect(procLoadavg().total).toBeGreaterThan(0);
  });

  test('procStat: a cpuN entry per CPU, btime in the past, counters > 0', () => {
    const st = procStat();
    expect(st.cpus).toHaveLength(cpuCount() as number);
    expect(st.btime as number).toBeLessThan(Date.now() / 1000);
    expect(st.processes as number).toBeGreaterThan(0);
    expect(st.procsRunning as number).toBeGreaterThanOrEqual(1);
    expect(st.cpuFieldCount).toBeGreaterThanOrEqual(7);
  });
});

describe('cpuFreq / cpuInfo', () => {
  test('cpuFreq: null only when neither sysfs nor cpuinfo knows; otherwise current > 0', () => {
    const f = cpuFreq();
    const mhz = cpuInfo().filter((i) => i.mhz !== null);
    if (f === null) {
      expect(mhz).toHaveLength(0);
      return;
    }
    expect(f.current).toBeGreaterThan(0);
    expect(f.min).toBeGreaterThanOrEqual(0);
    expect(f.max).toBeGreaterThanOrEqual(0);
    expect(cpuFreq({ percpu: true }).length).toBeGreaterThan(0);
  });

  test('cpuInfo: one record per logical CPU', () => {
    expect(cpuInfo()).toHaveLength(cpuCount() as number);
  });
});
