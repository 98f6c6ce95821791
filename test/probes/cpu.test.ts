import * as path from 'node:path';
import { createPsutil, OsError, ParseError, type ProcStatCpu } from '../../src/index';
import { clockTicks } from '../../src/probes/linux/sysconf';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, describePeer, own, testPeer } from '../helpers/fixtures';
import { family } from '../helpers/e2e';
import { removeTmpTrees, runtimeWarnings, tmpTree, writeIn } from '../helpers/tmptree';

const NE = { procfs: path.join(NODE_EXPORTER_FIXTURES, 'proc'), sysfs: path.join(NODE_EXPORTER_FIXTURES, 'sys') };
const PF = { procfs: path.join(PROCFS_FIXTURES, 'proc'), sysfs: path.join(PROCFS_FIXTURES, 'sys') };
// Our hosts (test/fixtures/host-README.md): a 4-thread laptop with policy dirs, an 8-thread server with the older
// cpuN/cpufreq layout and 9-field /proc/stat lines.
const LAPTOP = { procfs: own('host-laptop', 'proc'), sysfs: own('host-laptop', 'sys') };
const SERVER = { procfs: own('host-server', 'proc'), sysfs: own('host-server', 'sys') };
const FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guestNice'];

afterAll(removeTmpTrees);

/** A /proc/stat with the given aggregate ticks and per-CPU lines. */
function statText(total: number[], cpus: Record<number, number[]> = {}): string {
  const lines = [`cpu  ${total.join(' ')}`];
  for (const [n, t] of Object.entries(cpus)) lines.push(`cpu${n} ${t.join(' ')}`);
  lines.push(
    'intr 100 1 2',
    'ctxt 500',
    'btime 1700000000',
    'processes 10',
    'procs_running 1',
    'procs_blocked 0',
    'softirq 50 1 2 3 4 5 6 7 8 9 10',
  );
  return lines.join('\n') + '\n';
}

describe('cpuTimes', () => {
  test('host-laptop: ticks / CLK_TCK, all ten fields in psutil 7.x order', () => {
    const ps = createPsutil(LAPTOP);
    const t = ps.cpuTimes();
    const hz = clockTicks();
    expect(Object.keys(t)).toEqual(FIELDS);
    // The aggregate line: the sums of the four cpuN lines.
    expect(t.user).toBeCloseTo(84512 / hz, 9);
    expect(t.idle).toBeCloseTo(1588321 / hz, 9);
    expect(t.guest).toBeCloseTo(412 / hz, 9);
    expect(t.guestNice).toBeCloseTo(17 / hz, 9);
    expect(Object.isFrozen(t)).toBe(true);
    const per = ps.cpuTimes({ percpu: true });
    expect(per).toHaveLength(4);
    expect(per[3]?.nice).toBeCloseTo(299 / hz, 9);
    expect(per[0]?.softirq).toBeCloseTo(1411 / hz, 9);
  });

  test('host-server: 9-field lines (guest, no guest_nice): guestNice reads 0', () => {
    const ps = createPsutil(SERVER);
    const hz = clockTicks();
    expect(ps.cpuTimes().guest).toBeCloseTo(31200 / hz, 9);
    expect(ps.cpuTimes().guestNice).toBe(0);
    expect(ps.cpuTimes({ percpu: true }).map((t) => Math.round(t.guest * hz))).toEqual([0, 0, 0, 0, 0, 31200, 0, 0]);
  });

  testPeer('node_exporter fixture: ticks / CLK_TCK, all ten fields in psutil 7.x order', () => {
    const ps = createPsutil(NE);
    const t = ps.cpuTimes();
    const hz = clockTicks();
    expect(Object.keys(t)).toEqual(FIELDS);
    expect(t.user).toBeCloseTo(301854 / hz, 9);
    expect(t.guestNice).toBeCloseTo(36 / hz, 9);
    expect(Object.isFrozen(t)).toBe(true);
    const per = ps.cpuTimes({ percpu: true });
    expect(per).toHaveLength(8);
    expect(per[3]?.nice).toBeCloseTo(102 / hz, 9);
  });

  test('7-field kernel (2.6.9): steal, guest and guestNice read 0', () => {
    const t = createPsutil({ procfs: own('kernel-2.6.9', 'proc') }).cpuTimes();
    expect(Object.keys(t)).toEqual(FIELDS);
    expect(t.softirq).toBeCloseTo(41 / clockTicks(), 9);
    expect([t.steal, t.guest, t.guestNice]).toEqual([0, 0, 0]);
  });

  test('bad arguments name themselves', () => {
    const ps = createPsutil(LAPTOP);
    expect(() => ps.cpuTimes({ percpu: 1 as unknown as boolean })).toThrow(TypeError);
    expect(() => ps.cpuTimes({ percpu: 1 as unknown as boolean })).toThrow(/percpu/);
    expect(() => ps.cpuTimes({ perCpu: true } as unknown as { percpu: boolean })).toThrow(/perCpu/);
    expect(() => ps.cpuTimes(5 as unknown as { percpu: boolean })).toThrow(TypeError);
  });
});

