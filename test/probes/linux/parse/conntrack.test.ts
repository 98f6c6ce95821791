import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

import { parseConntrackStat } from '../../../../src/probes/linux/parse/conntrack';

const NE = path.join(NODE_EXPORTER_FIXTURES, 'proc/net/stat/nf_conntrack');
const OURS = own('parse', 'net', 'nf_conntrack');
/** The 17-name header of our 4.x fixture, for the garbage cases. */
const HEADER = fs.readFileSync(OURS, 'utf8').split('\n')[0] ?? '';

describe('parseConntrackStat', () => {
  test('our 4.x fixture: one record per CPU, fields by the header names, hexadecimal', () => {
    const r = parseConntrackStat(fs.readFileSync(OURS), OURS);
    expect(r).toHaveLength(3);
    expect(Object.keys(r[0] ?? {})).toHaveLength(17);
    expect(r.map((c) => c['entries'])).toEqual([0x12c, 0x12c, 0x12c]);
    expect(r.map((c) => c['invalid'])).toEqual([0x0a, 0, 0xff]);
    expect(r.map((c) => c['ignore'])).toEqual([0xa1b2, 0x100, 0xffff]);
    expect(r.map((c) => c['icmp_error'])).toEqual([3, 0, 0]);
    expect(r.map((c) => c['search_restart'])).toEqual([7, 0, 0x2a]);
  });

  test('a 6.x header (clashres and chainlength where searched and delete_list were): the names the file gives', () => {
    const r = parseConntrackStat(fs.readFileSync(own('parse', 'net', 'nf_conntrack-6.x')));
    expect(r).toHaveLength(2);
    expect(r[0]).toMatchObject({ entries: 5, clashres: 2, invalid: 1, chainlength: 4, search_restart: 0 });
    expect(r[0]?.['searched']).toBeUndefined();
    expect(r[1]?.['search_restart']).toBe(0x10);
  });

  test('16 columns (3.x, before search_restart)', () => {
    const r = parseConntrackStat(fs.readFileSync(own('parse', 'net', 'nf_conntrack-3.x')));
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({
      entries: 0x40,
      searched: 0x1000,
      found: 0x800,
      invalid: 2,
      ignore: 0x10,
      expect_delete: 1,
    });
    expect(r[0]?.['search_restart']).toBeUndefined();
  });

  testPeer("node_exporter's fixture: one record per CPU, fields by the header's names", () => {
    const r = parseConntrackStat(fs.readFileSync(NE), NE);
    expect(r).toHaveLength(4);
    expect(Object.keys(r[0] ?? {})).toHaveLength(17);
    expect(r.map((c) => c['invalid'])).toEqual([3, 2, 1, 0x2f]);
    expect(r.map((c) => c['ignore'])).toEqual([0x588a, 0x56a4, 0x58d4, 0x5688]);
    expect(r.map((c) => c['search_restart'])).toEqual([0, 2, 1, 4]);
    expect(r[0]?.['entries']).toBe(0x21);
  });

  test.each([
    ['empty', ''],
    ['no header', '00000021 00000000\n'],
    ['row shorter than the header', `${HEADER}\n00000001 00000002\n`],
    ['not hexadecimal', `${HEADER}\n${'0000000x '.repeat(17)}\n`],
    ['binary', '\u0000\u0001'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseConntrackStat(body, '/proc/net/stat/nf_conntrack')).toThrow(ParseError);
    expect(() => parseConntrackStat(body, '/proc/net/stat/nf_conntrack')).toThrow('/proc/net/stat/nf_conntrack');
  });

  test('fuzz: random bytes and mutated fixtures give records or ParseError, nothing else', () => {
    onlyParseErrors(
      (b) => parseConntrackStat(b, 'x'),
      [fs.readFileSync(OURS), fs.readFileSync(own('parse', 'net', 'nf_conntrack-3.x'))],
    );
  });
});
