import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSockStat } from '../../../../src/probes/linux/parse/sockstat';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

describe('parseSockStat', () => {
  test('node_exporter sockstat: every line, fields in file order', () => {
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

  test('sockstat6 of both fixture trees', () => {
    const a = parseSockStat(fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'proc/net/sockstat6')));
    expect(a).toEqual({ TCP6: { inuse: 17 }, UDP6: { inuse: 9 }, UDPLITE6: { inuse: 0 }, RAW6: { inuse: 1 }, FRAG6: { inuse: 0, memory: 0 } });
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
    onlyParseErrors((b) => parseSockStat(b, 'x'), [fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'proc/net/sockstat'))]);
  });
});
