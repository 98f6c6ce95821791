/**
 * Linux network backend: /proc/net/{dev,tcp,tcp6,udp,udp6,unix,sockstat,sockstat6,netstat,snmp,snmp6},
 * /sys/class/net/<nic>/*, and getifaddrs(3). Plain functions taking the ProcFs first.
 *
 * Reusable by the Process API:
 *
 *   connections(fs: ProcFs, kind: ConnKind, pid?: number): Connection[]
 *
 *   - kind: one of CONN_KINDS ('inet' 'inet4' 'inet6' 'tcp' 'tcp4' 'tcp6' 'udp' 'udp4' 'udp6' 'unix' 'all');
 *     validate first with isConnKind() (the facade throws the TypeError).
 *   - pid undefined: system-wide, psutil's net_connections(). Every /proc/<pid>/fd is scanned for `socket:[N]`
 *     links; processes whose fd dir cannot be read (EACCES/EPERM, or gone: ENOENT/ESRCH) are skipped, so their
 *     sockets come out with pid null and fd -1.
 *   - pid given: psutil's Process.net_connections(): only /proc/<pid>/fd is read (no scan of other processes) and
 *     only sockets of that pid are returned; [] when it has none. An unreadable /proc/<pid>/fd throws the OsError
 *     (osCode ENOENT/ESRCH/EACCES/EPERM, path set) for the caller to turn into NoSuchProcess/AccessDenied.
 *   - Entries are frozen `{ fd, family, type, laddr, raddr, status, pid }`, deduplicated like psutil's set(), in
 *     file order (tcp, tcp6, udp, udp6, unix). laddr/raddr: `{ ip, port }`, null for psutil's `()` (port 0); for
 *     AF_UNIX laddr is the path string ('' when unbound) and raddr is always ''. The Process API drops `pid`.
 *   - A missing tcp6/udp6 (IPv6 disabled) is skipped; any other missing file throws OsError; garbage ParseError.
 */
import { OsError, ParseError } from '../errors';
import {
  AF_INET,
  AF_INET6,
  AF_LINK,
  AF_UNIX,
  CONN_NONE,
  NIC_DUPLEX_FULL,
  NIC_DUPLEX_HALF,
  NIC_DUPLEX_UNKNOWN,
  SOCK_DGRAM,
  SOCK_STREAM,
  type ConnectionStatus,
} from '../constants';
import type { ProcFs } from './procfs';
import { attrInt, ETH_DUPLEX_FULL, ETH_DUPLEX_HALF, nicDir, readSysOrNull, sysInt } from './netclass';
import * as native from './native';
import * as nativeNet from './native-net';
import { pageSizeBytes } from './sysconf';
import { parseNetDev, type NetDevCounters } from './parse/netdev';
import {
  TCP_STATUSES,
  countTcpStates,
  parseInetSockets,
  parseUnixSockets,
  type InetAddr,
  type InodeFilter,
} from './parse/netconn';
import { parseSockStat } from './parse/sockstat';
import { addNetstat, addSnmp6, freeze as freezeNetstat, type NetstatFields, type NetstatRecord } from './parse/netstat';

export type { InetAddr } from './parse/netconn';
export type { NetDevCounters } from './parse/netdev';
export type { NetstatRecord } from './parse/netstat';

// ---------------------------------------------------------------------------------------------------------------
// /proc/net/dev

/**
 * The longest line of the /proc/net seq_files read here: tcp lines are padded to 150 bytes, tcp6 ~180, udp 128,
 * unix ~60 + a path of at most 108, dev a name and 16 numbers (< 400). A read shorter than a page minus this reached
 * the end (see ReadEnd), which spares the read of 0 bytes: for tcp and tcp6 that read walks the whole established
 * hash table again, as long as the useful one.
 */
const NET_LINE_MAX = 512;

export function netDev(fs: ProcFs): Readonly<Record<string, NetDevCounters>> {
  const p = fs.proc('net/dev');
  // Kept open and re-read from offset 0 on a real procfs (see ProcFs.readHot).
  return parseNetDev(fs.readHotText(p, undefined, NET_LINE_MAX), p);
}

