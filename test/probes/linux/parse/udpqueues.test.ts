import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

import { parseUdpQueues } from '../../../../src/probes/linux/parse/udpqueues';

describe('parseUdpQueues', () => {
  test("node_exporter's fixture: tx and rx summed over the sockets", () => {
    const p = path.join(NODE_EXPORTER_FIXTURES, 'proc/net/udp');
    expect(parseUdpQueues(fs.readFileSync(p), p)).toEqual({ txQueue: 0x15, rxQueue: 0, sockets: 1 });
  });

  test("procfs's udp and udp6", () => {
    expect(parseUdpQueues(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc/net/udp')))).toEqual({ txQueue: 2, rxQueue: 2, sockets: 3 });
    const six = parseUdpQueues(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc/net/udp6')));
    expect(six.sockets).toBeGreaterThan(0);
  });

  test('the live files parse', () => {
    for (const p of ['/proc/net/udp', '/proc/net/udp6']) expect(parseUdpQueues(fs.readFileSync(p), p).txQueue).toBeGreaterThanOrEqual(0);
  });

  test.each([
    ["procfs's udp_broken (a line cut short)", fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc/net/udp_broken'), 'utf8')],
    ['no header', '   0: 0500000A:0016 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 2740\n'],
    ['queues not hexadecimal', '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0500000A:0016 00000000:0000 0A 0000000z:00000001 00:00000000 00000000     0        0 2740\n'],
    ['binary', '\u0000\u0001'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseUdpQueues(body, '/proc/net/udp')).toThrow(ParseError);
    expect(() => parseUdpQueues(body, '/proc/net/udp')).toThrow('/proc/net/udp');
  });

  test('fuzz: random bytes and mutated fixtures give a record or ParseError, nothing else', () => {
    onlyParseErrors((b) => parseUdpQueues(b, 'x'), [fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc/net/udp'))]);
  });
});
