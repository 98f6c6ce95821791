/**
 * Differential tests against /usr/bin/python3 psutil 5.9 (the oracle). Live values move while python starts, so
 * counters are bracketed: ours before <= psutil's <= ours after. Fixture trees (psutil.PROCFS_PATH) compare exactly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createPsutil, cpuTimes, cpuCount, cpuStats, cpuFreq, getloadavg, type CpuTimes } from '../../src/index';
import { describeOracle, py } from '../helpers/oracle';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, describePeer, own } from '../helpers/fixtures';
import { removeTmpTrees, tmpTree } from '../helpers/tmptree';

afterAll(removeTmpTrees);

type PyTimes = Record<string, number>;
const FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guestNice'] as const;
const pyName = (f: string) => (f === 'guestNice' ? 'guest_nice' : f);
const EPS = 0.05;

function bracket(before: CpuTimes, theirs: PyTimes, after: CpuTimes): void {
  for (const f of FIELDS) {
    const v = theirs[pyName(f)];
    if (v === undefined) continue; // psutil 5.9 drops fields the kernel lacks
    expect(v).toBeGreaterThanOrEqual(before[f] - EPS);
    expect(v).toBeLessThanOrEqual(after[f] + EPS);
  }
}

describeOracle('cpu: live, against psutil', () => {
  test('cpu_times and per-CPU cpu_times are bracketed by ours', () => {
    const before = cpuTimes();
    const perBefore = cpuTimes({ percpu: true });
    const theirs = py<{ t: PyTimes; per: PyTimes[] }>(
      'out = {"t": psutil.cpu_times(), "per": psutil.cpu_times(percpu=True)}',
    );
    const after = cpuTimes();
    const perAfter = cpuTimes({ percpu: true });
    bracket(before, theirs.t, after);
    expect(theirs.per).toHaveLength(perAfter.length);
    theirs.per.forEach((t, i) => bracket(perBefore[i] as CpuTimes, t, perAfter[i] as CpuTimes));
  });

  test('cpu_count (logical and cores) equal', () => {
    const theirs = py<[number | null, number | null]>('out = [psutil.cpu_count(), psutil.cpu_count(logical=False)]');
    expect([cpuCount(), cpuCount({ logical: false })]).toEqual(theirs);
  });

  test('cpu_stats bracketed', () => {
    const before = cpuStats();
    const theirs = py<Record<string, number>>('out = psutil.cpu_stats()');
    const after = cpuStats();
    for (const [ours, name] of [
      ['ctxSwitches', 'ctx_switches'],
      ['interrupts', 'interrupts'],
      ['softInterrupts', 'soft_interrupts'],
    ] as const) {
      expect(theirs[name]).toBeGreaterThanOrEqual(before[ours]);
      expect(theirs[name]).toBeLessThanOrEqual(after[ours]);
    }
    expect(theirs['syscalls']).toBe(0);
  });

  test('cpu_freq: same shape, min/max equal, current close', () => {
    const theirs = py<{ avg: Record<string, number> | null; per: Record<string, number>[] }>(
      'out = {"avg": psutil.cpu_freq() if hasattr(psutil, "cpu_freq") else None, "per": psutil.cpu_freq(percpu=True) if hasattr(psutil, "cpu_freq") else []}',
    );
    const avg = cpuFreq();
    const per = cpuFreq({ percpu: true });
    expect(per).toHaveLength(theirs.per.length);
    if (theirs.avg === null) {
      expect(avg).toBeNull();
      return;
    }
    expect(avg).not.toBeNull();
    expect(avg?.min).toBeCloseTo(theirs.avg['min'] as number, 3);
    expect(avg?.max).toBeCloseTo(theirs.avg['max'] as number, 3);
    // Frequencies move with load; 30% covers a governor step between the two reads.
    expect(Math.abs((avg?.current as number) - (theirs.avg['current'] as number))).toBeLessThanOrEqual(
      0.3 * (theirs.avg['current'] as number) + 1,
    );
  });

  test('getloadavg within 1', () => {
    const theirs = py<number[]>('out = psutil.getloadavg()');
    getloadavg().forEach((v, i) => expect(Math.abs(v - (theirs[i] as number))).toBeLessThanOrEqual(1));
  });
});

describeOracle('cpu: fixture trees, exactly as psutil (PROCFS_PATH)', () => {
  const timesSame = (root: string) => {
    const theirs = py<{ t: PyTimes; per: PyTimes[] }>(
      `psutil.PROCFS_PATH = ${JSON.stringify(root)}\nout = {"t": psutil.cpu_times(), "per": psutil.cpu_times(percpu=True)}`,
    );
    const ps = createPsutil({ procfs: root });
    const same = (ours: CpuTimes, t: PyTimes) => {
      for (const f of FIELDS) {
        const v = t[pyName(f)];
        // psutil 5.9 leaves out what the kernel lacks; we report 0 there (psutil 8 style).
        if (v === undefined) expect(ours[f]).toBe(0);
        else expect(ours[f]).toBeCloseTo(v, 9);
      }
    };
    same(ps.cpuTimes(), theirs.t);
    const per = ps.cpuTimes({ percpu: true });
    expect(per.length).toBeGreaterThan(0);
    expect(per).toHaveLength(theirs.per.length);
    theirs.per.forEach((t, i) => same(per[i] as CpuTimes, t));
  };
  const statsSame = (root: string) => {
    const theirs = py<Record<string, number>>(`psutil.PROCFS_PATH = ${JSON.stringify(root)}\nout = psutil.cpu_stats()`);
    const s = createPsutil({ procfs: root }).cpuStats();
    expect([s.ctxSwitches, s.interrupts, s.softInterrupts, s.syscalls]).toEqual([
      theirs['ctx_switches'],
      theirs['interrupts'],
      theirs['soft_interrupts'],
      theirs['syscalls'],
    ]);
  };
  const cases = [
    ['host-laptop (10 fields)', own('host-laptop', 'proc')],
    ['host-server (9 fields)', own('host-server', 'proc')],
    ['kernel-2.6.9 (7 fields)', own('kernel-2.6.9', 'proc')],
    ['armv7', own('armv7', 'proc')],
  ] as const;

  test.each(cases)('%s: cpu_times, per-CPU cpu_times', (_name, root) => timesSame(root));
  test.each(cases.filter(([n]) => !n.startsWith('kernel-2.6.9')))('%s: cpu_stats', (_name, root) => statsSame(root));

  describePeer("the peers' trees", () => {
    const peers = [
      ['node_exporter', path.join(NODE_EXPORTER_FIXTURES, 'proc')],
      ['procfs', path.join(PROCFS_FIXTURES, 'proc')],
    ] as const;
    test.each(peers)('%s: cpu_times, per-CPU cpu_times', (_name, root) => timesSame(root));
    test.each(peers)('%s: cpu_stats', (_name, root) => statsSame(root));
  });
});

/**
 * The percent arithmetic, side by side: both libraries sample a stat file, the file changes, both sample again.
 * Deltas span >= 100 ticks so psutil's max(1, seconds) floor in cpu_times_percent does not kick in.
 */
