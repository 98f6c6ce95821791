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
import type { Stats } from 'node:fs';
import * as path from 'node:path';
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
import { parseNetstat, parseSnmp6, type NetstatRecord } from './parse/netstat';

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

/**
 * The sysfs directory of a NIC, or null when there is none (psutil skips ENODEV NICs, #1279). Fixture trees that
 * cannot hold symlinks (the shared node_exporter fixtures) store `class/net/eth0` as a file holding the link target
 * (`../../devices/.../net/eth0/`): such a file is followed; any other regular file (bonding_masters) is not a NIC.
 */
function nicDir(fs: ProcFs, nic: string): string | null {
  return nicDirStat(fs, nic)?.dir ?? null;
}

/** nicDir with the stat(2) of the directory it found (its inode identifies the device's sysfs node). */
function nicDirStat(fs: ProcFs, nic: string): { dir: string; st: Stats } | null {
  const p = fs.sys(`class/net/${nic}`);
  let st;
  try {
    st = fs.stat(p);
  } catch (err) {
    if (err instanceof OsError && (err.osCode === 'ENOENT' || err.osCode === 'ENOTDIR' || err.osCode === 'ENODEV'))
      return null;
    throw err;
  }
  if (st.isDirectory()) return { dir: p, st };
  if (!st.isFile()) return null;
  const target = (fs.readAttr(p) ?? '').replace(/\/+$/, '');
  if (!target.startsWith('../')) return null;
  const q = path.resolve(path.dirname(p), target);
  if (!fs.exists(q)) return null;
  const qst = fs.stat(q);
  return qst.isDirectory() ? { dir: q, st: qst } : null;
}

/** Go's strconv.ParseInt(s, 0, 64) for what sysfs prints: decimal, or 0x-prefixed hex (`dev_id`, `flags`). */
function sysInt(text: string | null, p: string): number | null {
  if (text === null || text === '') return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  const m = /^(-?)0x([0-9a-f]+)$/i.exec(text);
  if (m) return (m[1] ? -1 : 1) * parseInt(m[2]!, 16);
  throw new ParseError(p, `not an integer: ${JSON.stringify(text.slice(0, 40))}`);
}

/** A sysfs file's text, or null when the file or the device is gone (ENOENT, ENOTDIR, ENODEV); other errors throw. */
function readSysOrNull(fs: ProcFs, p: string): string | null {
  try {
    return fs.readText(p, 4096);
  } catch (err) {
    if (err instanceof OsError && (err.osCode === 'ENOENT' || err.osCode === 'ENOTDIR' || err.osCode === 'ENODEV'))
      return null;
    throw err;
  }
}

function attrInt(fs: ProcFs, dir: string, name: string): number | null {
  const p = `${dir}/${name}`;
  return sysInt(fs.readAttr(p), p);
}

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

/** linux/ethtool.h DUPLEX_HALF / DUPLEX_FULL (anything else is unknown). */
const ETH_DUPLEX_HALF = 0;
const ETH_DUPLEX_FULL = 1;

/** /sys/class/net/<nic> attributes, as prometheus/procfs's NetClassIface reads them for node_exporter's netclass. */
export type NetClassIface = {
  readonly addrAssignType: number | null;
  readonly addrLen: number | null;
  readonly address: string | null;
  readonly broadcast: string | null;
  readonly carrier: number | null;
  readonly carrierChanges: number | null;
  readonly carrierUpCount: number | null;
  readonly carrierDownCount: number | null;
  readonly devId: number | null;
  readonly dormant: number | null;
  readonly duplex: string | null;
  readonly flags: number | null;
  readonly ifalias: string | null;
  readonly ifindex: number | null;
  readonly iflink: number | null;
  readonly linkMode: number | null;
  readonly mtu: number | null;
  readonly nameAssignType: number | null;
  readonly netdevGroup: number | null;
  readonly operstate: string | null;
  readonly physPortId: string | null;
  readonly physPortName: string | null;
  readonly physSwitchId: string | null;
  readonly speed: number | null;
  readonly txQueueLen: number | null;
  readonly type: number | null;
};

/** [field, sysfs file, integer?] in NetClassIface order. */
const NET_CLASS_ATTRS: ReadonlyArray<readonly [keyof NetClassIface, string, boolean]> = [
  ['addrAssignType', 'addr_assign_type', true],
  ['addrLen', 'addr_len', true],
  ['address', 'address', false],
  ['broadcast', 'broadcast', false],
  ['carrier', 'carrier', true],
  ['carrierChanges', 'carrier_changes', true],
  ['carrierUpCount', 'carrier_up_count', true],
  ['carrierDownCount', 'carrier_down_count', true],
  ['devId', 'dev_id', true],
  ['dormant', 'dormant', true],
  ['duplex', 'duplex', false],
  ['flags', 'flags', true],
  ['ifalias', 'ifalias', false],
  ['ifindex', 'ifindex', true],
  ['iflink', 'iflink', true],
  ['linkMode', 'link_mode', true],
  ['mtu', 'mtu', true],
  ['nameAssignType', 'name_assign_type', true],
  ['netdevGroup', 'netdev_group', true],
  ['operstate', 'operstate', false],
  ['physPortId', 'phys_port_id', false],
  ['physPortName', 'phys_port_name', false],
  ['physSwitchId', 'phys_switch_id', false],
  ['speed', 'speed', true],
  ['txQueueLen', 'tx_queue_len', true],
  ['type', 'type', true],
];

