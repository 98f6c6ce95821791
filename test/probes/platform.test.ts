/**
 * The platform facade (timex, mdstat, nfs*Stats, nvmeControllers, dmiInfo, raplZones, edacControllers,
 * bondingMasters) on our fixture trees: test/fixtures/golden-host (whose files the golden test also hands to
 * node_exporter 1.5.0) and test/fixtures/bonding; the peers' trees where present; the live kernel for timex.
 */
import * as path from 'node:path';
import { createPsutil } from '../../src/index';
import { NODE_EXPORTER_FIXTURES, own, testPeer } from '../helpers/fixtures';

const host = own('golden-host');
const p = createPsutil({ procfs: path.join(host, 'proc'), sysfs: path.join(host, 'sys'), rootfs: host });

describe('platform facade on golden-host', () => {
  test('mdstat: one record per md device, in file order', () => {
    const md = p.mdstat();
    expect(md?.map((d) => [d.name, d.activityState, d.blocksSynced])).toEqual([
      ['md0', 'active', 523200],
      ['md1', 'active', 487861248],
      ['md2', 'recovering', 92376064],
      ['md3', 'resyncing', 353533824],
      ['md4', 'checking', 60736512],
      ['md5', 'resyncing', 0],
      ['md6', 'inactive', 1953260976],
      ['md7', 'active', 1953257472],
      ['md8', 'active', 6291072],
    ]);
    expect(md?.[2]).toMatchObject({ disksTotal: 4, disksActive: 3, disksFailed: 1, disksDown: 1 });
  });

  test('nfsClientStats and nfsServerStats', () => {
    expect(p.nfsClientStats()?.rpc).toEqual({ rpcCount: 90210, retransmissions: 31, authRefreshes: 90214 });
    const s = p.nfsServerStats();
    expect(s?.threads).toBe(8);
    expect(s?.v4ops.find((o) => o.method === 'Write')?.count).toBe(4410);
  });

  test('nvmeControllers: attributes trimmed (the model padded to 40 characters, a serial with leading spaces)', () => {
    expect(p.nvmeControllers()).toEqual([
      {
        device: 'nvme0',
        serial: 'S4EVNX0R123456',
        model: 'WDC WDS500G2B0C-00PXH0',
        state: 'live',
        firmwareRevision: '211070WD',
        cntlid: '4',
      },
      {
        device: 'nvme1',
        serial: 'S5GXNX0T654321',
        model: 'Samsung SSD 980 PRO 1TB',
        state: 'resetting',
        firmwareRevision: '5B2QGXA7',
        cntlid: '1',
      },
    ]);
  });

  test('dmiInfo: readable files by label name, an empty one kept, absent ones left out, sys_vendor as system_vendor', () => {
    const d = p.dmiInfo();
    expect(d).toMatchObject({
      bios_date: '03/14/2023',
      chassis_asset_tag: '',
      system_vendor: 'Micro-Star International Co., Ltd.',
    });
    expect(Object.keys(d ?? {})).not.toEqual(expect.arrayContaining(['product_serial']));
    expect(Object.keys(d ?? {})).toHaveLength(17);
  });

  test('raplZones: named zones only, package-N split into name and index, path under the sysfs root', () => {
    expect(p.raplZones()).toEqual([
      {
        name: 'package',
        index: 0,
        path: path.join(host, 'sys', 'class', 'powercap', 'intel-rapl:0'),
        microjoules: 78236403122,
      },
      {
        name: 'core',
        index: 0,
        path: path.join(host, 'sys', 'class', 'powercap', 'intel-rapl:0:0'),
        microjoules: 41002561,
      },
      {
        name: 'uncore',
        index: 0,
        path: path.join(host, 'sys', 'class', 'powercap', 'intel-rapl:0:1'),
        microjoules: 1250000,
      },
      {
        name: 'package',
        index: 1,
        path: path.join(host, 'sys', 'class', 'powercap', 'intel-rapl:1'),
        microjoules: 65536000001,
      },
    ]);
  });

  test('edacControllers: per controller, csrow (plus `unknown`) and channel', () => {
    const [mc0, mc1] = p.edacControllers();
    expect(mc0).toMatchObject({ controller: '0', correctable: 14, uncorrectable: 1 });
    expect(mc0?.csrows.map((r) => [r.csrow, r.correctable, r.uncorrectable, r.channels.length])).toEqual([
      ['0', 11, 1, 2],
      ['1', 1, 0, 1],
      ['unknown', 2, 0, 0],
    ]);
    expect(mc0?.csrows[0]?.channels[1]).toEqual({
      channel: '1',
      dimmLabel: 'CPU_SrcID#0_MC#0_Chan#1_DIMM#0',
      correctable: 2,
      uncorrectable: 0,
    });
    expect(mc1?.controller).toBe('1');
  });

  test('bondingMasters: an empty bonding_masters gives no master', () => {
    expect(p.bondingMasters()).toEqual([]);
  });
});

