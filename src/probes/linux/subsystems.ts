/**
 * Kernel subsystems node_exporter has a collector each for and psutil nothing: IPVS (/proc/net/ip_vs*), and the sysfs
 * classes of storage and fabric hardware (fibre channel hosts, InfiniBand ports, SCSI tapes, bcache, SELinux). Plain
 * functions taking the ProcFs first; each returns null or [] where the kernel or the hardware does not have the
 * files, so that a collector on such a host is silent rather than failing.
 */
import type { ProcFs } from './procfs';
import { OsError } from '../errors';
import { parseIpvsBackends, parseIpvsStats, type IpvsBackend, type IpvsStats } from './parse/ipvs';
import { parseIbRate, parseIbState, parseSysfsUint64, U64_MAX } from './parse/sysattr';
import { parseAvcCacheStats, parseAvcHashStats, parseSelinuxConfigMode, type AvcHashStats } from './parse/selinux';
import { parseSysctlUint } from './parse/sysctl';
import {
  parseBcacheValue,
  parsePriorityStats,
  parseWritebackRateDebug,
  type BcacheWritebackRateDebug,
} from './parse/bcache';

export type { IpvsBackend, IpvsStats, BcacheWritebackRateDebug };

function isEnoent(err: unknown): boolean {
  return err instanceof OsError && (err.osCode === 'ENOENT' || err.osCode === 'ENOTDIR');
}

/** /proc/net/ip_vs_stats and /proc/net/ip_vs; null where the ip_vs module is not loaded (no ip_vs_stats). */
export function ipvs(fs: ProcFs): { stats: IpvsStats; backends: IpvsBackend[] } | null {
  const sp = fs.proc('net/ip_vs_stats');
  const statsText = fs.readTextOrNull(sp);
  if (statsText === null) return null;
  const bp = fs.proc('net/ip_vs');
  try {
    // One line per virtual service and real server: can be large on a balancer, hence the ordinary capped read.
    return { stats: parseIpvsStats(statsText, sp), backends: parseIpvsBackends(fs.readText(bp, 64 << 20), bp) };
  } catch (err) {
    if (isEnoent(err)) return { stats: parseIpvsStats(statsText, sp), backends: [] };
    throw err;
  }
}

/** A class entry's directory: itself, or where a fixture tree's link file (a text file holding `../..`) points. */
function classDir(fs: ProcFs, dir: string): string | null {
  if (!fs.exists(dir)) return null;
  if (fs.stat(dir).isDirectory()) return dir;
  const target = (fs.readAttr(dir) ?? '').replace(/\/+$/, '');
  if (!target.startsWith('../')) return null;
  const q = `${dir.slice(0, dir.lastIndexOf('/'))}/${target}`;
  return fs.exists(q) && fs.stat(q).isDirectory() ? q : null;
}

/** An unsigned counter attribute; null where absent or unreadable (EINVAL, EOPNOTSUPP from write-only files). */
function u64Attr(fs: ProcFs, p: string): bigint | null {
  const v = fs.readAttr(p);
  return v === null ? null : parseSysfsUint64(v, p);
}

export const FC_COUNTERS = [
  'dumped_frames',
  'error_frames',
  'invalid_crc_count',
  'rx_frames',
  'rx_words',
  'tx_frames',
  'tx_words',
  'seconds_since_last_reset',
  'invalid_tx_word_count',
  'link_failure_count',
  'loss_of_sync_count',
  'loss_of_signal_count',
  'nos_count',
  'fcp_packet_aborts',
] as const;
export type FcCounter = (typeof FC_COUNTERS)[number];

export interface FibreChannelHost {
  name: string;
  /** speed, port_state, ..., as printed; the four 0x-prefixed names with the prefix cut, as procfs does. */
  attributes: Record<string, string>;
  /** statistics/<counter>: 0 where the file is absent, null where the driver reports 2^64 - 1 (not implemented). */
  counters: Record<FcCounter, number | null>;
}

const FC_ATTRS = [
  'speed',
  'port_state',
  'port_type',
  'node_name',
  'port_id',
  'port_name',
  'fabric_name',
  'dev_loss_tmo',
  'symbolic_name',
  'supported_classes',
  'supported_speeds',
];
const FC_HEX_NAMES = new Set(['node_name', 'port_id', 'port_name', 'fabric_name']);

