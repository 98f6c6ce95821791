/**
 * Linux host identity, limits and device details the agent reports (not psutil functions): uname, os-release under
 * the rootfs, clocksources from sysfs, the kernel's pid/thread limits, block device details (sysfs queue, udev
 * database) and full statfs of mount points. Plain functions taking the ProcFs first.
 */
import * as os from 'node:os';
import type { ProcFs } from './procfs';
import { OsError, TimeoutExpired } from '../errors';
import * as native from './native';
import { statfsThreads, statvfsOf } from './statfs';
import { parseOsRelease } from './parse/osrelease';
import { parseUdevData } from './parse/udevdata';
import { parsePidStatState } from './parse/pidstat';

export interface UnameRaw {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
  domainname: string | null;
}

/**
 * uname(2) of the running kernel (the agent's UTS namespace, as node_exporter's unix.Uname), through libuv; the NIS
 * domain name, which libuv does not return, from <procfs>/sys/kernel/domainname (also the reader's UTS namespace).
 */
export function uname(fs: ProcFs): UnameRaw {
  const domain = fs.readAttr(fs.proc('sys/kernel/domainname'));
  return {
    sysname: os.type(),
    nodename: os.hostname(),
    release: os.release(),
    version: os.version(),
    machine: os.machine(),
    domainname: domain,
  };
}

/** os-release(5) of the host: <rootfs>/etc/os-release, else <rootfs>/usr/lib/os-release; null if neither exists. */
export function osRelease(fs: ProcFs): { path: string; fields: Readonly<Record<string, string>> } | null {
  for (const rel of ['/etc/os-release', '/usr/lib/os-release']) {
    const p = fs.root(rel);
    const text = fs.readTextOrNull(p, 64 * 1024);
    if (text !== null) return { path: p, fields: parseOsRelease(text, p) };
  }
  return null;
}

export interface ClocksourceRaw {
  /** The N of clocksourceN. */
  device: string;
  available: string[];
  current: string | null;
}

/** <sysfs>/devices/system/clocksource/clocksourceN/{available,current}_clocksource; [] where absent. */
export function clocksources(fs: ProcFs): ClocksourceRaw[] {
  const dir = fs.sys('devices/system/clocksource');
  const out: ClocksourceRaw[] = [];
  for (const name of fs.readdirOrEmpty(dir).sort()) {
    const m = /^clocksource([0-9]+)$/.exec(name);
    if (!m) continue;
    const available = fs.readAttr(`${dir}/${name}/available_clocksource`);
    const current = fs.readAttr(`${dir}/${name}/current_clocksource`);
    out.push({ device: m[1] as string, available: available ? available.split(/\s+/).filter(Boolean) : [], current });
  }
  return out;
}

function readInt(fs: ProcFs, rel: string): number | null {
  const p = fs.proc(rel);
  let text: string | null;
  try {
    text = fs.readTextOrNull(p, 4096);
  } catch (err) {
    // Hidden or restricted sysctl (EACCES in a locked-down container): the limit is unknown, not an error.
    if (err instanceof OsError && (err.osCode === 'EACCES' || err.osCode === 'EPERM')) return null;
    throw err;
  }
  if (text === null) return null;
  const t = text.trim();
  return /^[0-9]+$/.test(t) ? Number(t) : null;
}

/** /proc/sys/kernel/pid_max and threads-max; null where unreadable. */
export function kernelLimits(fs: ProcFs): { pidMax: number | null; threadsMax: number | null } {
  return { pidMax: readInt(fs, 'sys/kernel/pid_max'), threadsMax: readInt(fs, 'sys/kernel/threads-max') };
}

export interface BlockDeviceInfoRaw {
  /** /sys/block/<name>/queue/rotational (null for partitions and where absent). */
  rotational: number | null;
  /** The E: properties of <rootfs><udevData>/b<major>:<minor>, or null when udev has no entry. */
  udev: Readonly<Record<string, string>> | null;
}

const UDEV_CAP = 256 * 1024;

export function blockDeviceInfo(
  fs: ProcFs,
  name: string,
  major: number,
  minor: number,
  udevData: string,
): BlockDeviceInfoRaw {
  const rot = fs.readAttr(fs.sys(`block/${name}/queue/rotational`));
  const p = fs.root(`${udevData.replace(/\/+$/, '')}/b${major}:${minor}`);
  let text: string | null;
  try {
    text = fs.readTextOrNull(p, UDEV_CAP);
  } catch (err) {
    // udev's database is root-only on some systems: no entry is what an unprivileged reader can know.
    if (err instanceof OsError && (err.osCode === 'EACCES' || err.osCode === 'EPERM')) text = null;
    else throw err;
  }
  return {
    rotational: rot !== null && /^[0-9]+$/.test(rot) ? Number(rot) : null,
    udev: text === null ? null : parseUdevData(text, p),
  };
}

/**
 * A block device's capacity in bytes: sysfs `size` counts 512-byte sectors whatever the logical block size
 * (include/linux/blkdev.h SECTOR_SHIFT). class/block has disks and partitions alike; fixture trees may hold only
 * block/<disk>. Null where neither is readable.
 */