describe('bondingMasters on test/fixtures/bonding', () => {
  test('slaves under lower_<slave> and the older slave_<slave>, MII up counted; a master without slaves', () => {
    expect(createPsutil({ sysfs: own('bonding', 'sys') }).bondingMasters()).toEqual([
      { master: 'bond0', slaves: 2, active: 1 },
      { master: 'bond1', slaves: 1, active: 1 },
      { master: 'bond2', slaves: 0, active: 0 },
    ]);
  });
});

describe('absent subsystems', () => {
  test('a tree without md, NFS, NVMe, DMI, RAPL, EDAC or bonding: null or [], never an error', () => {
    const bare = createPsutil({ procfs: own('bonding', 'proc'), sysfs: own('bonding', 'proc') });
    expect([
      bare.mdstat(),
      bare.nfsClientStats(),
      bare.nfsServerStats(),
      bare.nvmeControllers(),
      bare.dmiInfo(),
      bare.raplZones(),
      bare.edacControllers(),
      bare.bondingMasters(),
    ]).toEqual([null, null, null, [], null, [], [], null]);
  });
});

testPeer("bondingMasters and raplZones on node_exporter's tree", () => {
  const ne = createPsutil({
    procfs: path.join(NODE_EXPORTER_FIXTURES, 'proc'),
    sysfs: path.join(NODE_EXPORTER_FIXTURES, 'sys'),
  });
  expect(ne.bondingMasters()).toEqual([
    { master: 'bond0', slaves: 0, active: 0 },
    { master: 'dmz', slaves: 2, active: 2 },
    { master: 'int', slaves: 2, active: 1 },
  ]);
  expect(ne.raplZones().map((z) => [z.name, z.index, z.microjoules])).toEqual([
    ['package', 0, 240422366267],
    ['core', 0, 118821284256],
  ]);
});

describe('timex on the live kernel', () => {
  test("adjtimex(2) reads without privilege; node_exporter's units", () => {
    const t = createPsutil().timex();
    for (const v of Object.values(t)) expect(Number.isFinite(v)).toBe(true);
    expect([0, 1]).toContain(t.syncStatus);
    // tick is 1e6/HZ microseconds (HZ 100 to 1000): 1 to 10 ms.
    expect(t.tickSeconds).toBeGreaterThanOrEqual(0.001);
    expect(t.tickSeconds).toBeLessThanOrEqual(0.01);
    // The kernel caps maxerror at NTP_PHASE_LIMIT (16 s); the frequency offset at ±500 ppm (MAXFREQ).
    expect(t.maxerrorSeconds).toBeLessThanOrEqual(16);
    expect(Math.abs(t.frequencyAdjustmentRatio - 1)).toBeLessThanOrEqual(500e-6);
    expect(Number.isInteger(t.status)).toBe(true);
  });
});
