import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  countTcpStates,
  decodeInetAddress,
  formatIpv6,
  parseInetSockets,
  parseUnixSockets,
  TCP_STATUSES,
} from '../../../../src/probes/linux/parse/netconn';
import { ParseError } from '../../../../src/probes/errors';
import { fsencode } from '../../../../src/util/fsencoding';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

const procfs = (rel: string): string => path.join(PROCFS_FIXTURES, 'proc', rel);
const net = (f: string): string => own('parse', 'net', f);

describe('decodeInetAddress', () => {
  test('IPv4 is one little-endian word on LE hosts, big-endian on BE hosts', () => {
    expect(decodeInetAddress('0500000A:0016', 2, 'x', true)).toEqual({ ip: '10.0.0.5', port: 22 });
    expect(decodeInetAddress('0100007F:1F90', 2, 'x', true)).toEqual({ ip: '127.0.0.1', port: 8080 });
    expect(decodeInetAddress('7F000001:1F90', 2, 'x', false)).toEqual({ ip: '127.0.0.1', port: 8080 });
  });

  test('port 0 -> null (psutil ())', () => {
    expect(decodeInetAddress('00000000:0000', 2, 'x', true)).toBeNull();
    expect(decodeInetAddress('0100007F:0000', 2, 'x', true)).toBeNull();
    expect(decodeInetAddress('00000000000000000000000000000000:0000', 10, 'x', true)).toBeNull();
  });

  test('IPv6 is four words, each byte-swapped on LE (psutil #201)', () => {
    expect(decodeInetAddress('0000000000000000FFFF00000100007F:9E49', 10, 'x', true)).toEqual({
      ip: '::ffff:127.0.0.1',
      port: 40521,
    });
    expect(decodeInetAddress('000080FE00000000FFADE15609667CFE:C781', 10, 'x', true)).toEqual({
      ip: 'fe80::56e1:adff:fe7c:6609',
      port: 51073,
    });
    expect(decodeInetAddress('00000000000000000000000001000000:0035', 10, 'x', true)).toEqual({ ip: '::1', port: 53 });
    // The same address as a big-endian host prints it.
    expect(decodeInetAddress('FE8000000000000056E1ADFFFE7C6609:C781', 10, 'x', false)).toEqual({
      ip: 'fe80::56e1:adff:fe7c:6609',
      port: 51073,
    });
    expect(decodeInetAddress('B80D0120000000000000000001000000:01BB', 10, 'x', true)).toEqual({
      ip: '2001:db8::1',
      port: 443,
    });
  });

  test.each([
    ['0500000A', 2],
    ['0500000Z:0016', 2],
    ['0500000A:', 2],
    ['0500000A:12345', 2],
    ['00:0016', 2],
    ['0500000A:0016', 10],
    ['', 2],
  ])('bad address %j (family %d) -> ParseError', (tok, fam) => {
    expect(() => decodeInetAddress(tok, fam, '/proc/net/tcp')).toThrow(ParseError);
  });
});

describe('formatIpv6 (glibc inet_ntop rules)', () => {
  const b = (hex: string): number[] => Array.from(Buffer.from(hex, 'hex'));
  test.each([
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'],
    ['20010db8000000000001000000000000', '2001:db8:0:0:1::'],
    ['20010db8000000000001000100000000', '2001:db8::1:1:0:0'],
    ['00000000000000000000ffff01020304', '::ffff:1.2.3.4'],
    ['00000000000000000000000001020304', '::1.2.3.4'],
    ['fe800000000000000000000000000000', 'fe80::'],
    ['20010db8000100010001000100010001', '2001:db8:1:1:1:1:1:1'],
    ['20010000000000010000000000000000', '2001:0:0:1::'],
    ['00010000000000000000000000000000', '1::'],
  ])('%s -> %s', (hex, text) => {
    expect(formatIpv6(b(hex))).toBe(text);
  });
});

