import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { parseIpvsBackends, parseIpvsStats } from '../../../../src/probes/linux/parse/ipvs';
import { parseIbRate, parseIbState, parseSysfsUint64, U64_MAX } from '../../../../src/probes/linux/parse/sysattr';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, describePeer, own } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

const ours = (f: string): string => own('parse', 'ipvs', f);

describe('parseIpvsStats', () => {
  test('ours: the third line in hex, up to 2^53 - 1', () => {
    const p = ours('ip_vs_stats');
    expect(parseIpvsStats(fs.readFileSync(p), p)).toEqual({
      connections: 0xffffffff,
      incomingPackets: 1,
      outgoingPackets: 0,
      incomingBytes: 2 ** 53 - 1,
      outgoingBytes: 0,
    });
  });

  test.each([
    ['empty', ''],
    ['two lines', 'a\nb\n'],
    ['four totals', 'h\nh\n1 2 3 4\n'],
    ['not hex', 'h\nh\n1 2 3 4 g\n'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseIpvsStats(body, '/proc/net/ip_vs_stats')).toThrow(ParseError);
    expect(() => parseIpvsStats(body, '/proc/net/ip_vs_stats')).toThrow('/proc/net/ip_vs_stats');
  });
});

describe('parseIpvsBackends', () => {
  test("ours: SCTP, a v4-mapped virtual address (Go prints it dotted), a real server's zero runs", () => {
    const p = ours('ip_vs');
    expect(parseIpvsBackends(fs.readFileSync(p), p)).toEqual([
      {
        proto: 'SCTP',
        localAddress: '192.168.1.1',
        localPort: 2905,
        localMark: '',
        remoteAddress: '192.168.2.2',
        remotePort: 2905,
        weight: 1,
        activeConn: 3,
        inactConn: 0,
      },
      {
        proto: 'TCP',
        localAddress: '192.168.1.1',
        localPort: 80,
        localMark: '',
        remoteAddress: '2001:db8::1:0:0:1',
        remotePort: 80,
        weight: 4,
        activeConn: 1,
        inactConn: 2,
      },
    ]);
  });

  test('the golden host: FWM services keep the mark and no address; the first longest zero run is `::`', () => {
    const p = own('golden-host', 'proc', 'net', 'ip_vs');
    const b = parseIpvsBackends(fs.readFileSync(p), p);
    expect(b).toHaveLength(7);
    expect(b.map((x) => x.remoteAddress)).toContain('fd00:0:0:1::');
    expect(b.filter((x) => x.proto === 'FWM').map((x) => [x.localAddress, x.localPort, x.localMark])).toEqual([
      ['', 0, '00000010'],
      ['', 0, '00000010'],
    ]);
  });

  describePeer("the peers' ip_vs files", () => {
    test("node_exporter's: 10 real servers, totals of its e2e-output.txt", () => {
      const p = path.join(NODE_EXPORTER_FIXTURES, 'proc/net/ip_vs');
      const b = parseIpvsBackends(fs.readFileSync(p), p);
      expect(b).toHaveLength(10);
      expect(b[0]).toMatchObject({ localAddress: '192.168.0.22', remoteAddress: '192.168.82.22', activeConn: 248 });
      const s = path.join(NODE_EXPORTER_FIXTURES, 'proc/net/ip_vs_stats');
      expect(parseIpvsStats(fs.readFileSync(s), s)).toMatchObject({
        connections: 23765872,
        incomingBytes: 89991519156915,
      });
    });

    test("procfs's: bracketed IPv6 services (newer kernels)", () => {
      const p = path.join(PROCFS_FIXTURES, 'proc/net/ip_vs');
      const b = parseIpvsBackends(fs.readFileSync(p), p);
      expect(b.find((x) => x.remoteAddress === '2620::4')).toMatchObject({ localAddress: '2620::1', activeConn: 1 });
    });
  });

  test.each([
    ['a real server first', '  -> C0A80202:0B59 Masq 1 3 0\n'],
    ['a short real server line', 'TCP C0A80101:0050 rr\n  -> C0A80202:0050 Masq 1\n'],
    ['a bad address', 'TCP C0A801:0050 rr\n'],
    ['a bad IPv6 address', 'TCP [2001:db8::1]:0050 rr\n'],
    ['an unknown protocol', 'ICMP C0A80101:0000 rr\n'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseIpvsBackends(body, '/proc/net/ip_vs')).toThrow(ParseError);
    expect(() => parseIpvsBackends(body, '/proc/net/ip_vs')).toThrow('/proc/net/ip_vs');
  });

  test('fuzz: random bytes and mutated fixtures give records or ParseError, nothing else', () => {
    onlyParseErrors((b) => parseIpvsBackends(b, 'x'), [fs.readFileSync(ours('ip_vs'))]);
    onlyParseErrors((b) => parseIpvsStats(b, 'x'), [fs.readFileSync(ours('ip_vs_stats'))]);
  });
});

describe('parseSysfsUint64', () => {
  test.each([
    ['0x13', 19n],
    ['0xffffffffffffffff\n', U64_MAX],
    ['42', 42n],
    ['010', 8n],
    ['0', 0n],
  ])('%j -> %s', (text, want) => {
    expect(parseSysfsUint64(text)).toBe(want);
  });

  test.each([['-1'], ['0x1ffffffffffffffff'], ['12a'], [''], ['0x']])('%j -> ParseError', (text) => {
    expect(() => parseSysfsUint64(text, '/sys/x')).toThrow(ParseError);
  });
});

describe('parseIbState and parseIbRate', () => {
  test.each([
    ['4: ACTIVE\n', 4],
    ['5: LinkUp', 5],
    ['1: DOWN', 1],
  ])('state %j -> %d', (text, want) => {
    expect(parseIbState(text)).toBe(want);
  });

  test.each([
    ['40 Gb/sec (4X QDR)\n', 5e9],
    ['10 Gb/sec (4X)', 1.25e9],
    ['2.5 Gb/sec (1X SDR)', 3.125e8],
    ['100 Gb/sec (4X EDR)', 1.25e10],
  ])('rate %j -> %d bytes/s', (text, want) => {
    expect(parseIbRate(text)).toBe(want);
  });

  test.each([['ACTIVE'], [''], ['4 ACTIVE']])('state %j -> ParseError', (text) => {
    expect(() => parseIbState(text, '/sys/x/state')).toThrow(ParseError);
  });

  test.each([['40 Mb/sec'], [''], ['fast']])('rate %j -> ParseError', (text) => {
    expect(() => parseIbRate(text, '/sys/x/rate')).toThrow(ParseError);
  });
});