/** /sys/class/fc_host/*; [] where the class is absent (no fibre channel HBA). */
export function fibreChannelHosts(fs: ProcFs): FibreChannelHost[] {
  const root = fs.sys('class/fc_host');
  const out: FibreChannelHost[] = [];
  for (const name of fs.readdirOrEmpty(root).sort()) {
    const dir = classDir(fs, `${root}/${name}`);
    if (dir === null) continue;
    const attributes: Record<string, string> = {};
    for (const a of FC_ATTRS) {
      let v = fs.readAttr(`${dir}/${a}`);
      if (v === null) continue;
      // procfs drops the first two characters (the 0x) of these whenever the value is longer than two.
      if (FC_HEX_NAMES.has(a) && v.length > 2) v = v.slice(2);
      attributes[a] = v;
    }
    const counters = {} as Record<FcCounter, number | null>;
    for (const c of FC_COUNTERS) {
      const v = u64Attr(fs, `${dir}/statistics/${c}`);
      counters[c] = v === null ? 0 : v === U64_MAX ? null : Number(v);
    }
    out.push({ name, attributes, counters });
  }
  return out;
}

export const TAPE_COUNTERS = [
  'in_flight',
  'io_ns',
  'other_cnt',
  'read_byte_cnt',
  'read_cnt',
  'read_ns',
  'resid_cnt',
  'write_byte_cnt',
  'write_cnt',
  'write_ns',
] as const;
export type TapeCounter = (typeof TAPE_COUNTERS)[number];

export interface ScsiTape {
  /** `st0`: the rewinding device; its nst and mode (l, m, a) siblings share its statistics and are left out. */
  name: string;
  counters: Record<TapeCounter, number>;
}

/** /sys/class/scsi_tape/st<N>/stats/*; [] where the class is absent. A tape lacking a stats file fails. */
export function scsiTapes(fs: ProcFs): ScsiTape[] {
  const root = fs.sys('class/scsi_tape');
  const out: ScsiTape[] = [];
  for (const name of fs.readdirOrEmpty(root).sort()) {
    if (!/^st\d+$/.test(name)) continue;
    const dir = classDir(fs, `${root}/${name}`);
    if (dir === null) continue;
    const counters = {} as Record<TapeCounter, number>;
    for (const c of TAPE_COUNTERS) {
      const p = `${dir}/stats/${c}`;
      counters[c] = Number(parseSysfsUint64(fs.readText(p), p));
    }
    out.push({ name, counters });
  }
  return out;
}

export interface InfinibandPort {
  port: number;
  /** The number before `:` of `state` (`4: ACTIVE`) and `phys_state` (`5: LinkUp`). */
  stateId: number;
  physStateId: number;
  /** `rate` (`40 Gb/sec (4X QDR)`) in bytes per second. */
  rateBytesPerSecond: number;
  /** counters/* and counters_ext/* by file name, data counters in bytes (the kernel counts 4-byte words). */
  counters: Record<string, number>;
}

export interface InfinibandDevice {
  name: string;
  boardId: string;
  firmwareVersion: string;
  hcaType: string;
  ports: InfinibandPort[];
}

/** Data counters count 4-octet words (IBA 16.1.3.5): procfs multiplies them by 4. */
const IB_WORD_COUNTERS = new Set(['port_rcv_data', 'port_xmit_data', 'port_rcv_data_64', 'port_xmit_data_64']);