describe('cpuPercent / cpuTimesPercent', () => {
  test('the first non-blocking call measures from instance creation (primed like psutil at import)', () => {
    const root = tmpTree({ stat: statText([100, 0, 100, 800, 0, 0, 0, 0, 0, 0]) });
    const ps = createPsutil({ procfs: root });
    writeIn(root, 'stat', statText([150, 0, 150, 900, 0, 0, 0, 0, 0, 0]));
    expect(ps.cpuPercent()).toBe(50);
    // Nothing moved since: 0, not NaN (#645).
    expect(ps.cpuPercent()).toBe(0);
  });

  test('cpuTimesPercent keeps its own state', () => {
    const root = tmpTree({ stat: statText([100, 0, 100, 800, 0, 0, 0, 0, 0, 0]) });
    const ps = createPsutil({ procfs: root });
    writeIn(root, 'stat', statText([130, 0, 110, 860, 0, 0, 0, 0, 0, 0]));
    expect(ps.cpuPercent()).toBe(40);
    const tp = ps.cpuTimesPercent();
    expect(tp.user).toBe(30);
    expect(tp.system).toBe(10);
    expect(tp.idle).toBe(60);
    expect(Object.keys(tp)).toEqual(FIELDS);
  });

  test('guest time is inside user: it comes off the total', () => {
    const root = tmpTree({ stat: statText([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) });
    const ps = createPsutil({ procfs: root });
    writeIn(root, 'stat', statText([50, 0, 0, 50, 0, 0, 0, 0, 50, 0]));
    expect(ps.cpuPercent()).toBe(50);
  });

  test('iowait counts as idle', () => {
    const root = tmpTree({ stat: statText([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) });
    const ps = createPsutil({ procfs: root });
    writeIn(root, 'stat', statText([25, 0, 0, 50, 25, 0, 0, 0, 0, 0]));
    expect(ps.cpuPercent()).toBe(25);
  });

  test('a field going backwards (steal, psutil test_cpu_steal_decrease) is clamped to 0', () => {
    const root = tmpTree({ stat: statText([100, 0, 100, 800, 0, 0, 0, 500, 0, 0]) });
    const ps = createPsutil({ procfs: root });
    writeIn(root, 'stat', statText([200, 0, 100, 900, 0, 0, 0, 100, 0, 0]));
    const tp = ps.cpuTimesPercent();
    expect(tp.steal).toBe(0);
    expect(tp.user).toBeGreaterThan(0);
    expect(tp.user).toBe(50);
    for (const v of Object.values(tp)) expect(v).toBeGreaterThanOrEqual(0);
  });

  test('percentages are rounded to one decimal and stay in 0..100', () => {
    const root = tmpTree({ stat: statText([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) });
    const ps = createPsutil({ procfs: root });
    writeIn(root, 'stat', statText([1, 0, 0, 2, 0, 0, 0, 0, 0, 0]));
    expect(ps.cpuPercent()).toBe(33.3);
    const tp = ps.cpuTimesPercent();
    expect(tp.user).toBe(33.3);
    expect(tp.idle).toBe(66.7);
  });

  test('percpu: one value per CPU, paired by CPU number when one goes offline', () => {
    const root = tmpTree({ stat: statText([0, 0, 0, 0], { 0: [0, 0, 0, 0], 1: [0, 0, 0, 0], 2: [0, 0, 0, 0] }) });
    const ps = createPsutil({ procfs: root });
    writeIn(root, 'stat', statText([30, 0, 0, 30], { 0: [10, 0, 0, 10], 2: [20, 0, 0, 0] }));
    expect(ps.cpuPercent({ percpu: true })).toEqual([50, 100]);
    const tp = ps.cpuTimesPercent({ percpu: true });
    expect(tp.map((t) => t.user)).toEqual([50, 100]);
  });

  test('a CPU without a previous sample reads 0 for that call', () => {
    const root = tmpTree({ stat: statText([0, 0, 0, 0], { 0: [0, 0, 0, 0] }) });
    const ps = createPsutil({ procfs: root });
    writeIn(root, 'stat', statText([20, 0, 0, 0], { 0: [10, 0, 0, 0], 1: [10, 0, 0, 0] }));
    expect(ps.cpuPercent({ percpu: true })).toEqual([100, 0]);
  });

  test('instances keep separate state', () => {
    const root = tmpTree({ stat: statText([0, 0, 0, 100]) });
    const a = createPsutil({ procfs: root });
    writeIn(root, 'stat', statText([100, 0, 0, 100]));
    const b = createPsutil({ procfs: root });
    writeIn(root, 'stat', statText([100, 0, 0, 200]));
    expect(a.cpuPercent()).toBe(50);
    expect(b.cpuPercent()).toBe(0);
  });

  test('interval > 0 returns a Promise of the value over that interval', async () => {
    const root = tmpTree({ stat: statText([0, 0, 0, 100]) });
    const ps = createPsutil({ procfs: root });
    const p = ps.cpuPercent({ interval: 0.05 });
    expect(p).toBeInstanceOf(Promise);
    writeIn(root, 'stat', statText([10, 0, 0, 130]));
    await expect(p).resolves.toBe(25);
    const q = ps.cpuTimesPercent({ interval: 0.05, percpu: true });
    expect(q).toBeInstanceOf(Promise);
    await expect(q).resolves.toEqual([]);
    // interval 0 (and null) is the non-blocking form.
    expect(typeof ps.cpuPercent({ interval: 0 })).toBe('number');
    expect(typeof ps.cpuPercent({ interval: null })).toBe('number');
  });

  test('bad intervals: RangeError / TypeError naming interval', () => {
    const ps = createPsutil(LAPTOP);
    expect(() => ps.cpuPercent({ interval: -1 })).toThrow(RangeError);
    expect(() => ps.cpuPercent({ interval: -1 })).toThrow(/interval/);
    expect(() => ps.cpuTimesPercent({ interval: -0.5 })).toThrow(RangeError);
    expect(() => ps.cpuPercent({ interval: Number.NaN })).toThrow(RangeError);
    expect(() => ps.cpuPercent({ interval: Infinity })).toThrow(RangeError);
    expect(() => ps.cpuPercent({ interval: '1' as unknown as number })).toThrow(TypeError);
    expect(() => ps.cpuPercent({ percpu: 'yes' as unknown as boolean })).toThrow(/percpu/);
  });

  test('no /proc/stat at creation: the first call raises the reader error, never a 0', () => {
    const root = tmpTree();
    const ps = createPsutil({ procfs: root });
    expect(() => ps.cpuPercent()).toThrow(OsError);
    writeIn(root, 'stat', statText([5, 0, 0, 5]));
    // psutil's `last or cpu_times()`: without a primed sample the first call compares with itself.
    expect(ps.cpuPercent()).toBe(0);
  });
});

describe('cpuCount', () => {
  test('host-laptop: cpuinfo processors; cores from cpuinfo physical id / cpu cores (no sysfs topology lists)', () => {
    const ps = createPsutil(LAPTOP);
    expect(ps.cpuCount()).toBe(4);
    expect(ps.cpuCount({ logical: true })).toBe(4);
    expect(ps.cpuCount({ logical: false })).toBe(2);
  });

  test('host-server: cores from distinct thread_siblings_list values (no core_cpus_list), even without cpuinfo', () => {
    const ps = createPsutil(SERVER);
    expect(ps.cpuCount()).toBe(8);
    expect(ps.cpuCount({ logical: false })).toBe(4);
    expect(createPsutil({ procfs: tmpTree(), sysfs: SERVER.sysfs }).cpuCount({ logical: false })).toBe(4);
  });

  testPeer('node_exporter fixture: cpuinfo processors; cores from cpuinfo (no sysfs topology lists)', () => {
    const ps = createPsutil(NE);
    expect(ps.cpuCount()).toBe(8);
    expect(ps.cpuCount({ logical: true })).toBe(8);
    expect(ps.cpuCount({ logical: false })).toBe(4);
  });

  testPeer('procfs fixture: cores from distinct thread_siblings_list values', () => {
    const ps = createPsutil(PF);
    expect(ps.cpuCount()).toBe(8);
    expect(ps.cpuCount({ logical: false })).toBe(2);
  });

  test('core_cpus_list is preferred over thread_siblings_list', () => {
    const sys = tmpTree({
      'devices/system/cpu/cpu0/topology/core_cpus_list': '0-1\n',
      'devices/system/cpu/cpu1/topology/core_cpus_list': '0-1\n',
      'devices/system/cpu/cpu0/topology/thread_siblings_list': '0\n',
      'devices/system/cpu/cpu1/topology/thread_siblings_list': '1\n',
    });
    expect(createPsutil({ procfs: LAPTOP.procfs, sysfs: sys }).cpuCount({ logical: false })).toBe(1);
  });

  test('ARM: logical from cpuinfo, cores unknown -> null', () => {
    const ps = createPsutil({ procfs: own('armv7', 'proc'), sysfs: tmpTree() });
    expect(ps.cpuCount()).toBe(2);
    expect(ps.cpuCount({ logical: false })).toBeNull();
  });

  test('no cpuinfo: /proc/stat cpuN lines', () => {
    expect(createPsutil({ procfs: own('kernel-2.6.9', 'proc'), sysfs: tmpTree() }).cpuCount()).toBe(2);
  });

  test('bad argument', () => {
    expect(() => createPsutil(LAPTOP).cpuCount({ logical: 0 as unknown as boolean })).toThrow(/logical/);
  });
});

describe('cpuStats', () => {
  test('host-laptop: ctxt, the intr total and the softirq total', async () => {
    const { value, warnings } = await runtimeWarnings(() => createPsutil(LAPTOP).cpuStats());
    expect(value).toEqual({ ctxSwitches: 48213987, interrupts: 9123801, softInterrupts: 7328021, syscalls: 0 });
    expect(Object.keys(value)).toEqual(['ctxSwitches', 'interrupts', 'softInterrupts', 'syscalls']);
    expect(warnings).toEqual([]);
  });

  testPeer('node_exporter fixture', async () => {
    const { value, warnings } = await runtimeWarnings(() => createPsutil(NE).cpuStats());
    expect(value).toEqual({ ctxSwitches: 38014093, interrupts: 8885917, softInterrupts: 5057579, syscalls: 0 });
    expect(Object.keys(value)).toEqual(['ctxSwitches', 'interrupts', 'softInterrupts', 'syscalls']);
    expect(warnings).toEqual([]);
  });

  test('2.6.9 has no softirq line: 0 with a RuntimeWarning', async () => {
    const { value, warnings } = await runtimeWarnings(() =>
      createPsutil({ procfs: own('kernel-2.6.9', 'proc') }).cpuStats(),
    );
    expect(value.softInterrupts).toBe(0);
    expect(value.ctxSwitches).toBe(2130423);
    expect(warnings.join()).toMatch(/soft_interrupts/);
  });
});

describe('cpuFreq', () => {
  test("host-laptop: policy dirs; 4 policies and 4 cpuinfo MHz lines, so current is cpuinfo's (psutil #1851)", () => {
    const ps = createPsutil(LAPTOP);
    expect(ps.cpuFreq({ percpu: true })).toEqual([
      { current: 2700.012, min: 400, max: 3100 },
      { current: 2699.871, min: 400, max: 3100 },
      { current: 800.034, min: 400, max: 3100 },
      { current: 3100, min: 400, max: 3100 },
    ]);
    const avg = ps.cpuFreq();
    expect(avg?.current).toBeCloseTo((2700.012 + 2699.871 + 800.034 + 3100) / 4, 9);
    expect([avg?.min, avg?.max]).toEqual([400, 3100]);
  });

  test("host-server: no policy dirs, one entry per cpuN/cpufreq (links to the owner CPU's); cpu7's is a flattened link file", async () => {
    const { value, warnings } = await runtimeWarnings(() => createPsutil(SERVER).cpuFreq({ percpu: true }));
    expect(value).toEqual([
      { current: 2600, min: 1200, max: 3000 },
      { current: 2593.812, min: 1200, max: 3000 },
      { current: 1200, min: 1200, max: 3000 },
      { current: 2600, min: 1200, max: 3000 },
      { current: 1201.344, min: 1200, max: 2600 },
      { current: 2600, min: 1200, max: 2600 },
      { current: 2599.999, min: 1200, max: 2600 },
      // A file, not a directory: its min and max cannot be read (psutil's bcat fallback, 0); current is cpuinfo's.
      { current: 1200, min: 0, max: 0 },
    ]);
    expect(warnings).toEqual([]);
  });

  testPeer('node_exporter fixture: cpuN/cpufreq, cpuinfo count differs so scaling_cur_freq is used', () => {
    const ps = createPsutil(NE);
    const per = ps.cpuFreq({ percpu: true });
    expect(per).toEqual([
      { current: 1699.981, min: 800, max: 3700 },
      { current: 1699.981, min: 800, max: 3700 },
      { current: 8, min: 1, max: 4200 },
      { current: 8, min: 1, max: 4200 },
    ]);
    const avg = ps.cpuFreq();
    expect(avg?.current).toBeCloseTo((1699.981 * 2 + 16) / 4, 9);
    expect(avg?.min).toBeCloseTo(400.5, 9);
    expect(avg?.max).toBeCloseTo(3950, 9);
    expect(Object.keys(avg ?? {})).toEqual(['current', 'min', 'max']);
  });

  testPeer('procfs fixture: policy dirs win; one policy is returned as is', () => {
    expect(createPsutil(PF).cpuFreq()).toEqual({ current: 1219.917, min: 800, max: 2400 });
  });

  test('cpuinfo MHz is used for current when its count matches the policies (psutil #1851)', () => {
    const proc = tmpTree({ cpuinfo: 'processor\t: 0\ncpu MHz\t\t: 2100.5\n\nprocessor\t: 1\ncpu MHz\t\t: 2200.25\n' });
    const sys = tmpTree({
      'devices/system/cpu/cpufreq/policy0/scaling_cur_freq': '1000000\n',
      'devices/system/cpu/cpufreq/policy0/scaling_min_freq': '800000\n',
      'devices/system/cpu/cpufreq/policy0/scaling_max_freq': '3000000\n',
      'devices/system/cpu/cpufreq/policy1/scaling_cur_freq': '1000000\n',
      'devices/system/cpu/cpufreq/policy1/scaling_min_freq': '800000\n',
      'devices/system/cpu/cpufreq/policy1/scaling_max_freq': '3000000\n',
    });
    expect(createPsutil({ procfs: proc, sysfs: sys }).cpuFreq({ percpu: true })).toEqual([
      { current: 2100.5, min: 800, max: 3000 },
      { current: 2200.25, min: 800, max: 3000 },
    ]);
  });

  test('offline CPU without a current value reads zeros; an online one warns', async () => {
    const proc = tmpTree({ cpuinfo: 'processor\t: 0\n' });
    const sys = tmpTree({
      'devices/system/cpu/cpu0/cpufreq/scaling_max_freq': '3000000\n',
      'devices/system/cpu/cpu1/cpufreq/scaling_max_freq': '3000000\n',
      'devices/system/cpu/cpu1/online': '0\n',
    });
    const { value, warnings } = await runtimeWarnings(() =>
      createPsutil({ procfs: proc, sysfs: sys }).cpuFreq({ percpu: true }),
    );
    expect(value).toEqual([
      { current: 0, min: 0, max: 3000 },
      { current: 0, min: 0, max: 0 },
    ]);
    expect(warnings.join()).toMatch(/current frequency/);
  });

  test('no cpufreq in sysfs: cpuinfo MHz with min = max = 0', () => {
    const ps = createPsutil({ procfs: LAPTOP.procfs, sysfs: tmpTree() });
    const per = ps.cpuFreq({ percpu: true });
    expect(per).toHaveLength(4);
    expect(per[0]).toEqual({ current: 2700.012, min: 0, max: 0 });
    expect(per[2]).toEqual({ current: 800.034, min: 0, max: 0 });
  });

  test('no source at all: null, or [] per CPU', () => {
    const ps = createPsutil({ procfs: own('armv7', 'proc'), sysfs: tmpTree() });
    expect(ps.cpuFreq()).toBeNull();
    expect(ps.cpuFreq({ percpu: true })).toEqual([]);
  });
});

describe('getloadavg / procLoadavg', () => {
  test('host-laptop', () => {
    const ps = createPsutil(LAPTOP);
    const l = ps.getloadavg();
    expect(l).toEqual([1.27, 0.98, 0.75]);
    expect(Object.isFrozen(l)).toBe(true);
    expect(ps.procLoadavg()).toEqual({
      load1: 1.27,
      load5: 0.98,
      load15: 0.75,
      runnable: 3,
      total: 1021,
      lastPid: 48211,
    });
    expect(createPsutil(SERVER).procLoadavg()).toMatchObject({
      load1: 12.4,
      runnable: 9,
      total: 1874,
      lastPid: 3301299,
    });
  });

  testPeer('node_exporter fixture', () => {
    const ps = createPsutil(NE);
    const l = ps.getloadavg();
    expect(l).toEqual([0.21, 0.37, 0.39]);
    expect(Array.isArray(l)).toBe(true);
    expect(Object.isFrozen(l)).toBe(true);
    expect(ps.procLoadavg()).toEqual({
      load1: 0.21,
      load5: 0.37,
      load15: 0.39,
      runnable: 1,
      total: 719,
      lastPid: 19737,
    });
  });
});

describe('procStat', () => {
  test('host-laptop: every field', () => {
    const st = createPsutil(LAPTOP).procStat();
    expect(st.cpuFieldCount).toBe(10);
    expect(st.cpus.map((c) => c.cpu)).toEqual([0, 1, 2, 3]);
    expect(Object.keys(st.cpus[0] ?? {})).toEqual(['cpu', ...FIELDS]);
    // Seconds, as cpuTimes gives them.
    const hz = clockTicks();
    expect(
      [st.cpus[1]?.user, st.cpus[1]?.guest, st.cpus[1]?.guestNice].map((v) => Math.round((v as number) * hz)),
    ).toEqual([20511, 212, 7]);
    expect(st.ctxt).toBe(48213987);
    expect(st.btime).toBe(1764979200);
    expect(st.intr).toBe(9123801);
    expect(st.softirq).toBe(7328021);
    expect(st.softirqs).toMatchObject({
      hi: 12,
      timer: 2345678,
      net_tx: 1234,
      net_rx: 456789,
      sched: 3456789,
      rcu: 820607,
    });
    expect(st.processes).toBe(61234);
    expect(st.procsRunning).toBe(3);
    expect(st.procsBlocked).toBe(1);
    expect(Object.isFrozen(st.cpus)).toBe(true);
  });

  test('host-server: 9 fields per cpu line', () => {
    const st = createPsutil(SERVER).procStat();
    expect(st.cpuFieldCount).toBe(9);
    expect(st.cpus).toHaveLength(8);
    expect(Math.round((st.cpus[5]?.guest as number) * clockTicks())).toBe(31200);
    expect(st.cpus[5]?.guestNice).toBe(0);
    expect(st.ctxt).toBe(9812334455);
  });

  testPeer('node_exporter fixture: every field', () => {
    const st = createPsutil(NE).procStat();
    expect(st.cpuFieldCount).toBe(10);
    expect(st.cpus.map((c) => c.cpu)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Object.keys(st.cpus[0] ?? {})).toEqual(['cpu', ...FIELDS]);
    expect(st.ctxt).toBe(38014093);
    expect(st.btime).toBe(1418183276);
    expect(st.intr).toBe(8885917);
    expect(st.softirq).toBe(5057579);
    expect(st.processes).toBe(26442);
    expect(st.procsRunning).toBe(2);
    expect(st.procsBlocked).toBe(0);
    expect(Object.isFrozen(st.cpus)).toBe(true);
  });
});

describe('cpuInfo / cpuFreqDetails', () => {
  test('host-laptop records', () => {
    const info = createPsutil(LAPTOP).cpuInfo();
    expect(info).toHaveLength(4);
    expect(info[2]).toMatchObject({
      processor: 2,
      vendorId: 'GenuineIntel',
      cpuFamily: '6',
      model: '142',
      stepping: '9',
      microcode: '0xf0',
      modelName: 'Intel(R) Core(TM) i5-7200U CPU @ 2.50GHz',
      cacheSize: '3072 KB',
      physicalId: '0',
      coreId: '0',
      siblings: 4,
      cpuCores: 2,
      mhz: 800.034,
    });
    expect(info[1]?.coreId).toBe('1');
    expect(info[0]?.flags).toContain('avx2');
    expect(info[0]?.flags).toHaveLength(109);
    expect(info[0]?.bugs).toEqual([
      'cpu_meltdown',
      'spectre_v1',
      'spectre_v2',
      'spec_store_bypass',
      'l1tf',
      'mds',
      'swapgs',
      'itlb_multihit',
      'srbds',
      'mmio_stale_data',
      'retbleed',
      'gds',
    ]);
    expect(info[0]?.fields['address sizes']).toBe('39 bits physical, 48 bits virtual');
    expect(info[0]?.fields['power management']).toBe('');
  });

  test('host-laptop cpufreq details: cpuN/cpufreq links followed into the policy dirs', () => {
    const d = createPsutil(LAPTOP).cpuFreqDetails();
    expect(d.map((x) => x.cpu)).toEqual([0, 1, 2, 3]);
    expect(d[2]).toEqual({
      cpu: 2,
      currentHz: null,
      minHz: 400000000,
      maxHz: 3100000000,
      scalingCurrentHz: 799870000,
      scalingMinHz: 400000000,
      scalingMaxHz: 3100000000,
      governor: 'powersave',
      availableGovernors: ['performance', 'powersave'],
      driver: 'intel_pstate',
    });
    expect(d[3]?.governor).toBe('performance');
  });

  test('host-server cpufreq details: shared directories through links; cpu7/cpufreq is not a directory and is skipped', () => {
    const d = createPsutil(SERVER).cpuFreqDetails();
    expect(d.map((x) => x.cpu)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(d[3]).toMatchObject({
      currentHz: 2600000000,
      scalingMaxHz: 3000000000,
      governor: 'performance',
      driver: 'acpi-cpufreq',
    });
    expect(d[5]).toMatchObject({ currentHz: 1201344000, scalingMaxHz: 2600000000, governor: 'ondemand' });
    // The trailing space of scaling_available_governors does not make an empty name.
    expect(d[0]?.availableGovernors).toEqual(['conservative', 'ondemand', 'userspace', 'powersave', 'performance']);
  });

  testPeer('node_exporter fixture records', () => {
    const info = createPsutil(NE).cpuInfo();
    expect(info).toHaveLength(8);
    expect(info[4]).toMatchObject({
      processor: 4,
      vendorId: 'GenuineIntel',
      cpuFamily: '6',
      model: '142',
      stepping: '10',
      microcode: '0xb4',
      cacheSize: '8192 KB',
      physicalId: '0',
      coreId: '0',
      siblings: 8,
      cpuCores: 4,
      mhz: 799.989,
    });
    expect(info[0]?.flags).toContain('avx2');
    expect(info[0]?.bugs).toContain('spectre_v2');
    expect(info[0]?.fields['address sizes']).toBe('39 bits physical, 48 bits virtual');
  });

  test('ARM: the Hardware block is left out, absent labels are empty strings', () => {
    const info = createPsutil({ procfs: own('armv7', 'proc') }).cpuInfo();
    expect(info.map((i) => i.processor)).toEqual([0, 1]);
    expect(info[0]).toMatchObject({ vendorId: '', physicalId: '', mhz: null, flags: [], cpuCores: null });
  });

  testPeer('procfs fixture cpufreq: cpu0/cpufreq is not a directory and is skipped', () => {
    const d = createPsutil(PF).cpuFreqDetails();
    expect(d.map((x) => x.cpu)).toEqual([1]);
    expect(d[0]).toMatchObject({ currentHz: 1200195000, minHz: 1200000000, maxHz: 3300000000, governor: 'powersave' });
  });
});

describePeer('node_exporter golden exposition (e2e-output.txt) from the public readers', () => {
  const ps = createPsutil(NE);
  const hz = clockTicks();
  const modeOf: Record<string, string> = {
    user: 'user',
    nice: 'nice',
    system: 'system',
    idle: 'idle',
    iowait: 'iowait',
    irq: 'irq',
    softirq: 'softirq',
    steal: 'steal',
  };

  test('node_cpu_seconds_total and node_cpu_guest_seconds_total', () => {
    // node_exporter assumes USER_HZ 100; our seconds use sysconf(_SC_CLK_TCK).
    const scale = hz / 100;
    const st = ps.procStat();
    const byCpu = new Map(st.cpus.map((c) => [String(c.cpu), c]));
    const series = family('node_cpu_seconds_total');
    expect(series.length).toBe(8 * 8);
    for (const s of series) {
      const c = byCpu.get(s.labels['cpu'] as string);
      if (c === undefined) throw new Error(`no cpu ${s.labels['cpu']}`);
      const field = modeOf[s.labels['mode'] as string] as keyof ProcStatCpu;
      expect(c[field] * scale).toBeCloseTo(s.value, 6);
    }
    for (const s of family('node_cpu_guest_seconds_total')) {
      const c = byCpu.get(s.labels['cpu'] as string);
      const v = s.labels['mode'] === 'user' ? c?.guest : c?.guestNice;
      expect((v as number) * scale).toBeCloseTo(s.value, 6);
    }
  });

  test('stat collector families and loadavg', () => {
    const st = ps.procStat();
    const one = (n: string) => family(n)[0]?.value;
    expect(st.btime).toBe(one('node_boot_time_seconds'));
    expect(st.ctxt).toBe(one('node_context_switches_total'));
    expect(st.processes).toBe(one('node_forks_total'));
    expect(st.intr).toBe(one('node_intr_total'));
    expect(st.procsRunning).toBe(one('node_procs_running'));
    expect(st.procsBlocked).toBe(one('node_procs_blocked'));
    const soft = family('node_softirqs_total');
    expect(soft).toHaveLength(10);
    for (const s of soft) expect(st.softirqs?.[s.labels['vector'] as keyof typeof st.softirqs]).toBe(s.value);
    const [l1, l5, l15] = ps.getloadavg();
    expect([l1, l5, l15]).toEqual([one('node_load1'), one('node_load5'), one('node_load15')]);
  });

  test('node_cpu_info, node_cpu_frequency_hertz (cpuinfo) and the cpufreq scaling families', () => {
    const info = new Map(ps.cpuInfo().map((i) => [String(i.processor), i]));
    const infoSeries = family('node_cpu_info');
    expect(infoSeries).toHaveLength(8);
    for (const s of infoSeries) {
      const i = info.get(s.labels['cpu'] as string);
      expect({
        cachesize: i?.cacheSize,
        core: i?.coreId,
        family: i?.cpuFamily,
        microcode: i?.microcode,
        model: i?.model,
        model_name: i?.modelName,
        package: i?.physicalId,
        stepping: i?.stepping,
        vendor: i?.vendorId,
        cpu: s.labels['cpu'],
      }).toEqual(s.labels);
    }
    for (const s of family('node_cpu_frequency_hertz')) {
      expect((info.get(s.labels['cpu'] as string)?.mhz as number) * 1e6).toBeCloseTo(s.value, 0);
    }
    const det = new Map(ps.cpuFreqDetails().map((d) => [String(d.cpu), d]));
    const pairs: [string, 'scalingCurrentHz' | 'scalingMinHz' | 'scalingMaxHz'][] = [
      ['node_cpu_scaling_frequency_hertz', 'scalingCurrentHz'],
      ['node_cpu_scaling_frequency_min_hertz', 'scalingMinHz'],
      ['node_cpu_scaling_frequency_max_hertz', 'scalingMaxHz'],
    ];
    for (const [name, key] of pairs) {
      const series = family(name);
      expect(series.length).toBeGreaterThan(0);
      for (const s of series) expect(det.get(s.labels['cpu'] as string)?.[key]).toBe(s.value);
    }
    for (const s of family('node_cpu_scaling_governor')) {
      const d = det.get(s.labels['cpu'] as string);
      expect(d?.availableGovernors).toContain(s.labels['governor']);
      expect(s.value).toBe(d?.governor === s.labels['governor'] ? 1 : 0);
    }
  });
});

describe('errors', () => {
  test('an empty procfs root raises OsError ENOENT, never zeros', () => {
    const ps = createPsutil({ procfs: tmpTree(), sysfs: tmpTree() });
    for (const call of [
      () => ps.cpuTimes(),
      () => ps.cpuTimes({ percpu: true }),
      () => ps.cpuStats(),
      () => ps.getloadavg(),
      () => ps.procStat(),
      () => ps.cpuInfo(),
      () => ps.cpuCount(),
      () => ps.cpuTimesPercent(),
    ]) {
      let err: unknown;
      try {
        call();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OsError);
      expect((err as OsError).osCode).toBe('ENOENT');
    }
  });

  test('garbage files raise ParseError naming the file', () => {
    const root = tmpTree({ stat: 'garbage\n', loadavg: 'x y z\n', cpuinfo: 'no colon here\n' });
    const ps = createPsutil({ procfs: root, sysfs: tmpTree() });
    expect(() => ps.cpuTimes()).toThrow(ParseError);
    expect(() => ps.cpuTimes()).toThrow(path.join(root, 'stat'));
    expect(() => ps.cpuStats()).toThrow(ParseError);
    expect(() => ps.getloadavg()).toThrow(path.join(root, 'loadavg'));
    expect(() => ps.cpuInfo()).toThrow(path.join(root, 'cpuinfo'));
    expect(() => ps.cpuPercent()).toThrow(ParseError);
  });
});
