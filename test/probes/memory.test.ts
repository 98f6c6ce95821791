import * as fs from 'node:fs';
import * as path from 'node:path';
import { createPsutil, OsError, ParseError } from '../../src/index';
import { pageSizeBytes } from '../../src/probes/linux/sysconf';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, describePeer, own, testPeer } from '../helpers/fixtures';
import { family } from '../helpers/e2e';
import { removeTmpTrees, runtimeWarnings, tmpTree } from '../helpers/tmptree';

const NE = { procfs: path.join(NODE_EXPORTER_FIXTURES, 'proc'), sysfs: path.join(NODE_EXPORTER_FIXTURES, 'sys') };
const LAPTOP = { procfs: own('host-laptop', 'proc') };
const SERVER = { procfs: own('host-server', 'proc') };
const VM_FIELDS = [
  'total',
  'available',
  'percent',
  'used',
  'free',
  'active',
  'inactive',
  'buffers',
  'cached',
  'shared',
  'slab',
];
const KB = 1024;

afterAll(removeTmpTrees);

/** Σ zoneinfo `low` × page size: the watermark psutil's calculate_avail_vmem uses. */
function lowWatermarkBytes(zoneinfoPath: string): number {
  let pages = 0;
  for (const line of fs.readFileSync(zoneinfoPath, 'utf8').split('\n')) {
    const t = line.trim();
    if (t.startsWith('low')) pages += Number(t.split(/\s+/)[1]);
  }
  return pages * pageSizeBytes();
}

/** The kernel's si_mem_available() as psutil rebuilds it. */
function estimate(free: number, activeFile: number, inactiveFile: number, sreclaimable: number, low: number): number {
  let avail = free - low;
  let pagecache = activeFile + inactiveFile;
  pagecache -= Math.min(pagecache / 2, low);
  avail += pagecache;
  avail += sreclaimable - Math.min(sreclaimable / 2, low);
  return Math.trunc(avail);
}

