import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

import { parseUdpQueues } from '../../../../src/probes/linux/parse/udpqueues';

describe('parseUdpQueues', () => {
  test('our udp and udp6: tx and rx summed over the sockets (hexadecimal, trailing padding, ref/pointer/drops columns)', () => {
    const p = own('parse', 'net', 'udp');
    expect(parseUdpQueues(fs.readFileSync(p), p)).toEqual({ txQueue: 0x1000 + 0x8, rxQueue: 0x200 + 0x40, sockets: 4 });
    expect(parseUdpQueues(fs.readFileSync(own('parse', 'net', 'udp6')))).toEqual({
      txQueue: 0x10,
      rxQueue: 0x300,
      sockets: 2,
    });
  });

  testPeer("node_exporter's fixture: tx and rx summed over the sockets", () => {
    const p = path.join(NODE_EXPORTER_FIXTURES, 'proc/net/udp');
    expect(parseUdpQueues(fs.readFileSync(p), p)).toEqual({ txQueue: 0x15, rxQueue: 0, sockets: 1 });
  });

  testPeer("procfs's udp and udp6", () => {
    expect(parseUdpQueues(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc/net/udp')))).toEqual({
      txQueue: 2,
      rxQueue: 2,
      sockets: 3,
    });
    const six = parseUdpQueues(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc/net/udp6')));
    expect(six.sockets).toBeGreaterThan(0);
  });

  test('the live files parse', () => {
    for (const p of ['/proc/net/udp', '/proc/net/udp6'])
      expect(parseUdpQueues(fs.readFileSync(p), p).txQueue).toBeGreaterThanOrEqual(0);
  });

  testPeer("procfs's udp_broken (a line cut short) -> ParseError", () => {
    const p = path.join(PROCFS_FIXTURES, 'proc/net/udp_broken');
    expect(() => parseUdpQueues(fs.readFileSync(p), p)).toThrow(ParseError);
  });

  test.each([
    ['our udp with a line cut short after the state', fs.readFileSync(own('parse', 'net', 'udp-cut'), 'utf8')],
    ['no header', '   0: 0500000A:0016 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 2740\n'],
    [
      'queues not hexadecimal',
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0500000A:0016 00000000:0000 0A 0000000z:00000001 00:00000000 00000000     0        0 2740\n',
    ],
    ['binary', '\u0000\u0001'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseUdpQueues(body, '/proc/net/udp')).toThrow(ParseError);
    expect(() => parseUdpQueues(body, '/proc/net/udp')).toThrow('/proc/net/udp');
  });

  test('fuzz: random bytes and mutated fixtures give a record or ParseError, nothing else', () => {
    onlyParseErrors(
      (b) => parseUdpQueues(b, 'x'),
      [fs.readFileSync(own('parse', 'net', 'udp')), fs.readFileSync(own('parse', 'net', 'udp6'))],
    );
  });
});
