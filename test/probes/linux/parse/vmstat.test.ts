import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseVmstat, vmstatField } from '../../../../src/probes/linux/parse/vmstat';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

describe('parseVmstat', () => {
  test('node_exporter fixture: every line, in order', () => {
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