/**
 * /sys/class/net/<nic>/statistics/rx_nohandler for each /proc/net/dev interface that has it (Linux 4.6+): packets
 * dropped for want of a protocol handler, which /proc/net/dev does not print (node_exporter reads it over netlink).
 */
export function netRxNohandler(fs: ProcFs): Record<string, number> {
  const out: Record<string, number> = {};
  for (const nic of Object.keys(netDev(fs))) {
    // Straight to the attribute; a fixture tree's link file (no directory there) takes the nicDir() way.
    let text = fs.readAttr(fs.sys(`class/net/${nic}/statistics/rx_nohandler`));
    if (text === null) {
      const dir = nicDir(fs, nic);
      text = dir === null ? null : fs.readAttr(`${dir}/statistics/rx_nohandler`);
    }
    if (text !== null && /^\d+$/.test(text)) out[nic] = Number(text);
  }
  return out;
}

/** psutil's snetio fields, in its order. */
export const NET_IO_FIELDS = [
  'bytesSent',
  'bytesRecv',
  'packetsSent',
  'packetsRecv',
  'errin',
  'errout',
  'dropin',
  'dropout',
] as const;
export type NetIoCounters = { readonly [K in (typeof NET_IO_FIELDS)[number]]: number };

/** Per NIC, the 8 of the 16 /proc/net/dev columns psutil reports, frozen (not yet nowrap-compensated). */
export function netIoCounters(fs: ProcFs): Record<string, NetIoCounters> {
  const dev = netDev(fs);
  const out: Array<[string, NetIoCounters]> = [];
  for (const [nic, c] of Object.entries(dev)) {
    out.push([
      nic,
      Object.freeze({
        bytesSent: c.transmitBytes,
        bytesRecv: c.receiveBytes,
        packetsSent: c.transmitPackets,
        packetsRecv: c.receivePackets,
        errin: c.receiveErrs,
        errout: c.transmitErrs,
        dropin: c.receiveDrop,
        dropout: c.transmitDrop,
      }),
    ]);
  }
  return Object.fromEntries(out);
}

// ---------------------------------------------------------------------------------------------------------------
// connections

export const CONN_KINDS = [
  'inet',
  'inet4',
  'inet6',
  'tcp',
  'tcp4',
  'tcp6',
  'udp',
  'udp4',
  'udp6',
  'unix',
  'all',
] as const;
export type ConnKind = (typeof CONN_KINDS)[number];

export function isConnKind(k: unknown): k is ConnKind {
  return typeof k === 'string' && (CONN_KINDS as readonly string[]).includes(k);
}

export type Connection = {
  readonly fd: number;
  readonly family: number;
  readonly type: number;
  readonly laddr: InetAddr | string | null;
  readonly raddr: InetAddr | string | null;
  readonly status: ConnectionStatus;
  readonly pid: number | null;
};

interface NetTable {
  readonly file: string;
  readonly family: number;
  /** SOCK_STREAM / SOCK_DGRAM; 0 for unix, whose lines carry their own type. */
  readonly type: number;
}

const TCP4: NetTable = { file: 'tcp', family: AF_INET, type: SOCK_STREAM };
const TCP6: NetTable = { file: 'tcp6', family: AF_INET6, type: SOCK_STREAM };
const UDP4: NetTable = { file: 'udp', family: AF_INET, type: SOCK_DGRAM };
const UDP6: NetTable = { file: 'udp6', family: AF_INET6, type: SOCK_DGRAM };
const UNIX: NetTable = { file: 'unix', family: AF_UNIX, type: 0 };

/** psutil's Connections.tmap. */
const KIND_TABLES: Readonly<Record<ConnKind, readonly NetTable[]>> = {
  all: [TCP4, TCP6, UDP4, UDP6, UNIX],
  tcp: [TCP4, TCP6],
  tcp4: [TCP4],
  tcp6: [TCP6],
  udp: [UDP4, UDP6],
  udp4: [UDP4],
  udp6: [UDP6],
  unix: [UNIX],
  inet: [TCP4, TCP6, UDP4, UDP6],
  inet4: [TCP4, UDP4],
  inet6: [TCP6, UDP6],
};

