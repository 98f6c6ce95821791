/**
 * The network half of the libc calls (native.ts holds the bindings and the rest): the NIC ioctls psutil's
 * net_if_stats makes (flags, MTU, ethtool duplex and speed) and getifaddrs(3) for net_if_addrs. Same rules as
 * native.ts: plain values or NativeError with the errno name; koffi loads on the first call.
 */
import { ERRNO, NativeError, LITTLE_ENDIAN, b, koffi } from './native';
import { formatIpv6 } from './parse/netconn';

export interface IfAddr {
  name: string;
  family: number;
  address: string | null;
  netmask: string | null;
  broadcast: string | null;
  ptp: string | null;
  flags: number;
  /** AF_PACKET: sockaddr_ll's hardware address length (0: the NIC has none, and psutil lists no address); else null. */
  halen: number | null;
}

// ---- NIC ioctls (psutil's net_if_flags, net_if_mtu, net_if_duplex_speed) ----

const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SIOCGIFFLAGS = 0x8913;
const SIOCGIFMTU = 0x8921;
const SIOCETHTOOL = 0x8946;
const ETHTOOL_GSET = 0x1;
/** struct ifreq: the name (IFNAMSIZ 16 bytes, NUL included), then a union (flags, mtu, data pointer) at offset 16. */
const IFNAMSIZ = 16;
const IFREQ_SIZE = 64;
/** struct ethtool_cmd (44 bytes): cmd at 0, speed (u16) at 12, duplex (u8) at 14, speed_hi (u16) at 28. */
const ETHTOOL_CMD_SIZE = 44;

let nicOut: { ifreq: unknown; ifreqView: DataView; ifreqBytes: Uint8Array; ecmd: unknown; ecmdView: DataView } | null =
  null;

function nicScratch(): NonNullable<typeof nicOut> {
  if (nicOut !== null) return nicOut;
  const ifreq: unknown = koffi().alloc('uint8_t', IFREQ_SIZE);
  const ecmd: unknown = koffi().alloc('uint8_t', ETHTOOL_CMD_SIZE);
  const ab = koffi().view(ifreq, IFREQ_SIZE);
  nicOut = {
    ifreq,
    ifreqView: new DataView(ab),
    ifreqBytes: new Uint8Array(ab),
    ecmd,
    ecmdView: new DataView(koffi().view(ecmd, ETHTOOL_CMD_SIZE)),
  };
  return nicOut;
}

/** An AF_INET datagram socket (close-on-exec) to ask NIC ioctls through, as psutil does; close it with closeFd. */
export function inetDgramSocket(): number {
  const fd = b().socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) as number;
  if (fd < 0) throw new NativeError('socket', koffi().errno());
  return fd;
}

/** Puts the NIC name in ifreq (zeroing the rest); ENODEV for a name no NIC can have (too long, NUL inside). */
function setIfName(s: NonNullable<typeof nicOut>, name: string, syscall: string): void {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length >= IFNAMSIZ || bytes.includes(0)) throw new NativeError(syscall, ERRNO['ENODEV'] ?? 19);
  s.ifreqBytes.fill(0);
  s.ifreqBytes.set(bytes, 0);
}

function nicIoctl(sock: number, request: number, name: string, syscall: string): NonNullable<typeof nicOut> {
  const s = nicScratch();
  setIfName(s, name, syscall);
  if ((b().ioctl(sock, request, 'void *', s.ifreq) as number) < 0) throw new NativeError(syscall, koffi().errno());
  return s;
}

/** SIOCGIFFLAGS: the 16 flag bits dev_get_flags() gives (IFF_RUNNING included, as `ip link` shows them). */
export function ifFlags(sock: number, name: string): number {
  return nicIoctl(sock, SIOCGIFFLAGS, name, 'ioctl(SIOCGIFFLAGS)').ifreqView.getUint16(IFNAMSIZ, LITTLE_ENDIAN);
}

/** SIOCGIFMTU. */
export function ifMtu(sock: number, name: string): number {
  return nicIoctl(sock, SIOCGIFMTU, name, 'ioctl(SIOCGIFMTU)').ifreqView.getInt32(IFNAMSIZ, LITTLE_ENDIAN);
}

/**
 * SIOCETHTOOL ETHTOOL_GSET: the link's duplex (DUPLEX_HALF 0, DUPLEX_FULL 1, DUPLEX_UNKNOWN 0xff) and speed in Mbit/s
 * as the kernel's u32 (SPEED_UNKNOWN is 0xffffffff): what sysfs `duplex` and `speed` show, without their files.
 */
