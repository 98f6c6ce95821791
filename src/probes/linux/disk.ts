/**
 * Linux disk backend: /proc/diskstats (or /sys/block/<dev>/stat), the mount table, /proc/filesystems, mountinfo, and
 * statvfs(3) through native.ts. Plain functions taking the ProcFs first; results are raw records the facade freezes.
 */
import type { ProcFs } from './procfs';
import * as native from './native';
import { statfsThreads } from './statfs';
import { parseDiskstats, type DiskstatsEntry } from './parse/diskstats';
import { parseFilesystems, parseMounts, type MountEntry } from './parse/mounts';
import { parseMountinfo, type MountInfoEntry } from './parse/mountinfo';
import { parsePartitions } from './parse/partitions';
import { OsError, ParseError, TimeoutExpired } from '../errors';

/** "man iostat": a sector is 512 bytes whatever the device's logical block size (psutil #1305, linux/bio.h). */
export const DISK_SECTOR_SIZE = 512;

// ---------------------------------------------------------------------------------------------------------------
// I/O counters

/** psutil's sdiskio fields, in its order; times in milliseconds. */
export interface DiskIoRaw {
  readCount: number;
  writeCount: number;
  readBytes: number;
  writeBytes: number;
  readTime: number;
  writeTime: number;
  readMergedCount: number;
  writeMergedCount: number;
  busyTime: number;
}

/**
 * diskstats is kept open and re-read from offset 0 on a real procfs (ProcFs.readHot); its lines (a name and at most
 * 20 numbers) stay far below this, so a read shorter than a page minus it reached the end (see ReadEnd).
 */
const DISKSTATS_LINE_MAX = 512;

/** Every line of <procfs>/diskstats, all columns raw (for node_disk_* families). */
export function diskstats(fs: ProcFs): readonly DiskstatsEntry[] {
  const p = fs.proc('diskstats');
  return parseDiskstats(fs.readHotText(p, undefined, DISKSTATS_LINE_MAX), p);
}

/**
 * psutil's is_storage_device(): a whole disk or a virtual device has an entry in <sysfs>/block (partitions do not).
 * Names with '/' (cciss/c0d0) appear there with '!' instead.
 */
