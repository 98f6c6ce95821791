import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCpuinfo, cpuinfoMhz } from '../../../../src/probes/linux/parse/cpuinfo';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

describe('parseCpuinfo', () => {
  const arch = (a: string): string => fs.readFileSync(own('parse', 'cpuinfo', a), 'utf8');

  test('x86_64: tab-aligned keys, an empty power management value, cpu MHz per processor', () => {
    const text = arch('x86_64');
    const blocks = parseCpuinfo(text, 'x86_64');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]?.['model name']).toBe('Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz');
    expect(blocks[1]?.['processor']).toBe('1');
    expect(blocks[1]?.['core id']).toBe('1');
    expect(blocks[0]?.['power management']).toBe('');
    expect(blocks[0]?.['address sizes']).toBe('39 bits physical, 48 bits virtual');
    expect(cpuinfoMhz(text)).toEqual([3400, 799.412]);
  });

  test('aarch64: no model name and no cpu MHz, CPU part in hexadecimal', () => {
    const text = arch('aarch64');
    const blocks = parseCpuinfo(text);
    expect(blocks).toHaveLength(2);
    expect(blocks[0]?.['model name']).toBeUndefined();
    expect(blocks[1]).toMatchObject({
      processor: '1',
      'CPU implementer': '0x41',
      'CPU part': '0xd0c',
      BogoMIPS: '50.00',
    });
    expect(cpuinfoMhz(text)).toEqual([]);
  });

  test('ppc64le: the clock carries its unit, a trailing platform block without processor', () => {
    const blocks = parseCpuinfo(arch('ppc64le'));
    expect(blocks).toHaveLength(3);
    expect(blocks[0]).toEqual({
      processor: '0',
      cpu: 'POWER9 (raw), altivec supported',
      clock: '2166.000000MHz',
      revision: '2.2 (pvr 004e 1202)',
    });
    expect(blocks[2]).toMatchObject({ platform: 'PowerNV', machine: 'PowerNV 9006-22P', MMU: 'Radix' });
    expect(blocks[2]?.['processor']).toBeUndefined();
    expect(cpuinfoMhz(arch('ppc64le'))).toEqual([]);
  });

  test('s390x: a summary block with `processor N:` keys and values holding colons, then cpu number blocks', () => {
    const text = arch('s390x');
    const blocks = parseCpuinfo(text);
    expect(blocks).toHaveLength(3);
    expect(blocks[0]).toMatchObject({ vendor_id: 'IBM/S390', '# processors': '2', 'bogomips per cpu': '3241.00' });
    expect(blocks[0]?.['processor 1']).toBe('version = FF,  identification = 0133E8,  machine = 2964');
    expect(blocks[2]).toEqual({ 'cpu number': '1', 'cpu MHz dynamic': '5000', 'cpu MHz static': '5000' });
    // psutil's rule (lines starting with `cpu mhz`) takes both the dynamic and the static line of each CPU.
    expect(cpuinfoMhz(text)).toEqual([5000, 5000, 5000, 5000]);
  });

  test('riscv64: hart and isa keys, no MHz', () => {
    const blocks = parseCpuinfo(arch('riscv64'));
    expect(blocks.map((b) => b['hart'])).toEqual(['1', '2']);
    expect(blocks[0]?.['isa']).toBe('rv64imafdc_zicntr_zicsr_zifencei_zihpm');
    expect(cpuinfoMhz(arch('riscv64'))).toEqual([]);
  });

  testPeer('node_exporter fixture: 8 x86 blocks with the kernel keys', () => {
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
