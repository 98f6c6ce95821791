/**
 * Hardware and kernel subsystems for node_exporter's timex, mdadm, nfs, nfsd, nvme, dmi, rapl, edac and bonding
 * collectors: adjtimex(2), /proc/mdstat, /proc/net/rpc/{nfs,nfsd}, /sys/class/nvme, /sys/class/dmi/id,
 * /sys/class/powercap, /sys/devices/system/edac/mc, /sys/class/net/bonding_masters. Plain functions taking the ProcFs
 * first, each named as the facade function it serves (probes/platform.ts; library extensions,
 * docs/library-extensions.md). Where the subsystem is absent (no md driver, no NFS, no DMI tables in a VM), each
 * returns null or [], never an error: the collectors above are silent there.
 */
import type { ProcFs } from './procfs';
import { OsError } from '../errors';
import * as native from './native';
import { timexFromRaw, type Timex } from './parse/timex';
import { parseMdstat, type MdDevice } from './parse/mdstat';
import { parseNfsClient, parseNfsServer, type NfsClientStats, type NfsServerStats } from './parse/nfs';
import { parseSysctlUint } from './parse/sysctl';
import { parseXfsStats, type XfsStats } from './parse/xfs';
import { parseKstatTable, parseZpoolIo, type KstatEntry } from './parse/zfs';
import { btrfsAllocationRatio, parseBtrfsCommitStats, type BtrfsCommitStats } from './parse/btrfs';

export type { Timex, MdDevice, NfsClientStats, NfsServerStats, XfsStats, BtrfsCommitStats, KstatEntry };

function isEnoent(err: unknown): boolean {
  return err instanceof OsError && (err.osCode === 'ENOENT' || err.osCode === 'ENOTDIR');
}

/** The kernel's clock discipline (adjtimex(2) with modes 0: a read, no privilege needed). */
export function timex(): Timex {
  return timexFromRaw(native.adjtimex());
}

/** /proc/mdstat; null without the md driver (no such file). */
export function mdstat(fs: ProcFs): MdDevice[] | null {
  const p = fs.proc('mdstat');
  const text = fs.readTextOrNull(p);
  return text === null ? null : parseMdstat(text, p);
}

/** /proc/net/rpc/nfs; null where the NFS client module is not loaded. */
export function nfsClientStats(fs: ProcFs): NfsClientStats | null {
  const p = fs.proc('net/rpc/nfs');
  const text = fs.readTextOrNull(p);
  return text === null ? null : parseNfsClient(text, p);
}

/** /proc/net/rpc/nfsd; null where the NFS server is not loaded. */
export function nfsServerStats(fs: ProcFs): NfsServerStats | null {
  const p = fs.proc('net/rpc/nfsd');
  const text = fs.readTextOrNull(p);
  return text === null ? null : parseNfsServer(text, p);
}

export interface NvmeController {
  readonly device: string;
  /** null where the kernel has no such attribute (cntlid came in 4.x; all of them are absent on a dying device). */
  readonly serial: string | null;
  readonly model: string | null;
  readonly state: string | null;
  readonly firmwareRevision: string | null;
  readonly cntlid: string | null;
}

/** /sys/class/nvme/<controller>: its identity attributes, by controller name. */
export function nvmeControllers(fs: ProcFs): NvmeController[] {
  const dir = fs.sys('class/nvme');
  return fs
    .readdirOrEmpty(dir)
    .sort()
    .map((device) => {
      const a = (name: string): string | null => fs.readAttr(`${dir}/${device}/${name}`);
      return Object.freeze({
        device,
        serial: a('serial'),
        model: a('model'),
        state: a('state'),
        firmwareRevision: a('firmware_rev'),
        cntlid: a('cntlid'),
      });
    });
}

/** The files of /sys/class/dmi/id node_exporter reads, by its label name (sys_vendor is system_vendor). */
const DMI_FILES: ReadonlyArray<readonly [string, string]> = [
  ['bios_date', 'bios_date'],
  ['bios_release', 'bios_release'],
  ['bios_vendor', 'bios_vendor'],
  ['bios_version', 'bios_version'],
  ['board_asset_tag', 'board_asset_tag'],
  ['board_name', 'board_name'],
  ['board_serial', 'board_serial'],
  ['board_vendor', 'board_vendor'],
  ['board_version', 'board_version'],
  ['chassis_asset_tag', 'chassis_asset_tag'],
  ['chassis_serial', 'chassis_serial'],
  ['chassis_vendor', 'chassis_vendor'],
  ['chassis_version', 'chassis_version'],
  ['product_family', 'product_family'],
  ['product_name', 'product_name'],
  ['product_serial', 'product_serial'],
  ['product_sku', 'product_sku'],
  ['product_uuid', 'product_uuid'],
  ['product_version', 'product_version'],
  ['system_vendor', 'sys_vendor'],
];