export function ethtoolGset(sock: number, name: string): { duplex: number; speed: number } {
  const s = nicScratch();
  setIfName(s, name, 'ioctl(SIOCETHTOOL)');
  s.ecmdView.setUint32(0, ETHTOOL_GSET, LITTLE_ENDIAN);
  for (let i = 4; i < ETHTOOL_CMD_SIZE; i += 4) s.ecmdView.setUint32(i, 0, LITTLE_ENDIAN);
  // ifr_data: the address of the ethtool_cmd.
  const addr = koffi().address(s.ecmd);
  if (koffi().sizeof('void *') === 8) s.ifreqView.setBigUint64(IFNAMSIZ, addr, LITTLE_ENDIAN);
  else s.ifreqView.setUint32(IFNAMSIZ, Number(addr), LITTLE_ENDIAN);
  if ((b().ioctl(sock, SIOCETHTOOL, 'void *', s.ifreq) as number) < 0)
    throw new NativeError('ioctl(SIOCETHTOOL)', koffi().errno());
  const v = s.ecmdView;
  const speed = v.getUint16(28, LITTLE_ENDIAN) * 0x10000 + v.getUint16(12, LITTLE_ENDIAN);
  return { duplex: v.getUint8(14), speed };
}

const AF_INET = 2;
const AF_INET6 = 10;
const AF_PACKET = 17;
const IFF_BROADCAST = 0x2;
const IFF_POINTOPOINT = 0x10;

/** Two lowercase hex digits per byte value, for MAC addresses. */
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/**
 * The bytes copied of each sockaddr: the size of sockaddr_in6, the largest family read here (sockaddr_ll is 20,
 * sockaddr_in 16). libc.so.6 is glibc, whose getifaddrs keeps every sockaddr in a union of all of them (struct
 * ifaddrs_storage), so these bytes are always its own, and one copy serves whatever family the first 2 bytes say.
 */
const SOCKADDR_COPY = 28;

/** Scratch memory for one ifaddrs node and one sockaddr, allocated once, each with a DataView that lives as long. */
let ifaOut: { node: unknown; nodeView: DataView; sa: unknown; saView: DataView } | null = null;

/**
 * A sockaddr as text, copied into scratch memory and read there (offsets: sa_family at 0; sockaddr_in address at 4;
 * sockaddr_in6 address at 8; sockaddr_ll halen at 11, address at 12). `addr` is the pointer as a Number; 0 is NULL.
 * `halen` is sockaddr_ll's address length (0 for NICs without a hardware address), null for other families.
 */
interface SockaddrText {
  family: number;
  address: string;
  halen: number | null;
  /** AF_INET6: sin6_scope_id (offset 24), 0 when none; AF_PACKET: sll_ifindex (offset 4); else 0. */
  index: number;
  /** AF_INET6: a scope getnameinfo(3) names by interface (link-local unicast fe80::/10, link-local multicast ffx2::). */
  linkScope: boolean;
}

function sockaddrToString(addr: number): SockaddrText | null {
  if (addr === 0) return null;
  const { sa, saView: v } = ifaOut!;
  b().memcpy(sa, addr, SOCKADDR_COPY);
  const family = v.getUint16(0, LITTLE_ENDIAN);
  if (family === AF_INET) {
    return {
      family,
      address: `${v.getUint8(4)}.${v.getUint8(5)}.${v.getUint8(6)}.${v.getUint8(7)}`,
      halen: null,
      index: 0,
      linkScope: false,
    };
  }
  if (family === AF_INET6) {
    // glibc's inet_ntop text, as psutil prints it (IPv4-compatible ::a.b.c.d included, as on sit tunnels).
    const a0 = v.getUint8(8);
    const a1 = v.getUint8(9);
    return {
      family,
      address: formatIpv6(new Uint8Array(v.buffer, v.byteOffset + 8, 16)),
      halen: null,
      index: v.getUint32(24, LITTLE_ENDIAN),
      linkScope: (a0 === 0xfe && (a1 & 0xc0) === 0x80) || (a0 === 0xff && (a1 & 0x0f) === 0x02),
    };
  }
  if (family !== AF_PACKET) return { family, address: '', halen: null, index: 0, linkScope: false };
  // AF_PACKET, struct sockaddr_ll: family(2) protocol(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr[8]
  const halen = v.getUint8(11);
  const n = Math.min(halen, 8);
  let mac = '';
  for (let i = 0; i < n; i++) mac += (i === 0 ? '' : ':') + HEX2[v.getUint8(12 + i)];
  // A short MAC is padded with :00 (psutil #786).
  for (let i = n; i < 6; i++) mac += i === 0 ? '00' : ':00';
  return { family, address: mac, halen, index: v.getInt32(4, LITTLE_ENDIAN), linkScope: false };
}

/**
 * The `%zone` getnameinfo(3) with NI_NUMERICHOST appends to a scoped IPv6 address, as psutil prints it: the interface
 * name for link-local addresses (if_indextoname, here from the AF_PACKET entries' ifindex), else the number.
 */
