/**
 * Differential tests against /usr/bin/python3 psutil 5.9 on this machine: disk_partitions, disk_usage and
 * disk_io_counters. psutil 5.9's sdiskpart still has maxfile/maxpath (removed in 6.0); only the four 7.x fields are
 * compared.
 */
import * as path from 'node:path';
import { createPsutil, diskIoCounters, diskPartitions, diskUsage } from '../../src/index';
import { describeOracle, py } from '../helpers/oracle';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, describePeer, own } from '../helpers/fixtures';
import { retry } from '../helpers/retry';

const TOL = 10 * (1 << 20);
type PyPart = { device: string; mountpoint: string; fstype: string; opts: string };
type PyIo = Record<string, Record<string, number>>;

const key = (p: PyPart) => JSON.stringify([p.device, p.mountpoint, p.fstype, p.opts]);
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

describeOracle('disk: live, against psutil', () => {
  test.each([false, true])('disk_partitions(all=%p): the same entries', (all) => {
    retry(3, () => {
      const theirs = py<PyPart[]>(`out = psutil.disk_partitions(all=${all ? 'True' : 'False'})`);
      expect(diskPartitions({ all }).map(key).sort()).toEqual(theirs.map(key).sort());
    });
  });

  test('disk_usage of every partition: total exact, used/free within 10 MiB, percent within 0.1', () => {
    const mps = diskPartitions().map((p) => p.mountpoint);
    retry(5, () => {
      const theirs = py<Array<Record<string, number>>>(`out = [psutil.disk_usage(p) for p in ${JSON.stringify(mps)}]`);
      mps.forEach((mp, i) => {
        const ours = diskUsage(mp);
        const t = theirs[i]!;
        expect([mp, ours.total]).toEqual([mp, t['total']]);
        expect(Math.abs(ours.used - t['used']!)).toBeLessThanOrEqual(TOL);
        expect(Math.abs(ours.free - t['free']!)).toBeLessThanOrEqual(TOL);
        expect(Math.abs(ours.percent - t['percent']!)).toBeLessThanOrEqual(0.1);
      });
    });
  });

  test('disk_usage of a missing path: both ENOENT', () => {
    const theirs = py<number>(
      "import errno\ntry:\n    psutil.disk_usage('/no/such/psutil/path')\nexcept OSError as e:\n    out = e.errno",
    );
    expect(theirs).toBe(2);
    expect(() => diskUsage('/no/such/psutil/path')).toThrow(
      expect.objectContaining({ errno: theirs, osCode: 'ENOENT' }),
    );
  });

  test("disk_io_counters(perdisk=True): the same disks; each counter between psutil's before and after", () => {
    retry(5, () => {
      const before = py<PyIo>('out = psutil.disk_io_counters(perdisk=True, nowrap=False)');
      const ours = diskIoCounters({ perdisk: true, nowrap: false });
      const after = py<PyIo>('out = psutil.disk_io_counters(perdisk=True, nowrap=False)');
      expect(Object.keys(ours).sort()).toEqual(Object.keys(after).sort());
      for (const [disk, c] of Object.entries(ours)) {
        for (const [f, v] of Object.entries(c)) {
          const lo = before[disk]![snake(f)]!;
          const hi = after[disk]![snake(f)]!;
          expect([disk, f, v >= lo && v <= hi]).toEqual([disk, f, true]);
        }
      }
    });
  });

  test("disk_io_counters(): the total between psutil's before and after", () => {
    retry(5, () => {
      const before = py<Record<string, number> | null>('out = psutil.disk_io_counters(nowrap=False)');
      const ours = diskIoCounters({ nowrap: false });
      const after = py<Record<string, number> | null>('out = psutil.disk_io_counters(nowrap=False)');
      if (after === null) {
        expect(ours).toBeNull();
        return;
      }
      for (const [f, v] of Object.entries(ours!)) {
        expect([f, v >= before![snake(f)]! && v <= after[snake(f)]!]).toEqual([f, true]);
      }
    });
  });
});

describeOracle('disk: fixture trees through psutil.PROCFS_PATH, exact', () => {
  // psutil takes /proc/diskstats and the mount table from PROCFS_PATH (but /sys/block from the real /sys, so only
  // perdisk=True, which does not consult it, is comparable).
  const perdiskSame = (procfs: string) => {
    const theirs = py<PyIo>(
      `psutil.PROCFS_PATH = ${JSON.stringify(procfs)}\nout = psutil.disk_io_counters(perdisk=True, nowrap=False)`,
    );
    const ours = createPsutil({ procfs }).diskIoCounters({ perdisk: true, nowrap: false });
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    for (const [disk, c] of Object.entries(ours)) {
      expect(Object.fromEntries(Object.entries(c).map(([f, v]) => [snake(f), v]))).toEqual(theirs[disk]);
    }
    expect(Object.keys(ours).length).toBeGreaterThan(0);
  };

  test.each([
    ['ours, mixed formats', own('disk-basic', 'proc')],
    ['Linux 2.4', own('disk-kernel-2.4', 'proc')],
    ['host-laptop (20 columns)', own('host-laptop', 'proc')],
    ['host-server (14 columns)', own('host-server', 'proc')],
  ])('disk_io_counters(perdisk=True) on %s', (_n, procfs) => perdiskSame(procfs));

  describePeer("the peers' trees", () => {
    test.each([
      ['node_exporter', path.join(NODE_EXPORTER_FIXTURES, 'proc')],
      ['prometheus/procfs', path.join(PROCFS_FIXTURES, 'proc')],
    ])('disk_io_counters(perdisk=True) on %s', (_n, procfs) => perdiskSame(procfs));
  });

  test.each([false, true])('disk_partitions(all=%p) on our mount table (escapes, none, zfs, fuse)', (all) => {
    const procfs = own('disk-basic', 'proc');
    const theirs = py<PyPart[]>(
      `psutil.PROCFS_PATH = ${JSON.stringify(procfs)}\nout = psutil.disk_partitions(all=${all ? 'True' : 'False'})`,
    );
    expect(createPsutil({ procfs }).diskPartitions({ all }).map(key)).toEqual(theirs.map(key));
  });
});
