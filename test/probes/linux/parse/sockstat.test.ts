import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSockStat } from '../../../../src/probes/linux/parse/sockstat';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

describe('parseSockStat', () => {
  test('our sockstat and sockstat6: every line, fields in file order', () => {
    const p = own('parse', 'net', 'sockstat');
    const r = parseSockStat(fs.readFileSync(p), p);
    expect(r).toEqual({
      sockets: { used: 412 },
      TCP: { inuse: 27, orphan: 1, tw: 9, alloc: 33, mem: 14 },
      UDP: { inuse: 6, mem: 3 },
      UDPLITE: { inuse: 0 },
      RAW: { inuse: 1 },
      FRAG: { inuse: 2, memory: 8192 },
    });
    expect(Object.keys(r)).toEqual(['sockets', 'TCP', 'UDP', 'UDPLITE', 'RAW', 'FRAG']);
    expect(Object.keys(r['TCP']!)).toEqual(['inuse', 'orphan', 'tw', 'alloc', 'mem']);
    expect(Object.isFrozen(r['TCP'])).toBe(true);
    expect(parseSockStat(fs.readFileSync(own('parse', 'net', 'sockstat6')))).toEqual({
      TCP6: { inuse: 11 },
      UDP6: { inuse: 4 },
      UDPLITE6: { inuse: 0 },
      RAW6: { inuse: 2 },
      FRAG6: { inuse: 0, memory: 0 },
    });
  });

  test('our 2.6 sockstat: no UDPLITE line, no UDP mem: absent keys stay absent', () => {
    const r = parseSockStat(fs.readFileSync(own('parse', 'net', 'sockstat-2.6')));
    expect(Object.keys(r)).toEqual(['sockets', 'TCP', 'UDP', 'RAW', 'FRAG']);
    expect(r['UDP']).toEqual({ inuse: 4 });
  });

  testPeer('node_exporter sockstat: every line, fields in file order', () => {
    const p = path.join(NODE_EXPORTER_FIXTURES, 'proc/net/sockstat');
    const r = parseSockStat(fs.readFileSync(p), p);
    expect(r).toEqual({
      sockets: { used: 229 },
      TCP: { inuse: 4, orphan: 0, tw: 4, alloc: 17, mem: 1 },
      UDP: { inuse: 0, mem: 0 },
      UDPLITE: { inuse: 0 },
      RAW: { inuse: 0 },
      FRAG: { inuse: 0, memory: 0 },
    });
    expect(Object.keys(r['TCP']!)).toEqual(['inuse', 'orphan', 'tw', 'alloc', 'mem']);
    expect(Object.isFrozen(r['TCP'])).toBe(true);
  });

  testPeer('sockstat6 of both fixture trees', () => {
    const a = parseSockStat(fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'proc/net/sockstat6')));
    expect(a).toEqual({
      TCP6: { inuse: 17 },
      UDP6: { inuse: 9 },
      UDPLITE6: { inuse: 0 },
      RAW6: { inuse: 1 },
      FRAG6: { inuse: 0, memory: 0 },
    });
    const b = parseSockStat(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc/net/sockstat')));
    expect(b['TCP']).toEqual({ inuse: 35, orphan: 0, tw: 4, alloc: 59, mem: 22 });
  });

  test.each([
    ['no colon', 'TCP inuse 4\n'],
    ['odd tokens', 'TCP: inuse 4 orphan\n'],
    ['not a number', 'TCP: inuse four\n'],
    ['binary', '\u0000\u0001'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseSockStat(body, '/proc/net/sockstat')).toThrow(ParseError);
    expect(() => parseSockStat(body, '/proc/net/sockstat')).toThrow('/proc/net/sockstat');
  });

  test('empty input gives an empty record', () => {
    expect(parseSockStat('')).toEqual({});
  });
  test('fuzz: random bytes and mutated fixtures give a record or ParseError, nothing else', () => {
    onlyParseErrors(
      (b) => parseSockStat(b, 'x'),
      [fs.readFileSync(own('parse', 'net', 'sockstat')), fs.readFileSync(own('parse', 'net', 'sockstat6'))],
    );
  });
});