/**
 * /sys/class/dmi/id: the firmware's identity strings that can be read (the serials and UUID are root-only), by
 * node_exporter's label name; null where the machine has no DMI tables (most VMs without SMBIOS, ARM boards).
 */
export function dmiInfo(fs: ProcFs): Readonly<Record<string, string>> | null {
  const dir = fs.sys('class/dmi/id');
  if (!fs.exists(dir)) return null;
  const out: Record<string, string> = {};
  for (const [label, file] of DMI_FILES) {
    const v = fs.readAttr(`${dir}/${file}`);
    if (v !== null) out[label] = v;
  }
  return Object.freeze(out);
}

export interface RaplZone {
  /** The zone's name without its `-N` suffix: package, core, uncore, dram, psys. */
  readonly name: string;
  /** The `-N` of package-N, else one more than the index of the last zone of that name before it (0 for the first). */
  readonly index: number;
  /** The zone's directory (sysfs root + class/powercap/<dir>), node_exporter's `path` label. */
  readonly path: string;
  readonly microjoules: number;
}

/**
 * /sys/class/powercap/<zone>/energy_uj of every zone that has a name, as procfs' GetRaplZones names them. A zone
 * whose counter cannot be read is left out: energy_uj is root-only since Linux 5.10 (CVE-2020-8694).
 */
export function raplZones(fs: ProcFs): RaplZone[] {
  const dir = fs.sys('class/powercap');
  const seen = new Map<string, number>();
  const out: RaplZone[] = [];
  for (const entry of fs.readdirOrEmpty(dir).sort()) {
    const full = name(fs, `${dir}/${entry}/name`);
    if (full === null) continue;
    const parts = full.split('-');
    let zone = full;
    let index: number;
    if (parts.length === 2 && /^\d+$/.test(parts[1] as string)) {
      zone = parts[0] as string;
      index = Number(parts[1]);
    } else {
      index = seen.get(full) ?? 0;
    }
    // As procfs: the next unsuffixed zone of this name gets this one's index + 1.
    seen.set(zone, index + 1);
    const energy = fs.readAttr(`${dir}/${entry}/energy_uj`);
    if (energy === null) continue;
    const p = `${dir}/${entry}/energy_uj`;
    out.push(Object.freeze({ name: zone, index, path: `${dir}/${entry}`, microjoules: parseSysctlUint(energy, p) }));
  }
  return out;
}

function name(fs: ProcFs, p: string): string | null {
  const v = fs.readAttr(p);
  return v === null || v === '' ? null : v;
}

export interface EdacChannel {
  readonly channel: string;
  /** ch<N>_dimm_label as the kernel has it; null where there is no such file. */
  readonly dimmLabel: string | null;
  readonly correctable: number | null;
  readonly uncorrectable: number | null;
}

export interface EdacCsrow {
  /** The csrow's number, or `unknown` for the controller's errors that name no csrow (ce/ue_noinfo_count). */
  readonly csrow: string;
  readonly correctable: number | null;
  readonly uncorrectable: number | null;
  readonly channels: readonly EdacChannel[];
}

export interface EdacController {
  readonly controller: string;
  readonly correctable: number | null;
  readonly uncorrectable: number | null;
  readonly csrows: readonly EdacCsrow[];
}

const byNumber = (a: string, b: string): number => Number(a) - Number(b);

/** /sys/devices/system/edac/mc/mc<N>: error counts per memory controller, csrow and channel; [] without EDAC. */
export function edacControllers(fs: ProcFs): EdacController[] {
  const root = fs.sys('devices/system/edac/mc');
  const count = (p: string): number | null => {
    const v = fs.readAttr(p);
    return v === null ? null : parseSysctlUint(v, p);
  };
  const numbered = (dir: string, prefix: string): string[] =>
    fs
      .readdirOrEmpty(dir)
      .filter((e) => new RegExp(`^${prefix}\\d+$`).test(e))
      .map((e) => e.slice(prefix.length))
      .sort(byNumber);
  return numbered(root, 'mc').map((mc) => {
    const dir = `${root}/mc${mc}`;
    const csrows: EdacCsrow[] = numbered(dir, 'csrow').map((row) => {
      const rdir = `${dir}/csrow${row}`;
      const channels = [
        ...new Set(
          fs
            .readdirOrEmpty(rdir)
            .map((e) => /^ch(\d+)_(ce|ue)_count$/.exec(e)?.[1])
            .filter((c): c is string => c !== undefined),
        ),
      ]
        .sort(byNumber)
        .map((ch) =>
          Object.freeze({
            channel: ch,
            dimmLabel: fs.readAttr(`${rdir}/ch${ch}_dimm_label`),
            correctable: count(`${rdir}/ch${ch}_ce_count`),
            uncorrectable: count(`${rdir}/ch${ch}_ue_count`),
          }),
        );
      return Object.freeze({
        csrow: row,
        correctable: count(`${rdir}/ce_count`),
        uncorrectable: count(`${rdir}/ue_count`),
        channels: Object.freeze(channels),
      });
    });
    csrows.push(
      Object.freeze({
        csrow: 'unknown',
        correctable: count(`${dir}/ce_noinfo_count`),
        uncorrectable: count(`${dir}/ue_noinfo_count`),
        channels: Object.freeze([]),
      }),
    );
    return Object.freeze({
      controller: mc,
      correctable: count(`${dir}/ce_count`),
      uncorrectable: count(`${dir}/ue_count`),
      csrows: Object.freeze(csrows),
    });
  });
}

