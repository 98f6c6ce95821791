/**
 * The disk functions on this machine against df, findmnt, statvfs and /proc (psutil's TestSystemDiskPartitions,
 * TestRootFsDeviceFinder and test_system disk checks).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  diskIoCounters,
  diskPartitions,
  diskstats,
  diskUsage,
  diskUsageAsync,
  mountinfo,
  OsError,
} from '../../src/index';
import * as native from '../../src/probes/linux/native';
import { sh } from '../helpers/oracle';
import { retry } from '../helpers/retry';

/** psutil's TOLERANCE_DISK_USAGE (10 MiB). */
const TOL = 10 * (1 << 20);

/** `df -P -B1 <path>` -> [total, used, available]; the numbers follow the filesystem name, which may hold blanks. */
function df(p: string): [number, number, number] {
  const lines = sh('df', ['-P', '-B1', '--', p]).trim().split('\n');
  const m = /\s(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s/.exec(lines[lines.length - 1]!);
  if (m === null) throw new Error(`cannot read df output: ${lines.join(' | ')}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

describe('diskPartitions (live)', () => {
  test('non-empty; every mount point exists; fstype non-empty; devices non-empty', () => {
    const parts = diskPartitions();
    expect(parts.length).toBeGreaterThan(0);
    for (const p of parts) {
      expect([p.mountpoint, fs.existsSync(p.mountpoint)]).toEqual([p.mountpoint, true]);
      expect(p.fstype).not.toBe('');
      expect(p.device).not.toBe('');
    }
  });

  test('all=true is the whole mount table; the mount point of a test file is in it', () => {
    const all = diskPartitions({ all: true });
    const lines = fs.readFileSync('/proc/self/mounts', 'utf8').trim().split('\n');
    expect(all).toHaveLength(lines.length);
    const mp = sh('findmnt', ['-n', '-o', 'TARGET', '--target', __filename]).trim();
    expect(all.map((p) => p.mountpoint)).toContain(mp);
  });

  test('the root device is what findmnt says (psutil TestRootFsDeviceFinder)', () => {
    const root = diskPartitions({ all: true })
      .filter((p) => p.mountpoint === '/')
      .pop()!;
    const want = sh('findmnt', ['-o', 'SOURCE', '-rn', '/']).trim().split('\n').pop()!;
    // findmnt shows a bind mount's source as dev[/subdir]; the device part is what mounts holds.
    expect(want.startsWith(root.device)).toBe(true);
  });
});

describe('diskUsage (live)', () => {
  test('each partition against df -P -B1: total exact, used and free within 10 MiB', () => {
    for (const p of diskPartitions()) {
      retry(5, () => {
        const [total, used, avail] = df(p.mountpoint);
        const ours = diskUsage(p.mountpoint);
        expect([p.mountpoint, ours.total]).toEqual([p.mountpoint, total]);
        expect(Math.abs(ours.used - used)).toBeLessThanOrEqual(TOL);
        expect(Math.abs(ours.free - avail)).toBeLessThanOrEqual(TOL);
      });
    }
  });

  test('diskUsage("/") is statvfs("/") with psutil\'s arithmetic', () => {
    retry(5, () => {
      const st = native.statvfs('/');
      const u = diskUsage('/');
      expect(u.total).toBe(st.blocks * st.frsize);
      expect(Math.abs(u.used - (st.blocks - st.bfree) * st.frsize)).toBeLessThanOrEqual(TOL);
      expect(Math.abs(u.free - st.bavail * st.frsize)).toBeLessThanOrEqual(TOL);
      expect(u.percent).toBeGreaterThanOrEqual(0);
      expect(u.percent).toBeLessThanOrEqual(100);
    });
  });

  test('diskUsageAsync agrees with diskUsage on every partition', async () => {
    for (const p of diskPartitions()) {
      const a = await diskUsageAsync(p.mountpoint, { timeoutMs: 10_000 });
      expect(a.total).toBe(diskUsage(p.mountpoint).total);
    }
  });

  test('a missing path: ENOENT naming the path', () => {
    const missing = path.join(os.tmpdir(), `psutil-missing-${process.pid}`);
    expect(() => diskUsage(missing)).toThrow(OsError);
    expect(() => diskUsage(missing)).toThrow(expect.objectContaining({ osCode: 'ENOENT', path: missing }));
  });
});

describe('diskIoCounters (live)', () => {
  test('every field >= 0; no duplicate names; perdisk keys are /proc/diskstats names', () => {
    const per = diskIoCounters({ perdisk: true, nowrap: false });
    const names = fs
      .readFileSync('/proc/diskstats', 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[2]);
    expect(Object.keys(per).sort()).toEqual([...new Set(names)].sort());
    for (const [name, c] of Object.entries(per)) {
      for (const [f, v] of Object.entries(c)) expect([name, f, v >= 0]).toEqual([name, f, true]);
    }
  });

  test('the total counts each whole disk once and no partition (bracketed by two perdisk samples)', () => {
    const disks = (per: Readonly<Record<string, Record<string, number>>>) =>
      Object.keys(per).filter((n) => fs.existsSync(`/sys/block/${n.replace(/\//g, '!')}`));
    retry(5, () => {
      const before = diskIoCounters({ perdisk: true, nowrap: false });
      const total = diskIoCounters({ nowrap: false });
      const after = diskIoCounters({ perdisk: true, nowrap: false });
      if (total === null) {
        expect(disks(before)).toEqual([]);
        return;
      }
      for (const f of Object.keys(total) as Array<keyof typeof total>) {
        const lo = disks(before).reduce((s, n) => s + before[n]![f], 0);
        const hi = disks(after).reduce((s, n) => s + after[n]![f], 0);
        expect([f, total[f] >= lo && total[f] <= hi]).toEqual([f, true]);
      }
    });
  });

  test('diskstats() has one row per /proc/diskstats line; mountinfo() one per /proc/1/mountinfo line', () => {
    expect(diskstats().map((r) => r.name)).toEqual(
      fs
        .readFileSync('/proc/diskstats', 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[2]),
    );
    retry(5, () => {
      expect(mountinfo()).toHaveLength(fs.readFileSync('/proc/1/mountinfo', 'utf8').trim().split('\n').length);
    });
    expect(mountinfo().some((m) => m.mountPoint === '/')).toBe(true);
  });
});
