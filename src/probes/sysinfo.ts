/**
 * Host identity, limits and device details for the agent (not psutil functions): uname, osRelease, clocksources,
 * kernelLimits, blockDeviceInfo, mountStats, mountStatsAsync, mountStatsPending, processSummary. node_exporter's uname, os, time,
 * processes, diskstats and filesystem collectors read these.
 */
import type { Context } from './context';
import type { PendingMountStats } from './linux/sysinfo';

/** uname(2) fields, plus the NIS domain name (null where /proc does not say). */
export interface Uname {
  readonly sysname: string;
  readonly nodename: string;
  readonly release: string;
  readonly version: string;
  readonly machine: string;
  readonly domainname: string | null;
}

/** os-release(5) of the host (under the rootfs): the file read and its KEY=value fields. */
export interface OsRelease {
  readonly path: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface Clocksource {
  readonly device: string;
  readonly available: readonly string[];
  readonly current: string | null;
}

export interface KernelLimits {
  /** /proc/sys/kernel/pid_max. */
  readonly pidMax: number | null;
  /** /proc/sys/kernel/threads-max. */
  readonly threadsMax: number | null;
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

/** Counts of one walk of /proc (node_exporter's processes collector). */
export interface ProcessSummary {
  readonly pids: number;
  /** Sum of num_threads over the processes. */
  readonly threads: number;
  /** Processes per state letter (R, S, D, Z, T, t, X, I, ...). */
  readonly states: Readonly<Record<string, number>>;
  /** Threads per state letter, from every task/<tid>/stat; null unless `threads` was asked for. */
  readonly threadStates: Readonly<Record<string, number>> | null;
  /** Processes or threads that exited (or were unreadable) during the walk. */
  readonly skipped: number;
}

export interface ProcessSummaryOptions {
  /** Also read every thread's state (default false: one stat read per process only). */
  threads?: boolean;
}

export interface MountStatsAsyncOptions {
  /** Give up after this many milliseconds (default 5000); the statfs itself stays pending until the kernel answers. */
  timeoutMs?: number;
}

function checkString(fn: string, name: string, v: unknown): string {
  if (typeof v !== 'string') throw new TypeError(`${fn}: ${name} must be a string, got ${v === null ? 'null' : typeof v}`);
  if (v === '' || v.includes('\0')) throw new RangeError(`${fn}: ${name} must be a non-empty path without NUL bytes`);
  return v;
}

function checkUint(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new TypeError(`${fn}: ${name} must be a non-negative integer, got ${String(v)}`);
  return v;
}

export function sysinfoApi(ctx: Context) {
  const pending = ctx.slot<PendingMountStats>('sysinfo.mountStats.pending', () => new Map());
  return {
    /** The running kernel's uname(2) and domain name. */
    uname(): Uname {
      return Object.freeze({ ...ctx.os.sysinfo.uname(ctx.fs) });
    },
    /** <rootfs>/etc/os-release (else usr/lib/os-release) parsed; null when the host has neither. */
    osRelease(): OsRelease | null {
      const r = ctx.os.sysinfo.osRelease(ctx.fs);
      return r === null ? null : Object.freeze({ path: r.path, fields: r.fields });
    },
    /** Clocksources per device from sysfs ([] where sysfs has none). */
    clocksources(): readonly Clocksource[] {
      return Object.freeze(
        ctx.os.sysinfo.clocksources(ctx.fs).map((c) => Object.freeze({ device: c.device, available: Object.freeze(c.available), current: c.current })),
      );
    },
    /** The kernel's process and thread limits. */
    kernelLimits(): KernelLimits {
      return Object.freeze(ctx.os.sysinfo.kernelLimits(ctx.fs));
    },
    /** sysfs queue details and the udev database entry of a block device (name and numbers as /proc/diskstats gives them). */
    blockDeviceInfo(name: string, major: number, minor: number, opts: BlockDeviceInfoOptions = {}): BlockDeviceInfo {
      checkString('blockDeviceInfo', 'name', name);
      if (name.includes('/')) throw new RangeError(`blockDeviceInfo: name must be a device name, got ${JSON.stringify(name)}`);
      const udevData = opts.udevData === undefined ? '/run/udev/data' : checkString('blockDeviceInfo', 'udevData', opts.udevData);
      const r = ctx.os.sysinfo.blockDeviceInfo(ctx.fs, name, checkUint('blockDeviceInfo', 'major', major), checkUint('blockDeviceInfo', 'minor', minor), udevData);
      return Object.freeze({ rotational: r.rotational, udev: r.udev });
    },
    /**
     * statfs of `mountPoint`, a path in the host's mount namespace, read under the rootfs prefix (so /host/root/var
     * for /var in a container). Throws OsError. Blocks until the kernel answers: use mountStatsAsync for a scrape.
     */
    mountStats(mountPoint: string): MountStats {
      return Object.freeze(ctx.os.sysinfo.mountStats(ctx.fs, checkString('mountStats', 'mountPoint', mountPoint)));
    },
    /**
     * mountStats on a thread of its own (never libuv's pool, which a stuck mount would starve), bounded: rejects with
     * TimeoutExpired after `timeoutMs`, with OsError when statfs fails (EAGAIN: no statfs thread was free in time, as
     * every one waits on a stuck mount; this mount was not asked). A statfs that timed out keeps its mount point in
     * mountStatsPending() until the kernel answers; its late answer is dropped.
     */
    async mountStatsAsync(mountPoint: string, opts: MountStatsAsyncOptions = {}): Promise<MountStats> {
      const mp = checkString('mountStatsAsync', 'mountPoint', mountPoint);
      const t = opts.timeoutMs ?? 5000;
      if (typeof t !== 'number' || !(t > 0) || t > 2 ** 31 - 1) throw new RangeError(`mountStatsAsync: timeoutMs must be > 0 and at most ${2 ** 31 - 1}, got ${String(t)}`);
      return Object.freeze(await ctx.os.sysinfo.mountStatsAsync(ctx.fs, mp, t, pending));
    },
    /** Processes and threads counted by state in one walk of <procfs> (no Process objects). */
    processSummary(opts: ProcessSummaryOptions = {}): ProcessSummary {
      const t = opts.threads ?? false;
      if (typeof t !== 'boolean') throw new TypeError(`processSummary: threads must be a boolean, got ${typeof t}`);
      const r = ctx.os.sysinfo.processSummary(ctx.fs, t);
      return Object.freeze({
        pids: r.pids, threads: r.threads, states: Object.freeze(r.states),
        threadStates: r.threadStates === null ? null : Object.freeze(r.threadStates), skipped: r.skipped,
      });
    },
    /**
     * Mount points whose statfs outlived a mountStatsAsync timeout and is still waiting for the kernel (stuck mounts,
     * such as a dead NFS server's). Each holds a thread of its own until the kernel answers; no other call waits.
     */
    mountStatsPending(): readonly string[] {
      return Object.freeze(ctx.os.sysinfo.mountStatsStuck(pending));
    },
  };
}
