/**
 * Platform facade, ours (docs/library-extensions.md): the kernel's clock discipline and the hardware and kernel
 * subsystems node_exporter's timex, mdadm, nfs, nfsd, nvme, dmi, rapl, edac, bonding, xfs, btrfs and zfs collectors read, which psutil
 * does not expose. The reading is in linux/platform.ts. Each returns null or [] where the subsystem is absent.
 */
import type { Context } from './context';
import type {
  ZfsStats,
  BondingMaster,
  BtrfsFilesystem,
  EdacController,
  MdDevice,
  NfsClientStats,
  NfsServerStats,
  NvmeController,
  RaplZone,
  Timex,
  XfsDevice,
} from './linux/platform';
export type {
  ZfsStats,
  ZfsPool,
  ZfsDataset,
  KstatEntry,
  BondingMaster,
  BtrfsFilesystem,
  BtrfsAllocation,
  BtrfsLayout,
  EdacController,
  EdacCsrow,
  EdacChannel,
  MdDevice,
  NfsClientStats,
  NfsServerStats,
  NvmeController,
  RaplZone,
  Timex,
  XfsDevice,
} from './linux/platform';
export type { XfsStats } from './linux/parse/xfs';
export type { BtrfsCommitStats } from './linux/parse/btrfs';
export type { MdActivityState } from './linux/parse/mdstat';
export type { NfsProcedure, NfsNetwork, NfsClientRpc, NfsServerRpc } from './linux/parse/nfs';

export function platformApi(ctx: Context) {
  return {
    // ---- ours (not psutil's; docs/library-extensions.md) ----
    /** adjtimex(2)'s clock state in seconds, ratios and hertz (the live kernel's: roots do not apply). */
    timex(): Timex {
      return ctx.os.platform.timex();
    },
    /** /proc/mdstat's md devices; null without the md driver. */
    mdstat(): readonly MdDevice[] | null {
      const r = ctx.os.platform.mdstat(ctx.fs);
      return r === null ? null : Object.freeze(r);
    },
    /** /proc/net/rpc/nfs, the NFS client's RPC counters; null without the NFS client. */
    nfsClientStats(): NfsClientStats | null {
      return ctx.os.platform.nfsClientStats(ctx.fs);
    },
    /** /proc/net/rpc/nfsd, the NFS server's counters; null without the NFS server. */
    nfsServerStats(): NfsServerStats | null {
      return ctx.os.platform.nfsServerStats(ctx.fs);
    },
    /** /sys/class/nvme: each NVMe controller's identity. */
    nvmeControllers(): readonly NvmeController[] {
      return Object.freeze(ctx.os.platform.nvmeControllers(ctx.fs));
    },
    /** /sys/class/dmi/id's readable identity strings by node_exporter's label name; null without DMI. */
    dmiInfo(): Readonly<Record<string, string>> | null {
      return ctx.os.platform.dmiInfo(ctx.fs);
    },
    /** /sys/class/powercap RAPL zones' energy counters (readable ones: energy_uj is root-only on 5.10+). */
    raplZones(): readonly RaplZone[] {
      return Object.freeze(ctx.os.platform.raplZones(ctx.fs));
    },
    /** /sys/devices/system/edac/mc: memory error counts per controller, csrow and channel. */
    edacControllers(): readonly EdacController[] {
      return Object.freeze(ctx.os.platform.edacControllers(ctx.fs));
    },
    /** /sys/class/net bonding masters with their configured and MII-up slaves; null without the bonding driver. */
    bondingMasters(): readonly BondingMaster[] | null {
      const r = ctx.os.platform.bondingMasters(ctx.fs);
      return r === null ? null : Object.freeze(r);
    },
    /** /sys/fs/xfs/<device>/stats/stats per mounted XFS filesystem. */
    xfsDevices(): readonly XfsDevice[] {
      return Object.freeze(ctx.os.platform.xfsDevices(ctx.fs));
    },
    /** /sys/fs/btrfs/<uuid> per mounted btrfs filesystem: allocation by type and profile, devices, commits. */
    btrfsFilesystems(): readonly BtrfsFilesystem[] {
      return Object.freeze(ctx.os.platform.btrfsFilesystems(ctx.fs));
    },
    /** /proc/spl/kstat/zfs: the module's kstat tables and each pool's state, io and datasets; null without ZFS. */
    zfsStats(): ZfsStats | null {
      return ctx.os.platform.zfsStats(ctx.fs);
    },
  };
}