describe('parseInetSockets', () => {
  test('our tcp: listeners, an established peer, a TIME_WAIT minisock with its shorter line, trailing padding', () => {
    const socks = parseInetSockets(fs.readFileSync(net('tcp')), 2, 'tcp', { littleEndian: true });
    expect(socks).toEqual([
      { laddr: { ip: '0.0.0.0', port: 22 }, raddr: null, state: 0x0a, inode: '21001' },
      { laddr: { ip: '127.0.0.1', port: 9100 }, raddr: null, state: 0x0a, inode: '21002' },
      { laddr: { ip: '10.20.0.5', port: 22 }, raddr: { ip: '192.168.1.50', port: 45678 }, state: 0x01, inode: '21003' },
      { laddr: { ip: '10.20.0.5', port: 45679 }, raddr: { ip: '10.20.0.1', port: 443 }, state: 0x06, inode: '0' },
      { laddr: { ip: '10.20.0.5', port: 45680 }, raddr: { ip: '10.20.0.1', port: 443 }, state: 0x08, inode: '21004' },
    ]);
    expect(countTcpStates(fs.readFileSync(net('tcp'))).slice(0, 11)).toEqual([0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 2]);
  });

  test('our tcp6: the unspecified address, IPv4-mapped peers, link-local and documentation addresses', () => {
    const socks = parseInetSockets(fs.readFileSync(net('tcp6')), 10, 'tcp6', { littleEndian: true });
    expect(socks).toEqual([
      { laddr: { ip: '::', port: 22 }, raddr: null, state: 0x0a, inode: '21101' },
      {
        laddr: { ip: '::ffff:10.20.0.5', port: 8443 },
        raddr: { ip: '::ffff:192.168.1.50', port: 50001 },
        state: 0x01,
        inode: '21102',
      },
      { laddr: { ip: 'fe80::5054:ff:fe12:3401', port: 9100 }, raddr: null, state: 0x0a, inode: '21103' },
      {
        laddr: { ip: '2001:db8:0:1::5', port: 443 },
        raddr: { ip: '2001:db8::c0:ffee', port: 61000 },
        state: 0x04,
        inode: '21104',
      },
    ]);
  });

  test('our udp and udp6 (ref, pointer and drops columns; lines padded with spaces): unconnected state 7, a connected socket', () => {
    const udp = parseInetSockets(fs.readFileSync(net('udp')), 2, 'udp', { littleEndian: true });
    expect(udp.map((s) => [s.laddr, s.raddr, s.state, s.inode])).toEqual([
      [{ ip: '0.0.0.0', port: 68 }, null, 7, '22001'],
      [{ ip: '127.0.0.53', port: 53 }, null, 7, '22002'],
      [{ ip: '10.20.0.5', port: 5353 }, null, 7, '22003'],
      [{ ip: '10.20.0.5', port: 40000 }, { ip: '10.20.0.1', port: 123 }, 1, '22004'],
    ]);
    const udp6 = parseInetSockets(fs.readFileSync(net('udp6')), 10, 'udp6', { littleEndian: true });
    expect(udp6.map((s) => [s.laddr, s.inode])).toEqual([
      [{ ip: '::', port: 5353 }, '22101'],
      [{ ip: 'fe80::5054:ff:fe12:3401', port: 546 }, '22102'],
    ]);
  });

  test('our udp cut short after the state -> ParseError naming the file and line', () => {
    const p = net('udp-cut');
    expect(() => parseInetSockets(fs.readFileSync(p), 2, p)).toThrow(ParseError);
    expect(() => parseInetSockets(fs.readFileSync(p), 2, p)).toThrow(`${p}: line 3`);
  });

  testPeer('prometheus/procfs tcp: header skipped, 3 listening sockets with their inodes', () => {
    const p = procfs('net/tcp');
    const socks = parseInetSockets(fs.readFileSync(p), 2, p, { littleEndian: true });
    expect(socks).toEqual([
      { laddr: { ip: '10.0.0.5', port: 22 }, raddr: null, state: 0x0a, inode: '2740' },
      { laddr: { ip: '0.0.0.0', port: 22 }, raddr: null, state: 0x0a, inode: '2740' },
      { laddr: { ip: '0.0.0.0', port: 22 }, raddr: null, state: 0x0a, inode: '2740' },
    ]);
  });

  testPeer('prometheus/procfs tcp6 (with the ref/pointer/drops columns)', () => {
    const p = procfs('net/tcp6');
    const socks = parseInetSockets(fs.readFileSync(p), 10, p, { littleEndian: true });
    expect(socks).toEqual([
      { laddr: { ip: '::', port: 5355 }, raddr: null, state: 7, inode: '21040' },
      { laddr: { ip: 'fe80::56e1:adff:fe7c:6609', port: 51073 }, raddr: null, state: 7, inode: '11337031' },
    ]);
  });

  testPeer('node_exporter udp (trailing spaces on every line)', () => {
    const p = path.join(NODE_EXPORTER_FIXTURES, 'proc/net/udp');
    expect(parseInetSockets(fs.readFileSync(p), 2, p, { littleEndian: true })).toEqual([
      { laddr: { ip: '0.0.0.0', port: 22 }, raddr: null, state: 0x0a, inode: '2740' },
    ]);
  });

  test('own tcp/tcp6/udp lines: states, connected peers, IPv4-mapped IPv6', () => {
    const tcp = parseInetSockets(fs.readFileSync(own('net-basic/proc/net/tcp')), 2, 'tcp', { littleEndian: true });
    expect(tcp.map((s) => [s.laddr, s.raddr, TCP_STATUSES.get(s.state), s.inode])).toEqual([
      [{ ip: '127.0.0.1', port: 8080 }, null, 'LISTEN', '1001'],
      [{ ip: '0.0.0.0', port: 22 }, null, 'LISTEN', '1003'],
      [{ ip: '10.0.0.5', port: 22 }, { ip: '192.168.1.10', port: 51234 }, 'ESTABLISHED', '1002'],
      [{ ip: '127.0.0.1', port: 8080 }, { ip: '127.0.0.1', port: 40000 }, 'TIME_WAIT', '0'],
      [{ ip: '127.0.0.1', port: 6000 }, null, 'LISTEN', '1004'],
      [{ ip: '10.0.0.5', port: 33000 }, { ip: '93.184.216.34', port: 443 }, 'SYN_SENT', '1005'],
    ]);
    const tcp6 = parseInetSockets(fs.readFileSync(own('net-basic/proc/net/tcp6')), 10, 'tcp6', { littleEndian: true });
    expect(tcp6.map((s) => [s.laddr?.ip, s.raddr?.ip ?? null, TCP_STATUSES.get(s.state)])).toEqual([
      ['::', null, 'LISTEN'],
      ['::ffff:127.0.0.1', '::ffff:127.0.0.1', 'ESTABLISHED'],
      ['2001:db8::1', '2001:db8::2', 'CLOSE_WAIT'],
      ['fe80::1:2:3:4', null, 'LISTEN'],
    ]);
    const udp = parseInetSockets(fs.readFileSync(own('net-basic/proc/net/udp')), 2, 'udp', { littleEndian: true });
    expect(udp.map((s) => [s.laddr, s.raddr, s.state])).toEqual([
      [{ ip: '0.0.0.0', port: 68 }, null, 7],
      [{ ip: '127.0.0.1', port: 5000 }, { ip: '127.0.0.53', port: 53 }, 1],
    ]);
  });

  test('an inode filter skips other lines before decoding them', () => {
    const socks = parseInetSockets(fs.readFileSync(own('net-basic/proc/net/tcp')), 2, 'tcp', {
      only: new Set(['1002']),
    });
    expect(socks.map((s) => s.inode)).toEqual(['1002']);
  });

  testPeer("procfs's udp_broken -> ParseError naming the file", () => {
    const p = procfs('net/udp_broken');
    expect(() => parseInetSockets(fs.readFileSync(p), 2, p)).toThrow(ParseError);
    expect(() => parseInetSockets(fs.readFileSync(p), 2, p)).toThrow(p);
  });

  test('garbage -> ParseError naming the file', () => {
    const hdr = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    const line = (st: string, inode: string, l = '0100007F:1F90'): string =>
      `   0: ${l} 00000000:0000 ${st} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0 100 0 0 10 0\n`;
    expect(() => parseInetSockets(hdr + line('0A', 'abc'), 2, '/proc/net/tcp')).toThrow(ParseError);
    expect(() => parseInetSockets(hdr + line('XYZ', '1'), 2, '/proc/net/tcp')).toThrow(ParseError);
    expect(() => parseInetSockets(hdr + line('0A', '1', 'nothex:1F90'), 2, '/proc/net/tcp')).toThrow(ParseError);
    try {
      parseInetSockets(hdr + line('0A', '1', 'nothex:1F90'), 2, '/proc/net/tcp');
    } catch (err) {
      expect((err as ParseError).path).toBe('/proc/net/tcp');
      expect((err as ParseError).message).toContain('line 2');
    }
    expect(() => parseInetSockets(Buffer.from([0xff, 0x00, 0x0a, 0x41, 0x3a]), 2, '/proc/net/tcp')).toThrow(ParseError);
    expect(parseInetSockets('', 2)).toEqual([]);
  });
});

