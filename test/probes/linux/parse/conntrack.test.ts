import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

import { parseConntrackStat } from '../../../../src/probes/linux/parse/conntrack';

const NE = path.join(NODE_EXPORTER_FIXTURES, 'proc/net/stat/nf_conntrack');

describe('parseConntrackStat', () => {
  test("node_exporter's fixture: one record per CPU, fields by the header's names", () => {
    const r = parseConntrackStat(fs.readFileSync(NE), NE);
    expect(r).toHaveLength(4);
    expect(Object.keys(r[0] ?? {})).toHaveLength(17);
    expect(r.map((c) => c['invalid'])).toEqual([3, 2, 1, 0x2f]);
    expect(r.map((c) => c['ignore'])).toEqual([0x588a, 0x56a4, 0x58d4, 0x5688]);
    expect(r.map((c) => c['search_restart'])).toEqual([0, 2, 1, 4]);
    expect(r[0]?.['entries']).toBe(0x21);
  });

  test('16 columns (kernels before search_restart)', () => {
    const head = 'entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete\n';
    const r = parseConntrackStat(`${head}${'00000001 '.repeat(16)}\n`);
    expect(r).toHaveLength(1);
    expect(r[0]?.['search_restart']).toBeUndefined();
    expect(r[0]?.['expect_delete']).toBe(1);
  });

  test.each([
    ['empty', ''],
    ['no header', '00000021 00000000\n'],
    ['row shorter than the header', `${fs.readFileSync(NE, 'utf8').split('\n')[0]}\n00000001 00000002\n`],
    ['not hexadecimal', `${fs.readFileSync(NE, 'utf8').split('\n')[0]}\n${'0000000x '.repeat(17)}\n`],
    ['binary', '\u0000\u0001'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseConntrackStat(body, '/proc/net/stat/nf_conntrack')).toThrow(ParseError);
    expect(() => parseConntrackStat(body, '/proc/net/stat/nf_conntrack')).toThrow('/proc/net/stat/nf_conntrack');
  });

  test('fuzz: random bytes and mutated fixtures give records or ParseError, nothing else', () => {
    onlyParseErrors((b) => parseConntrackStat(b, 'x'), [fs.readFileSync(NE)]);
  });
});