describe('virtualMemory', () => {
  test('host-server (no MemAvailable): zoneinfo estimate over two NUMA nodes, used = total - available', async () => {
    const { value: vm, warnings } = await runtimeWarnings(() => createPsutil(SERVER).virtualMemory());
    expect(Object.keys(vm)).toEqual(VM_FIELDS);
    const low = lowWatermarkBytes(path.join(SERVER.procfs, 'zoneinfo'));
    // DMA 4 + DMA32 1021 + Normal 12345 on node 0, Normal 14012 on node 1.
    expect(low).toBe((4 + 1021 + 12345 + 14012) * pageSizeBytes());
    const avail = estimate(20123456 * KB, 17100284 * KB, 14389992 * KB, 2198764 * KB, low);
    expect(vm.total).toBe(65846816 * KB);
    expect(vm.available).toBe(avail);
    expect(vm.used).toBe(vm.total - vm.available);
    expect(vm.percent).toBe(Math.round(((vm.total - avail) / vm.total) * 1000) / 10);
    expect(vm.free).toBe(20123456 * KB);
    expect(vm.buffers).toBe(845120 * KB);
    expect(vm.cached).toBe((31245680 + 2198764) * KB);
    expect(vm.shared).toBe(105712 * KB);
    expect(vm.active).toBe(27345612 * KB);
    expect(vm.inactive).toBe(14891236 * KB);
    expect(vm.slab).toBe(2456780 * KB);
    expect(Object.isFrozen(vm)).toBe(true);
    expect(warnings).toEqual([]);
  });

  test('host-laptop (MemAvailable): taken as is; cached includes SReclaimable', async () => {
    const { value: vm, warnings } = await runtimeWarnings(() => createPsutil(LAPTOP).virtualMemory());
    expect(vm).toEqual({
      total: 16215440 * KB,
      available: 9875012 * KB,
      percent: 39.1,
      used: (16215440 - 9875012) * KB,
      free: 3218844 * KB,
      active: 7411236 * KB,
      inactive: 4390108 * KB,
      buffers: 412376 * KB,
      cached: (6518800 + 402880) * KB,
      shared: 783020 * KB,
      slab: 689412 * KB,
    });
    expect(warnings).toEqual([]);
  });

  testPeer('node_exporter fixture (no MemAvailable): zoneinfo estimate, used = total - available', async () => {
    const { value: vm, warnings } = await runtimeWarnings(() => createPsutil(NE).virtualMemory());
    expect(Object.keys(vm)).toEqual(VM_FIELDS);
    const low = lowWatermarkBytes(path.join(NE.procfs, 'zoneinfo'));
    const avail = estimate(225472 * KB, 213412 * KB, 145676 * KB, 44772 * KB, low);
    expect(vm.total).toBe(3742148 * KB);
    expect(vm.available).toBe(avail);
    expect(vm.used).toBe(vm.total - vm.available);
    expect(vm.percent).toBe(Math.round(((vm.total - avail) / vm.total) * 1000) / 10);
    expect(vm.free).toBe(225472 * KB);
    expect(vm.buffers).toBe(22040 * KB);
    expect(vm.cached).toBe((930888 + 44772) * KB);
    expect(vm.shared).toBe(593840 * KB);
    expect(vm.active).toBe(2233416 * KB);
    expect(vm.inactive).toBe(1028728 * KB);
    expect(vm.slab).toBe(98932 * KB);
    expect(Object.isFrozen(vm)).toBe(true);
    expect(warnings).toEqual([]);
  });

  test('MemAvailable: 0 (psutil #1915) is estimated from zoneinfo, not reported as 0', () => {
    const vm = createPsutil({ procfs: own('memavailable-zero', 'proc') }).virtualMemory();
    const low = lowWatermarkBytes(own('memavailable-zero', 'proc', 'zoneinfo'));
    expect(vm.available).toBe(estimate(1287536 * KB, 2022408 * KB, 2139312 * KB, 286616 * KB, low));
    expect(vm.available).toBeGreaterThan(0);
    expect(vm.used).toBe(vm.total - vm.available);
  });

  test('MemAvailable present: taken as is, zoneinfo not consulted', () => {
    const root = tmpTree({
      meminfo:
        'MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 700 kB\nBuffers: 1 kB\nCached: 1 kB\nShmem: 1 kB\nActive: 1 kB\nInactive: 1 kB\n',
      zoneinfo: 'garbage that would fail to parse\n',
    });
    const vm = createPsutil({ procfs: root }).virtualMemory();
    expect(vm.available).toBe(700 * KB);
    expect(vm.used).toBe(300 * KB);
    expect(vm.percent).toBe(30);
  });

  test("'Key:value' without a space", () => {
    const vm = createPsutil({ procfs: own('meminfo-nospace', 'proc') }).virtualMemory();
    expect(vm.total).toBe(16384000 * KB);
    expect(vm.available).toBe(12288000 * KB);
    expect(vm.used).toBe((16384000 - 12288000) * KB);
    expect(vm.percent).toBe(25);
    expect(vm.cached).toBe((2048000 + 102400) * KB);
  });

  test('2.6.9 kernel: no MemAvailable nor file LRU lines -> free + cached; no Shmem -> 0 with a RuntimeWarning', async () => {
    const { value: vm, warnings } = await runtimeWarnings(() =>
      createPsutil({ procfs: own('kernel-2.6.9', 'proc') }).virtualMemory(),
    );
    expect(vm.available).toBe((503436 + 345068) * KB);
    expect(vm.shared).toBe(0);
    expect(vm.cached).toBe(345068 * KB);
    expect(warnings).toEqual(["shared memory stats couldn't be determined and was set to 0"]);
  });

  test('2.4 kernel: MemShared for shared, Inact_dirty + Inact_clean + Inact_laundry for inactive', async () => {
    const { value: vm, warnings } = await runtimeWarnings(() =>
      createPsutil({ procfs: own('kernel-2.4', 'proc') }).virtualMemory(),
    );
    expect(vm.shared).toBe(1024 * KB);
    expect(vm.inactive).toBe((11232 + 4096 + 2048) * KB);
    expect(vm.total).toBe(255944 * KB);
    expect(warnings).toEqual([]);
  });

  test('missing Buffers, Cached, Active, Inactive: zeros, one warning listing them all', async () => {
    const root = tmpTree({ meminfo: 'MemTotal: 1000 kB\nMemFree: 400 kB\nMemAvailable: 600 kB\nShmem: 1 kB\n' });
    const { value: vm, warnings } = await runtimeWarnings(() => createPsutil({ procfs: root }).virtualMemory());
    expect([vm.buffers, vm.cached, vm.active, vm.inactive, vm.slab]).toEqual([0, 0, 0, 0, 0]);
    expect(warnings).toEqual([
      "buffers, cached, active, inactive memory stats couldn't be determined and were set to 0",
    ]);
  });

  test('available above total (LXC) falls back to free', () => {
    const root = tmpTree({
      meminfo:
        'MemTotal: 1000 kB\nMemFree: 400 kB\nMemAvailable: 5000 kB\nBuffers: 1 kB\nCached: 1 kB\nShmem: 1 kB\nActive: 1 kB\nInactive: 1 kB\n',
    });
    const vm = createPsutil({ procfs: root }).virtualMemory();
    expect(vm.available).toBe(400 * KB);
    expect(vm.used).toBe(600 * KB);
  });

  test('no MemTotal -> ParseError naming the file; garbage -> ParseError; empty root -> OsError ENOENT', () => {
    const root = tmpTree({ meminfo: 'MemFree: 400 kB\n' });
    expect(() => createPsutil({ procfs: root }).virtualMemory()).toThrow(ParseError);
    expect(() => createPsutil({ procfs: root }).virtualMemory()).toThrow(path.join(root, 'meminfo'));
    const g = tmpTree({ meminfo: Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x0a, 0x00]) });
    expect(() => createPsutil({ procfs: g }).virtualMemory()).toThrow(ParseError);
    expect(() => createPsutil({ procfs: g }).procMeminfo()).toThrow(ParseError);
    const empty = createPsutil({ procfs: tmpTree() });
    for (const call of [
      () => empty.virtualMemory(),
      () => empty.swapMemory(),
      () => empty.procMeminfo(),
      () => empty.procVmstat(),
    ]) {
      expect(call).toThrow(OsError);
      expect(call).toThrow(/ENOENT/);
    }
  });
});