describe('countTcpStates', () => {
  test('counts by state without decoding addresses', () => {
    const c = countTcpStates(fs.readFileSync(own('net-basic/proc/net/tcp')));
    expect(c[0x0a]).toBe(3);
    expect(c[0x01]).toBe(1);
    expect(c[0x06]).toBe(1);
    expect(c[0x02]).toBe(1);
    expect(c.reduce((a, b) => a + b, 0)).toBe(6);
  });

  test('garbage -> ParseError', () => {
    expect(() => countTcpStates('  sl local_address\n 0: x y\n', '/proc/net/tcp')).toThrow(ParseError);
  });

  test('our tcp: the tx_queue:rx_queue column summed in hex (a listener backlog of 3, 0x24 unacked, 0x10 unread)', () => {
    const q = { tx: 0, rx: 0 };
    countTcpStates(fs.readFileSync(net('tcp')), 'tcp', undefined, q);
    expect(q).toEqual({ tx: 0x24, rx: 3 + 0x10 });
    // Summed on top of what the object holds: tcp and tcp6 add up.
    countTcpStates(fs.readFileSync(net('tcp6')), 'tcp6', undefined, q);
    expect(q).toEqual({ tx: 0x24, rx: 3 + 0x10 });
  });

  testPeer("procfs's tcp and tcp6: queues 1:0, 0:1, 1:1 and two zero lines", () => {
    const q = { tx: 0, rx: 0 };
    countTcpStates(fs.readFileSync(procfs('net/tcp')), 'tcp', undefined, q);
    countTcpStates(fs.readFileSync(procfs('net/tcp6')), 'tcp6', undefined, q);
    expect(q).toEqual({ tx: 2, rx: 2 });
  });

  test('a missing or malformed queue column -> ParseError only when queues are asked for', () => {
    const text = '  sl local_address rem_address st tx_queue\n 0: 00000000:0016 00000000:0000 0A 0000zz00:00000000\n';
    expect(countTcpStates(text, 'x')[0x0a]).toBe(1);
    expect(() => countTcpStates(text, '/proc/net/tcp', undefined, { tx: 0, rx: 0 })).toThrow(ParseError);
    expect(() =>
      countTcpStates(' 0: 00000000:0016 00000000:0000 0A\n', '/proc/net/tcp', undefined, { tx: 0, rx: 0 }),
    ).toThrow('/proc/net/tcp');
  });
});