/** The socket tables can be large on busy hosts (~150 bytes a socket): read whole, but not without bound. */
const NET_TABLE_CAP = 256 << 20;

/** Reads a /proc/net table; null when it is absent and `optional` (tcp6/udp6/sockstat6/snmp6 without IPv6). */
function readNetFile(fs: ProcFs, p: string, optional: boolean): Buffer | null {
  try {
    const { buf, truncated } = fs.readCapped(p, NET_TABLE_CAP, NET_LINE_MAX);
    if (truncated) throw new ParseError(p, `larger than ${NET_TABLE_CAP} bytes`);
    return buf;
  } catch (err) {
    if (optional && err instanceof OsError && err.osCode === 'ENOENT') return null;
    throw err;
  }
}

type FdRef = readonly [pid: number, fd: number];

// Entries that vanish between readdir and readlink, and entries that are not links or have absurd targets
// (psutil get_proc_inodes: ENOENT/ESRCH, EINVAL, ENAMETOOLONG #1940): skip the fd.
const FD_SKIP = new Set(['ENOENT', 'ESRCH', 'EINVAL', 'ENAMETOOLONG']);
// Any other failure of one fd gives up on the process (thrown): its listing can stop there.
const FD_FATAL: ReadonlySet<string> = new Set(['EACCES', 'EPERM', 'EIO', 'ELOOP', 'ENOTDIR']);
// A whole process skipped in the system-wide scan: other users' fd dirs when unprivileged, or the process is gone.
const PID_SKIP = new Set(['EACCES', 'EPERM', 'ENOENT', 'ESRCH']);

/**
 * inode -> [(pid, fd), ...] for one process, fds ascending (the order /proc lists them in, and so psutil's: with one
 * socket at several fds, the lowest comes first). Throws OsError if fd/ cannot be listed.
 */
function procInodes(fs: ProcFs, pid: number): Map<string, FdRef[]> {
  const dir = fs.proc(`${pid}/fd`);
  const out = new Map<string, FdRef[]>();
  const entries = fs.readlinksIn(dir, 'socket:[', FD_FATAL);
  // /proc lists fds ascending already; a fixture tree's directory order is the filesystem's.
  for (let i = 1; i < entries.length; i++) {
    if (Number(entries[i - 1]!.name) > Number(entries[i]!.name)) {
      entries.sort((a, b) => Number(a.name) - Number(b.name));
      break;
    }
  }
  for (const e of entries) {
    if (e.osCode !== null) {
      if (FD_SKIP.has(e.osCode)) continue;
      throw fs.readlinkError(dir, e);
    }
    const target = e.target;
    if (target === null) continue;
    const name = e.name;
    const inode = target.slice(8, -1);
    const fd = Number(name);
    const list = out.get(inode);
    if (list) list.push([pid, fd]);
    else out.set(inode, [[pid, fd]]);
  }
  return out;
}

/** The numeric entries of the procfs root, ascending (psutil's pids()). */
function pidList(fs: ProcFs): number[] {
  const pids: number[] = [];
  for (const name of fs.readdir(fs.procfs)) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57 && /^\d+$/.test(name)) pids.push(Number(name));
  }
  return pids.sort((a, b) => a - b);
}

function allInodes(fs: ProcFs): Map<string, FdRef[]> {
  const all = new Map<string, FdRef[]>();
  for (const pid of pidList(fs)) {
    let mine: Map<string, FdRef[]>;
    try {
      mine = procInodes(fs, pid);
    } catch (err) {
      if (err instanceof OsError && PID_SKIP.has(err.osCode)) continue;
      throw err;
    }
    // psutil merges with dict.update(): a socket shared by several processes (a forked server) is reported for
    // the highest pid holding it.
    for (const [inode, refs] of mine) all.set(inode, refs);
  }
  return all;
}

function addrKey(a: InetAddr | string | null): string {
  if (a === null) return '()';
  if (typeof a === 'string') return `s:${a}`;
  return `${a.ip}/${a.port}`;
}

