import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

import { parseSoftnet } from '../../../../src/probes/linux/parse/softnet';

describe('parseSoftnet', () => {
  test("node_exporter's fixture: 11 columns, CPUs numbered by line", () => {
    const p = path.join(NODE_EXPORTER_FIXTURES, 'proc/net/softnet_stat');
    const r = parseSoftnet(fs.readFileSync(p), p);
    expect(r.map((c) => c.cpu)).toEqual([0, 1, 2, 3]);
    expect(r[1]).toEqual({ cpu: 1, processed: 0xdfb82, dropped: 0x29, timeSqueezed: 10, cpuCollision: 0, receivedRps: 0, flowLimitCount: 0, backlogLen: 0 });
  });

  test("procfs's fixture: 9 to 13 columns; the 13th is the CPU number, missing columns read 0", () => {
    const r = parseSoftnet(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc/net/softnet_stat')));
    expect(r).toEqual([
      { cpu: 0, processed: 0x358fe3, dropped: 0x6283, timeSqueezed: 0, cpuCollision: 0, receivedRps: 0x855fc, flowLimitCount: 0x76, backlogLen: 0 },
      { cpu: 1, processed: 0x953d1a, dropped: 0x446, timeSqueezed: 0xb1, cpuCollision: 0, receivedRps: 0x8eeb9a, flowLimitCount: 0x2b, backlogLen: 0xdc },
      { cpu: 2, processed: 0x15c73, dropped: 0x20e76, timeSqueezed: 0xf0000769, cpuCollision: 4, receivedRps: 3, flowLimitCount: 2, backlogLen: 0 },
      { cpu: 3, processed: 0x1663fb2, dropped: 0, timeSqueezed: 0x109a4, cpuCollision: 0x20e76, receivedRps: 0, flowLimitCount: 0, backlogLen: 0 },
      { cpu: 4, processed: 0x8e78, dropped: 1, timeSqueezed: 0x11, cpuCollision: 0x20, receivedRps: 0x10, flowLimitCount: 0, backlogLen: 0 },
    ]);
  });

  test('the live file: one line per online CPU at least', () => {
    const r = parseSoftnet(fs.readFileSync('/proc/net/softnet_stat'));
    expect(r.length).toBeGreaterThan(0);
    expect(new Set(r.map((c) => c.cpu)).size).toBe(r.length);
  });

  test.each([
    ["procfs's softnet_stat.broken (4 columns)", fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc/net/softnet_stat.broken'), 'utf8')],
    ['not hexadecimal', '0000000g 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n'],
    ['wider than 32 bits', '100000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n'],
    ['binary', '\u0000\u0001'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseSoftnet(body, '/proc/net/softnet_stat')).toThrow(ParseError);
    expect(() => parseSoftnet(body, '/proc/net/softnet_stat')).toThrow('/proc/net/softnet_stat');
  });

  test('fuzz: random bytes and mutated fixtures give records or ParseError, nothing else', () => {
    onlyParseErrors((b) => parseSoftnet(b, 'x'), [fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc/net/softnet_stat'))]);
  });
});
