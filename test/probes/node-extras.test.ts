/**
 * The readers behind node_exporter's cpu extras, cooling devices, rx_nohandler, queued TCP bytes and softirqs, through
 * createPsutil on our golden host, the peers' trees (links restored) and a tree without any of the files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPsutil, type Psutil } from '../../src/index';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, describePeer, own } from '../helpers/fixtures';
import { materializeSymlinks } from '../helpers/symlink-tree';

const golden = createPsutil({
  procfs: own('golden-host', 'proc'),
  sysfs: own('golden-host', 'sys'),
  rootfs: own('golden-host'),
});

describe('our golden host', () => {
  test('thermal throttles: the first CPU of each core and package, offline cpu4 (no topology) skipped', () => {
    expect(golden.cpuThermalThrottles()).toEqual({
      packages: [{ package: 0, throttles: 230 }],
      cores: [
        { package: 0, core: 0, throttles: 17 },
        { package: 0, core: 1, throttles: 4 },
      ],
    });
    expect(Object.isFrozen(golden.cpuThermalThrottles().cores[0])).toBe(true);
  });

  test('isolated CPUs, vulnerabilities by name, softirqs', () => {
    expect(golden.isolatedCpus()).toEqual([2, 3]);
    expect(golden.cpuVulnerabilities().map((v) => [v.codename, v.state])).toEqual([
      ['gather_data_sampling', 'unknown'],
      ['l1tf', 'not affected'],
      ['mds', 'vulnerable'],
      ['meltdown', 'mitigation'],
      ['spec_store_bypass', 'vulnerable'],
    ]);
    const s = golden.procSoftirqs();
    expect(s.cpus).toEqual([0, 1, 2, 3]);
    expect(s.lines.find((l) => l.name === 'NET_RX')?.counts).toEqual([104233, 98120, 131044, 87211]);
  });

  test('cooling devices through their class links, cur_state -1 kept', () => {
    expect(golden.coolingDevices()).toEqual([
      { name: '0', type: 'Processor', maxState: 3, curState: 1 },
      { name: '1', type: 'intel_powerclamp', maxState: 50, curState: -1 },
    ]);
  });

  test('fibre channel: 0x prefixes cut, an unimplemented counter (2^64 - 1) null, a missing one 0', () => {
    const [h, ...rest] = golden.fibreChannelHosts();
    expect(rest).toEqual([]);
    expect(h?.name).toBe('host3');
    expect(h?.attributes).toMatchObject({ port_id: '0a1b00', fabric_name: '1000c4f57c0d0e0f', speed: '32 Gbit' });
    expect(h?.counters).toMatchObject({ dumped_frames: null, fcp_packet_aborts: 7, rx_words: 0x4d5e6f70 });
  });

  test('SCSI tapes: st1 only (nst1 is the same drive), counters exact', () => {
    expect(golden.scsiTapes()).toEqual([
      {
        name: 'st1',
        counters: {
          in_flight: 2,
          io_ns: 8123456789012,
          other_cnt: 77,
          read_byte_cnt: 3221225472,
          read_cnt: 49152,
          read_ns: 123456789,
          resid_cnt: 4,
          write_byte_cnt: 1099511627776,
          write_cnt: 16777216,
          write_ns: 7000000000001,
        },
      },
    ]);
  });

  test('IPVS totals and real servers', () => {
    const v = golden.ipvs();
    expect(v?.stats.connections).toBe(0x2f1a4);
    expect(v?.backends).toHaveLength(7);
  });

  test('rx_nohandler only for the NICs whose statistics have it', () => {
    expect(golden.netRxNohandler()).toEqual({ eth0: 12, lo: 0, wlan0: 3 });
  });
});

describe('our net-basic host: queued TCP bytes beside the states', () => {
  test('tcpSocketStats counts what tcpConnectionStates counts, plus the queues of tcp and tcp6', () => {
    const p = createPsutil({ procfs: own('net-basic', 'proc'), sysfs: own('net-basic', 'sys') });
    const s = p.tcpSocketStats();
    expect(s.states).toEqual(p.tcpConnectionStates());
    expect(s.txQueuedBytes).toBeGreaterThanOrEqual(0);
    expect(p.tcpSocketStats({ kind: 'tcp4' }).states.LISTEN).toBe(3);
    expect(() => p.tcpSocketStats({ kind: 'udp' as 'tcp' })).toThrow(RangeError);
  });
});

describe('thermal throttles across CPU hotplug (one instance, two passes)', () => {
  let root: string;
  let ps: Psutil;
  const cpu = (rel: string) => path.join(root, 'sys/devices/system/cpu', rel);
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-throttle-'));
    fs.cpSync(own('golden-host', 'sys'), path.join(root, 'sys'), { recursive: true, verbatimSymlinks: true });
    ps = createPsutil({ procfs: own('golden-host', 'proc'), sysfs: path.join(root, 'sys'), rootfs: root });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('the counts are read every pass', () => {
    expect(ps.cpuThermalThrottles().packages).toEqual([{ package: 0, throttles: 230 }]);
    fs.writeFileSync(cpu('cpu0/thermal_throttle/package_throttle_count'), '240\n');
    fs.writeFileSync(cpu('cpu1/thermal_throttle/core_throttle_count'), '6\n');
    const t = ps.cpuThermalThrottles();
    expect(t.packages).toEqual([{ package: 0, throttles: 240 }]);
    expect(t.cores).toContainEqual({ package: 0, core: 1, throttles: 6 });
  });

  test('cpu4 brought online in a second package: its topology and counts show', () => {
    expect(ps.cpuThermalThrottles().cores).toHaveLength(2);
    fs.mkdirSync(cpu('cpu4/topology'), { recursive: true });
    fs.mkdirSync(cpu('cpu4/thermal_throttle'), { recursive: true });
    fs.writeFileSync(cpu('cpu4/topology/physical_package_id'), '1\n');
    fs.writeFileSync(cpu('cpu4/topology/core_id'), '0\n');
    fs.writeFileSync(cpu('cpu4/thermal_throttle/core_throttle_count'), '7\n');
    fs.writeFileSync(cpu('cpu4/thermal_throttle/package_throttle_count'), '70\n');
    fs.writeFileSync(cpu('online'), '0-4\n');
    const t = ps.cpuThermalThrottles();
    expect(t.packages).toEqual([
      { package: 0, throttles: 230 },
      { package: 1, throttles: 70 },
    ]);
    expect(t.cores).toContainEqual({ package: 1, core: 0, throttles: 7 });
  });

  test('cpu0 taken offline (its topology gone): cpu2 answers for core 0 and cpu1 for the package', () => {
    ps.cpuThermalThrottles();
    fs.rmSync(cpu('cpu0/topology'), { recursive: true });
    fs.writeFileSync(cpu('online'), '1-3\n');
    const t = ps.cpuThermalThrottles();
    expect(t.packages).toEqual([{ package: 0, throttles: 231 }]);
    expect(t.cores).toContainEqual({ package: 0, core: 0, throttles: 18 });
  });
});

describe('a tree without any of the files', () => {
  let root: string;
  let empty: Psutil;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-extras-'));
    fs.mkdirSync(path.join(root, 'proc'));
    fs.mkdirSync(path.join(root, 'sys'));
    empty = createPsutil({ procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys'), rootfs: root });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('empty results, no error (the collectors stay silent)', () => {
    expect(empty.cpuThermalThrottles()).toEqual({ packages: [], cores: [] });
    expect(empty.isolatedCpus()).toBeNull();
    expect(empty.cpuVulnerabilities()).toEqual([]);
    expect(empty.coolingDevices()).toEqual([]);
    expect(empty.ipvs()).toBeNull();
    expect(empty.fibreChannelHosts()).toEqual([]);
    expect(empty.scsiTapes()).toEqual([]);
    expect(empty.infinibandDevices()).toEqual([]);
    expect(empty.selinux()).toEqual({
      enabled: false,
      configMode: -1,
      currentMode: -1,
      avcCache: null,
      avcHash: null,
      avcThreshold: null,
    });
  });
});

describePeer("the peers' trees", () => {
  let ne: string;
  let pf: string;
  beforeAll(() => {
    ne = materializeSymlinks(NODE_EXPORTER_FIXTURES, ['proc', 'sys']);
    pf = materializeSymlinks(PROCFS_FIXTURES, ['proc', 'sys']);
  });
  afterAll(() => {
    fs.rmSync(ne, { recursive: true, force: true });
    fs.rmSync(pf, { recursive: true, force: true });
  });
  const at = (root: string) =>
    createPsutil({ procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys'), rootfs: root });

  test("node_exporter's: the values of its e2e-output.txt", () => {
    const p = at(ne);
    const t = p.cpuThermalThrottles();
    expect([...t.packages].sort((a, b) => a.package - b.package)).toEqual([
      { package: 0, throttles: 30 },
      { package: 1, throttles: 6 },
    ]);
    expect(t.cores).toHaveLength(4);
    expect(t.cores).toContainEqual({ package: 1, core: 1, throttles: 9 });
    expect(p.isolatedCpus()).toEqual([1, 3, 4, 5, 9]);
    expect(p.coolingDevices()).toEqual([{ name: '0', type: 'Processor', maxState: 3, curState: 0 }]);
    expect(p.cpuVulnerabilities()).toHaveLength(5);
    expect(p.fibreChannelHosts().map((h) => h.name)).toEqual(['host0', 'host1']);
    expect(p.scsiTapes().map((t) => [t.name, t.counters.resid_cnt])).toEqual([['st0', 19]]);
    const ib = p.infinibandDevices();
    expect(ib.map((d) => [d.name, d.hcaType, d.ports.length])).toEqual([
      ['i40iw0', 'I40IW', 1],
      ['mlx4_0', 'MT4099', 2],
    ]);
    // port_rcv_data counts 4-byte words.
    expect(ib[1]?.ports[0]?.counters['port_rcv_data']).toBe(4631917 * 4);
  });

  test("procfs's InfiniBand: every HCA read, every counter a number", () => {
    const ib = at(pf).infinibandDevices();
    expect(ib.length).toBeGreaterThan(0);
    for (const d of ib)
      for (const port of d.ports) expect(Object.values(port.counters).every(Number.isFinite)).toBe(true);
  });

  test("procfs's: cooling_device1 without cur_state left out (procfs skips it), throttles, isolated CPUs", () => {
    const p = at(pf);
    expect(p.coolingDevices()).toEqual([
      { name: '0', type: 'Processor', maxState: 50, curState: 0 },
      { name: '2', type: 'intel_powerclamp', maxState: 27, curState: -1 },
    ]);
    expect(p.cpuThermalThrottles().cores.length).toBeGreaterThan(0);
    expect(p.isolatedCpus()?.length).toBeGreaterThan(0);
  });
});