export function isStorageDevice(fs: ProcFs, name: string): boolean {
  return fs.exists(fs.sys('block/' + name.replace(/\//g, '!')));
}

/**
 * isStorageDevice for every name of one call: <sysfs>/block is listed once (kept open on a real sysfs) instead of one
 * lookup per name (each a path walk through sysfs). On a real sysfs every entry there is a live link; elsewhere (a
 * fixture tree) a listed name is still checked with exists(), so a dangling link counts as absent, as in
 * isStorageDevice.
 */
function storageDevices(fs: ProcFs): (name: string) => boolean {
  const dir = fs.sys('block');
  const listed = new Set(fs.readdirHotOrEmpty(dir));
  const live = fs.isKernelPath(dir + '/');
  return (name) => {
    const entry = name.replace(/\//g, '!');
    return listed.has(entry) && (live || fs.exists(dir + '/' + entry));
  };
}

function fromDiskstats(e: DiskstatsEntry): DiskIoRaw {
  return {
    readCount: e.readsCompleted,
    writeCount: e.writesCompleted,
    readBytes: e.sectorsRead * DISK_SECTOR_SIZE,
    writeBytes: e.sectorsWritten * DISK_SECTOR_SIZE,
    readTime: e.readTimeMs ?? 0,
    writeTime: e.writeTimeMs ?? 0,
    readMergedCount: e.readsMerged ?? 0,
    writeMergedCount: e.writesMerged ?? 0,
    busyTime: e.ioTimeMs ?? 0,
  };
}

/** /sys/block/<dev>/stat and /sys/block/<dev>/<part>/stat: the diskstats counters without major, minor and name. */
function parseBlockStat(text: string, path: string): DiskIoRaw {
  const f = text.trim().split(/\s+/);
  if (f.length < 10 || !f.slice(0, 10).every((x) => /^\d+$/.test(x))) {
    throw new ParseError(path, `expected at least 10 unsigned integers, got ${JSON.stringify(text.slice(0, 80))}`);
  }
  const n = f.slice(0, 10).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    readCount: n[0],
    writeCount: n[4],
    readBytes: n[2] * DISK_SECTOR_SIZE,
    writeBytes: n[6] * DISK_SECTOR_SIZE,
    readTime: n[3],
    writeTime: n[7],
    readMergedCount: n[1],
    writeMergedCount: n[5],
    busyTime: n[9],
  };
}

/** psutil's read_sysfs(): every block device and its partitions (one level down, where partitions live). */
function blockStatsFromSysfs(fs: ProcFs): Array<[string, DiskIoRaw]> {
  const out: Array<[string, DiskIoRaw]> = [];
  const blockDir = fs.sys('block');
  for (const dev of fs.readdir(blockDir).sort()) {
    const devDir = blockDir + '/' + dev;
    const own = fs.readTextOrNull(devDir + '/stat');
    if (own !== null) out.push([dev, parseBlockStat(own, devDir + '/stat')]);
    for (const sub of fs.readdirOrEmpty(devDir).sort()) {
      // Only partitions (directories named after the disk) hold a stat file; the rest of the tree has none.
      if (!sub.startsWith(dev)) continue;
      const p = devDir + '/' + sub + '/stat';
      const text = fs.readTextOrNull(p);
      if (text !== null) out.push([sub, parseBlockStat(text, p)]);
    }
  }
  return out;
}

/**
 * psutil's disk_io_counters(perdisk): `{ name: counters }`. With perdisk=false only whole disks are kept (names with
 * an entry in <sysfs>/block), so that the facade's sum does not count a partition twice.
 * Source: <procfs>/diskstats; when it does not exist, <sysfs>/block/**\/stat (psutil's fallback); when neither does,
 * the ENOENT for diskstats is thrown.
 */
export function diskIoCounters(fs: ProcFs, perdisk: boolean): Record<string, DiskIoRaw> {
  let rows: Array<[string, DiskIoRaw]>;
  const p = fs.proc('diskstats');
  const text = fs.readHotTextOrNull(p, undefined, DISKSTATS_LINE_MAX);
  if (text !== null) {
    rows = parseDiskstats(text, p).map((e) => [e.name, fromDiskstats(e)]);
  } else if (fs.exists(fs.sys('block'))) {
    rows = blockStatsFromSysfs(fs);
  } else {
    // Neither source exists: report the primary one as missing (psutil raises NotImplementedError here).
    throw new OsError(
      'ENOENT',
      2,
      'open',
      p,
      `ENOENT: open '${p}': no such file or directory (and no ${fs.sys('block')})`,
    );
  }
  const out: Record<string, DiskIoRaw> = Object.create(null) as Record<string, DiskIoRaw>;
  const storage = perdisk ? null : storageDevices(fs);
  for (const [name, io] of rows) {
    if (storage !== null && !storage(name)) continue;
    out[name] = io; // a repeated name keeps the last line, as psutil's dict does
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Mounts and partitions

/**
 * Which mount table disk_partitions reads. psutil: /etc/mtab when PROCFS_PATH is /proc and mtab is a file (#1307),
 * else <procfs>/self/mounts. Under a foreign procfs root (a host's /proc at /host/proc) `self` is this process, whose
 * mount namespace is the container's: there <procfs>/1/mounts (the host's init, as node_exporter reads) comes first.
 */
export function mountsPath(fs: ProcFs): string {
  if (fs.procfs === '/proc') {
    if (fs.root('/') === '/' && fs.exists('/etc/mtab') && fs.stat('/etc/mtab').isFile()) return '/etc/mtab';
    return '/proc/self/mounts';
  }
  const init = fs.proc('1/mounts');
  return fs.exists(init) ? init : fs.proc('self/mounts');
}

export function readMounts(fs: ProcFs): readonly MountEntry[] {
  const p = mountsPath(fs);
  return parseMounts(fs.readText(p), p);
}

/** <procfs>/1/mountinfo, or <procfs>/self/mountinfo when init's is absent or not ours to read. */
export function mountinfo(fs: ProcFs): readonly MountInfoEntry[] {
  const init = fs.initMountinfoOrNull();
  if (init !== null) return parseMountinfo(init.text, init.path);
  const self = fs.proc('self/mountinfo');
  return parseMountinfo(fs.readText(self), self);
}

/** The last /proc/filesystems text and the set made from it (the list changes only when a module registers one). */
let fstypesMemo: { path: string; text: string; set: ReadonlySet<string> } | null = null;

/**
 * /proc/filesystems -> the fstypes disk_partitions(all=False) keeps: block-backed ones, plus zfs. Read on every call
 * (a module loaded since the last one adds a type), through a kept fd: a fresh open of this file costs more than
 * psutil's whole disk_partitions() (bench/system-disk.js); unchanged text reuses the last set.
 */
export function physicalFstypes(fs: ProcFs): ReadonlySet<string> {
  const p = fs.proc('filesystems');
  const text = fs.readHotText(p);
  if (fstypesMemo !== null && fstypesMemo.path === p && fstypesMemo.text === text) return fstypesMemo.set;
  const set = new Set<string>();
  for (const t of parseFilesystems(text, p)) {
    // 'nodev zfs' is the one nodev type that is a disk filesystem (psutil).
    if (!t.nodev || t.name === 'zfs') set.add(t.name);
  }
  fstypesMemo = { path: p, text, set };
  return set;
}

/** Linux dev_t -> [major, minor] (glibc's gnu_dev_major/minor). */
export function splitDev(dev: bigint): [number, number] {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return [Number(major), Number(minor)];
}

/** A read that may fail: each root-device strategy that cannot run hands over to the next one (psutil logs and moves on). */
function readOrNull(fs: ProcFs, p: string): string | null {
  try {
    return fs.readText(p);
  } catch (err) {
    if (err instanceof OsError) return null;
    throw err;
  }
}

/**
 * psutil's RootFsDeviceFinder: the real device behind '/dev/root' or 'rootfs', from the st_dev of the root directory,
 * via /proc/partitions, then /sys/dev/block/M:m/uevent, then /sys/class/block/<dev>/dev. Returns null when no
 * strategy names an existing /dev node.
 */
export function findRootDevice(fs: ProcFs): string | null {
  const [major, minor] = splitDev(BigInt(fs.stat(fs.root('/')).dev));
  let dev: string | null = null;
  const partsPath = fs.proc('partitions');
  const parts = readOrNull(fs, partsPath);
  if (parts !== null) {
    const hit = parsePartitions(parts, partsPath).find((e) => e.major === major && e.minor === minor);
    if (hit && hit.name) dev = '/dev/' + hit.name;
  }
  if (dev === null) {
    const uevent = readOrNull(fs, fs.sys(`dev/block/${major}:${minor}/uevent`));
    const m = uevent === null ? null : /^DEVNAME=(.+)$/m.exec(uevent);
    if (m && m[1]!.trim()) dev = '/dev/' + m[1]!.trim();
  }
  if (dev === null) {
    const needle = `${major}:${minor}`;
    for (const name of fs.readdirOrEmpty(fs.sys('class/block'))) {
      if (fs.readAttr(fs.sys(`class/block/${name}/dev`)) === needle) {
        dev = '/dev/' + name;
        break;
      }
    }
  }
  // The /dev part is a guess: keep it only if the node exists (under the rootfs).
  return dev !== null && fs.exists(fs.root(dev)) ? dev : null;
}

/** psutil's sdiskpart, in its order. */
export interface DiskPartitionRaw {
  device: string;
  mountpoint: string;
  fstype: string;
  opts: string;
}

export function diskPartitions(fs: ProcFs, all: boolean): DiskPartitionRaw[] {
  // psutil 7 reads /proc/filesystems only when it filters.
  const fstypes = all ? null : physicalFstypes(fs);
  const out: DiskPartitionRaw[] = [];
  let rootDev: string | null | undefined;
  for (const m of readMounts(fs)) {
    let device = m.device === 'none' ? '' : m.device;
    if (device === '/dev/root' || device === 'rootfs') {
      if (rootDev === undefined) rootDev = findRootDevice(fs);
      device = rootDev ?? device;
    }
    if (fstypes !== null && (device === '' || !fstypes.has(m.fstype))) continue;
    out.push({ device, mountpoint: m.mountpoint, fstype: m.fstype, opts: m.opts });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Usage (statvfs)

/** psutil's sdiskusage, in its order. */
export interface DiskUsageRaw {
  total: number;
  used: number;
  free: number;
  percent: number;
}

/**
 * Python's round(x, 1): the nearest one-decimal value to the exact binary x, ties (x ending in .25 or .75, the only
 * exactly representable ones) to even. toFixed rounds the exact value too, but ties away from zero.
 */
export function pyRound1(x: number): number {
  if (!Number.isFinite(x)) return x;
  // x * 4 and x * 2 are exact (powers of two): an exact tie is an odd number of quarters, and then x * 10 is exact too.
  if (Number.isInteger(x * 4) && !Number.isInteger(x * 2)) {
    const lo = Math.floor(x * 10);
    return (lo % 2 === 0 ? lo : lo + 1) / 10;
  }
  return Number(x.toFixed(1));
}

/** psutil's disk_usage arithmetic: `percent` is used / (used + free-for-users), like df, not used / total. */
export function usageFromStatvfs(st: native.StatVfs): DiskUsageRaw {
  const total = st.blocks * st.frsize;
  const availToRoot = st.bfree * st.frsize;
  const availToUser = st.bavail * st.frsize;
  const used = total - availToRoot;
  const totalUser = used + availToUser;
  const percent = totalUser === 0 ? 0 : pyRound1((used / totalUser) * 100);
  return { total, used, free: availToUser, percent };
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
  ENOSYS: 'function not implemented',
  EOVERFLOW: 'value too large for defined data type',
};

function statvfsError(code: string, errno: number, p: string): OsError {
  return new OsError(code, errno, 'statvfs', p, `${code}: ${ERRNO_TEXT[code] ?? code.toLowerCase()}, statvfs '${p}'`);
}

/** statvfs(path) -> usage; errors become OsError{osCode, path} (ENOENT for a missing path, as psutil's OSError). */
export function diskUsage(p: string): DiskUsageRaw {
  let st: native.StatVfs;
  try {
    st = native.statvfs(p);
  } catch (err) {
    if (err instanceof native.NativeError) throw statvfsError(err.osCode, err.errno, p);
    throw err;
  }
  return usageFromStatvfs(st);
}

/**
 * statvfs calls that outlived a caller's timeout, by path (the value is unused: statfs.ts knows whether the call has
 * returned since). A later call for such a path waits on the same call instead of taking another thread.
 */
export type PendingStatvfs = Map<string, true>;

/**
 * statvfs on a thread of its own (statfs.ts: never libuv's pool, which stuck mounts would starve), bounded by
 * `timeoutMs`: rejects with TimeoutExpired when it takes longer (the call goes on, and a late answer is dropped), with
 * OsError when statvfs fails (EAGAIN when no thread was free in time: every one waits on a stuck mount).
 */
export function diskUsageAsync(p: string, timeoutMs: number, pending: PendingStatvfs): Promise<DiskUsageRaw> {
  return statfsThreads()
    .stat(p, timeoutMs)
    .then(
      (st) => {
        pending.delete(p);
        return usageFromStatvfs(st);
      },
      (err: unknown) => {
        if (err instanceof TimeoutExpired) pending.set(p, true);
        else pending.delete(p);
        if (err instanceof OsError && err.syscall === 'statvfs' && err.osCode !== 'EAGAIN')
          throw statvfsError(err.osCode, err.errno, p);
        throw err;
      },
    );
}
