import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

import { parseSchedstat } from '../../../../src/probes/linux/parse/schedstat';

describe('parseSchedstat', () => {
  test.each([NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES])('%s/proc/schedstat: the last three counters of each cpu line, domains skipped', (root) => {
    const p = path.join(root, 'proc/schedstat');
    expect(parseSchedstat(fs.readFileSync(p), p)).toEqual([
      { cpu: '0', runningNanoseconds: 2045936778163039, waitingNanoseconds: 343796328169361, timeslices: 4767485306 },
      { cpu: '1', runningNanoseconds: 1904686152592476, waitingNanoseconds: 364107263788241, timeslices: 5145567945 },
    ]);
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
    onlyParseErrors((b) => parseSchedstat(b, 'x'), [fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'proc/schedstat'))]);
  });
});
