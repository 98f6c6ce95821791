/** The kernel-statistics facade through createPsutil on the fixture trees and the live system. */
import * as path from 'node:path';
import { createPsutil, OsError } from '../../src/index';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, describePeer, own } from '../helpers/fixtures';

// ERR and MIS carry one count, not one per CPU: left out, as node_exporter's parser does.
const IRQ_NAMES = ['0', '8', '9', '16', '125', '126', 'NMI', 'LOC', 'SPU', 'RES', 'TLB'];
const laptop = createPsutil({ procfs: own('host-laptop', 'proc'), sysfs: own('host-laptop', 'sys') });
const server = createPsutil({ procfs: own('host-server', 'proc'), sysfs: own('host-server', 'sys') });
const ne = createPsutil({
  procfs: path.join(NODE_EXPORTER_FIXTURES, 'proc'),
  sysfs: path.join(NODE_EXPORTER_FIXTURES, 'sys'),
});
const pf = createPsutil({ procfs: path.join(PROCFS_FIXTURES, 'proc'), sysfs: path.join(PROCFS_FIXTURES, 'sys') });

describe('kernel statistics on our hosts', () => {
  test('host-laptop: every reader, frozen results', () => {
    const p = laptop.procPressure();
    expect(p.cpu).toEqual({
      some: { avg10: 2.04, avg60: 1.51, avg300: 0.98, total: 181234567 },
      full: { avg10: 0, avg60: 0, avg300: 0, total: 0 },
    });
    expect(p.io?.full).toEqual({ avg10: 0.2, avg60: 0.08, avg300: 0.03, total: 15234123 });
    // irq has only a `full` line, and the file ends without a newline.
    expect(p.irq).toEqual({ some: null, full: { avg10: 0.01, avg60: 0, avg300: 0, total: 88211 } });
    expect(Object.isFrozen(p)).toBe(true);
    // LONG_MAX file-max of a current kernel: 2^63-1 as the nearest double.
    expect(laptop.fileNr()).toEqual({ allocated: 14336, unused: 0, maximum: 2 ** 63 });
    expect(laptop.randomEntropy()).toEqual({ availableBits: 256, poolSizeBits: 256 });
    const sn = laptop.softnetStat();
    expect(sn.map((c) => c.cpu)).toEqual([0, 1, 2, 3]);
    expect(sn[0]).toMatchObject({ processed: 0x4a3f1, dropped: 0, timeSqueezed: 0x1b, flowLimitCount: 3 });
    expect(sn[3]).toMatchObject({ processed: 0x29f02, dropped: 17 });
    expect(laptop.schedstat()).toEqual([
      { cpu: '0', runningNanoseconds: 81234567890, waitingNanoseconds: 9123456789, timeslices: 3123456 },
      { cpu: '1', runningNanoseconds: 79123456789, waitingNanoseconds: 8912345678, timeslices: 3012345 },
      { cpu: '2', runningNanoseconds: 80012345678, waitingNanoseconds: 9012345678, timeslices: 3099887 },
      { cpu: '3', runningNanoseconds: 78901234567, waitingNanoseconds: 8811223344, timeslices: 2988776 },
    ]);
    const ct = laptop.nfConntrack();
    expect([ct.entries, ct.entriesLimit, ct.stat?.length]).toEqual([187, 262144, 4]);
    expect(ct.stat?.[0]).toMatchObject({ entries: 187, invalid: 26, icmp_error: 2, search_restart: 17 });
    expect(ct.stat?.[3]).toMatchObject({ clashres: 3, invalid: 7, icmp_error: 1 });
    const irqs = laptop.procInterrupts();
    expect(irqs.map((l) => l.name)).toEqual(IRQ_NAMES);
    expect(irqs[5]).toEqual({
      name: '126',
      info: 'IR-PCI-MSI',
      devices: '1572864-edge nvme0q0, nvme0q1',
      counts: [0, 412001, 1647403, 0],
    });
    expect(irqs[7]).toEqual({
      name: 'LOC',
      info: 'Local timer interrupts',
      devices: '',
      counts: [21234567, 20123456, 19876543, 20012345],
    });
    expect(laptop.arpEntries()).toEqual([
      { ipAddress: '192.168.178.1', hwType: 1, flags: 2, hwAddress: '3c:a6:2f:11:22:33', mask: '*', device: 'wlp2s0' },
      { ipAddress: '192.168.178.23', hwType: 1, flags: 2, hwAddress: 'b8:27:eb:44:55:66', mask: '*', device: 'wlp2s0' },
      { ipAddress: '192.168.178.40', hwType: 1, flags: 0, hwAddress: '00:00:00:00:00:00', mask: '*', device: 'wlp2s0' },
      { ipAddress: '172.17.0.2', hwType: 1, flags: 2, hwAddress: '02:42:ac:11:00:02', mask: '*', device: 'docker0' },
    ]);
    // Queues summed: tx 0x120, rx 0xa00; no udp6 (IPv6 disabled).
    expect(laptop.udpQueues()).toEqual({ v4: { txQueue: 0x120, rxQueue: 0xa00, sockets: 4 }, v6: null });
  });

  test('host-server: no PSI at all (before 4.20), no nf_conntrack (OsError ENOENT), 11-column softnet, udp6 summed', () => {
    expect(server.procPressure()).toEqual({ cpu: null, io: null, memory: null, irq: null });
    expect(() => server.nfConntrack()).toThrow(OsError);
    expect(() => server.nfConntrack()).toThrow(expect.objectContaining({ osCode: 'ENOENT' }));
    const sn = server.softnetStat();
    // Without a cpu column the line number is the CPU.
    expect(sn.map((c) => c.cpu)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(sn[2]).toMatchObject({ processed: 0x1a2b3e, timeSqueezed: 0x24, receivedRps: 3 });
    expect(server.arpEntries()).toEqual([]);
    expect(server.udpQueues()).toEqual({
      v4: { txQueue: 0, rxQueue: 0x340, sockets: 2 },
      v6: { txQueue: 0x200, rxQueue: 0, sockets: 1 },
    });
    expect(server.randomEntropy()).toEqual({ availableBits: 3011, poolSizeBits: 4096 });
  });
});

describePeer("kernel statistics on the peers' trees", () => {
  test("node_exporter's host: every reader, frozen results", () => {
    const p = ne.procPressure();
    expect(p.irq).toEqual({ some: null, full: { avg10: 0, avg60: 0, avg300: 0, total: 8494 } });
    expect(Object.isFrozen(p)).toBe(true);
    expect(ne.fileNr()).toEqual({ allocated: 1024, unused: 0, maximum: 1631329 });
    expect(ne.randomEntropy()).toEqual({ availableBits: 1337, poolSizeBits: 4096 });
    expect(ne.softnetStat()).toHaveLength(4);
    expect(ne.schedstat().map((c) => c.cpu)).toEqual(['0', '1']);
    const ct = ne.nfConntrack();
    expect([ct.entries, ct.entriesLimit, ct.stat?.length]).toEqual([123, 65536, 4]);
    expect(ne.procInterrupts().length).toBeGreaterThan(0);
    expect(ne.arpEntries()).toHaveLength(7);
    expect(ne.udpQueues()).toEqual({ v4: { txQueue: 21, rxQueue: 0, sockets: 1 }, v6: null });
  });

  test("procfs's tree: no irq pressure (before 6.1), no nf_conntrack (OsError ENOENT), udp6 summed", () => {
    expect(pf.procPressure().irq).toBeNull();
    expect(() => pf.nfConntrack()).toThrow(OsError);
    expect(pf.udpQueues().v6).not.toBeNull();
  });
});

describe('kernel statistics on the live system', () => {
  test('file-nr, entropy, softnet and interrupts read', () => {
    const f = psutilLive().fileNr();
    expect(f.allocated).toBeLessThanOrEqual(f.maximum);
    expect(psutilLive().randomEntropy().poolSizeBits).toBeGreaterThan(0);
    expect(psutilLive().softnetStat().length).toBeGreaterThan(0);
    expect(
      psutilLive()
        .procInterrupts()
        .some((l) => l.name === 'LOC' || l.name === 'IPI0'),
    ).toBe(true);
  });
});

function psutilLive() {
  return createPsutil();
}