export interface BondingMaster {
  readonly master: string;
  /** Slaves configured. */
  readonly slaves: number;
  /** Slaves whose MII status is up. */
  readonly active: number;
}

/**
 * /sys/class/net/bonding_masters and each master's bonding/slaves, with each slave's bonding_slave/mii_status (under
 * lower_<slave>, or slave_<slave> on older kernels); null without the bonding driver.
 */
export function bondingMasters(fs: ProcFs): BondingMaster[] | null {
  const net = fs.sys('class/net');
  const masters = fs.readTextOrNull(`${net}/bonding_masters`);
  if (masters === null) return null;
  const out: BondingMaster[] = [];
  for (const master of masters.trim().split(/\s+/).filter(Boolean)) {
    const slaves = (fs.readText(`${net}/${master}/bonding/slaves`).trim().split(/\s+/) ?? []).filter(Boolean);
    let active = 0;
    for (const slave of slaves) {
      let status: string;
      try {
        status = fs.readText(`${net}/${master}/lower_${slave}/bonding_slave/mii_status`);
      } catch (err) {
        if (!isEnoent(err)) throw err;
        status = fs.readText(`${net}/${master}/slave_${slave}/bonding_slave/mii_status`);
      }
      if (status.trim() === 'up') active++;
    }
    out.push(Object.freeze({ master, slaves: slaves.length, active }));
  }
  return out;
}

export interface XfsDevice {
  /** The filesystem's block device, as /sys/fs/xfs names its directory (sda1, dm-0). */
  readonly device: string;
  readonly stats: XfsStats;
}

/** /sys/fs/xfs/<device>/stats/stats per mounted XFS filesystem; [] without XFS (or with no XFS mounted). */
export function xfsDevices(fs: ProcFs): XfsDevice[] {
  const dir = fs.sys('fs/xfs');
  const out: XfsDevice[] = [];
  for (const device of fs.readdirOrEmpty(dir).sort()) {
    // /sys/fs/xfs/stats is the global statistics directory, not a device: it has no stats/stats below it.
    const p = `${dir}/${device}/stats/stats`;
    const text = fs.readTextOrNull(p);
    if (text !== null) out.push(Object.freeze({ device, stats: parseXfsStats(text, p) }));
  }
  return out;
}

export interface BtrfsLayout {
  /** The block-group profile: single, dup, raid0, raid1, raid10, raid5, raid6, raid1c3, raid1c4. */
  readonly mode: string;
  readonly totalBytes: number;
  readonly usedBytes: number;
  /** Raw bytes per byte stored (procfs' ratio for the profile on this filesystem's device count). */
  readonly ratio: number;
}

export interface BtrfsAllocation {
  /** data, metadata or system. */
  readonly type: string;
  readonly reservedBytes: number;
  readonly layouts: readonly BtrfsLayout[];
}

export interface BtrfsFilesystem {
  readonly uuid: string;
  readonly label: string;
  readonly globalRsvSizeBytes: number;
  /** Member devices' sizes in bytes (sysfs gives 512-byte sectors). */
  readonly devices: ReadonlyArray<{ readonly device: string; readonly sizeBytes: number }>;
  readonly allocation: readonly BtrfsAllocation[];
  /** commit_stats (Linux 5.x+); null where the kernel has no such file. */
  readonly commitStats: BtrfsCommitStats | null;
}