export function blockDeviceSize(fs: ProcFs, name: string): number | null {
  const sys = name.replace(/\//g, '!'); // cciss/c0d0 is cciss!c0d0 in sysfs
  const v = fs.readAttr(fs.sys(`class/block/${sys}/size`)) ?? fs.readAttr(fs.sys(`block/${sys}/size`));
  return v !== null && /^[0-9]+$/.test(v) ? Number(v) * 512 : null;
}

/** statfs(2) numbers as node_exporter exports them: bytes from f_bsize, inode counts, the read-only flag. */
export interface MountStatsRaw {
  size: number;
  free: number;
  avail: number;
  files: number;
  filesFree: number;
  readonly: boolean;
}

const ST_RDONLY = 1;

function mountStatsOf(st: native.StatVfs): MountStatsRaw {
  // node_exporter multiplies by Bsize (statfs f_bsize), not f_frsize; they agree on every common filesystem.
  const bs = st.bsize;
  return {
    size: st.blocks * bs,
    free: st.bfree * bs,
    avail: st.bavail * bs,
    files: st.files,
    filesFree: st.ffree,
    readonly: (st.flag & ST_RDONLY) !== 0,
  };
}

function statvfsFailure(err: unknown, p: string): unknown {
  if (err instanceof native.NativeError)
    return new OsError(err.osCode, err.errno, 'statvfs', p, `${err.osCode}: statvfs '${p}'`);
  return err;
}

/** statfs of a mount point (a host path) under the rootfs prefix. Blocks: prefer mountStatsAsync. */
export function mountStats(fs: ProcFs, mountPoint: string): MountStatsRaw {
  const p = fs.root(mountPoint);
  try {
    return mountStatsOf(native.statvfs(p));
  } catch (err) {
    throw statvfsFailure(err, p);
  }
}

/**
 * Mount points whose statfs outlived a caller's timeout, with the path it was asked for. Such a mount is stuck while
 * its call has not returned (statfs.ts knows); a later call for it waits on that call instead of taking a thread.
 */
export type PendingMountStats = Map<string, string>;

/**
 * statfs of a mount point on a thread of its own (statfs.ts), bounded by `timeoutMs`; at once on this thread when
 * `local` (the caller's mount table says the kernel answers it from memory: statfs.ts's localStatfsMounts).
 */
export function mountStatsAsync(
  fs: ProcFs,
  mountPoint: string,
  timeoutMs: number,
  pending: PendingMountStats,
  local = false,
): Promise<MountStatsRaw> {
  const p = fs.root(mountPoint);
  return statvfsOf(p, timeoutMs, local).then(
    (st) => {
      pending.delete(mountPoint);
      return mountStatsOf(st);
    },
    (err: unknown) => {
      if (err instanceof TimeoutExpired) pending.set(mountPoint, p);
      else pending.delete(mountPoint);
      throw statvfsFailure(err, p);
    },
  );
}

/** Which mount points of a mount table mountStatsAsync may read at once (`local`): statfs.ts says why. */
export { localStatfsMounts } from './statfs';

/** The mount points of `pending` whose statfs has still not returned (the others are forgotten). */
export function mountStatsStuck(pending: PendingMountStats): string[] {
  const threads = statfsThreads();
  for (const [mp, p] of pending) if (!threads.isStuck(p)) pending.delete(mp);
  return [...pending.keys()];
}

export interface ProcessSummaryRaw {
  pids: number;
  threads: number;
  /** Processes per state letter of /proc/<pid>/stat. */
  states: Record<string, number>;
  /** Threads per state letter of /proc/<pid>/task/<tid>/stat; null when not asked for. */
  threadStates: Record<string, number> | null;
  /** Entries that vanished or could not be read while walking (a process exiting mid-walk). */
  skipped: number;
}

function gone(err: unknown): boolean {
  return (
    err instanceof OsError &&
    (err.osCode === 'ENOENT' || err.osCode === 'ESRCH' || err.osCode === 'EACCES' || err.osCode === 'EPERM')
  );
}

/**
 * One walk of <procfs>/<pid>/stat (and <pid>/task/<tid>/stat when `withThreads`): counts only, no Process objects. What
 * node_exporter's processes collector reports. Processes that exit mid-walk are counted in `skipped`.
 */
export function processSummary(fs: ProcFs, withThreads: boolean): ProcessSummaryRaw {
  const out: ProcessSummaryRaw = { pids: 0, threads: 0, states: {}, threadStates: withThreads ? {} : null, skipped: 0 };
  for (const name of fs.readdirOrEmpty(fs.procfs)) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57 || !/^[0-9]+$/.test(name)) continue;
    const p = fs.proc(`${name}/stat`);
    let st;
    try {
      st = parsePidStatState(fs.readView(p), p);
    } catch (err) {
      if (gone(err)) {
        out.skipped++;
        continue;
      }
      throw err;
    }
    out.pids++;
    out.threads += st.numThreads;
    out.states[st.state] = (out.states[st.state] ?? 0) + 1;
    const ts = out.threadStates;
    if (ts === null) continue;
    for (const tid of fs.readdirOrEmpty(fs.proc(`${name}/task`))) {
      const tp = fs.proc(`${name}/task/${tid}/stat`);
      try {
        const t = parsePidStatState(fs.readView(tp), tp);
        ts[t.state] = (ts[t.state] ?? 0) + 1;
      } catch (err) {
        if (!gone(err)) throw err;
        out.skipped++;
      }
    }
  }
  return out;
}