/** /sys/class/infiniband/<device>/ports/<n>; [] where the class is absent. Counters reading `N/A` are left out. */
export function infinibandDevices(fs: ProcFs): InfinibandDevice[] {
  const root = fs.sys('class/infiniband');
  const out: InfinibandDevice[] = [];
  for (const name of fs.readdirOrEmpty(root).sort()) {
    const dir = classDir(fs, `${root}/${name}`);
    if (dir === null) continue;
    const ports: InfinibandPort[] = [];
    const portNames = fs
      .readdirOrEmpty(`${dir}/ports`)
      .filter((n) => /^\d+$/.test(n))
      .sort((a, b) => Number(a) - Number(b));
    for (const pn of portNames) {
      const pd = `${dir}/ports/${pn}`;
      const counters: Record<string, number> = {};
      for (const sub of ['counters', 'counters_ext']) {
        for (const c of fs.readdirOrEmpty(`${pd}/${sub}`)) {
          const p = `${pd}/${sub}/${c}`;
          const v = fs.readAttr(p);
          // A port without a performance management agent reads `N/A (no PMA)`: no such counter.
          if (v === null || v.startsWith('N/A')) continue;
          const n = Number(parseSysfsUint64(v, p));
          counters[c] = IB_WORD_COUNTERS.has(c) ? n * 4 : n;
        }
      }
      ports.push({
        port: Number(pn),
        stateId: parseIbState(fs.readText(`${pd}/state`, 4096), `${pd}/state`),
        physStateId: parseIbState(fs.readText(`${pd}/phys_state`, 4096), `${pd}/phys_state`),
        rateBytesPerSecond: parseIbRate(fs.readText(`${pd}/rate`, 4096), `${pd}/rate`),
        counters,
      });
    }
    out.push({
      name,
      boardId: fs.readAttr(`${dir}/board_id`) ?? '',
      firmwareVersion: fs.readAttr(`${dir}/fw_ver`) ?? '',
      hcaType: fs.readAttr(`${dir}/hca_type`) ?? '',
      ports,
    });
  }
  return out;
}

export interface SelinuxStatus {
  /** selinuxfs is there (<sysfs>/fs/selinux/enforce): the kernel runs SELinux. */
  enabled: boolean;
  /** <rootfs>/etc/selinux/config's SELINUX=: 1 enforcing, 0 permissive, -1 disabled or absent. */
  configMode: number;
  /** fs/selinux/enforce: 1 enforcing, 0 permissive (-1 when not enabled). */
  currentMode: number;
  /** fs/selinux/avc/cache_stats summed over CPUs; null where the file is absent. */
  avcCache: Record<string, number> | null;
  avcHash: AvcHashStats | null;
  avcThreshold: number | null;
}

/** SELinux's state from selinuxfs and the host's config (node_exporter's selinux collector). */
export function selinuxStatus(fs: ProcFs): SelinuxStatus {
  const enforce = fs.readAttr(fs.sys('fs/selinux/enforce'));
  const cfg = fs.readTextOrNull(fs.root('/etc/selinux/config'));
  const configMode = cfg === null ? -1 : parseSelinuxConfigMode(cfg);
  if (enforce === null)
    return { enabled: false, configMode, currentMode: -1, avcCache: null, avcHash: null, avcThreshold: null };
  const cp = fs.sys('fs/selinux/avc/cache_stats');
  const hp = fs.sys('fs/selinux/avc/hash_stats');
  const tp = fs.sys('fs/selinux/avc/cache_threshold');
  const c = fs.readTextOrNull(cp);
  const h = fs.readTextOrNull(hp);
  const t = fs.readTextOrNull(tp);
  return {
    enabled: true,
    configMode,
    currentMode: parseSysctlUint(enforce, fs.sys('fs/selinux/enforce')) === 1 ? 1 : 0,
    avcCache: c === null ? null : parseAvcCacheStats(c, cp),
    avcHash: h === null ? null : parseAvcHashStats(h, hp),
    avcThreshold: t === null ? null : parseSysctlUint(t, tp),
  };
}

/** The files of a bcache stats_<period> directory; only stats_total is read (node_exporter exports no other). */
export const BCACHE_PERIOD_COUNTERS = [
  'bypassed',
  'cache_bypass_hits',
  'cache_bypass_misses',
  'cache_hits',
  'cache_miss_collisions',
  'cache_misses',
  'cache_readaheads',
] as const;
export type BcachePeriodCounter = (typeof BCACHE_PERIOD_COUNTERS)[number];

export interface BcacheBackingDevice {
  /** `bdev0`: the link's name in the cache set's directory. */
  name: string;
  dirtyData: number;
  writebackRateDebug: BcacheWritebackRateDebug;
  /** stats_total/*: bypassed in bytes, the others counts. */
  total: Record<BcachePeriodCounter, number>;
}

