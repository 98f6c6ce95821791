import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNetDev, NET_DEV_FIELDS } from '../../../../src/probes/linux/parse/netdev';
import { ParseError } from '../../../../src/probes/errors';
import { PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

const HEADER =
  'Inter-|   Receive                                                |  Transmit\n' +
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';

describe('parseNetDev', () => {
  test('our file: every interface in order, counters glued to the colon, a 15-character name, u64 counters', () => {
    const p = own('parse', 'net', 'dev');
    const dev = parseNetDev(fs.readFileSync(p), p);
    expect(Object.keys(dev)).toEqual(['lo', 'enp1s0', 'vethabcdef12345', 'wlp2s0']);
    expect(dev['enp1s0']).toEqual({
      receiveBytes: 98765432109,
      receivePackets: 7340032,
      receiveErrs: 3,
      receiveDrop: 17,
      receiveFifo: 0,
      receiveFrame: 1,
      receiveCompressed: 0,
      receiveMulticast: 4410,
      transmitBytes: 6543210987,
      transmitPackets: 5120000,
      transmitErrs: 0,
      transmitDrop: 2,
      transmitFifo: 0,
      transmitColls: 5,
      transmitCarrier: 1,
      transmitCompressed: 0,
    });
    expect(dev['vethabcdef12345']).toMatchObject({
      receiveBytes: 656,
      receivePackets: 8,
      transmitBytes: 1726,
      transmitPackets: 19,
    });
    expect(dev['lo']!.receiveBytes).toBe(dev['lo']!.transmitBytes);
    // u64 counters beyond 2^53 come out as the nearest double.
    expect(dev['wlp2s0']).toMatchObject({ receiveBytes: 18446744073709551615, receivePackets: 4294967296 });
    expect(Object.keys(dev['lo']!)).toEqual([...NET_DEV_FIELDS]);
  });

  testPeer('prometheus/procfs fixture: every interface, all 16 columns in order', () => {
    const p = path.join(PROCFS_FIXTURES, 'proc/net/dev');
    const dev = parseNetDev(fs.readFileSync(p), p);
    expect(Object.keys(dev)).toEqual(['vethf345468', 'lo', 'docker0', 'eth0']);
    expect(dev['eth0']).toEqual({
      receiveBytes: 874354587,
      receivePackets: 1036395,
      receiveErrs: 0,
      receiveDrop: 0,
      receiveFifo: 0,
      receiveFrame: 0,
      receiveCompressed: 0,
      receiveMulticast: 0,
      transmitBytes: 563352563,
      transmitPackets: 732147,
      transmitErrs: 0,
      transmitDrop: 0,
      transmitFifo: 0,
      transmitColls: 0,
      transmitCarrier: 0,
      transmitCompressed: 0,
    });
    expect(Object.keys(dev['lo']!)).toEqual([...NET_DEV_FIELDS]);
    expect(Object.isFrozen(dev) && Object.isFrozen(dev['lo'])).toBe(true);
  });

  test('counters glued to the colon (eth0:1234567890 ...) split at the last colon', () => {
    const p = own('net-basic/proc/net/dev');
    const dev = parseNetDev(fs.readFileSync(p, 'utf8'), p);
    expect(dev['eth0']!.receiveBytes).toBe(1234567890);
    expect(dev['eth0']!.receivePackets).toBe(1036395);
    expect(dev['eth0']!.transmitCompressed).toBe(12);
    expect(dev['eth0']!.transmitColls).toBe(10);
    const glued = parseNetDev(HEADER + 'eth1:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n');
    expect(Object.values(glued['eth1']!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  });

  test('no interfaces, blank lines, and extra columns from a future kernel', () => {
    expect(parseNetDev(HEADER)).toEqual({});
    expect(parseNetDev('')).toEqual({});
    const r = parseNetDev(HEADER + '\n  x: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\n\n');
    expect(r['x']!.transmitCompressed).toBe(16);
  });

  test('a NIC named __proto__ stays an own key', () => {
    const r = parseNetDev(HEADER + '__proto__: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n');
    expect(Object.keys(r)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
  });

  test.each([
    ['no colon', 'eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n'],
    ['too few columns', 'eth0: 1 2 3\n'],
    ['a non-number', 'eth0: 1 2 3 4 5 6 7 x 9 10 11 12 13 14 15 16\n'],
    ['a negative number', 'eth0: 1 2 3 4 5 6 7 -8 9 10 11 12 13 14 15 16\n'],
    ['empty name', '   : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n'],
    ['binary garbage', '\u0000\u0001\u00ff:\u0002'],
  ])('garbage (%s) -> ParseError naming the file', (_what, body) => {
    expect(() => parseNetDev(HEADER + body, '/proc/net/dev')).toThrow(ParseError);
    try {
      parseNetDev(HEADER + body, '/proc/net/dev');
    } catch (err) {
      expect((err as ParseError).path).toBe('/proc/net/dev');
    }
  });
  test('fuzz: random bytes and mutated fixtures give a record or ParseError, nothing else', () => {
    onlyParseErrors(
      (b) => parseNetDev(b, 'x'),
      [fs.readFileSync(own('net-basic/proc/net/dev')), fs.readFileSync(own('parse', 'net', 'dev'))],
    );
  });
});
