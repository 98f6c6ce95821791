/**
 * The live system: net functions against `ip -j`, /sys/class/net, /proc/net/dev, `ss`, and sockets this test opens.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createContext } from '../../src/probes/context';
import { netApi } from '../../src/probes/net';
import { connections, type Connection } from '../../src/probes/linux/net';
import {
  AF_INET,
  AF_INET6,
  AF_LINK,
  AF_UNIX,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
} from '../../src/probes/constants';
import { formatIpv6 } from '../../src/probes/linux/parse/netconn';
import { sh, PYTHON } from '../helpers/oracle';
import { requireOr } from '../helpers/require';

const ps = netApi(createContext({ procfs: '/proc', sysfs: '/sys', rootfs: '/' }));
const liveFs = createContext({ procfs: '/proc', sysfs: '/sys', rootfs: '/' }).fs;

const hasIp = spawnSync('ip', ['-V'], { stdio: 'ignore' }).status === 0;
const describeIp = requireOr(hasIp, 'no ip (apt-get install iproute2)').describe;

interface IpAddrInfo {
  family: string;
  local: string;
  prefixlen: number;
  broadcast?: string;
  address?: string;
}
interface IpLink {
  ifname: string;
  ifindex: number;
  flags: string[];
  mtu: number;
  operstate: string;
  txqlen?: number;
  link_type: string;
  address?: string;
  broadcast?: string;
  addr_info?: IpAddrInfo[];
}

function ipJson(args: string[]): IpLink[] {
  return JSON.parse(sh('ip', ['-j', ...args])) as IpLink[];
}

function prefixToMask(family: number, len: number): string {
  const n = family === AF_INET ? 4 : 16;
  const bytes: number[] = [];
  for (let i = 0; i < n; i++) bytes.push((0xff << (8 - Math.max(0, Math.min(8, len - i * 8)))) & 0xff);
  return family === AF_INET ? bytes.join('.') : formatIpv6(bytes);
}

describeIp('netIfAddrs vs ip -j addr', () => {
  test('every IPv4/IPv6 address with its netmask and broadcast, every MAC', () => {
    const ours = ps.netIfAddrs();
    for (const link of ipJson(['addr'])) {
      const mine = ours[link.ifname] ?? [];
      for (const a of link.addr_info ?? []) {
        if (a.family !== 'inet' && a.family !== 'inet6') continue;
        const fam = a.family === 'inet' ? AF_INET : AF_INET6;
        // A link-local IPv6 address (fe80::/10) carries its interface as zone, as getnameinfo(3) gives it.
        const linkLocal = fam === AF_INET6 && /^fe[89ab]/i.test(a.local);
        const want = linkLocal ? `${a.local}%${link.ifname}` : a.local;
        const hit = mine.find((m) => m.family === fam && m.address === want);
        expect([link.ifname, want, hit !== undefined]).toEqual([link.ifname, want, true]);
        expect(hit!.netmask).toBe(prefixToMask(fam, a.prefixlen));
        if (fam === AF_INET) expect(hit!.broadcast).toBe(a.broadcast ?? null);
      }
      if (link.address && link.link_type !== 'none') {
        const mac = mine.find((m) => m.family === AF_LINK);
        expect([link.ifname, mac?.address]).toEqual([link.ifname, link.address]);
      }
    }
    // Sorted by family within each NIC; broadcast and ptp exclusive.
    for (const list of Object.values(ours)) {
      const fams = list.map((a) => a.family);
      expect(fams).toEqual([...fams].sort((x, y) => x - y));
      for (const a of list) expect(a.broadcast !== null && a.ptp !== null).toBe(false);
    }
  });
});

describeIp('netIfStats and netClass vs ip -j link and /sys/class/net', () => {
  test('mtu, up/running flags, isup; every /proc/net/dev NIC present', () => {
    const stats = ps.netIfStats();
    const links = ipJson(['link']);
    for (const link of links) {
      const s = stats[link.ifname];
      expect([link.ifname, s !== undefined]).toEqual([link.ifname, true]);
      expect(s!.mtu).toBe(link.mtu);
      expect(s!.mtu).toBe(Number(fs.readFileSync(`/sys/class/net/${link.ifname}/mtu`, 'utf8')));
      const flags = s!.flags.split(',').filter((f) => f !== '');
      expect(flags.includes('up')).toBe(link.flags.includes('UP'));
      expect(flags.includes('broadcast')).toBe(link.flags.includes('BROADCAST'));
      expect(flags.includes('loopback')).toBe(link.flags.includes('LOOPBACK'));
      expect(flags.includes('multicast')).toBe(link.flags.includes('MULTICAST'));
      expect(flags.includes('noarp')).toBe(link.flags.includes('NOARP'));
      // RUNNING (what ifconfig shows) = up and operstate up or unknown.
      const running = link.flags.includes('UP') && ['UP', 'UNKNOWN'].includes(link.operstate);
      expect([link.ifname, s!.isup, flags.includes('running')]).toEqual([link.ifname, running, running]);
      expect(s!.speed).toBeGreaterThanOrEqual(0);
      expect([0, 1, 2]).toContain(s!.duplex);
    }
    expect(Object.keys(stats).sort()).toEqual(Object.keys(ps.netIoCounters({ pernic: true })).sort());
  });

  test('netClass: every attribute is what reading its /sys/class/net file says (null where the file is absent or refused)', () => {
    // Attribute name -> NetClassIface field, as node_exporter's procfs names them.
    const FILES: Record<string, string> = {
      addr_assign_type: 'addrAssignType',
      addr_len: 'addrLen',
      address: 'address',
      broadcast: 'broadcast',
      carrier: 'carrier',
      carrier_changes: 'carrierChanges',
      carrier_up_count: 'carrierUpCount',
      carrier_down_count: 'carrierDownCount',
      dev_id: 'devId',
      dormant: 'dormant',
      duplex: 'duplex',
      flags: 'flags',
      ifalias: 'ifalias',
      ifindex: 'ifindex',
      iflink: 'iflink',
      link_mode: 'linkMode',
      mtu: 'mtu',
      name_assign_type: 'nameAssignType',
      netdev_group: 'netdevGroup',
      operstate: 'operstate',
      phys_port_id: 'physPortId',
      phys_port_name: 'physPortName',
      phys_switch_id: 'physSwitchId',
      speed: 'speed',
      tx_queue_len: 'txQueueLen',
      type: 'type',
    };
    const read = (nic: string, file: string): string | number | null => {
      let text: string;
      try {
        text = fs.readFileSync(`/sys/class/net/${nic}/${file}`, 'utf8').trim();
      } catch (err) {
        void err; // absent (ENOENT) or refused (EINVAL on a down NIC's speed, EOPNOTSUPP): netClass says null
        return null;
      }
      // flags is hex (0x1003), the other integer attributes decimal; the string attributes stay text.
      return /^-?\d+$/.test(text) || /^0x[0-9a-f]+$/.test(text) ? Number(text) : text;
    };
    const nics = fs.readdirSync('/sys/class/net').filter((n) => fs.statSync(`/sys/class/net/${n}`).isDirectory());
    const before = Object.fromEntries(
      nics.map((n) => [n, Object.fromEntries(Object.keys(FILES).map((f) => [f, read(n, f)]))]),
    );
    const nc = ps.netClass();
    let nulls = 0;
    let values = 0;
    for (const nic of nics) {
      const c = nc[nic] as unknown as Record<string, string | number | null> | undefined;
      expect([nic, c !== undefined]).toEqual([nic, true]);
      for (const [file, field] of Object.entries(FILES)) {
        const got = c?.[field] ?? null;
        // A counter or state that changed while this ran matches the read after netClass instead.
        const want = before[nic]?.[file] === got ? got : read(nic, file);
        expect([nic, file, got]).toEqual([nic, file, want]);
        if (got === null) nulls++;
        else values++;
      }
    }
    expect(values).toBeGreaterThan(0);
    // Every kernel has attributes some NIC lacks or refuses (lo has no speed), so both paths ran.
    expect(nulls).toBeGreaterThan(0);
  });

  test('netClass: ifindex, mtu, address, txqlen, operstate match ip -j link', () => {
    const nc = ps.netClass();
    for (const link of ipJson(['link'])) {
      const c = nc[link.ifname];
      expect([link.ifname, c !== undefined]).toEqual([link.ifname, true]);
      expect(c!.ifindex).toBe(link.ifindex);
      expect(c!.mtu).toBe(link.mtu);
      if (link.address !== undefined) expect(c!.address).toBe(link.address);
      if (link.txqlen !== undefined) expect(c!.txQueueLen).toBe(link.txqlen);
      expect(c!.operstate).toBe(link.operstate.toLowerCase());
      expect((c!.flags! & 1) === 1).toBe(link.flags.includes('UP'));
    }
  });
});

describe('netIoCounters / netDev vs /proc/net/dev read around them', () => {
  test('each counter lies between two independent reads (counters only grow)', () => {
    const read = (): Map<string, number[]> => {
      const m = new Map<string, number[]>();
      for (const line of fs.readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2)) {
        const c = line.lastIndexOf(':');
        if (c < 0) continue;
        m.set(
          line.slice(0, c).trim(),
          line
            .slice(c + 1)
            .trim()
            .split(/\s+/)
            .map(Number),
        );
      }
      return m;
    };
    const before = read();
    const io = ps.netIoCounters({ pernic: true, nowrap: false });
    const dev = ps.netDev();
    const after = read();
    expect(Object.keys(io).sort()).toEqual([...before.keys()].sort());
    for (const [nic, b] of before) {
      const a = after.get(nic)!;
      const within = (v: number, i: number) => v >= b[i]! && v <= a[i]!;
      expect([
        nic,
        within(io[nic]!.bytesRecv, 0),
        within(io[nic]!.bytesSent, 8),
        within(io[nic]!.packetsRecv, 1),
      ]).toEqual([nic, true, true, true]);
      expect([nic, within(dev[nic]!.transmitColls, 13), within(dev[nic]!.receiveMulticast, 7)]).toEqual([
        nic,
        true,
        true,
      ]);
    }
    const tot = ps.netIoCounters({ nowrap: false })!;
    expect(tot.bytesRecv).toBeGreaterThanOrEqual(Object.values(io).reduce((s, c) => s + c.bytesRecv, 0));
  });
});

describe('sockStat / netstat / tcpConnectionStates live', () => {
  test('shapes and sanity', () => {
    const s = ps.sockStat();
    expect(s.used).toBeGreaterThan(0);
    expect(s.protocols['TCP']!['inuse']).toBeGreaterThanOrEqual(0);
    expect(s.protocols['TCP']!['memBytes']).toBe(
      s.protocols['TCP']!['mem']! * Number(sh('getconf', ['PAGESIZE']).trim()),
    );
    const n = ps.netstat();
    expect(n['Tcp']!['ActiveOpens']).toBeGreaterThanOrEqual(0);
    expect(n['TcpExt']).toBeDefined();
    expect(n['IpExt']!['InOctets']).toBeGreaterThan(0);
    const st = ps.tcpConnectionStates();
    expect(Object.values(st).every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Our own sockets

const hasIpv6 = fs.existsSync('/proc/net/tcp6');

interface Opened {
  tcp4: net.Server;
  tcp6: net.Server | null;
  udp4: dgram.Socket;
  udp6: dgram.Socket | null;
  client: net.Socket;
  accepted: net.Socket;
  unixServer: net.Server;
  unixPath: string;
  dgramPath: string;
  seqPath: string;
  helper: ChildProcess | null;
}

function listen(server: net.Server, ...args: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    (server.listen as (...a: unknown[]) => void)(...args, () => resolve());
  });
}

function bindUdp(type: 'udp4' | 'udp6', host: string): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(type);
    s.once('error', reject);
    s.bind(0, host, () => resolve(s));
  });
}

/** Python holds an AF_UNIX SOCK_DGRAM and SOCK_SEQPACKET socket (Node's dgram has no unix datagram sockets). */
function startHelper(dgramPath: string, seqPath: string): Promise<ChildProcess | null> {
  if (!fs.existsSync(PYTHON)) return Promise.resolve(null);
  const code = `
import socket, sys
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); d.bind(sys.argv[1])
q = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); q.bind(sys.argv[2]); q.listen(1)
print(d.fileno(), q.fileno(), flush=True)
sys.stdin.read()
`;
  return new Promise((resolve, reject) => {
    // stderr not inherited: a shared fd would hand our stdio socket to the helper's (higher) pid in the system-wide map.
    const child = spawn(PYTHON, ['-c', code, dgramPath, seqPath], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.once('error', reject);
    child.stdout.once('data', () => resolve(child));
  });
}

describe('netConnections finds the sockets this test opens', () => {
  let o: Opened;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-sock-'));
  const fdOf = (h: unknown): number | null => {
    const fd = (h as { _handle?: { fd?: unknown } })._handle?.fd;
    return typeof fd === 'number' && fd >= 0 ? fd : null;
  };

  beforeAll(async () => {
    const tcp4 = net.createServer((s) => accepted.push(s));
    const accepted: net.Socket[] = [];
    await listen(tcp4, 0, '127.0.0.1');
    let tcp6: net.Server | null = null;
    if (hasIpv6) {
      tcp6 = net.createServer();
      await listen(tcp6, 0, '::1');
    }
    const udp4 = await bindUdp('udp4', '127.0.0.1');
    const udp6 = hasIpv6 ? await bindUdp('udp6', '::1') : null;
    const client = await new Promise<net.Socket>((resolve) => {
      const c = net.connect((tcp4.address() as net.AddressInfo).port, '127.0.0.1', () => resolve(c));
    });
    while (accepted.length === 0) await new Promise((r) => setTimeout(r, 5));
    const unixPath = path.join(tmp, 'stream.sock');
    const unixServer = net.createServer();
    await listen(unixServer, unixPath);
    const dgramPath = path.join(tmp, 'dgram.sock');
    const seqPath = path.join(tmp, 'seq.sock');
    const helper = await startHelper(dgramPath, seqPath);
    o = { tcp4, tcp6, udp4, udp6, client, accepted: accepted[0]!, unixServer, unixPath, dgramPath, seqPath, helper };
  });

  afterAll(async () => {
    o.client.destroy();
    o.accepted.destroy();
    o.udp4.close();
    o.udp6?.close();
    await Promise.all(
      [o.tcp4, o.tcp6, o.unixServer]
        .filter((s): s is net.Server => s !== null)
        .map((s) => new Promise((r) => s.close(r))),
    );
    if (o.helper) {
      o.helper.stdin!.end();
      await new Promise((r) => o.helper!.once('exit', r));
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  type Want = {
    family: number;
    type: number;
    laddr: unknown;
    raddr: unknown;
    status: string;
    pid: number;
    fd: number | null;
  };

  function wanted(): Record<string, Want> {
    const port = (s: net.Server | dgram.Socket) => (s.address() as net.AddressInfo).port;
    const me = process.pid;
    const w: Record<string, Want> = {
      tcp4: {
        family: AF_INET,
        type: SOCK_STREAM,
        laddr: { ip: '127.0.0.1', port: port(o.tcp4) },
        raddr: null,
        status: 'LISTEN',
        pid: me,
        fd: fdOf(o.tcp4),
      },
      udp4: {
        family: AF_INET,
        type: SOCK_DGRAM,
        laddr: { ip: '127.0.0.1', port: port(o.udp4) },
        raddr: null,
        status: 'NONE',
        pid: me,
        fd: null,
      },
      client: {
        family: AF_INET,
        type: SOCK_STREAM,
        laddr: { ip: '127.0.0.1', port: o.client.localPort! },
        raddr: { ip: '127.0.0.1', port: port(o.tcp4) },
        status: 'ESTABLISHED',
        pid: me,
        fd: fdOf(o.client),
      },
      accepted: {
        family: AF_INET,
        type: SOCK_STREAM,
        laddr: { ip: '127.0.0.1', port: port(o.tcp4) },
        raddr: { ip: '127.0.0.1', port: o.client.localPort! },
        status: 'ESTABLISHED',
        pid: me,
        fd: fdOf(o.accepted),
      },
      unix: {
        family: AF_UNIX,
        type: SOCK_STREAM,
        laddr: o.unixPath,
        raddr: '',
        status: 'NONE',
        pid: me,
        fd: fdOf(o.unixServer),
      },
    };
    if (o.tcp6)
      w['tcp6'] = {
        family: AF_INET6,
        type: SOCK_STREAM,
        laddr: { ip: '::1', port: port(o.tcp6) },
        raddr: null,
        status: 'LISTEN',
        pid: me,
        fd: fdOf(o.tcp6),
      };
    if (o.udp6)
      w['udp6'] = {
        family: AF_INET6,
        type: SOCK_DGRAM,
        laddr: { ip: '::1', port: port(o.udp6) },
        raddr: null,
        status: 'NONE',
        pid: me,
        fd: null,
      };
    if (o.helper) {
      w['unixDgram'] = {
        family: AF_UNIX,
        type: SOCK_DGRAM,
        laddr: o.dgramPath,
        raddr: '',
        status: 'NONE',
        pid: o.helper.pid!,
        fd: null,
      };
      w['unixSeq'] = {
        family: AF_UNIX,
        type: SOCK_SEQPACKET,
        laddr: o.seqPath,
        raddr: '',
        status: 'NONE',
        pid: o.helper.pid!,
        fd: null,
      };
    }
    return w;
  }

  const KIND_MATCH: Record<string, (w: Want) => boolean> = {
    all: () => true,
    inet: (w) => w.family !== AF_UNIX,
    inet4: (w) => w.family === AF_INET,
    inet6: (w) => w.family === AF_INET6,
    tcp: (w) => w.family !== AF_UNIX && w.type === SOCK_STREAM,
    tcp4: (w) => w.family === AF_INET && w.type === SOCK_STREAM,
    tcp6: (w) => w.family === AF_INET6 && w.type === SOCK_STREAM,
    udp: (w) => w.family !== AF_UNIX && w.type === SOCK_DGRAM,
    udp4: (w) => w.family === AF_INET && w.type === SOCK_DGRAM,
    udp6: (w) => w.family === AF_INET6 && w.type === SOCK_DGRAM,
    unix: (w) => w.family === AF_UNIX,
  };

  const find = (list: readonly Connection[], w: Want): Connection | undefined =>
    list.find(
      (c) =>
        c.family === w.family &&
        c.type === w.type &&
        c.pid === w.pid &&
        JSON.stringify(c.laddr) === JSON.stringify(w.laddr) &&
        JSON.stringify(c.raddr) === JSON.stringify(w.raddr),
    );

  test.each(Object.keys(KIND_MATCH))("kind '%s': each socket present exactly when the kind covers it", (kind) => {
    const list = ps.netConnections({ kind: kind as 'all' });
    for (const [name, w] of Object.entries(wanted())) {
      const hit = find(list, w);
      expect([kind, name, hit !== undefined]).toEqual([kind, name, KIND_MATCH[kind]!(w)]);
      if (!hit) continue;
      expect(hit.status).toBe(w.status);
      if (w.fd !== null) expect(hit.fd).toBe(w.fd);
      if (w.pid === process.pid) expect(fs.readlinkSync(`/proc/self/fd/${hit.fd}`)).toMatch(/^socket:\[\d+\]$/);
    }
  });

  test('connections(fs, kind, pid) equals the system-wide list filtered by that pid', () => {
    for (const pid of [process.pid, o.helper?.pid].filter((p): p is number => p !== undefined)) {
      for (const kind of ['all', 'inet', 'tcp', 'udp', 'unix'] as const) {
        const mine = connections(liveFs, kind, pid)
          .map((c) => JSON.stringify(c))
          .sort();
        const all = ps
          .netConnections({ kind })
          .filter((c) => c.pid === pid)
          .map((c) => JSON.stringify(c))
          .sort();
        // The system-wide scan gives a shared socket to the highest pid holding it; ours are not shared.
        expect([pid, kind, mine]).toEqual([pid, kind, all]);
      }
    }
    const w = wanted();
    expect(find(connections(liveFs, 'tcp4', process.pid), w['client']!)).toBeDefined();
  });

  const hasSs = spawnSync('ss', ['-V'], { stdio: 'ignore' }).status === 0;
  requireOr(hasSs, 'no ss (apt-get install iproute2)').test(
    'the listening TCP sockets equal `ss -ltnH` (retried: other tests open and close sockets)',
    () => {
      const norm = (ip: string) => ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
      let last: [string[], string[]] = [[], []];
      for (let attempt = 0; attempt < 5; attempt++) {
        const ss = sh('ss', ['-ltnH'])
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => {
            const local = l.trim().split(/\s+/)[3]!;
            const c = local.lastIndexOf(':');
            const ip = norm(local.slice(0, c));
            // ss prints a dual-stack wildcard (bound to ::) as `*`.
            return `${ip === '*' ? '::' : ip}|${local.slice(c + 1)}`;
          });
        const ours = ps
          .netConnections({ kind: 'tcp' })
          .filter((c) => c.status === 'LISTEN')
          .map((c) => `${(c.laddr as { ip: string }).ip}|${(c.laddr as { port: number }).port}`);
        last = [[...new Set(ours)].sort(), [...new Set(ss)].sort()];
        if (JSON.stringify(last[0]) === JSON.stringify(last[1])) break;
      }
      expect(last[0]).toEqual(last[1]);
    },
  );
});

/** Binds a UDP socket to `address`; resolves with the errno code, or null when it bound. */
function bindUdp6(address: string): Promise<string | null> {
  const sock = dgram.createSocket('udp6');
  return new Promise<string | null>((resolve) => {
    sock.once('error', (e: NodeJS.ErrnoException) => {
      sock.close();
      resolve(e.code ?? 'error');
    });
    sock.bind(0, address, () => {
      sock.close();
      resolve(null);
    });
  });
}

const LINK_LOCAL = Object.values(ps.netIfAddrs())
  .flat()
  .filter((a) => a.family === AF_INET6 && /^fe[89ab]/i.test(a.address));
// A host with no IPv6 link-local address (IPv6 off) has nothing to bind; the oracle test still compares the lists.
requireOr(LINK_LOCAL.length > 0, 'no IPv6 link-local address on this host').test(
  'netIfAddrs: every link-local IPv6 address binds as given; without its %zone it cannot',
  async () => {
    for (const a of LINK_LOCAL) {
      expect(a.address).toMatch(/%[^%]+$/);
      expect(await bindUdp6(a.address)).toBeNull();
      expect(await bindUdp6(a.address.replace(/%.*$/, ''))).toBe('EINVAL');
    }
  },
);
