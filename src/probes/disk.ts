/**
 * System-wide disk functions: psutil's disk_partitions, disk_usage and disk_io_counters, plus what the agent's
 * node_exporter-compatible collectors need, ours (docs/library-extensions.md): diskstats() (every /proc/diskstats
 * column), mountinfo(), diskUsageAsync() (statvfs off the main thread with a timeout, so a dead NFS mount costs only
 * its own result), blockDeviceInfo(), and mountStats(), mountStatsAsync(), mountStatsPending() (node_exporter's
 * filesystem collector). Validation, nowrap state and result freezing live here; the reading is in linux/disk.ts
 * (linux/sysinfo.ts for blockDeviceInfo and mountStats*).
 */
import type { Context } from './context';
import { WrapNumbers } from './wrap';
import { bool, options } from './options';
import { fsdecode, osPath } from '../util/fsencoding';
import type { DiskIoRaw, PendingStatvfs } from './linux/disk';
import type { DiskstatsEntry } from './linux/parse/diskstats';
import type { MountInfoEntry } from './linux/parse/mountinfo';
import type { PendingMountStats } from './linux/sysinfo';

export type { DiskstatsEntry } from './linux/parse/diskstats';
export type { MountInfoEntry } from './linux/parse/mountinfo';

/** psutil's sdiskpart. */
export interface DiskPartition {
  /** The device ('/dev/sda1'); '' for sources named 'none'; '/dev/root' resolved to the real device. */
  readonly device: string;
  readonly mountpoint: string;
  readonly fstype: string;
  /** The mount options, comma-separated ('rw,relatime'). */
  readonly opts: string;
}

/** psutil's sdiskusage: bytes, and percent = used / (used + free) * 100 rounded to 1 decimal (what df shows). */
export interface DiskUsage {
  readonly total: number;
  readonly used: number;
  /** Free for unprivileged users (f_bavail): excludes the root reserve. */
  readonly free: number;
  readonly percent: number;
}

/** psutil's sdiskio: counts, bytes (sectors x 512), times in milliseconds. */
export type DiskIoCounters = {
  readonly readCount: number;
  readonly writeCount: number;
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly readTime: number;
  readonly writeTime: number;
  readonly readMergedCount: number;
  readonly writeMergedCount: number;
  /** Time spent doing I/Os (the io_ticks column), ms. */
  readonly busyTime: number;
};

const DISK_IO_FIELDS = [
  'readCount',
  'writeCount',
  'readBytes',
  'writeBytes',
  'readTime',
  'writeTime',
  'readMergedCount',
  'writeMergedCount',
  'busyTime',
] as const;

export interface DiskPartitionsOptions {
  /** Every mount, pseudo filesystems included (default false: only block-device filesystems, and zfs). */
  all?: boolean;
}

export interface DiskIoCountersOptions {
  /** One entry per disk and partition instead of the sum over whole disks (default false). */
  perdisk?: boolean;
  /** Compensate counters that wrapped or were reset since the previous call (default true). */
  nowrap?: boolean;
}

export interface DiskUsageAsyncOptions {
  /** Give up after this many milliseconds (default 5000); the statvfs call is left to finish on its own. */
  timeoutMs?: number;
}

export interface DiskIoCountersFn {
  (opts: DiskIoCountersOptions & { perdisk: true }): Readonly<Record<string, DiskIoCounters>>;
  (opts?: DiskIoCountersOptions & { perdisk?: false }): DiskIoCounters | null;
  (opts?: DiskIoCountersOptions): Readonly<Record<string, DiskIoCounters>> | DiskIoCounters | null;
  /** Forgets the nowrap state (psutil's disk_io_counters.cache_clear()). */
  cacheClear(): void;
}

export const DEFAULT_DISK_USAGE_TIMEOUT_MS = 5000;

/**
 * A path argument as the string the backends pass on: a Buffer (or Uint8Array) is decoded with fsdecode, which the
 * syscall's fsencode undoes byte for byte; a string may hold escaped bytes (U+DC80-U+DCFF, as a path from
 * diskPartitions() or Process.cwd() does), and a lone surrogate that escapes no byte is a RangeError here (Python's
 * UnicodeEncodeError) rather than a path to some other file.
 */