describeOracle('cpu: percent arithmetic on the same two /proc/stat samples', () => {
  const stat = (t: number[], cpus: number[][]) =>
    [
      `cpu  ${t.join(' ')}`,
      ...cpus.map((c, i) => `cpu${i} ${c.join(' ')}`),
      'ctxt 1',
      'btime 1',
      'intr 1',
      'softirq 1 1',
    ].join('\n') + '\n';
  const scenarios: [string, string, string][] = [
    [
      'busy mix',
      stat(
        [100, 5, 50, 800, 10, 1, 2, 0, 0, 0],
        [
          [50, 5, 25, 400, 5, 1, 1, 0, 0, 0],
          [50, 0, 25, 400, 5, 0, 1, 0, 0, 0],
        ],
      ),
      stat(
        [300, 25, 90, 1100, 30, 3, 9, 7, 0, 0],
        [
          [180, 20, 45, 520, 15, 2, 5, 3, 0, 0],
          [120, 5, 45, 580, 15, 1, 4, 4, 0, 0],
        ],
      ),
    ],
    [
      'steal decreases',
      stat([100, 0, 100, 800, 0, 0, 0, 500, 0, 0], [[100, 0, 100, 800, 0, 0, 0, 500, 0, 0]]),
      stat([200, 0, 150, 950, 0, 0, 0, 100, 0, 0], [[200, 0, 150, 950, 0, 0, 0, 100, 0, 0]]),
    ],
    [
      'guest inside user',
      stat([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]),
      stat([150, 30, 50, 200, 0, 0, 0, 0, 100, 20], [[150, 30, 50, 200, 0, 0, 0, 0, 100, 20]]),
    ],
    [
      'idle only',
      stat([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]),
      stat([0, 0, 0, 300, 0, 0, 0, 0, 0, 0], [[0, 0, 0, 300, 0, 0, 0, 0, 0, 0]]),
    ],
  ];

  test.each(scenarios)('%s', (_name, s1, s2) => {
    const root = tmpTree({ stat: s1 });
    const next = path.join(tmpTree({ stat: s2 }), 'stat');
    const theirs = py<{ p: number; pp: number[]; tp: PyTimes; tpp: PyTimes[] }>(`
import shutil
psutil.PROCFS_PATH = ${JSON.stringify(root)}
psutil.cpu_percent(); psutil.cpu_percent(percpu=True); psutil.cpu_times_percent(); psutil.cpu_times_percent(percpu=True)
shutil.copyfile(${JSON.stringify(next)}, ${JSON.stringify(path.join(root, 'stat'))})
out = {"p": psutil.cpu_percent(), "pp": psutil.cpu_percent(percpu=True), "tp": psutil.cpu_times_percent(), "tpp": psutil.cpu_times_percent(percpu=True)}
`);
    // Ours: primed from s1 at creation, then the same file change.
    fs.writeFileSync(path.join(root, 'stat'), s1);
    const ps = createPsutil({ procfs: root });
    fs.copyFileSync(next, path.join(root, 'stat'));
    expect(ps.cpuPercent()).toBeCloseTo(theirs.p, 5);
    expect(ps.cpuPercent({ percpu: true })).toEqual(theirs.pp.map((x) => expect.closeTo(x, 5)));
    const tp = ps.cpuTimesPercent();
    for (const f of FIELDS) expect(tp[f]).toBeCloseTo(theirs.tp[pyName(f)] as number, 5);
    ps.cpuTimesPercent({ percpu: true }).forEach((t, i) => {
      for (const f of FIELDS) expect(t[f]).toBeCloseTo(theirs.tpp[i]?.[pyName(f)] as number, 5);
    });
  });
});
