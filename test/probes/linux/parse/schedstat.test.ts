import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, describePeer, own } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

import { parseSchedstat } from '../../../../src/probes/linux/parse/schedstat';

describe('parseSchedstat', () => {
  test('our version 15 file: the last three counters of each cpu line; timestamp and domain lines skipped', () => {
    const p = own('parse', 'schedstat', 'schedstat-v15');
    expect(parseSchedstat(fs.readFileSync(p), p)).toEqual([
      { cpu: '0', runningNanoseconds: 7781230054632, waitingNanoseconds: 1209033451120, timeslices: 15640461 },
      { cpu: '1', runningNanoseconds: 6912004400123, waitingNanoseconds: 987654321098, timeslices: 17020333 },
    ]);
  });

  test('our version 17 file: named domains (SMT, MC) skipped, four CPUs, counters up to 2^51', () => {
    const r = parseSchedstat(fs.readFileSync(own('parse', 'schedstat', 'schedstat-v17')));
    expect(r.map((c) => c.cpu)).toEqual(['0', '1', '2', '3']);
    expect(r[1]).toEqual({ cpu: '1', runningNanoseconds: 2000, waitingNanoseconds: 40, timeslices: 6 });
    expect(r[3]).toEqual({
      cpu: '3',
      runningNanoseconds: 2251799813685248,
      waitingNanoseconds: 1125899906842624,
      timeslices: 4294967296,
    });
  });

  describePeer("the peers' schedstat", () => {
    test.each([NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES])(
      '%s/proc/schedstat: the last three counters of each cpu line, domains skipped',
      (root) => {
        const p = path.join(root, 'proc/schedstat');
        expect(parseSchedstat(fs.readFileSync(p), p)).toEqual([
          {
            cpu: '0',
            runningNanoseconds: 2045936778163039,
            waitingNanoseconds: 343796328169361,
            timeslices: 4767485306,
          },
          {
            cpu: '1',
            runningNanoseconds: 1904686152592476,
            waitingNanoseconds: 364107263788241,
            timeslices: 5145567945,
          },
        ]);
      },
    );
  });

  test.each([
    ['empty', ''],
    ['no version line', 'cpu0 1 2 3 4 5 6 7 8 9\n'],
    ['short cpu line', 'version 15\ncpu0 1 2 3\n'],
    ['non-numeric counter', 'version 15\ncpu0 1 2 3 4 5 6 x 8 9\n'],
    ['unknown line', 'version 15\nnode0 1 2\n'],
    ['binary', '\u0000\u0001'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseSchedstat(body, '/proc/schedstat')).toThrow(ParseError);
    expect(() => parseSchedstat(body, '/proc/schedstat')).toThrow('/proc/schedstat');
  });

  test('fuzz: random bytes and mutated fixtures give records or ParseError, nothing else', () => {
    onlyParseErrors(
      (b) => parseSchedstat(b, 'x'),
      [
        fs.readFileSync(own('parse', 'schedstat', 'schedstat-v15')),
        fs.readFileSync(own('parse', 'schedstat', 'schedstat-v17')),
      ],
    );
  });
});