function checkPath(fn: string, p: unknown, arg = 'path'): string {
  let s: string;
  if (typeof p === 'string') {
    osPath(p, `${fn}: ${arg}`);
    s = p;
  } else if (p instanceof Uint8Array) s = fsdecode(p);
  else throw new TypeError(`${fn}: ${arg} must be a string or a Buffer, got ${p === null ? 'null' : typeof p}`);
  // A NUL would silently cut the path short in C (Python raises ValueError: embedded null byte).
  if (s.includes('\0')) throw new RangeError(`${fn}: ${arg} must not contain NUL bytes (embedded null byte)`);
  return s;
}

/** A mount point: a path as checkPath takes it, never empty. */
function checkMountPoint(fn: string, v: unknown): string {
  const s = checkPath(fn, v, 'mountPoint');
  if (s === '') throw new RangeError(`${fn}: mountPoint must be a non-empty path without NUL bytes`);
  return s;
}

function freezeIo(r: DiskIoRaw): DiskIoCounters {
  return Object.freeze({
    readCount: r.readCount,
    writeCount: r.writeCount,
    readBytes: r.readBytes,
    writeBytes: r.writeBytes,
    readTime: r.readTime,
    writeTime: r.writeTime,
    readMergedCount: r.readMergedCount,
    writeMergedCount: r.writeMergedCount,
    busyTime: r.busyTime,
  });
}

/** One block device's details beyond /proc/diskstats. */
export interface BlockDeviceInfo {
  /** /sys/block/<name>/queue/rotational: 1 spinning, 0 not; null for partitions. */
  readonly rotational: number | null;
  /** udev's E: properties (ID_MODEL, ID_SERIAL_SHORT, ID_FS_TYPE, DM_NAME, ...), null without a udev entry. */
  readonly udev: Readonly<Record<string, string>> | null;
}

export interface BlockDeviceInfoOptions {
  /** The udev database directory, a host path under the rootfs (default /run/udev/data). */
  udevData?: string;
}

/** statfs of a mount point, as node_exporter's filesystem collector reports it (bytes use f_bsize). */
export interface MountStats {
  readonly size: number;
  readonly free: number;
  readonly avail: number;
  readonly files: number;
  readonly filesFree: number;
  /** ST_RDONLY in f_flag. */
  readonly readonly: boolean;
}

export interface MountStatsAsyncOptions {
  /** Give up after this many milliseconds (default 5000); the statfs itself stays pending until the kernel answers. */
  timeoutMs?: number;
  /**
   * The mount table says the kernel answers this statfs from memory (mountStatsLocal has the mount point): it runs at
   * once on the calling thread, no statfs thread started, `timeoutMs` unused; same result, same errors. Default false.
   */
  local?: boolean;
}

function checkString(fn: string, name: string, v: unknown): string {
  if (typeof v !== 'string')
    throw new TypeError(`${fn}: ${name} must be a string, got ${v === null ? 'null' : typeof v}`);
  if (v === '' || v.includes('\0')) throw new RangeError(`${fn}: ${name} must be a non-empty path without NUL bytes`);
  return v;
}

function checkUint(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new TypeError(`${fn}: ${name} must be a non-negative integer, got ${String(v)}`);
  return v;
}

