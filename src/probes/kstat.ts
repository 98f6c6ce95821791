/**
 * Kernel statistics for the agent's node_exporter-compatible collectors (not psutil functions): procPressure,
 * fileNr, randomEntropy, softnetStat, schedstat, nfConntrack, procInterrupts, arpEntries, udpQueues. Each returns the
 * file's numbers as the kernel gives them (microseconds, nanoseconds, counts); the reading is in linux/kstat.ts.
 */
import type { Context } from './context';
import type {
  ArpEntry, ConntrackStatCpu, FileNr, InterruptLine, PressureRecord, SchedstatCpu, SoftnetCpu, UdpQueues,
} from './linux/kstat';

export type { ArpEntry, ConntrackStatCpu, FileNr, InterruptLine, PressureLine, PressureRecord, SchedstatCpu, SoftnetCpu, UdpQueues } from './linux/kstat';

/** /proc/pressure/*: null for a resource the kernel does not report (irq before 6.1). */
export interface ProcPressure {
  readonly cpu: PressureRecord | null;
  readonly io: PressureRecord | null;
  readonly memory: PressureRecord | null;
  readonly irq: PressureRecord | null;
}

export interface RandomEntropy {
  /** /proc/sys/kernel/random/entropy_avail. */
  readonly availableBits: number;
  /** /proc/sys/kernel/random/poolsize. */
  readonly poolSizeBits: number;
}

export interface NfConntrack {
  /** /proc/sys/net/netfilter/nf_conntrack_count. */
  readonly entries: number;
  /** /proc/sys/net/netfilter/nf_conntrack_max. */
  readonly entriesLimit: number;
  /** /proc/net/stat/nf_conntrack per CPU (fields by the header's names), null where the file is absent. */
  readonly stat: readonly ConntrackStatCpu[] | null;
}

/** /proc/net/udp and udp6 summed; null for a table the kernel does not have. */
export interface UdpQueuesByFamily {
  readonly v4: UdpQueues | null;
  readonly v6: UdpQueues | null;
}

export function kstatApi(ctx: Context) {
  const k = () => ctx.os.kstat;
  return {
    /** Pressure stall information per resource (totals in microseconds). Throws OsError ENOENT without PSI. */
    procPressure(): ProcPressure {
      const cpu = k().pressure(ctx.fs, 'cpu');
      const io = k().pressure(ctx.fs, 'io');
      const memory = k().pressure(ctx.fs, 'memory');
      const irq = k().pressure(ctx.fs, 'irq');
      return Object.freeze({ cpu, io, memory, irq });
    },
    /** /proc/sys/fs/file-nr: file handles allocated, unused (0 since 2.6) and the maximum. */
    fileNr(): FileNr {
      return k().fileNr(ctx.fs);
    },
    /** The random pool's available entropy and size in bits. */
    randomEntropy(): RandomEntropy {
      return Object.freeze({
        availableBits: k().sysctlUint(ctx.fs, 'sys/kernel/random/entropy_avail'),
        poolSizeBits: k().sysctlUint(ctx.fs, 'sys/kernel/random/poolsize'),
      });
    },
    /** /proc/net/softnet_stat, one record per CPU line. */
    softnetStat(): readonly SoftnetCpu[] {
      return Object.freeze(k().softnet(ctx.fs));
    },
    /** /proc/schedstat's per-CPU run and wait times (ns) and timeslices. Throws OsError ENOENT without CONFIG_SCHEDSTATS. */
    schedstat(): readonly SchedstatCpu[] {
      return Object.freeze(k().schedstat(ctx.fs));
    },
    /** Connection tracking table size, limit and per-CPU statistics. Throws OsError ENOENT without nf_conntrack. */
    nfConntrack(): NfConntrack {
      const stat = k().conntrackStat(ctx.fs);
      return Object.freeze({
        entries: k().sysctlUint(ctx.fs, 'sys/net/netfilter/nf_conntrack_count'),
        entriesLimit: k().sysctlUint(ctx.fs, 'sys/net/netfilter/nf_conntrack_max'),
        stat: stat === null ? null : Object.freeze(stat),
      });
    },
    /** /proc/interrupts, one record per line with a count for every CPU. */
    procInterrupts(): readonly InterruptLine[] {
      return Object.freeze(k().interrupts(ctx.fs));
    },
    /** /proc/net/arp entries. */
    arpEntries(): readonly ArpEntry[] {
      return Object.freeze(k().arp(ctx.fs));
    },
    /** Bytes queued on UDP sockets, summed over /proc/net/udp and udp6. */
    udpQueues(): UdpQueuesByFamily {
      return Object.freeze({ v4: k().udpQueues(ctx.fs, 'udp'), v6: k().udpQueues(ctx.fs, 'udp6') });
    },
  };
}
