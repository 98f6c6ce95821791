import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNetstat, parseSnmp6 } from '../../../../src/probes/linux/parse/netstat';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

/** The node_netstat_* samples of node_exporter's golden output: `{ 'Tcp_InSegs': 57252008, ... }`. */
function goldenNetstat(): Map<string, number> {
  const text = fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'e2e-output.txt'), 'utf8');
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^node_netstat_(\w+) (\S+)$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

describe('parseNetstat / parseSnmp6', () => {
  const ne = (f: string): string => path.join(NODE_EXPORTER_FIXTURES, 'proc/net', f);
  const ours = (f: string): string => own('parse', 'net', f);

  test('our netstat (header lines ending in a space), snmp and snmp6 merge into one record per protocol', () => {
    const netstat = parseNetstat(fs.readFileSync(ours('netstat')), ours('netstat'));
    expect(Object.keys(netstat)).toEqual(['TcpExt', 'IpExt', 'MPTcpExt']);
    expect(Object.keys(netstat['TcpExt']!)).toHaveLength(12);
    expect(netstat['TcpExt']).toMatchObject({
      SyncookiesFailed: 3,
      ListenOverflows: 7,
      ListenDrops: 9,
      TCPOFOQueue: 5544,
    });
    expect(netstat['IpExt']).toMatchObject({ InOctets: 98765432109, OutOctets: 6543210987, InNoECTPkts: 7340032 });
    expect(netstat['MPTcpExt']).toEqual({ MPCapableSYNRX: 0, MPCapableSYNTX: 0 });
    const snmp = parseNetstat(fs.readFileSync(ours('snmp')), ours('snmp'));
    expect(Object.keys(snmp)).toEqual(['Ip', 'Icmp', 'IcmpMsg', 'Tcp', 'Udp', 'UdpLite']);
    expect(snmp['Tcp']).toMatchObject({
      MaxConn: -1,
      ActiveOpens: 3321,
      CurrEstab: 27,
      InSegs: 6912345,
      RetransSegs: 2204,
      InErrs: 3,
    });
    expect(snmp['Ip']).toMatchObject({ Forwarding: 1, InReceives: 7340032, InAddrErrors: 5, OutNoRoutes: 12 });
    expect(snmp['IcmpMsg']).toEqual({ InType0: 9, InType3: 40, InType8: 9, OutType0: 9, OutType3: 43, OutType8: 9 });
    expect(snmp['Udp']).toMatchObject({
      InDatagrams: 412000,
      NoPorts: 38,
      InErrors: 6,
      RcvbufErrors: 5,
      InCsumErrors: 1,
      IgnoredMulti: 2210,
    });
    const snmp6 = parseSnmp6(fs.readFileSync(ours('snmp6')), ours('snmp6'));
    expect(Object.keys(snmp6)).toEqual(['Ip6', 'Icmp6', 'Udp6', 'UdpLite6']);
    expect(snmp6['Ip6']).toMatchObject({ InReceives: 88120, InNoRoutes: 4, InOctets: 12345678901 });
    // The protocol ends at the first 6: Icmp6InType133 is Icmp6 / InType133, not Icmp6InType13 / 3.
    expect(snmp6['Icmp6']).toMatchObject({
      InMsgs: 310,
      InErrors: 1,
      OutMsgs: 402,
      InType133: 12,
      InType135: 150,
      OutType143: 22,
    });
    expect(snmp6['Udp6']).toEqual({ InDatagrams: 2001, NoPorts: 3, InErrors: 0, OutDatagrams: 1999, IgnoredMulti: 7 });
    expect(snmp6['UdpLite6']).toEqual({ InDatagrams: 0, OutDatagrams: 0 });
  });

  testPeer('node_exporter netstat + snmp + snmp6 reproduce every node_netstat_* sample of the golden output', () => {
    const merged: Record<string, Record<string, number>> = {};
    for (const rec of [
      parseNetstat(fs.readFileSync(ne('netstat')), ne('netstat')),
      parseNetstat(fs.readFileSync(ne('snmp')), ne('snmp')),
      parseSnmp6(fs.readFileSync(ne('snmp6')), ne('snmp6')),
    ]) {
      for (const [proto, fields] of Object.entries(rec)) merged[proto] = { ...(merged[proto] ?? {}), ...fields };
    }
    const golden = goldenNetstat();
    expect(golden.size).toBeGreaterThan(30);
    for (const [key, value] of golden) {
      const us = key.indexOf('_');
      const proto = key.slice(0, us);
      const field = key.slice(us + 1);
      expect([key, merged[proto]?.[field]]).toEqual([key, value]);
    }
  });

  testPeer('snmp: signed values, protocols in file order', () => {
    const r = parseNetstat(fs.readFileSync(ne('snmp')), ne('snmp'));
    expect(Object.keys(r)).toEqual(['Ip', 'Icmp', 'IcmpMsg', 'Tcp', 'Udp', 'UdpLite']);
    expect(r['Tcp']!['MaxConn']).toBe(-1);
    expect(r['IcmpMsg']).toEqual({ InType3: 104, OutType3: 120 });
  });

  testPeer('snmp6: the protocol is the name up to its first 6', () => {
    const r = parseSnmp6(fs.readFileSync(ne('snmp6')), ne('snmp6'));
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['Ip6', 'Icmp6', 'Udp6', 'UdpLite6']));
    expect(r['Ip6']!['InReceives']).toBe(7);
    expect(r['Icmp6']!['InMsgs']).toBeDefined();
  });

  test('snmp6: a name without a 6 is skipped', () => {
    expect(parseSnmp6('NoSixHere 3\nIp6InReceives\t5\n')).toEqual({ Ip6: { InReceives: 5 } });
  });

  testPeer('prometheus/procfs per-process netstat and snmp parse', () => {
    const dir = path.join(PROCFS_FIXTURES, 'proc/26231/net');
    expect(parseNetstat(fs.readFileSync(path.join(dir, 'netstat')))['TcpExt']).toBeDefined();
    expect(parseNetstat(fs.readFileSync(path.join(dir, 'snmp')))['Tcp']).toBeDefined();
    expect(parseSnmp6(fs.readFileSync(path.join(dir, 'snmp6')))['Ip6']).toBeDefined();
  });

  test.each([
    ['a header without values', 'Tcp: A B\n'],
    ['mismatched protocols', 'Tcp: A B\nUdp: 1 2\n'],
    ['count mismatch', 'Tcp: A B\nTcp: 1\n'],
    ['not a number', 'Tcp: A B\nTcp: 1 x\n'],
    ['no colon', 'Tcp A B\nTcp 1 2\n'],
  ])('netstat garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseNetstat(body, '/proc/net/snmp')).toThrow(ParseError);
    expect(() => parseNetstat(body, '/proc/net/snmp')).toThrow('/proc/net/snmp');
  });

  test.each([
    ['three tokens', 'Ip6InReceives 1 2\n'],
    ['not a number', 'Ip6InReceives x\n'],
  ])('snmp6 garbage (%s) -> ParseError', (_w, body) => {
    expect(() => parseSnmp6(body, '/proc/net/snmp6')).toThrow(ParseError);
  });
  test('fuzz: random bytes and mutated fixtures give a record or ParseError, nothing else', () => {
    onlyParseErrors((b) => parseNetstat(b, 'x'), [fs.readFileSync(ours('netstat')), fs.readFileSync(ours('snmp'))]);
    onlyParseErrors((b) => parseSnmp6(b, 'x'), [fs.readFileSync(ours('snmp6'))]);
  });
});