const NO_REF: readonly FdRef[] = [[-1, -1]];

export function connections(fs: ProcFs, kind: ConnKind, pid?: number): Connection[] {
  const tables = KIND_TABLES[kind];
  if (tables === undefined)
    throw new RangeError(
      `invalid kind ${JSON.stringify(kind)}; choose between ${CONN_KINDS.map((k) => `'${k}'`).join(', ')}`,
    );
  const byPid = pid !== undefined;
  const inodes = byPid ? procInodes(fs, pid) : allInodes(fs);
  if (byPid && inodes.size === 0) return [];
  const only: InodeFilter | undefined = byPid ? inodes : undefined;
  const seen = new Set<string>();
  const out: Connection[] = [];
  const emit = (c: Connection): void => {
    const key = `${c.fd}|${c.family}|${c.type}|${addrKey(c.laddr)}|${addrKey(c.raddr)}|${c.status}|${c.pid}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(Object.freeze(c));
  };
  for (const t of tables) {
    const p = fs.proc(`net/${t.file}`);
    const buf = readNetFile(fs, p, t.family === AF_INET6);
    if (buf === null) continue;
    if (t.family === AF_UNIX) {
      for (const s of parseUnixSockets(buf, p, only ? { only } : {})) {
        // One unix inode can be held by several fds: one entry each.
        for (const [refPid, fd] of inodes.get(s.inode) ?? NO_REF) {
          const owner = refPid === -1 ? null : refPid;
          if (byPid && owner !== pid) continue;
          emit({ fd, family: AF_UNIX, type: s.type, laddr: s.path, raddr: '', status: CONN_NONE, pid: owner });
        }
      }
    } else {
      for (const s of parseInetSockets(buf, t.family, p, only ? { only } : {})) {
        // psutil takes the first fd of an inet inode.
        const [refPid, fd] = (inodes.get(s.inode) ?? NO_REF)[0]!;
        const owner = refPid === -1 ? null : refPid;
        if (byPid && owner !== pid) continue;
        const status = t.type === SOCK_STREAM ? (TCP_STATUSES.get(s.state) ?? CONN_NONE) : CONN_NONE;
        emit({ fd, family: t.family, type: t.type, laddr: s.laddr, raddr: s.raddr, status, pid: owner });
      }
    }
  }
  return out;
}

/** TCP state -> count, from /proc/net/tcp and tcp6 only (no fd scan): node_tcp_connection_states. */
export type TcpConnectionStates = { readonly [K in Exclude<ConnectionStatus, typeof CONN_NONE>]: number };

export function tcpConnectionStates(fs: ProcFs, kind: 'tcp' | 'tcp4' | 'tcp6'): TcpConnectionStates {
  return tcpSocketStats(fs, kind, false).states;
}

/** States counted and, with `queues`, the tx_queue/rx_queue columns summed (node_exporter tcpstat's queued bytes). */
export function tcpSocketStats(
  fs: ProcFs,
  kind: 'tcp' | 'tcp4' | 'tcp6',
  queues = true,
): { states: TcpConnectionStates; txQueuedBytes: number; rxQueuedBytes: number } {
  const counts = new Array<number>(16).fill(0);
  const q = queues ? { tx: 0, rx: 0 } : undefined;
  for (const t of KIND_TABLES[kind]) {
    const p = fs.proc(`net/${t.file}`);
    const buf = readNetFile(fs, p, t.family === AF_INET6);
    if (buf !== null) countTcpStates(buf, p, counts, q);
  }
  const out: Record<string, number> = {};
  for (const [n, name] of TCP_STATUSES) out[name] = counts[n] ?? 0;
  return {
    states: Object.freeze(out) as TcpConnectionStates,
    txQueuedBytes: q?.tx ?? 0,
    rxQueuedBytes: q?.rx ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// /sys/class/net

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_RUNNING = 0x40;

/** psutil's net_if_flags() names and order (arch/posix/net.c), for the 16 bits SIOCGIFFLAGS gives. */
const IFF_NAMES: ReadonlyArray<readonly [number, string]> = [
  [0x1, 'up'],
  [0x2, 'broadcast'],
  [0x4, 'debug'],
  [0x8, 'loopback'],
  [0x10, 'pointopoint'],
  [0x20, 'notrailers'],
  [0x40, 'running'],
  [0x80, 'noarp'],
  [0x100, 'promisc'],
  [0x200, 'allmulti'],
  [0x400, 'master'],
  [0x800, 'slave'],
  [0x1000, 'multicast'],
  [0x2000, 'portsel'],
  [0x4000, 'automedia'],
  [0x8000, 'dynamic'],
];

export function ifFlagsString(flags: number): string {
  const names: string[] = [];
  for (const [bit, name] of IFF_NAMES) if (flags & bit) names.push(name);
  return names.join(',');
}

export type NicStats = {
  readonly isup: boolean;
  readonly duplex: number;
  readonly speed: number;
  readonly mtu: number;
  readonly flags: string;
};

const INT_MAX = 0x7fffffff;

/**
 * psutil's net_if_stats() from sysfs instead of ioctl/ethtool: NIC names from /proc/net/dev; mtu, flags, operstate,
 * duplex and speed from /sys/class/net/<nic>. sysfs `flags` is dev->flags, which never holds IFF_RUNNING: the
 * kernel's dev_get_flags() (what SIOCGIFFLAGS returns) sets it when the NIC is up and operstate is up or unknown
 * (netif_oper_up), so that is what `isup` means, as in psutil.
 */
export function netIfStats(fs: ProcFs): Record<string, NicStats> {
  if (fs.procfs === '/proc' && fs.sysfs === '/sys') return netIfStatsIoctl(Object.keys(netDev(fs)));
  const out: Array<[string, NicStats]> = [];
  for (const nic of Object.keys(netDev(fs))) {
    // Straight to the attribute (no stat of the directory): one failed open only for fixture trees' link files.
    let dir: string | null = fs.sys(`class/net/${nic}`);
    let mtuText = readSysOrNull(fs, `${dir}/mtu`);
    if (mtuText === null) {
      dir = nicDir(fs, nic);
      mtuText = dir === null ? null : readSysOrNull(fs, `${dir}/mtu`);
    }
    // Gone between the /proc/net/dev read and now (ENODEV in psutil, #1279): skip it.
    if (dir === null || mtuText === null) continue;
    const mtu = sysInt(mtuText.trim(), `${dir}/mtu`);
    const rawFlags = attrInt(fs, dir, 'flags');
    if (mtu === null || rawFlags === null) continue;
    const oper = fs.readAttr(`${dir}/operstate`) ?? 'unknown';
    const up = (rawFlags & IFF_UP) !== 0;
    const running = up && (oper === 'up' || oper === 'unknown');
    const flags = (rawFlags & 0xffff & ~IFF_RUNNING) | (running ? IFF_RUNNING : 0);
    // ethtool says EOPNOTSUPP/EINVAL for virtual NICs -> unknown duplex, speed 0. sysfs refuses speed and duplex
    // (EINVAL) on a NIC that is down or is the loopback, so those reads are not even tried.
    let duplex = NIC_DUPLEX_UNKNOWN;
    let speed = 0;
    if (up && !(rawFlags & IFF_LOOPBACK)) {
      const d = fs.readAttr(`${dir}/duplex`);
      duplex = d === 'full' ? NIC_DUPLEX_FULL : d === 'half' ? NIC_DUPLEX_HALF : NIC_DUPLEX_UNKNOWN;
      const s = attrInt(fs, dir, 'speed');
      // SPEED_UNKNOWN (-1) or anything above INT_MAX -> 0, as psutil.
      speed = s === null || s < 0 || s > INT_MAX ? 0 : s;
    }
    out.push([nic, Object.freeze({ isup: running, duplex, speed, mtu, flags: ifFlagsString(flags) })]);
  }
  return Object.fromEntries(out);
}

/** NIC ioctl errors that mean the NIC is gone (psutil #1279 skips it). */
const NIC_GONE = new Set(['ENODEV', 'ENXIO']);

/**
 * netIfStats on the real /proc and /sys: psutil's own ioctls (SIOCGIFFLAGS, SIOCGIFMTU, SIOCETHTOOL) on one datagram
 * socket, a few hundred ns each where the sysfs files cost an open, two reads and a close apiece. The same numbers:
 * sysfs `mtu` is dev->mtu, SIOCGIFFLAGS is dev_get_flags() (the flags with IFF_RUNNING that the sysfs path rebuilds
 * from operstate), and sysfs `speed`/`duplex` come from the same ethtool link settings as ETHTOOL_GSET. ioctls name
 * the NIC in this process's network namespace, which is what the real /proc/net/dev lists.
 */
function netIfStatsIoctl(nics: readonly string[]): Record<string, NicStats> {
  const out: Array<[string, NicStats]> = [];
  let sock: number;
  try {
    sock = nativeNet.inetDgramSocket();
  } catch (err) {
    if (err instanceof native.NativeError) throw new OsError(err.osCode, err.errno, 'socket', null);
    throw err;
  }
  try {
    for (const nic of nics) {
      let flags: number;
      let mtu: number;
      try {
        flags = nativeNet.ifFlags(sock, nic);
        mtu = nativeNet.ifMtu(sock, nic);
      } catch (err) {
        // Gone between the /proc/net/dev read and now: skip it, as the sysfs path does.
        if (err instanceof native.NativeError && NIC_GONE.has(err.osCode)) continue;
        if (err instanceof native.NativeError) throw new OsError(err.osCode, err.errno, err.syscall, null);
        throw err;
      }
      const running = (flags & IFF_RUNNING) !== 0;
      // As the sysfs path: the link settings only for an up NIC that is not the loopback (sysfs refuses the others,
      // and the loopback has none); any ethtool error (EOPNOTSUPP for virtual NICs, EINVAL) means unknown.
      let duplex = NIC_DUPLEX_UNKNOWN;
      let speed = 0;
      if (flags & IFF_UP && !(flags & IFF_LOOPBACK)) {
        let link: { duplex: number; speed: number } | null = null;
        try {
          link = nativeNet.ethtoolGset(sock, nic);
        } catch (err) {
          // Translated to unknown duplex and speed 0, as psutil does for EOPNOTSUPP (virtual NICs) and EINVAL, and as
          // the sysfs path does for any refused read.
          if (!(err instanceof native.NativeError)) throw err;
        }
        if (link !== null) {
          duplex =
            link.duplex === ETH_DUPLEX_FULL
              ? NIC_DUPLEX_FULL
              : link.duplex === ETH_DUPLEX_HALF
                ? NIC_DUPLEX_HALF
                : NIC_DUPLEX_UNKNOWN;
          // SPEED_UNKNOWN (0xffffffff) or anything above INT_MAX -> 0, as psutil (sysfs prints these as negatives).
          speed = link.speed > INT_MAX ? 0 : link.speed;
        }
      }
      out.push([nic, Object.freeze({ isup: running, duplex, speed, mtu, flags: ifFlagsString(flags) })]);
    }
  } finally {
    native.closeFd(sock);
  }
  return Object.fromEntries(out);
}

export { NET_CLASS_FIELDS, netClass, type NetClassIface } from './netclass';

// ---------------------------------------------------------------------------------------------------------------
// getifaddrs

export type NicAddr = {
  readonly family: number;
  readonly address: string;
  readonly netmask: string | null;
  readonly broadcast: string | null;
  readonly ptp: string | null;
};

const IFF_BROADCAST = 0x2;

/**
 * getifaddrs(3) entries as psutil's net_if_addrs() builds them, in [nic, addr] pairs sorted (stably) by family.
 * Like psutil's C code: only AF_INET, AF_INET6 and AF_PACKET (AF_LINK); no entry for an empty hardware address
 * (tun/wireguard NICs, sysfs addr_len 0); broadcast and ptp are exclusive (broadcast wins). A scoped IPv6 address
 * carries getnameinfo's `%zone` (`fe80::1%eth0`), so it can be bound as is. Like psutil, this ignores the procfs
 * root: it describes the caller's network namespace.
 */
export function netIfAddrs(_fs: ProcFs): Array<readonly [string, NicAddr]> {
  let raw: nativeNet.IfAddr[];
  try {
    raw = nativeNet.getifaddrs();
  } catch (err) {
    if (err instanceof native.NativeError) throw new OsError(err.osCode, err.errno, 'getifaddrs', null);
    throw err;
  }
  const out: Array<readonly [string, NicAddr]> = [];
  for (const a of raw) {
    if (a.address === null || (a.family !== AF_INET && a.family !== AF_INET6 && a.family !== AF_LINK)) continue;
    // psutil turns a hardware address of length 0 (sockaddr_ll's halen: dev->addr_len, what sysfs addr_len shows)
    // into None and lists nothing; native pads short MACs with :00, so the length tells them apart.
    if (a.family === AF_LINK && a.halen === 0) continue;
    const broadcast = a.flags & IFF_BROADCAST ? a.broadcast : null;
    out.push([
      a.name,
      Object.freeze({
        family: a.family,
        address: a.address,
        netmask: a.netmask,
        broadcast,
        ptp: a.flags & IFF_BROADCAST ? null : a.ptp,
      }),
    ]);
  }
  // Array.prototype.sort is stable: getifaddrs order is kept within a family, as Python's list.sort keeps it.
  return out.sort((x, y) => x[1].family - y[1].family);
}

// ---------------------------------------------------------------------------------------------------------------
// sockstat, netstat

export type SockStat = {
  /** `sockets: used N`: sockets of every family in use; null if the line is missing. */
  readonly used: number | null;
  /**
   * Each protocol line of sockstat then sockstat6, fields as the kernel names them (TCP: inuse orphan tw alloc
   * mem; FRAG: inuse memory; ...). `mem` is in pages as the kernel prints it; where it is present `memBytes` is
   * added (mem x page size, node_sockstat_*_mem_bytes). FRAG `memory` is already in bytes.
   */
  readonly protocols: Readonly<Record<string, Readonly<Record<string, number>>>>;
};

export function sockStat(fs: ProcFs): SockStat {
  const p4 = fs.proc('net/sockstat');
  const p6 = fs.proc('net/sockstat6');
  // sockstat, sockstat6, netstat, snmp and snmp6 are single_open files: kept open, and a short read has all of them.
  const v4 = parseSockStat(fs.readHotText(p4, undefined, 'short'), p4);
  const t6 = fs.readHotTextOrNull(p6, undefined, 'short');
  const v6 = t6 === null ? {} : parseSockStat(t6, p6);
  let used: number | null = null;
  const protocols: Array<[string, Readonly<Record<string, number>>]> = [];
  const page = pageSizeBytes();
  for (const [proto, fields] of [...Object.entries(v4), ...Object.entries(v6)]) {
    if (proto === 'sockets') {
      used = fields['used'] ?? null;
      continue;
    }
    const mem = fields['mem'];
    protocols.push([proto, mem === undefined ? fields : Object.freeze({ ...fields, memBytes: mem * page })]);
  }
  return Object.freeze({ used, protocols: Object.freeze(Object.fromEntries(protocols)) });
}

/** /proc/net/netstat + snmp (+ snmp6 when IPv6 is on) as `{ Proto: { Field: value } }`. */
export function netstat(fs: ProcFs): NetstatRecord {
  // One set of fields for the three files, frozen once (a later file's field of the same name replaces the earlier).
  const merged: NetstatFields = new Map();
  for (const f of ['netstat', 'snmp']) {
    const p = fs.proc(`net/${f}`);
    addNetstat(merged, fs.readHotText(p, undefined, 'short'), p);
  }
  const p6 = fs.proc('net/snmp6');
  const t6 = fs.readHotTextOrNull(p6, undefined, 'short');
  if (t6 !== null) addSnmp6(merged, t6, p6);
  return freezeNetstat(merged);
}
