import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseVmstat, vmstatField } from '../../../../src/probes/linux/parse/vmstat';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

describe('parseVmstat', () => {
  test('our file: every line in order, a counter at 2^53 - 1 exact', () => {
    const p = own('parse', 'vmstat', 'vmstat');
    const text = fs.readFileSync(p, 'utf8');
    const v = parseVmstat(text, p);
    expect(Object.keys(v)).toHaveLength(23);
    expect(Object.keys(v)[0]).toBe('nr_free_pages');
    expect(Object.keys(v).at(-1)).toBe('swap_ra_hit');
    expect(v['pswpin']).toBe(3110);
    expect(v['pswpout']).toBe(48002);
    expect(v['pgfault']).toBe(1987654321);
    expect(v['pgfree']).toBe(Number.MAX_SAFE_INTEGER);
    expect(v['oom_kill']).toBe(2);
    // A name that is the prefix of another (swap_ra, swap_ra_hit) finds its own line.
    expect(vmstatField(text, 'swap_ra')).toBe(17);
    expect(vmstatField(text, 'swap_ra_hit')).toBe(9);
    expect(vmstatField(text, 'pgmajfault')).toBe(41003);
  });

  testPeer('node_exporter fixture: every line, in order', () => {
    const p = path.join(NODE_EXPORTER_FIXTURES, 'proc', 'vmstat');
    const text = fs.readFileSync(p, 'utf8');
    const v = parseVmstat(text, p);
    expect(Object.keys(v)).toHaveLength(text.trim().split('\n').length);
    expect(Object.keys(v)[0]).toBe('nr_free_pages');
    expect(v['pswpin']).toBe(1476);
    expect(v['pswpout']).toBe(35045);
    expect(v['pgfault']).toBe(2320168809);
  });

  test('signed gauges and trailing spaces', () => {
    expect(parseVmstat('nr_dirty -3\npgfault 7  \n')).toEqual({ nr_dirty: -3, pgfault: 7 });
  });

  test('blank lines, CRLF and other blanks: the same record whichever way the file is read', () => {
    expect(parseVmstat('a 1\r\n\n  \nb -2 \r\n')).toEqual({ a: 1, b: -2 });
    // A form feed is blank to the character scan, not to the whole-file check: the scan reads that file.
    expect(parseVmstat('a 1\n\f\nb 2\n')).toEqual({ a: 1, b: 2 });
    expect(() => parseVmstat('a 1\n\n\nb 2 x\n', '/x/vmstat')).toThrow(/line 4/);
  });

  test('vmstatField finds one line without building the record', () => {
    const text = 'pswpin_x 9\npswpin 12\npswpout 34\n';
    expect(vmstatField(text, 'pswpin')).toBe(12);
    expect(vmstatField(text, 'pswpout')).toBe(34);
    expect(vmstatField('pswpin 5', 'pswpin')).toBe(5);
    expect(vmstatField(text, 'pgfault')).toBeNull();
    expect(vmstatField('pswpin x\n', 'pswpin')).toBeNull();
  });

  test.each([
    ['no value', 'pgfault\n'],
    ['a space in the name', 'pg fault 5\n'],
    ['two values', 'pgfault 1 2\n'],
    ['non-numeric', 'pgfault x\n'],
    ['colon form', 'pgfault: 5\n'],
  ])('%s -> ParseError naming the file', (_n, text) => {
    expect(() => parseVmstat(text, '/x/vmstat')).toThrow(ParseError);
    expect(() => parseVmstat(text, '/x/vmstat')).toThrow(/\/x\/vmstat/);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parseVmstat(input, '/g/vmstat')).toThrow(ParseError);
  });
});