/** /sys/fs/btrfs/<uuid>: each mounted btrfs filesystem's space allocation, devices and commits; [] without btrfs. */
export function btrfsFilesystems(fs: ProcFs): BtrfsFilesystem[] {
  const root = fs.sys('fs/btrfs');
  const num = (p: string): number => {
    const v = fs.readAttr(p);
    return v === null ? 0 : parseSysctlUint(v, p);
  };
  const out: BtrfsFilesystem[] = [];
  // Only the UUID directories are filesystems (the others are `features`, and on newer kernels `debug`).
  for (const uuid of fs.readdirOrEmpty(root).sort()) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(uuid)) continue;
    const dir = `${root}/${uuid}`;
    const devices = fs
      .readdirOrEmpty(`${dir}/devices`)
      .sort()
      .map((device) => Object.freeze({ device, sizeBytes: num(`${dir}/devices/${device}/size`) * 512 }));
    const allocation = ['data', 'metadata', 'system']
      .filter((type) => fs.exists(`${dir}/allocation/${type}`))
      .map((type) => {
        const adir = `${dir}/allocation/${type}`;
        const layouts = fs
          .readdirOrEmpty(adir)
          .sort()
          .filter((mode) => fs.exists(`${adir}/${mode}/total_bytes`))
          .map((mode) =>
            Object.freeze({
              mode,
              totalBytes: num(`${adir}/${mode}/total_bytes`),
              usedBytes: num(`${adir}/${mode}/used_bytes`),
              ratio: btrfsAllocationRatio(mode, devices.length),
            }),
          );
        return Object.freeze({ type, reservedBytes: num(`${adir}/bytes_reserved`), layouts: Object.freeze(layouts) });
      });
    const commitPath = `${dir}/commit_stats`;
    const commit = fs.readTextOrNull(commitPath);
    out.push(
      Object.freeze({
        uuid,
        label: fs.readAttr(`${dir}/label`) ?? '',
        globalRsvSizeBytes: num(`${dir}/allocation/global_rsv_size`),
        devices: Object.freeze(devices),
        allocation: Object.freeze(allocation),
        commitStats: commit === null ? null : parseBtrfsCommitStats(commit, commitPath),
      }),
    );
  }
  return out;
}

/** The kstat tables node_exporter's zfs collector reads, by file. */
export const ZFS_KSTAT_FILES = [
  'abdstats',
  'arcstats',
  'dbufstats',
  'dmu_tx',
  'dnodestats',
  'fm',
  'vdev_cache_stats',
  'vdev_mirror_stats',
  'xuio_stats',
  'zfetchstats',
  'zil',
] as const;

export interface ZfsDataset {
  readonly name: string;
  readonly stats: readonly KstatEntry[];
}

export interface ZfsPool {
  readonly pool: string;
  /** The `state` file (ONLINE, DEGRADED, SUSPENDED, ...); null where the module has none. */
  readonly state: string | null;
  /** The pool's io kstat; null where the module no longer has it (OpenZFS 2.x drops it). */
  readonly io: readonly KstatEntry[] | null;
  readonly datasets: readonly ZfsDataset[];
}

export interface ZfsStats {
  /** Integer rows of each kstat table present, by file name. */
  readonly kstats: Readonly<Record<string, readonly KstatEntry[]>>;
  readonly pools: readonly ZfsPool[];
}

/** /proc/spl/kstat/zfs; null without the ZFS module. */
export function zfsStats(fs: ProcFs): ZfsStats | null {
  const root = fs.proc('spl/kstat/zfs');
  if (!fs.exists(root)) return null;
  const kstats: Record<string, readonly KstatEntry[]> = {};
  for (const file of ZFS_KSTAT_FILES) {
    const p = `${root}/${file}`;
    const text = fs.readTextOrNull(p);
    if (text !== null) kstats[file] = Object.freeze(parseKstatTable(text, p).numbers);
  }
  const pools: ZfsPool[] = [];
  for (const pool of fs.readdirOrEmpty(root).sort()) {
    const dir = `${root}/${pool}`;
    const state = fs.readAttr(`${dir}/state`);
    if (state === null) continue; // not a pool directory (a kstat file, or a pool without state)
    const ioText = fs.readTextOrNull(`${dir}/io`);
    const datasets: ZfsDataset[] = [];
    for (const f of fs.readdirOrEmpty(dir).sort()) {
      if (!f.startsWith('objset-')) continue;
      const p = `${dir}/${f}`;
      const t = parseKstatTable(fs.readText(p), p);
      const name = t.strings['dataset_name'];
      if (name !== undefined) datasets.push(Object.freeze({ name, stats: t.numbers }));
    }
    pools.push(
      Object.freeze({
        pool,
        state,
        io: ioText === null ? null : Object.freeze(parseZpoolIo(ioText, `${dir}/io`)),
        datasets: Object.freeze(datasets),
      }),
    );
  }
  return Object.freeze({ kstats: Object.freeze(kstats), pools: Object.freeze(pools) });
}