describe('parseUnixSockets', () => {
  test('our unix: hashed pointers, abstract names (@ for the NULs), a padded inode, no path, a path with spaces', () => {
    const p = net('unix');
    expect(parseUnixSockets(fs.readFileSync(p), p)).toEqual([
      { type: 1, inode: '23001', path: '/run/systemd/private' },
      { type: 5, inode: '23002', path: '@/org/kernel/linux/storage/multipathd' },
      { type: 2, inode: '407', path: '/run/systemd/journal/dev-log' },
      { type: 1, inode: '23004', path: '' },
      { type: 1, inode: '23005', path: '/home/ann/My Sockets/app sock' },
      { type: 1, inode: '23006', path: '@@' },
    ]);
    expect(parseUnixSockets(fs.readFileSync(p), p, { only: new Set(['407']) }).map((s) => s.path)).toEqual([
      '/run/systemd/journal/dev-log',
    ]);
  });

  test('our 2.4-era unix (no Inode column) -> ParseError naming the file', () => {
    const p = net('unix-2.4');
    expect(() => parseUnixSockets(fs.readFileSync(p), p)).toThrow(ParseError);
    expect(() => parseUnixSockets(fs.readFileSync(p), p)).toThrow(p);
  });

  testPeer('prometheus/procfs unix: 7 or 8 columns; type, inode and path', () => {
    const p = procfs('net/unix');
    expect(parseUnixSockets(fs.readFileSync(p), p)).toEqual([
      { type: 1, inode: '3442596', path: '/var/run/postgresql/.s.PGSQL.5432' },
      { type: 5, inode: '10061', path: '/run/udev/control' },
      { type: 2, inode: '12392', path: '/dev/log' },
      { type: 1, inode: '4787297', path: '/var/run/postgresql/.s.PGSQL.5432' },
      { type: 1, inode: '5091797', path: '' },
    ]);
  });

  test('own lines: abstract names, a path with spaces, padded inodes', () => {
    const socks = parseUnixSockets(fs.readFileSync(own('net-basic/proc/net/unix')));
    expect(socks.map((s) => [s.type, s.inode, s.path])).toEqual([
      [1, '1401', '/run/x.sock'],
      [2, '1402', '@foo'],
      [5, '1403', ''],
      [1, '1404', '/tmp/a b.sock'],
      [1, '1405', ''],
      [1, '1406', ''],
    ]);
  });

  test('a socket path with bytes that are not UTF-8 keeps them (fsencode gives the path back)', () => {
    const raw = Buffer.concat([
      Buffer.from('Num       RefCount Protocol Flags    Type St Inode Path\n'),
      Buffer.from('0000000000000000: 00000002 00000000 00010000 0001 01  1407 /tmp/s'),
      Buffer.of(0xff, 0xed, 0xa0, 0x80),
      Buffer.from('.sock\n'),
    ]);
    const [s] = parseUnixSockets(raw);
    expect(s!.path).toBe('/tmp/s\udcff\udced\udca0\udc80.sock');
    expect(fsencode(s!.path)).toEqual(raw.subarray(raw.indexOf('/tmp/s'), raw.length - 1));
  });

  testPeer("procfs's unix_without_inode -> ParseError", () => {
    const p = procfs('net/unix_without_inode');
    expect(() => parseUnixSockets(fs.readFileSync(p), p)).toThrow(ParseError);
  });

  test('lines without a space are skipped (psutil #766); garbage -> ParseError', () => {
    expect(parseUnixSockets('Num RefCount\nxxxxxxxxxx\n')).toEqual([]);
    expect(() => parseUnixSockets('0000: 00000002 00000000\n', '/proc/net/unix')).toThrow(ParseError);
    expect(() => parseUnixSockets('0000: 00000002 00000000 00010000 zz 01 10 /x\n', '/proc/net/unix')).toThrow(
      ParseError,
    );
  });
});

describe('fuzz', () => {
  test('random bytes and mutated fixtures give records or ParseError, nothing else', () => {
    const tcp = [
      fs.readFileSync(own('net-basic/proc/net/tcp')),
      fs.readFileSync(own('net-basic/proc/net/udp')),
      fs.readFileSync(net('tcp')),
    ];
    const tcp6 = [
      fs.readFileSync(own('net-basic/proc/net/tcp6')),
      fs.readFileSync(net('tcp6')),
      fs.readFileSync(net('udp6')),
    ];
    const unix = [fs.readFileSync(own('net-basic/proc/net/unix')), fs.readFileSync(net('unix'))];
    onlyParseErrors((b) => parseInetSockets(b, 2, 'x'), tcp);
    onlyParseErrors((b) => parseInetSockets(b, 10, 'x'), tcp6);
    onlyParseErrors((b) => countTcpStates(b, 'x'), [...tcp, ...tcp6]);
    onlyParseErrors((b) => countTcpStates(b, 'x', undefined, { tx: 0, rx: 0 }), [...tcp, ...tcp6]);
    onlyParseErrors((b) => parseUnixSockets(b, 'x'), unix);
  });
});
