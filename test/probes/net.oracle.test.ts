/**
 * Differential tests against /usr/bin/python3 psutil 5.9 (the oracle).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { createContext } from '../../src/probes/context';
import { netApi } from '../../src/probes/net';
import type { Connection } from '../../src/probes/linux/net';
import { describeOracle, py, PYTHON } from '../helpers/oracle';
import { requireOr } from '../helpers/require';

const ps = netApi(createContext({ procfs: '/proc', sysfs: '/sys', rootfs: '/' }));

type PyIo = Record<string, Record<string, number>>;
type PyAddr = { family: number; address: string; netmask: string | null; broadcast: string | null; ptp: string | null };
type PyConn = {
  fd: number;
  family: number;
  type: number;
  laddr: unknown;
  raddr: unknown;
  status: string;
  pid: number | null;
};

const SNAKE: Record<string, string> = {
  bytesSent: 'bytes_sent',
  bytesRecv: 'bytes_recv',
  packetsSent: 'packets_sent',
  packetsRecv: 'packets_recv',
  errin: 'errin',
  errout: 'errout',
  dropin: 'dropin',
  dropout: 'dropout',
};

describeOracle('net vs psutil 5.9', () => {
  test('net_io_counters(pernic=True): same NICs; each counter between our reads before and after', () => {
    const before = ps.netIoCounters({ pernic: true, nowrap: false });
    const theirs = py<PyIo>('out = psutil.net_io_counters(pernic=True, nowrap=False)');
    const after = ps.netIoCounters({ pernic: true, nowrap: false });
    expect(Object.keys(before).sort()).toEqual(Object.keys(theirs).sort());
    for (const nic of Object.keys(theirs)) {
      for (const [camel, snake] of Object.entries(SNAKE)) {
        const v = theirs[nic]![snake]!;
        const lo = before[nic]![camel as keyof (typeof before)[string]];
        const hi = after[nic]![camel as keyof (typeof after)[string]];
        expect([nic, camel, v >= lo && v <= hi]).toEqual([nic, camel, true]);
      }
    }
    const total = py<Record<string, number>>('out = psutil.net_io_counters(nowrap=False)');
    expect(Object.keys(ps.netIoCounters()!)).toEqual(Object.keys(SNAKE));
    expect(Object.keys(total)).toEqual(Object.values(SNAKE));
  });

  test('net_if_addrs: equal, link-local IPv6 addresses with their %zone, same NIC and address order', () => {
    const theirs = py<Record<string, PyAddr[]>>('out = psutil.net_if_addrs()');
    const ours = ps.netIfAddrs();
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    for (const nic of Object.keys(theirs)) {
      expect([nic, ours[nic]]).toEqual([nic, theirs[nic]]);
    }
  });

  // The comparison above must have met a zoned address at least once: a host with link-local IPv6 has one per NIC.
  const linkLocal = Object.values(os.networkInterfaces())
    .flat()
    .some((a) => a?.family === 'IPv6' && /^fe[89ab]/i.test(a.address));
  requireOr(linkLocal, 'no IPv6 link-local address on this host').test(
    'net_if_addrs: psutil and ours zone each link-local IPv6 address with its NIC',
    () => {
      const theirs = py<Record<string, PyAddr[]>>('out = psutil.net_if_addrs()');
      const ours = ps.netIfAddrs();
      const zoned = Object.entries(theirs).flatMap(([nic, as]) =>
        as.filter((a) => a.address.includes('%')).map((a) => [nic, a.address] as const),
      );
      expect(zoned.length).toBeGreaterThan(0);
      for (const [nic, address] of zoned) {
        const cut = address.indexOf('%');
        expect([address.slice(cut + 1), /^fe[89ab][0-9a-f]:/i.test(address)]).toEqual([nic, true]);
        expect([nic, ours[nic]?.map((a) => a.address)]).toEqual([nic, expect.arrayContaining([address])]);
      }
    },
  );

  test('net_if_stats: equal', () => {
    const theirs =
      py<Record<string, { isup: boolean; duplex: number; speed: number; mtu: number; flags: string }>>(
        'out = psutil.net_if_stats()',
      );
    const ours = ps.netIfStats();
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    for (const nic of Object.keys(theirs)) expect([nic, ours[nic]]).toEqual([nic, theirs[nic]]);
  });

  test("net_connections: the oracle's own sockets are reported identically; the LISTEN sets are equal", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-oracle-'));
    const code = `
import json, os, socket, sys, psutil
keep = []
def mk(fam, typ, addr, listen=False):
    s = socket.socket(fam, typ); s.bind(addr)
    if listen: s.listen(5)
    keep.append(s); return s
mk(socket.AF_INET, socket.SOCK_STREAM, ('127.0.0.1', 0), True)
mk(socket.AF_INET, socket.SOCK_DGRAM, ('127.0.0.1', 0))
if os.path.exists('/proc/net/tcp6'):
    mk(socket.AF_INET6, socket.SOCK_STREAM, ('::1', 0), True)
    mk(socket.AF_INET6, socket.SOCK_DGRAM, ('::1', 0))
mk(socket.AF_UNIX, socket.SOCK_STREAM, sys.argv[1] + '/s.sock', True)
mk(socket.AF_UNIX, socket.SOCK_DGRAM, sys.argv[1] + '/d.sock')
srv = keep[0]; cli = socket.create_connection(srv.getsockname()); acc, _ = srv.accept(); keep += [cli, acc]
def conv(c):
    d = c._asdict()
    for k in ('laddr', 'raddr'):
        v = d[k]
        d[k] = {'ip': v.ip, 'port': v.port} if hasattr(v, 'ip') else (None if v == () else v)
    d['family'] = int(d['family']); d['type'] = int(d['type'])
    return d
def snap():
    allc = psutil.net_connections('all')
    return {'mine': [conv(c) for c in allc if c.pid == os.getpid()], 'listen': [conv(c) for c in allc if c.status == 'LISTEN']}
print(json.dumps(snap()), flush=True)
for line in sys.stdin:
    print(json.dumps(snap()), flush=True)
`;
    const child = spawn(PYTHON, ['-c', code, tmp], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let buf = '';
    const waiters: Array<() => void> = [];
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
        waiters.shift()?.();
      }
    });
    const next = async (): Promise<{ mine: PyConn[]; listen: PyConn[] }> => {
      if (lines.length === 0) await new Promise<void>((r) => waiters.push(r));
      return JSON.parse(lines.shift()!) as { mine: PyConn[]; listen: PyConn[] };
    };
    try {
      const norm = (c: PyConn | Connection): string =>
        JSON.stringify([c.fd, c.family, c.type, c.laddr, c.raddr, c.status, c.pid]);
      const listenKey = (c: PyConn | Connection): string =>
        JSON.stringify([c.family, c.type, c.laddr, c.raddr, c.status]);
      let theirs = await next();
      // The oracle's own sockets: every field, fd and pid included.
      const mine = ps.netConnections({ kind: 'all' }).filter((c) => c.pid === child.pid);
      expect(mine.map(norm).sort()).toEqual(theirs.mine.map(norm).sort());
      expect(theirs.mine.length).toBeGreaterThanOrEqual(6);
      // System-wide LISTEN sockets: other processes come and go, so retry a few snapshots before judging.
      let ours: string[] = [];
      let them: string[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        ours = [
          ...new Set(
            ps
              .netConnections({ kind: 'all' })
              .filter((c) => c.status === 'LISTEN')
              .map(listenKey),
          ),
        ].sort();
        them = [...new Set(theirs.listen.map(listenKey))].sort();
        if (JSON.stringify(ours) === JSON.stringify(them)) break;
        child.stdin.write('again\n');
        theirs = await next();
      }
      expect(ours).toEqual(them);
    } finally {
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('an invalid kind: psutil 5.9 raises ValueError, we throw RangeError (a bad value of the right type)', () => {
    const msg = py<string>(`
try:
    psutil.net_connections('bogus')
    out = 'no error'
except ValueError as e:
    out = 'ValueError'`);
    expect(msg).toBe('ValueError');
    expect(() => ps.netConnections({ kind: 'bogus' as 'all' })).toThrow(RangeError);
  });
});