/**
 * What netClass keeps of a NIC between passes, valid while the device is the same one: the same sysfs directory
 * (path and inode: a device removed and added again under the same name is a new kernfs node, so a new inode) and
 * the same ifindex (read every pass: a device moved to another namespace and back keeps its sysfs node but can get
 * a new index, and `ip link add ... index N` can give a new device an old one, so neither alone suffices).
 */
interface NicStatic {
  readonly dir: string;
  readonly dev: number;
  readonly ino: number;
  readonly ifindex: string | null;
  /** Which NET_CLASS_ATTRS files the directory has: the attribute groups are fixed at device_add(). */
  readonly present: ReadonlySet<string> | null;
  /** dev_id: set by the driver when it sets the device up; read-only in sysfs and never written afterwards. */
  readonly devId: number | null;
}

/**
 * The files netClass reads. Of them only dev_id is read once per device (NicStatic); each other NET_CLASS_ATTRS file is one the kernel changes on a live device
 * (Documentation/ABI/testing/sysfs-class-net and net/core): addr_assign_type becomes NET_ADDR_SET on a MAC change;
 * name_assign_type becomes NET_NAME_RENAMED on a rename (renaming back gives the old name, same node, new value);
 * type and addr_len are taken from the first slave by a bond or team master, and mac80211 sets type on a mode
 * change (monitor: ARPHRD_IEEE80211_RADIOTAP); iflink follows a tunnel's `dev` and a veth peer's namespace moves;
 * phys_port_name/phys_switch_id/phys_port_id are asked of the driver on each read and change with the eswitch
 * mode (mlx5 keeps its netdev across it); mtu, flags, tx_queue_len, link_mode, netdev_group, ifalias, address and
 * broadcast are writable; carrier*, dormant, duplex, speed and operstate are state.
 */
const NET_CLASS_FILES: ReadonlySet<string> = new Set(NET_CLASS_ATTRS.map(([, file]) => file));

/** Per ProcFs (one per root): the last pass's NicStatic of each NIC name still listed. */
const nicStatics = new WeakMap<ProcFs, Map<string, NicStatic>>();

/** The listing of a NIC's directory (null when unlistable or empty), only the names netClass reads. */
function listNicAttrs(fs: ProcFs, dir: string): Set<string> | null {
  try {
    const listed = fs.readdir(dir);
    if (listed.length === 0) return null;
    const wanted = new Set<string>();
    for (const name of listed) if (NET_CLASS_FILES.has(name)) wanted.add(name);
    return wanted;
  } catch (err) {
    // Unlistable (or gone): read attribute by attribute, each absent or unreadable one null as ever.
    if (!(err instanceof OsError)) throw err;
    return null;
  }
}

/**
 * Every NIC under /sys/class/net (sorted by name), its attributes raw: null where the file is absent or the kernel
 * refuses the read (carrier/speed/duplex give EINVAL on a down or virtual NIC). Integer files holding anything but
 * an integer throw ParseError naming the file. The directory listing and dev_id are read once per device (NicStatic).
 */
export function netClass(fs: ProcFs): Record<string, NetClassIface> {
  const out: Array<[string, NetClassIface]> = [];
  const names = fs.readdirOrEmpty(fs.sys('class/net')).sort();
  const prev = nicStatics.get(fs);
  const next = new Map<string, NicStatic>();
  for (const nic of names) {
    const found = nicDirStat(fs, nic);
    if (found === null) continue;
    const { dir, st } = found;
    const ifindex = fs.readAttr(`${dir}/ifindex`);
    let known = prev?.get(nic);
    if (
      known === undefined ||
      known.dir !== dir ||
      known.dev !== st.dev ||
      known.ino !== st.ino ||
      known.ifindex !== ifindex
    ) {
      // A new device (or the first pass): one listing instead of a failed open (and two error objects) per
      // attribute this kernel or NIC does not have, and the static attributes read.
      const present = listNicAttrs(fs, dir);
      const devId = present === null || present.has('dev_id') ? attrInt(fs, dir, 'dev_id') : null;
      known = { dir, dev: st.dev, ino: st.ino, ifindex, present, devId };
    }
    next.set(nic, known);
    const rec: Record<string, number | string | null> = {};
    for (const [field, file, isInt] of NET_CLASS_ATTRS) {
      if (known.present !== null && !known.present.has(file)) {
        rec[field] = null;
        continue;
      }
      const p = `${dir}/${file}`;
      if (file === 'ifindex') rec[field] = sysInt(ifindex, p);
      else if (file === 'dev_id') rec[field] = known.devId;
      else {
        const text = fs.readAttr(p);
        rec[field] = isInt ? sysInt(text, p) : text;
      }
    }
    out.push([nic, Object.freeze(rec) as NetClassIface]);
  }
  // Only the NICs listed now: a name gone for a pass loses its entry, whatever comes back under it is read afresh.
  nicStatics.set(fs, next);
  return Object.fromEntries(out);
}

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
  const merged = new Map<string, Record<string, number>>();
  const add = (rec: NetstatRecord): void => {
    for (const [proto, fields] of Object.entries(rec)) merged.set(proto, { ...(merged.get(proto) ?? {}), ...fields });
  };
  for (const f of ['netstat', 'snmp']) {
    const p = fs.proc(`net/${f}`);
    add(parseNetstat(fs.readHotText(p, undefined, 'short'), p));
  }
  const p6 = fs.proc('net/snmp6');
  const t6 = fs.readHotTextOrNull(p6, undefined, 'short');
  if (t6 !== null) add(parseSnmp6(t6, p6));
  const entries: Array<[string, Readonly<Record<string, number>>]> = [];
  for (const [proto, fields] of merged) entries.push([proto, Object.freeze(fields)]);
  return Object.freeze(Object.fromEntries(entries));
}