export interface BcacheCacheDevice {
  /** `cache0`. */
  name: string;
  ioErrors: number;
  metadataWritten: number;
  written: number;
  /** priority_stats' percentages; null unless asked for (the kernel walks every bucket to print the file). */
  priority: { unusedPercent: number; metadataPercent: number } | null;
}

export interface BcacheSet {
  /** The cache set's UUID (its directory under /sys/fs/bcache). */
  uuid: string;
  averageKeySize: number;
  btreeCacheSize: number;
  cacheAvailablePercent: number;
  congested: number;
  rootUsagePercent: number;
  treeDepth: number;
  activeJournalEntries: number;
  btreeNodes: number;
  /** internal/btree_read_average_duration_us as written (node_exporter takes it for nanoseconds). */
  btreeReadAverageDuration: number;
  cacheReadRaces: number;
  total: Record<BcachePeriodCounter, number>;
  backingDevices: BcacheBackingDevice[];
  cacheDevices: BcacheCacheDevice[];
}

function bcacheValue(fs: ProcFs, p: string): number {
  return parseBcacheValue(fs.readText(p), p);
}

function bcachePeriod(fs: ProcFs, dir: string): Record<BcachePeriodCounter, number> {
  const out = {} as Record<BcachePeriodCounter, number>;
  for (const c of BCACHE_PERIOD_COUNTERS) out[c] = bcacheValue(fs, `${dir}/${c}`);
  return out;
}

/** Members of a cache set named `<prefix><digits>` (procfs's bdev[0-9]* and cache[0-9]* globs), sorted. */
function bcacheMembers(fs: ProcFs, set: string, prefix: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of fs.readdirOrEmpty(set).sort()) {
    if (!name.startsWith(prefix) || !/^\d/.test(name.slice(prefix.length))) continue;
    const dir = classDir(fs, `${set}/${name}`);
    if (dir !== null) out.push([name, dir]);
  }
  return out;
}

/**
 * /sys/fs/bcache/<uuid>: each cache set's btree and journal state, its backing devices' dirty data, writeback
 * controller and stats_total, its cache devices' error and write counters and, with `priorityStats`, their
 * priority_stats. [] where bcache is not loaded; a set missing one of these files fails, as in procfs.
 */
export function bcacheSets(fs: ProcFs, priorityStats: boolean): BcacheSet[] {
  const root = fs.sys('fs/bcache');
  const out: BcacheSet[] = [];
  // procfs globs `*-*`: the UUIDs, not the `register` and `register_quiet` files beside them.
  for (const uuid of fs.readdirOrEmpty(root).sort()) {
    if (!uuid.includes('-')) continue;
    const d = `${root}/${uuid}`;
    const v = (f: string) => bcacheValue(fs, `${d}/${f}`);
    out.push({
      uuid,
      averageKeySize: v('average_key_size'),
      btreeCacheSize: v('btree_cache_size'),
      cacheAvailablePercent: v('cache_available_percent'),
      congested: v('congested'),
      rootUsagePercent: v('root_usage_percent'),
      treeDepth: v('tree_depth'),
      activeJournalEntries: v('internal/active_journal_entries'),
      btreeNodes: v('internal/btree_nodes'),
      btreeReadAverageDuration: v('internal/btree_read_average_duration_us'),
      cacheReadRaces: v('internal/cache_read_races'),
      total: bcachePeriod(fs, `${d}/stats_total`),
      backingDevices: bcacheMembers(fs, d, 'bdev').map(([name, dir]) => {
        const wp = `${dir}/writeback_rate_debug`;
        return {
          name,
          dirtyData: bcacheValue(fs, `${dir}/dirty_data`),
          writebackRateDebug: parseWritebackRateDebug(fs.readText(wp), wp),
          total: bcachePeriod(fs, `${dir}/stats_total`),
        };
      }),
      cacheDevices: bcacheMembers(fs, d, 'cache').map(([name, dir]) => {
        const pp = `${dir}/priority_stats`;
        return {
          name,
          ioErrors: bcacheValue(fs, `${dir}/io_errors`),
          metadataWritten: bcacheValue(fs, `${dir}/metadata_written`),
          written: bcacheValue(fs, `${dir}/written`),
          priority: priorityStats ? parsePriorityStats(fs.readText(pp), pp) : null,
        };
      }),
    });
  }
  return out;
}
