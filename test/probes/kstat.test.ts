/** The kernel-statistics facade through createPsutil on the fixture trees and the live system. */
import * as path from 'node:path';
import { createPsutil, OsError } from '../../src/index';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES } from '../helpers/fixtures';

const ne = createPsutil({ procfs: path.join(NODE_EXPORTER_FIXTURES, 'proc'), sysfs: path.join(NODE_EXPORTER_FIXTURES, 'sys') });
const pf = createPsutil({ procfs: path.join(PROCFS_FIXTURES, 'proc'), sysfs: path.join(PROCFS_FIXTURES, 'sys') });

describe('kernel statistics on fixture trees', () => {
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
    expect(psutilLive().procInterrupts().some((l) => l.name === 'LOC' || l.name === 'IPI0')).toBe(true);
  });
});

function psutilLive() {
  return createPsutil();
}
