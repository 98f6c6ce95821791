/**
 * Kernel subsystems facade, ours (docs/library-extensions.md): ipvs, fibreChannelHosts, scsiTapes, infinibandDevices,
 * selinux, bcacheSets. The reading is in linux/subsystems.ts. Each
 * function returns null or [] on a host without the subsystem.
 */
import type { Context } from './context';
import type {
  BcacheSet as BcacheSetData,
  FcCounter,
  InfinibandDevice,
  IpvsBackend,
  IpvsStats,
  SelinuxStatus,
  TapeCounter,
} from './linux/subsystems';
export type {
  BcachePeriodCounter,
  BcacheWritebackRateDebug,
  FcCounter,
  IpvsBackend,
  IpvsStats,
  TapeCounter,
} from './linux/subsystems';
/** One bcache cache set with its backing and cache devices (not a psutil function): bytes, sectors, counts. */
export type BcacheSet = Readonly<BcacheSetData>;
/** SELinux's state: enabled, configured and current modes, AVC statistics (not a psutil function). */
export type Selinux = Readonly<SelinuxStatus>;
/** An InfiniBand HCA and its ports (not a psutil function). */
export type Infiniband = Readonly<InfinibandDevice>;

/** IPVS totals and the real servers of every virtual service (not a psutil function). */
export interface Ipvs {
  readonly stats: IpvsStats;
  readonly backends: readonly IpvsBackend[];
}

/** One fibre channel host adapter port (not a psutil function). */
export interface FibreChannelHost {
  readonly name: string;
  /** speed, port_state, port_type, port_id, port_name, node_name, fabric_name, ... where the driver has them. */
  readonly attributes: Readonly<Record<string, string>>;
  /** statistics/*: 0 where the file is absent, null where the driver reports 2^64 - 1 (not implemented). */
  readonly counters: Readonly<Record<FcCounter, number | null>>;
}

/** One SCSI tape drive's statistics (not a psutil function): counts, bytes and nanoseconds. */
export interface ScsiTape {
  readonly name: string;
  readonly counters: Readonly<Record<TapeCounter, number>>;
}

export function subsystemsApi(ctx: Context) {
  return {
    // ---- ours (not psutil's; docs/library-extensions.md) ----
    /** /proc/net/ip_vs_stats and /proc/net/ip_vs; null where IPVS is not loaded. */
    ipvs(): Ipvs | null {
      const v = ctx.os.subsystems.ipvs(ctx.fs);
      return v === null ? null : Object.freeze({ stats: v.stats, backends: Object.freeze(v.backends) });
    },
    /** /sys/class/fc_host/*: attributes and statistics of each port; [] without fibre channel. */
    fibreChannelHosts(): readonly FibreChannelHost[] {
      return Object.freeze(
        ctx.os.subsystems.fibreChannelHosts(ctx.fs).map((h) =>
          Object.freeze({
            name: h.name,
            attributes: Object.freeze(h.attributes),
            counters: Object.freeze(h.counters),
          }),
        ),
      );
    },
    /** /sys/class/infiniband/*: each HCA's identity and its ports' state, rate and counters; [] without any. */
    infinibandDevices(): readonly Infiniband[] {
      return Object.freeze(ctx.os.subsystems.infinibandDevices(ctx.fs).map((d) => Object.freeze(d)));
    },
    /** SELinux from <sysfs>/fs/selinux and <rootfs>/etc/selinux/config; `enabled: false` without selinuxfs. */
    selinux(): Selinux {
      return Object.freeze(ctx.os.subsystems.selinuxStatus(ctx.fs));
    },
    /**
     * /sys/fs/bcache/<uuid>: each cache set, its backing devices (`bdev<N>`) and cache devices (`cache<N>`); [] without
     * bcache. `priorityStats` also reads each cache device's priority_stats, which the kernel computes by walking
     * every bucket (node_exporter's --collector.bcache.priorityStats); their `priority` is null otherwise.
     */
    bcacheSets(options: { priorityStats?: boolean } = {}): readonly BcacheSet[] {
      return Object.freeze(
        ctx.os.subsystems.bcacheSets(ctx.fs, options.priorityStats === true).map((b) => Object.freeze(b)),
      );
    },
    /** /sys/class/scsi_tape/st<N>/stats; [] without tape drives. */
    scsiTapes(): readonly ScsiTape[] {
      return Object.freeze(
        ctx.os.subsystems
          .scsiTapes(ctx.fs)
          .map((t) => Object.freeze({ name: t.name, counters: Object.freeze(t.counters) })),
      );
    },
  };
}