export function diskApi(ctx: Context) {
  const pendingMounts = ctx.slot<PendingMountStats>('disk.mountStats.pending', () => new Map());
  const disk = () => ctx.os.disk;
  // One nowrap memory per mode: perdisk=false sees whole disks only, and sharing one (as psutil does) would make
  // alternating calls drop each other's partitions and lose their reminders.
  const wrapPerdisk = ctx.slot('disk.diskIoCounters.nowrap.perdisk', () => new WrapNumbers<DiskIoCounters>());
  const wrapTotal = ctx.slot('disk.diskIoCounters.nowrap.total', () => new WrapNumbers<DiskIoCounters>());
  const pending = ctx.slot<PendingStatvfs>('disk.diskUsageAsync.pending', () => new Map());

  function diskIoCountersImpl(
    opts?: DiskIoCountersOptions,
  ): Readonly<Record<string, DiskIoCounters>> | DiskIoCounters | null {
    const o = options<DiskIoCountersOptions>('diskIoCounters', opts, ['perdisk', 'nowrap']);
    const perdisk = bool('diskIoCounters', 'perdisk', o.perdisk, false);
    const nowrap = bool('diskIoCounters', 'nowrap', o.nowrap, true);
    const raw = disk().diskIoCounters(ctx.fs, perdisk);
    const names = Object.keys(raw);
    if (names.length === 0) return perdisk ? Object.freeze({}) : null;
    let byDisk: Readonly<Record<string, DiskIoCounters>> = Object.fromEntries(names.map((n) => [n, freezeIo(raw[n]!)]));
    if (nowrap) byDisk = (perdisk ? wrapPerdisk : wrapTotal).run(byDisk);
    if (perdisk) return Object.freeze(Object.fromEntries(names.map((n) => [n, byDisk[n]!])));
    const sum: DiskIoRaw = {
      readCount: 0,
      writeCount: 0,
      readBytes: 0,
      writeBytes: 0,
      readTime: 0,
      writeTime: 0,
      readMergedCount: 0,
      writeMergedCount: 0,
      busyTime: 0,
    };
    for (const n of names) for (const f of DISK_IO_FIELDS) sum[f] += byDisk[n]![f];
    return freezeIo(sum);
  }

  const diskIoCounters = Object.assign(diskIoCountersImpl, {
    cacheClear(): void {
      wrapPerdisk.clear();
      wrapTotal.clear();
    },
  }) as DiskIoCountersFn;

  return {
    /**
     * Mounted filesystems (psutil's disk_partitions): from /proc/self/mounts (<procfs>/1/mounts under a foreign procfs
     * root). Without `all`, only filesystems backed by a device (not 'nodev' in /proc/filesystems, plus zfs).
     * Throws OsError when the mount table or /proc/filesystems cannot be read.
     */
    diskPartitions(opts?: DiskPartitionsOptions): readonly DiskPartition[] {
      const o = options<DiskPartitionsOptions>('diskPartitions', opts, ['all']);
      const all = bool('diskPartitions', 'all', o.all, false);
      return Object.freeze(
        disk()
          .diskPartitions(ctx.fs, all)
          .map((p) =>
            Object.freeze({
              device: p.device,
              mountpoint: p.mountpoint,
              fstype: p.fstype,
              opts: p.opts,
            }),
          ),
      );
    },

    /**
     * statvfs(path) as psutil's disk_usage. `path` is taken as given (not under the rootfs: pass
     * `ctx.roots.rootfs + mountpoint` yourself). A missing path throws OsError with osCode 'ENOENT' naming the path.
     * Blocks the event loop while the kernel answers: use diskUsageAsync for network filesystems.
     */
    diskUsage(path: string | Uint8Array): DiskUsage {
      return Object.freeze(disk().diskUsage(checkPath('diskUsage', path)));
    },

    /**
     * diskUsage off the main thread: resolves with the same record, rejects with TimeoutExpired after `timeoutMs`
     * (the statvfs itself keeps its worker thread until the kernel answers; a second call for the same path while it
     * hangs waits on that call instead of taking another thread), or with OsError as diskUsage throws it. Bad
     * arguments reject too (TypeError/RangeError).
     */
    async diskUsageAsync(path: string | Uint8Array, opts?: DiskUsageAsyncOptions): Promise<DiskUsage> {
      const p = checkPath('diskUsageAsync', path);
      const o = options<DiskUsageAsyncOptions>('diskUsageAsync', opts, ['timeoutMs']);
      const timeoutMs = o.timeoutMs ?? DEFAULT_DISK_USAGE_TIMEOUT_MS;
      if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) {
        throw new TypeError(`diskUsageAsync: timeoutMs must be a number, got ${typeof timeoutMs}`);
      }
      if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs) || timeoutMs > 2 ** 31 - 1) {
        throw new RangeError(`diskUsageAsync: timeoutMs must be > 0 and at most ${2 ** 31 - 1}, got ${timeoutMs}`);
      }
      return Object.freeze(await disk().diskUsageAsync(p, timeoutMs, pending));
    },

    diskIoCounters,

    /**
     * Every line of <procfs>/diskstats with all its columns raw (sectors, ms), in file order: the source of
     * node_exporter's node_disk_* families (reads/writes/discards/flushes completed and merged, sectors, times, I/Os
     * in progress, io time, weighted io time). Columns a kernel does not have are null; `columns` tells the format.
     */
    diskstats(): readonly DiskstatsEntry[] {
      return disk().diskstats(ctx.fs);
    },

    /**
     * The mount table with everything the kernel tells: <procfs>/1/mountinfo (init's mount namespace, the host's when
     * <procfs> is the host's /proc), or <procfs>/self/mountinfo when init's cannot be read. Paths unescaped.
     */
    mountinfo(): readonly MountInfoEntry[] {
      return disk().mountinfo(ctx.fs);
    },

    // ---- ours (not psutil's; docs/library-extensions.md) ----
    /** sysfs queue details and the udev database entry of a block device (name and numbers as /proc/diskstats gives them). */
    blockDeviceInfo(name: string, major: number, minor: number, opts: BlockDeviceInfoOptions = {}): BlockDeviceInfo {
      checkString('blockDeviceInfo', 'name', name);
      if (name.includes('/'))
        throw new RangeError(`blockDeviceInfo: name must be a device name, got ${JSON.stringify(name)}`);
      const udevData =
        opts.udevData === undefined ? '/run/udev/data' : checkString('blockDeviceInfo', 'udevData', opts.udevData);
      const r = ctx.os.sysinfo.blockDeviceInfo(
        ctx.fs,
        name,
        checkUint('blockDeviceInfo', 'major', major),
        checkUint('blockDeviceInfo', 'minor', minor),
        udevData,
      );
      return Object.freeze({ rotational: r.rotational, udev: r.udev });
    },
    /** A block device's capacity in bytes (sysfs `size`), null where sysfs does not say; name as /proc/diskstats has it. */
    blockDeviceSize(name: string): number | null {
      return ctx.os.sysinfo.blockDeviceSize(ctx.fs, checkString('blockDeviceSize', 'name', name));
    },
    /**
     * statfs of `mountPoint`, a path in the host's mount namespace, read under the rootfs prefix (so /host/root/var
     * for /var in a container). Throws OsError. Blocks until the kernel answers: use mountStatsAsync for a scrape.
     */
    mountStats(mountPoint: string | Uint8Array): MountStats {
      return Object.freeze(ctx.os.sysinfo.mountStats(ctx.fs, checkMountPoint('mountStats', mountPoint)));
    },
    /**
     * mountStats on a thread of its own (never libuv's pool, which a stuck mount would starve), bounded: rejects with
     * TimeoutExpired after `timeoutMs`, with OsError when statfs fails (EAGAIN: no statfs thread was free in time, as
     * every one waits on a stuck mount; this mount was not asked). A statfs that timed out keeps its mount point in
     * mountStatsPending() until the kernel answers; its late answer is dropped.
     */
    async mountStatsAsync(mountPoint: string | Uint8Array, opts: MountStatsAsyncOptions = {}): Promise<MountStats> {
      const mp = checkMountPoint('mountStatsAsync', mountPoint);
      const t = opts.timeoutMs ?? 5000;
      if (typeof t !== 'number' || !(t > 0) || t > 2 ** 31 - 1)
        throw new RangeError(`mountStatsAsync: timeoutMs must be > 0 and at most ${2 ** 31 - 1}, got ${String(t)}`);
      const local = opts.local ?? false;
      if (typeof local !== 'boolean')
        throw new TypeError(`mountStatsAsync: local must be a boolean, got ${local === null ? 'null' : typeof local}`);
      return Object.freeze(await ctx.os.sysinfo.mountStatsAsync(ctx.fs, mp, t, pendingMounts, local));
    },
    /**
     * The mount points of `mounts` (a mountinfo() table; default: read now) whose statfs the kernel answers from its
     * own memory (ext4, xfs, tmpfs, vfat, ...: the list and each type's reason are in linux/statfs.ts), with every
     * mount stacked on them or above them on their path of such a type too: mountStatsAsync(mp, { local: true }) reads
     * them on the calling thread. Any other (nfs, cifs, fuse, overlay, btrfs, autofs, unknown) needs the bounded call.
     * Paths as the table has them (under the rootfs prefix when the table is the agent's own namespace's).
     */
    mountStatsLocal(mounts?: readonly MountInfoEntry[]): ReadonlySet<string> {
      return ctx.os.sysinfo.localStatfsMounts(mounts ?? disk().mountinfo(ctx.fs));
    },
    /**
     * Mount points whose statfs outlived a mountStatsAsync timeout and is still waiting for the kernel (stuck mounts,
     * such as a dead NFS server's). Each holds a thread of its own until the kernel answers; no other call waits.
     */
    mountStatsPending(): readonly string[] {
      return Object.freeze(ctx.os.sysinfo.mountStatsStuck(pendingMounts));
    },
  };
}
