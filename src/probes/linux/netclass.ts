/**
 * /sys/class/net/<nic>: finding a NIC's sysfs directory (symlink, or a fixture file holding the link target), reading
 * its attributes, and netClass(), node_exporter's netclass view (prometheus/procfs's NetClassIface) with the facts a
 * device keeps for its life cached per device node. Apart from net.ts (the /proc/net tables, getifaddrs, ioctl stats),
 * which uses the helpers for netIfStats and re-exports netClass.
 */
import type { Stats } from 'node:fs';
import * as path from 'node:path';
import { OsError, ParseError } from '../errors';
import * as nativeIo from './native-io';
import type { ProcFs } from './procfs';

/**
 * The sysfs directory of a NIC, or null when there is none (psutil skips ENODEV NICs, #1279). Fixture trees that
 * cannot hold symlinks (the shared node_exporter fixtures) store `class/net/eth0` as a file holding the link target
 * (`../../devices/.../net/eth0/`): such a file is followed; any other regular file (bonding_masters) is not a NIC.
 */
export function nicDir(fs: ProcFs, nic: string): string | null {
  return nicDirStat(fs, nic)?.dir ?? null;
}

/** nicDir with the stat(2) of the directory it found (its inode identifies the device's sysfs node). */
export function nicDirStat(fs: ProcFs, nic: string): { dir: string; st: Stats } | null {
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
export function sysInt(text: string | null, p: string): number | null {
  if (text === null || text === '') return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  const m = /^(-?)0x([0-9a-f]+)$/i.exec(text);
  if (m) return (m[1] ? -1 : 1) * parseInt(m[2]!, 16);
  throw new ParseError(p, `not an integer: ${JSON.stringify(text.slice(0, 40))}`);
}

/** A sysfs file's text, or null when the file or the device is gone (ENOENT, ENOTDIR, ENODEV); other errors throw. */
export function readSysOrNull(fs: ProcFs, p: string): string | null {
  try {
    return fs.readText(p, 4096);
  } catch (err) {
    if (err instanceof OsError && (err.osCode === 'ENOENT' || err.osCode === 'ENOTDIR' || err.osCode === 'ENODEV'))
      return null;
    throw err;
  }
}

export function attrInt(fs: ProcFs, dir: string, name: string): number | null {
  const p = `${dir}/${name}`;
  return sysInt(fs.readAttr(p), p);
}

/** linux/ethtool.h DUPLEX_HALF / DUPLEX_FULL (anything else is unknown). */
export const ETH_DUPLEX_HALF = 0;
export const ETH_DUPLEX_FULL = 1;

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

/** The NetClassIface fields, in its order: what netClass's `only` may name. */
export const NET_CLASS_FIELDS: readonly (keyof NetClassIface)[] = NET_CLASS_ATTRS.map(([field]) => field);

/** readAttrIn's buffer: a sysfs attribute is at most a page; it grows up to 64 KiB for a fixture tree's files. */
const attrBuf = new nativeIo.ReadBuffer(4096, 64 * 1024);

/**
 * ProcFs.readAttr of `<dir>/<name>`, with `dir` open as `dirFd`: openat(2), read(2) and close(2) through libc. The
 * kernel then looks up one name instead of the whole path (/sys/class/net/<nic> is a symlink into /sys/devices, five
 * to nine components deep), and a refused or missing attribute is an errno, not an Error with a formatted stack:
 * 24 attributes of 5 NICs per pass were 26% of the collection worker's CPU through Node's fs. Same text (trimmed
 * UTF-8) and the same null for any failed open or read; a short read is the end, as for readAttr.
 */
function readAttrIn(dirFd: number, name: string): string | null {
  const n = attrBuf.fillAt(dirFd, name);
  return n < 0 ? null : attrBuf.buf.toString('utf8', 0, n).trim();
}

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
 * With `only`, the other fields are null and their files are not read (ifindex is still read: it tells a device's
 * identity between calls): each attribute is an open, a read and a close, and a caller that exports a few of them
 * need not pay for the rest (the netclass collector: not addr_len nor phys_*, which the driver answers on each read).
 */
export function netClass(
  fs: ProcFs,
  only: ReadonlySet<keyof NetClassIface> | null = null,
): Record<string, NetClassIface> {
  const out: Array<[string, NetClassIface]> = [];
  const names = fs.readdirOrEmpty(fs.sys('class/net')).sort();
  const prev = nicStatics.get(fs);
  const next = new Map<string, NicStatic>();
  for (const nic of names) {
    const found = nicDirStat(fs, nic);
    if (found === null) continue;
    const { dir, st } = found;
    // Each attribute is opened relative to the directory (readAttrIn); where the directory cannot be opened (gone
    // since the stat), each is read by its path, and comes back null as readAttr makes it of a missing file.
    const dirFd = nativeIo.openRead(dir);
    const attr = (file: string): string | null =>
      dirFd >= 0 ? readAttrIn(dirFd, file) : fs.readAttr(`${dir}/${file}`);
    try {
      const ifindex = attr('ifindex');
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
        const devId = present === null || present.has('dev_id') ? sysInt(attr('dev_id'), `${dir}/dev_id`) : null;
        known = { dir, dev: st.dev, ino: st.ino, ifindex, present, devId };
      }
      next.set(nic, known);
      const rec: Record<string, number | string | null> = {};
      for (const [field, file, isInt] of NET_CLASS_ATTRS) {
        if ((only !== null && !only.has(field)) || (known.present !== null && !known.present.has(file))) {
          rec[field] = null;
          continue;
        }
        if (file === 'ifindex') rec[field] = sysInt(ifindex, `${dir}/${file}`);
        else if (file === 'dev_id') rec[field] = known.devId;
        else {
          const text = attr(file);
          rec[field] = isInt ? sysInt(text, `${dir}/${file}`) : text;
        }
      }
      out.push([nic, Object.freeze(rec) as NetClassIface]);
    } finally {
      if (dirFd >= 0) nativeIo.closeFd(dirFd);
    }
  }
  // Only the NICs listed now: a name gone for a pass loses its entry, whatever comes back under it is read afresh.
  nicStatics.set(fs, next);
  return Object.fromEntries(out);
}