function zoneOf(sa: SockaddrText, namesByIndex: ReadonlyMap<number, string>): string {
  if (sa.family !== AF_INET6 || sa.index === 0) return '';
  return `%${(sa.linkScope ? namesByIndex.get(sa.index) : undefined) ?? String(sa.index)}`;
}

/** Where each struct ifaddrs field is, from psx_ifaddrs (pointer-sized fields, flags an unsigned int). */
let ifaLayout: {
  size: number;
  ptr: number;
  next: number;
  name: number;
  flags: number;
  addr: number;
  netmask: number;
  ifu: number;
} | null = null;

/** A pointer-sized field as a Number (0 for NULL): user-space addresses stay below 2^53. */
function readPointer(v: DataView, off: number, ptrSize: number): number {
  if (ptrSize === 4) return v.getUint32(off, LITTLE_ENDIAN);
  const lo = v.getUint32(LITTLE_ENDIAN ? off : off + 4, LITTLE_ENDIAN);
  const hi = v.getUint32(LITTLE_ENDIAN ? off + 4 : off, LITTLE_ENDIAN);
  return hi * 0x100000000 + lo;
}

/**
 * getifaddrs(3), walked and freed; entries with a NULL ifa_addr are skipped (psutil does the same). Each node and
 * each sockaddr is copied into scratch memory and read through long-lived views (no per-field decode), and each
 * distinct name pointer is decoded once (glibc points the entries of one NIC at the same name).
 */
export function getifaddrs(): IfAddr[] {
  const { getifaddrs: gi, freeifaddrs: fi, memcpy: cp, Ifaddrs } = b();
  if (ifaLayout === null) {
    ifaLayout = {
      size: koffi().sizeof(Ifaddrs),
      ptr: koffi().sizeof('void *'),
      next: koffi().offsetof(Ifaddrs, 'ifa_next'),
      name: koffi().offsetof(Ifaddrs, 'ifa_name'),
      flags: koffi().offsetof(Ifaddrs, 'ifa_flags'),
      addr: koffi().offsetof(Ifaddrs, 'ifa_addr'),
      netmask: koffi().offsetof(Ifaddrs, 'ifa_netmask'),
      ifu: koffi().offsetof(Ifaddrs, 'ifa_ifu'),
    };
  }
  const L = ifaLayout;
  if (ifaOut === null) {
    const node: unknown = koffi().alloc('uint8_t', L.size);
    const sa: unknown = koffi().alloc('uint8_t', 32);
    ifaOut = {
      node,
      nodeView: new DataView(koffi().view(node, L.size)),
      sa,
      saView: new DataView(koffi().view(sa, 32)),
    };
  }
  const { node, nodeView: v } = ifaOut;
  const head: unknown[] = [null];
  if ((gi(head) as number) !== 0) throw new NativeError('getifaddrs', koffi().errno());
  const out: IfAddr[] = [];
  const names = new Map<number, string>();
  // Scoped IPv6 addresses get their zone once every AF_PACKET entry (glibc lists them first) has named its index.
  const scoped: Array<{ entry: IfAddr; sa: SockaddrText }> = [];
  const namesByIndex = new Map<number, string>();
  try {
    let p = head[0] === null || head[0] === undefined ? 0 : Number(head[0]);
    while (p !== 0) {
      cp(node, p, L.size);
      const flags = v.getUint32(L.flags, LITTLE_ENDIAN);
      const next = readPointer(v, L.next, L.ptr);
      const namePtr = readPointer(v, L.name, L.ptr);
      const netmaskPtr = readPointer(v, L.netmask, L.ptr);
      const ifuPtr = readPointer(v, L.ifu, L.ptr);
      const addr = sockaddrToString(readPointer(v, L.addr, L.ptr));
      if (addr) {
        let name = names.get(namePtr);
        if (name === undefined) {
          name = namePtr === 0 ? '' : (koffi().decode(namePtr, 'char', -1) as string);
          names.set(namePtr, name);
        }
        if (addr.family === AF_PACKET) namesByIndex.set(addr.index, name);
        const mask = sockaddrToString(netmaskPtr);
        const ifu = sockaddrToString(ifuPtr);
        const entry: IfAddr = {
          name,
          family: addr.family,
          address: addr.address,
          netmask: mask && mask.family === addr.family ? mask.address : null,
          broadcast: flags & IFF_BROADCAST && ifu ? ifu.address : null,
          ptp: flags & IFF_POINTOPOINT && ifu ? ifu.address : null,
          flags,
          halen: addr.halen,
        };
        if (addr.family === AF_INET6 && addr.index !== 0) scoped.push({ entry, sa: addr });
        out.push(entry);
      }
      p = next;
    }
  } finally {
    fi(head[0]);
  }
  for (const { entry, sa } of scoped) entry.address += zoneOf(sa, namesByIndex);
  return out;
}
