import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCpuinfo, cpuinfoMhz } from '../../../../src/probes/linux/parse/cpuinfo';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, own } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

describe('parseCpuinfo', () => {
  test('node_exporter fixture: 8 x86 blocks with the kernel keys', () => {
    const p = path.join(NODE_EXPORTER_FIXTURES, 'proc', 'cpuinfo');
    const text = fs.readFileSync(p);
    const blocks = parseCpuinfo(text, p);
    expect(blocks).toHaveLength(8);
    expect(blocks[0]?.['model name']).toBe('Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz');
    expect(blocks[0]?.['power management']).toBe('');
    expect(blocks[5]?.['processor']).toBe('5');
    expect(cpuinfoMhz(text)).toEqual([799.998, 800.037, 800.01, 800.028, 799.989, 800.083, 800.017, 800.03]);
  });

  test('ARM: keys with spaces before the colon, a trailing Hardware block, no cpu MHz', () => {
    const text = fs.readFileSync(own('armv7', 'proc', 'cpuinfo'), 'utf8');
    const blocks = parseCpuinfo(text);
    expect(blocks).toHaveLength(3);
    expect(blocks[0]?.['CPU architecture']).toBe('7');
    expect(blocks[2]?.['Hardware']).toBe('BCM2835');
    expect(cpuinfoMhz(text)).toEqual([]);
  });

  test('s390x-style `key   : value` and values containing colons', () => {
    const b = parseCpuinfo('vendor_id       : IBM/S390\nprocessor 0: version = FF,  identification = 0133E8\n');
    expect(b[0]).toEqual({ vendor_id: 'IBM/S390', 'processor 0': 'version = FF,  identification = 0133E8' });
  });

  test('cpuinfoMhz: case-blind, skips values that are not numbers, tolerates garbage around', () => {
    expect(cpuinfoMhz('CPU MHz : 1200\ncpu MHz\t: n/a\ncpu MHz\t\t: 3000.5\nxx\x00\n')).toEqual([1200, 3000.5]);
    expect(cpuinfoMhz('')).toEqual([]);
  });

  test.each([
    ['a line without a colon', 'processor\t: 0\nnonsense\n'],
    ['an empty key', ': 5\n'],
  ])('%s -> ParseError naming the file', (_n, text) => {
    expect(() => parseCpuinfo(text, '/x/cpuinfo')).toThrow(ParseError);
    expect(() => parseCpuinfo(text, '/x/cpuinfo')).toThrow(/\/x\/cpuinfo/);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parseCpuinfo(input, '/g/cpuinfo')).toThrow(ParseError);
  });
});
