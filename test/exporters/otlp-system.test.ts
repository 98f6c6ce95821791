/**
 * The builders of src/exporters/otlp-system.ts on our parser fixtures (the e2e test, test/e2e/otlp-system.test.ts,
 * checks them pushed from this machine against a table citing semconv and the receiver): the cases this machine
 * cannot show, such as hugepages in use, swap areas, PSI of kernels before 5.13 and a CPU sysfs has no frequency of.
 */
import * as fs from 'node:fs';
import type { CpuFreqDetails } from '../../src/index';
import { meminfoMetrics } from '../../src/exporters/collectors/meminfo';
import {
  cpuFrequencyMetrics,
  hugepagesMetrics,
  pagingDeviceMetrics,
  pressureMetrics,
  processesStatusMetrics,
} from '../../src/exporters/otlp-system';
import type { OtlpMetric } from '../../src/exporters/catalog';
import { parseMeminfo } from '../../src/probes/linux/parse/meminfo';
import { parsePressure } from '../../src/probes/linux/parse/pressure';
import { parseSwaps } from '../../src/probes/linux/parse/swaps';
import { own } from '../helpers/fixtures';

const read = (...p: string[]): Buffer => fs.readFileSync(own('parse', ...p));
const metric = (ms: OtlpMetric[], name: string) => ms.find((m) => m.name === name);
const pts = (ms: OtlpMetric[], name: string) =>
  (metric(ms, name)?.points ?? []).map((p) => [p.attributes, p.value] as const);

function sysfsCpu(cpu: number, hz: number | null): CpuFreqDetails {
  return {
    cpu,
    currentHz: null,
    minHz: null,
    maxHz: null,
    scalingCurrentHz: hz,
    scalingMinHz: null,
    scalingMaxHz: null,
    governor: null,
    availableGovernors: [],
    driver: null,
  };
}

test('system.cpu.frequency: sysfs where it has one, /proc/cpuinfo MHz for the CPUs it has not', () => {
  const ms = cpuFrequencyMetrics(
    [sysfsCpu(0, 1.2e9), sysfsCpu(1, null)],
    [
      { processor: 0, mhz: 3000 },
      { processor: 1, mhz: 2096.035 },
      { processor: 2, mhz: null },
    ],
  );
  expect(pts(ms, 'system.cpu.frequency')).toEqual([
    [{ 'cpu.logical_number': 0 }, 1.2e9],
    [{ 'cpu.logical_number': 1 }, 2096.035e6],
  ]);
  expect(cpuFrequencyMetrics([], null)).toEqual([]);
});

test('hugepages from meminfo-6.x: pool, used = total - free, fractions, reserved and surplus; none without a pool', () => {
  const m = parseMeminfo(read('meminfo', 'meminfo-6.x'));
  const ms = hugepagesMetrics(m);
  const total = m['HugePages_Total'] as number;
  const free = m['HugePages_Free'] as number;
  expect(pts(ms, 'system.memory.linux.hugepages.page_size')).toEqual([[{}, m['Hugepagesize']]]);
  expect(pts(ms, 'system.memory.linux.hugepages.limit')).toEqual([[{}, total]]);
  expect(pts(ms, 'system.memory.linux.hugepages.usage')).toEqual([
    [{ 'system.memory.linux.hugepages.state': 'used' }, total - free],
    [{ 'system.memory.linux.hugepages.state': 'free' }, free],
  ]);
  expect(pts(ms, 'system.memory.linux.hugepages.utilization')).toEqual([
    [{ 'system.memory.linux.hugepages.state': 'used' }, (total - free) / total],
    [{ 'system.memory.linux.hugepages.state': 'free' }, free / total],
  ]);
  expect(pts(ms, 'system.memory.linux.hugepages.reserved')).toEqual([[{}, m['HugePages_Rsvd']]]);
  expect(pts(ms, 'system.memory.linux.hugepages.surplus')).toEqual([[{}, m['HugePages_Surp']]]);
  // A pool of 0 pages: no fraction of nothing.
  const old = hugepagesMetrics(parseMeminfo(read('meminfo', 'meminfo-3.2')));
  expect(metric(old, 'system.memory.linux.hugepages.utilization')).toBeUndefined();
  expect(pts(old, 'system.memory.linux.hugepages.limit')).toEqual([[{}, 0]]);
});

