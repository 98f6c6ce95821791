import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

import { parseArp } from '../../../../src/probes/linux/parse/arp';

const ARP = own('parse', 'net', 'arp');

describe('parseArp', () => {
  test('our fixture: complete, incomplete (flags 0) and permanent (0x6) entries on three devices, a 20-byte InfiniBand address', () => {
    const r = parseArp(fs.readFileSync(ARP), ARP);
    expect(r.map((e) => e.device)).toEqual(['enp1s0', 'enp1s0', 'enp1s0', 'docker0', 'ib0']);
    expect(r[0]).toEqual({
      ipAddress: '10.20.0.1',
      hwType: 1,
      flags: 2,
      hwAddress: '52:54:00:12:34:01',
      mask: '*',
      device: 'enp1s0',
    });
    expect(r[1]).toMatchObject({ ipAddress: '10.20.0.77', flags: 0, hwAddress: '00:00:00:00:00:00' });
    expect(r[2]?.flags).toBe(6);
    expect(r[4]).toMatchObject({
      hwType: 0x20,
      hwAddress: '80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:bc:d1',
      device: 'ib0',
    });
  });

  testPeer("node_exporter's fixture: every entry after the header", () => {
    const p = path.join(NODE_EXPORTER_FIXTURES, 'proc/net/arp');
    const r = parseArp(fs.readFileSync(p), p);
    expect(r.map((e) => e.device)).toEqual(['eth0', 'eth0', 'eth0', 'eth1', 'eth1', 'eth1', 'nope']);
    expect(r[0]).toEqual({
      ipAddress: '192.168.1.1',
      hwType: 1,
      flags: 2,
      hwAddress: 'cc:aa:dd:ee:aa:bb',
      mask: '*',
      device: 'eth0',
    });
  });

  testPeer("procfs's fixture: an incomplete entry (flags 0) is still an entry", () => {
    const r = parseArp(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc/net/arp')));
    expect(r).toHaveLength(2);
    expect(r[1]).toMatchObject({
      ipAddress: '192.168.224.2',
      flags: 0,
      hwAddress: '00:00:00:00:00:00',
      device: 'ens33',
    });
  });

  test('a header alone gives no entries', () => {
    expect(parseArp('IP address       HW type     Flags       HW address            Mask     Device\n')).toEqual([]);
  });

  test.each([
    ['five columns', '10.0.0.1 0x1 0x2 de:ad:be:ef:00:00 eth0\n'],
    ['flags not hexadecimal', '10.0.0.1 0x1 2 de:ad:be:ef:00:00 * eth0\n'],
    ['not an address', 'router 0x1 0x2 de:ad:be:ef:00:00 * eth0\n'],
    ['binary', '\u0000\u0001'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseArp(body, '/proc/net/arp')).toThrow(ParseError);
    expect(() => parseArp(body, '/proc/net/arp')).toThrow('/proc/net/arp');
  });

  test('fuzz: random bytes and mutated fixtures give records or ParseError, nothing else', () => {
    onlyParseErrors((b) => parseArp(b, 'x'), [fs.readFileSync(ARP)]);
  });
});