describe('swapMemory', () => {
  test('host-laptop: meminfo totals, vmstat pages x 4096', async () => {
    const { value: sw, warnings } = await runtimeWarnings(() => createPsutil(LAPTOP).swapMemory());
    expect(Object.keys(sw)).toEqual(['total', 'used', 'free', 'percent', 'sin', 'sout']);
    expect(sw.total).toBe(8388604 * KB);
    expect(sw.free).toBe(7340028 * KB);
    expect(sw.used).toBe(1048576 * KB);
    expect(sw.percent).toBe(12.5);
    expect(sw.sin).toBe(52213 * 4096);
    expect(sw.sout).toBe(262151 * 4096);
    expect(warnings).toEqual([]);
  });

  testPeer('node_exporter fixture: meminfo totals, vmstat pages x 4096', async () => {
    const { value: sw, warnings } = await runtimeWarnings(() => createPsutil(NE).swapMemory());
    expect(Object.keys(sw)).toEqual(['total', 'used', 'free', 'percent', 'sin', 'sout']);
    expect(sw.total).toBe(4194300 * KB);
    expect(sw.free).toBe(3155360 * KB);
    expect(sw.used).toBe((4194300 - 3155360) * KB);
    expect(sw.percent).toBe(Math.round(((4194300 - 3155360) / 4194300) * 1000) / 10);
    expect(sw.sin).toBe(1476 * 4096);
    expect(sw.sout).toBe(35045 * 4096);
    expect(warnings).toEqual([]);
  });

  test('no /proc/vmstat (psutil #722): sin = sout = 0 with a RuntimeWarning', async () => {
    const { value: sw, warnings } = await runtimeWarnings(() =>
      createPsutil({ procfs: own('kernel-2.4', 'proc') }).swapMemory(),
    );
    expect(sw.total).toBe(522104 * KB);
    expect([sw.sin, sw.sout]).toEqual([0, 0]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/'sin' and 'sout'.*ENOENT/);
  });

  test('vmstat without pswpin (psutil #313): zeros with a RuntimeWarning', async () => {
    const root = tmpTree({
      meminfo: 'MemTotal: 1 kB\nMemFree: 1 kB\nSwapTotal: 100 kB\nSwapFree: 100 kB\n',
      vmstat: 'pgfault 5\n',
    });
    const { value: sw, warnings } = await runtimeWarnings(() => createPsutil({ procfs: root }).swapMemory());
    expect([sw.sin, sw.sout, sw.percent]).toEqual([0, 0, 0]);
    expect(warnings).toHaveLength(1);
  });

  test('no swap configured (host-server): percent 0, not NaN', () => {
    const sw = createPsutil(SERVER).swapMemory();
    expect(sw).toEqual({ total: 0, used: 0, free: 0, percent: 0, sin: 0, sout: 0 });
  });

  testPeer('no swap configured (procfs fixture): percent 0, not NaN', () => {
    const sw = createPsutil({ procfs: path.join(PROCFS_FIXTURES, 'proc') }).swapMemory();
    expect(sw.percent).toBe(0);
    expect(Number.isNaN(sw.percent)).toBe(false);
  });

  test('a malformed vmstat is a ParseError, not a silent 0', () => {
    const root = tmpTree({
      meminfo: 'MemTotal: 1 kB\nMemFree: 1 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n',
      vmstat: '\x00\x01garbage\n',
    });
    expect(() => createPsutil({ procfs: root }).swapMemory()).toThrow(ParseError);
    expect(() => createPsutil({ procfs: root }).swapMemory()).toThrow(path.join(root, 'vmstat'));
  });
});