test('paging per swap area; meminfo sends it instead of the totals, and the totals where /proc/swaps was unreadable', () => {
  const swaps = parseSwaps(read('swaps', 'two'));
  const ms = pagingDeviceMetrics(swaps);
  expect(pts(ms, 'system.paging.usage')).toEqual([
    [{ 'system.device': '/dev/dm-1', 'system.paging.state': 'used' }, 1048576 * 1024],
    [{ 'system.device': '/dev/dm-1', 'system.paging.state': 'free' }, (16777212 - 1048576) * 1024],
    [{ 'system.device': '/swapfile', 'system.paging.state': 'used' }, 0],
    [{ 'system.device': '/swapfile', 'system.paging.state': 'free' }, 2097148 * 1024],
  ]);
  expect(pts(ms, 'system.paging.utilization')[0]?.[1]).toBeCloseTo(1048576 / 16777212, 12);
  const mi = parseMeminfo(read('meminfo', 'meminfo-6.x'));
  const withSwaps = meminfoMetrics(mi, swaps).filter((m) => m.name === 'system.paging.usage');
  expect(withSwaps).toHaveLength(1);
  expect(withSwaps[0]?.points.every((p) => 'system.device' in p.attributes)).toBe(true);
  expect(meminfoMetrics(mi, []).some((m) => m.name.startsWith('system.paging.'))).toBe(false);
  const totals = pts(meminfoMetrics(mi, null), 'system.paging.usage');
  expect(totals.map(([a]) => a)).toEqual([{ 'system.paging.state': 'used' }, { 'system.paging.state': 'free' }]);
});

test("system.processes.count: the receiver's status of each state letter, unknown for the rest", () => {
  const ms = processesStatusMetrics({ R: 2, S: 40, D: 1, I: 30, T: 1, t: 1, Z: 3, W: 1, X: 1, P: 2 });
  expect(Object.fromEntries(pts(ms, 'system.processes.count').map(([a, v]) => [a['status'], v]))).toEqual({
    running: 2,
    sleeping: 40,
    blocked: 1,
    idle: 30,
    stopped: 2,
    zombies: 3,
    paging: 1,
    unknown: 3,
  });
});

test('PSI: totals in seconds and averages as fractions per stall type; irq full only; cpu before 5.13 some only', () => {
  const ms = pressureMetrics({
    cpu: parsePressure(read('pressure', 'cpu-5.10')),
    io: parsePressure(read('pressure', 'io')),
    memory: null,
    irq: parsePressure(read('pressure', 'irq')),
  });
  expect(pts(ms, 'system.cpu.linux.pressure.total')).toEqual([[{ 'system.pressure.stall_type': 'some' }, 42 / 1e6]]);
  expect(pts(ms, 'system.cpu.linux.pressure.10s')).toEqual([[{ 'system.pressure.stall_type': 'some' }, 0.125]]);
  expect(pts(ms, 'system.io.linux.pressure.total')).toEqual([
    [{ 'system.pressure.stall_type': 'some' }, (parsePressure(read('pressure', 'io')).some?.total ?? NaN) / 1e6],
    [{ 'system.pressure.stall_type': 'full' }, 80211367 / 1e6],
  ]);
  expect(pts(ms, 'system.io.linux.pressure.1m')[1]).toEqual([{ 'system.pressure.stall_type': 'full' }, 0.1 / 100]);
  expect(pts(ms, 'system.irq.linux.pressure.total')).toEqual([[{ 'system.pressure.stall_type': 'full' }, 5311 / 1e6]]);
  expect(ms.some((m) => m.name.startsWith('system.memory.'))).toBe(false);
  expect(metric(ms, 'system.cpu.linux.pressure.total')).toMatchObject({ kind: 'counter', unit: 's' });
  expect(metric(ms, 'system.irq.linux.pressure.5m')).toMatchObject({ kind: 'gauge', unit: '1' });
});
