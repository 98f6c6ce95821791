import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseLoadavg } from '../../../../src/probes/linux/parse/loadavg';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

describe('parseLoadavg', () => {
  test('our files: the last pid at the 64-bit pid_max, and an overloaded host', () => {
    const p = own('parse', 'loadavg', 'loadavg');
    expect(parseLoadavg(fs.readFileSync(p), p)).toEqual({
      load1: 3.07,
      load5: 2.51,
      load15: 1.98,
      runnable: 4,
      total: 1285,
      lastPid: 4194303,
    });
    expect(parseLoadavg(fs.readFileSync(own('parse', 'loadavg', 'loadavg-overloaded')))).toEqual({
      load1: 312.55,
      load5: 280.04,
      load15: 199.9,
      runnable: 117,
      total: 60011,
      lastPid: 88123,
    });
  });

  testPeer('node_exporter fixture (node_exporter parseLoad test line)', () => {
    const p = path.join(NODE_EXPORTER_FIXTURES, 'proc', 'loadavg');
    expect(parseLoadavg(fs.readFileSync(p), p)).toEqual({
      load1: 0.21,
      load5: 0.37,
      load15: 0.39,
      runnable: 1,
      total: 719,
      lastPid: 19737,
    });
  });

  test('large loads and no trailing newline', () => {
    expect(parseLoadavg('123.45 6.00 0.00 12/34567 4194303').load1).toBe(123.45);
  });

  test.each([
    ['two loads', '0.1 0.2\n'],
    ['no slash', '0.1 0.2 0.3 1 719 19737\n'],
    ['negative', '-0.1 0.2 0.3 1/7 19\n'],
    ['text', 'high medium low 1/2 3\n'],
  ])('%s -> ParseError naming the file', (_n, text) => {
    expect(() => parseLoadavg(text, '/x/loadavg')).toThrow(ParseError);
    expect(() => parseLoadavg(text, '/x/loadavg')).toThrow(/\/x\/loadavg/);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parseLoadavg(input, '/g/loadavg')).toThrow(ParseError);
  });
});