describe('procMeminfo / procVmstat on our hosts', () => {
  test('every meminfo line in file order: kB lines in bytes, unitless HugePages_* as counts, (anon)-style keys kept', () => {
    const mem = createPsutil(SERVER).procMeminfo();
    const lines = fs.readFileSync(path.join(SERVER.procfs, 'meminfo'), 'utf8').trim().split('\n');
    expect(Object.keys(mem)).toEqual(lines.map((l) => l.slice(0, l.indexOf(':'))));
    expect(mem['Active(file)']).toBe(17100284 * KB);
    expect(mem['HugePages_Total']).toBe(512);
    expect(mem['HugePages_Rsvd']).toBe(3);
    expect(mem['Hugepagesize']).toBe(2048 * KB);
    expect(mem['MemAvailable']).toBeUndefined();
    // 32 TiB in kB: still exact as a double.
    expect(createPsutil(LAPTOP).procMeminfo()['VmallocTotal']).toBe(34359738367 * KB);
  });

  test('procVmstat: every line, in file order', () => {
    const vm = createPsutil(LAPTOP).procVmstat();
    expect(Object.keys(vm)).toHaveLength(22);
    expect(vm).toMatchObject({
      pgfault: 401223344,
      pgmajfault: 81234,
      pgpgin: 30626107,
      pgpgout: 49406176,
      pswpin: 52213,
      pswpout: 262151,
      oom_kill: 2,
    });
  });
});

describePeer('procMeminfo / procVmstat against node_exporter golden exposition', () => {
  const ps = createPsutil(NE);

  test('every node_memory_* series (meminfo collector) matches', () => {
    const mem = ps.procMeminfo();
    const expected = new Map<string, number>();
    const text = fs.readFileSync(path.join(NE.procfs, 'meminfo'), 'utf8');
    for (const [key, value] of Object.entries(mem)) {
      // node_exporter: `Active(anon)` -> `Active_anon`, a kB line gets `_bytes`.
      const name = key.replace(/\((.*)\)/, '_$1');
      const hasUnit = new RegExp(`^${key.replace(/[()]/g, '\\$&')}:.*kB\\s*$`, 'm').test(text);
      expected.set(`node_memory_${name}${hasUnit ? '_bytes' : ''}`, value);
    }
    let seen = 0;
    for (const [name, value] of expected) {
      const s = family(name);
      expect(s).toHaveLength(1);
      expect(s[0]?.value).toBe(value);
      seen++;
    }
    expect(seen).toBe(Object.keys(mem).length);
  });

  test('node_vmstat_* series match', () => {
    const vm = ps.procVmstat();
    const names = ['pgfault', 'pgmajfault', 'pgpgin', 'pgpgout', 'pswpin', 'pswpout', 'oom_kill'];
    for (const n of names) {
      // Both sides present: an absent counter on each side would otherwise compare equal (undefined).
      const series = family(`node_vmstat_${n}`);
      expect([n, series.length, typeof vm[n]]).toEqual([n, 1, 'number']);
      expect(vm[n]).toBe(series[0]!.value);
    }
  });
});
