import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

import { parseSoftnet } from '../../../../src/probes/linux/parse/softnet';

describe('parseSoftnet', () => {
  const ours = (columns: number | string): Buffer => fs.readFileSync(own('parse', 'net', `softnet_stat-${columns}`));

  test('our files by column count: 9 (2.6.23) and 10 (2.6.39, received_rps); missing columns read 0, CPUs numbered by line', () => {
    expect(parseSoftnet(ours(9))).toEqual([
      {
        cpu: 0,
        processed: 0x1e240,
        dropped: 0,
        timeSqueezed: 3,
        cpuCollision: 1,
        receivedRps: 0,
        flowLimitCount: 0,
        backlogLen: 0,
      },
      {
        cpu: 1,
        processed: 0xb0fe,
        dropped: 2,
        timeSqueezed: 0,
        cpuCollision: 0,
        receivedRps: 0,
        flowLimitCount: 0,
        backlogLen: 0,
      },
    ]);
    expect(parseSoftnet(ours(10))).toEqual([
      {
        cpu: 0,
        processed: 0xf4240,
        dropped: 5,
        timeSqueezed: 0x11,
        cpuCollision: 0,
        receivedRps: 0xabc,
        flowLimitCount: 0,
        backlogLen: 0,
      },
      {
        cpu: 1,
        processed: 0x186a0,
        dropped: 0,
        timeSqueezed: 0,
        cpuCollision: 2,
        receivedRps: 0xdef,
        flowLimitCount: 0,
        backlogLen: 0,
      },
    ]);
  });

  test('our 11-column file (4.18, flow_limit_count)', () => {
    expect(parseSoftnet(ours(11))).toEqual([
      {
        cpu: 0,
        processed: 0xa1b2c3,
        dropped: 0x10,
        timeSqueezed: 0x1f,
        cpuCollision: 0,
        receivedRps: 0x1000,
        flowLimitCount: 0x33,
        backlogLen: 0,
      },
      {
        cpu: 1,
        processed: 0x64,
        dropped: 0,
        timeSqueezed: 0,
        cpuCollision: 0,
        receivedRps: 0,
        flowLimitCount: 0,
        backlogLen: 0,
      },
    ]);
  });

  test('our 13-column file (5.14+): the 13th column is the CPU number (CPU 1 offline), 0xffffffff kept', () => {
    const r = parseSoftnet(ours(13));
    expect(r.map((c) => c.cpu)).toEqual([0, 2, 3]);
    expect(r[0]).toEqual({
      cpu: 0,
      processed: 0x0badcafe,
      dropped: 1,
      timeSqueezed: 2,
      cpuCollision: 3,
      receivedRps: 4,
      flowLimitCount: 5,
      backlogLen: 6,
    });
    expect(r[2]).toMatchObject({ processed: 0xffffffff, dropped: 7, backlogLen: 9 });
  });

  test('our 15-column file (6.x, two queue lengths more): the known columns, CPU from the 13th', () => {
    const r = parseSoftnet(ours(15));
    expect(r.map((c) => c.cpu)).toEqual([0, 1]);
    expect(r[1]).toEqual({
      cpu: 1,
      processed: 0xfff,
      dropped: 0,
      timeSqueezed: 1,
      cpuCollision: 0,
      receivedRps: 0,
      flowLimitCount: 0,
      backlogLen: 2,
    });
  });

  testPeer("node_exporter's fixture: 11 columns, CPUs numbered by line", () => {
    const p = path.join(NODE_EXPORTER_FIXTURES, 'proc/net/softnet_stat');
    const r = parseSoftnet(fs.readFileSync(p), p);
    expect(r.map((c) => c.cpu)).toEqual([0, 1, 2, 3]);
    expect(r[1]).toEqual({
      cpu: 1,
      processed: 0xdfb82,
      dropped: 0x29,
      timeSqueezed: 10,
      cpuCollision: 0,
      receivedRps: 0,
      flowLimitCount: 0,
      backlogLen: 0,
    });
  });

  testPeer("procfs's fixture: 9 to 13 columns; the 13th is the CPU number, missing columns read 0", () => {
    const r = parseSoftnet(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc/net/softnet_stat')));
    expect(r).toEqual([
      {
        cpu: 0,
        processed: 0x358fe3,
        dropped: 0x6283,
        timeSqueezed: 0,
        cpuCollision: 0,
        receivedRps: 0x855fc,
        flowLimitCount: 0x76,
        backlogLen: 0,
      },
      {
        cpu: 1,
        processed: 0x953d1a,
        dropped: 0x446,
        timeSqueezed: 0xb1,
        cpuCollision: 0,
        receivedRps: 0x8eeb9a,
        flowLimitCount: 0x2b,
        backlogLen: 0xdc,
      },
      {
        cpu: 2,
        processed: 0x15c73,
        dropped: 0x20e76,
        timeSqueezed: 0xf0000769,
        cpuCollision: 4,
        receivedRps: 3,
        flowLimitCount: 2,
        backlogLen: 0,
      },
      {
        cpu: 3,
        processed: 0x1663fb2,
        dropped: 0,
        timeSqueezed: 0x109a4,
        cpuCollision: 0x20e76,
        receivedRps: 0,
        flowLimitCount: 0,
        backlogLen: 0,
      },
      {
        cpu: 4,
        processed: 0x8e78,
        dropped: 1,
        timeSqueezed: 0x11,
        cpuCollision: 0x20,
        receivedRps: 0x10,
        flowLimitCount: 0,
        backlogLen: 0,
      },
    ]);
  });

  test('the live file: one line per online CPU at least', () => {
    const r = parseSoftnet(fs.readFileSync('/proc/net/softnet_stat'));
    expect(r.length).toBeGreaterThan(0);
    expect(new Set(r.map((c) => c.cpu)).size).toBe(r.length);
  });

  testPeer("procfs's softnet_stat.broken (4 columns) -> ParseError", () => {
    const p = path.join(PROCFS_FIXTURES, 'proc/net/softnet_stat.broken');
    expect(() => parseSoftnet(fs.readFileSync(p), p)).toThrow(ParseError);
  });

  test.each([
    ['our file with a line cut to 4 columns', fs.readFileSync(own('parse', 'net', 'softnet_stat-cut'), 'utf8')],
    ['not hexadecimal', '0000000g 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n'],
    ['wider than 32 bits', '100000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n'],
    ['binary', '\u0000\u0001'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseSoftnet(body, '/proc/net/softnet_stat')).toThrow(ParseError);
    expect(() => parseSoftnet(body, '/proc/net/softnet_stat')).toThrow('/proc/net/softnet_stat');
  });

  test('fuzz: random bytes and mutated fixtures give records or ParseError, nothing else', () => {
    onlyParseErrors((b) => parseSoftnet(b, 'x'), [ours(11), ours(13), ours(15)]);
  });
});
