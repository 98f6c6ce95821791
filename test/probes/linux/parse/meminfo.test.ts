import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseMeminfo } from '../../../../src/probes/linux/parse/meminfo';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

describe('parseMeminfo', () => {
  test('our 6.x file: every line, kernel names with parentheses, kB in bytes, unit-less HugePages_* as is', () => {
    const p = own('parse', 'meminfo', 'meminfo-6.x');
    const text = fs.readFileSync(p, 'utf8');
    const m = parseMeminfo(text, p);
    expect(Object.keys(m)).toHaveLength(text.trim().split('\n').length);
    expect(Object.keys(m)[0]).toBe('MemTotal');
    expect(m['MemTotal']).toBe(16303404 * 1024);
    expect(m['MemAvailable']).toBe(9876543 * 1024);
    expect(m['Active(anon)']).toBe(3300111 * 1024);
    expect(m['Inactive(file)']).toBe(5300333 * 1024);
    expect(m['HugePages_Total']).toBe(512);
    expect(m['HugePages_Rsvd']).toBe(3);
    expect(m['Hugepagesize']).toBe(2048 * 1024);
    // VmallocTotal: 34359738367 kB in bytes is 2^45 - 1024, still exact.
    expect(m['VmallocTotal']).toBe(34359738367 * 1024);
    expect(m['DirectMap1G']).toBe(2097152 * 1024);
    expect(Object.isFrozen(m)).toBe(true);
  });

  test('our 3.2 file: no MemAvailable line (before 3.14), NFS_Unstable and Bounce present', () => {
    const m = parseMeminfo(fs.readFileSync(own('parse', 'meminfo', 'meminfo-3.2')));
    expect(m['MemAvailable']).toBeUndefined();
    expect(m['MemTotal']).toBe(2049280 * 1024);
    expect(m['NFS_Unstable']).toBe(0);
    expect(m['VmallocChunk']).toBe(34359400000 * 1024);
    expect(m['HugePages_Free']).toBe(0);
  });

  testPeer('node_exporter fixture: every line, kernel names, kB in bytes, unit-less as is', () => {
    const p = path.join(NODE_EXPORTER_FIXTURES, 'proc', 'meminfo');
    const text = fs.readFileSync(p, 'utf8');
    const m = parseMeminfo(text, p);
    expect(Object.keys(m)).toHaveLength(text.trim().split('\n').length);
    expect(m['MemTotal']).toBe(3742148 * 1024);
    expect(m['Active(anon)']).toBe(2020004 * 1024);
    expect(m['HugePages_Total']).toBe(0);
    expect(m['Hugepagesize']).toBe(2048 * 1024);
    expect(m['VmallocTotal']).toBe(34359738367 * 1024);
    expect(m['MemAvailable']).toBeUndefined();
    expect(Object.keys(m)[0]).toBe('MemTotal');
    expect(Object.isFrozen(m)).toBe(true);
  });

  testPeer('procfs fixture parses', () => {
    const p = path.join(PROCFS_FIXTURES, 'proc', 'meminfo');
    expect(parseMeminfo(fs.readFileSync(p), p)['MemTotal']).toBe(15666184 * 1024);
  });

  test("'Key:value' without a space (psutil 8 #2809) and unit-less lines", () => {
    const m = parseMeminfo(fs.readFileSync(own('meminfo-nospace', 'proc', 'meminfo')));
    expect(m['MemTotal']).toBe(16384000 * 1024);
    expect(m['MemAvailable']).toBe(12288000 * 1024);
    expect(m['HugePages_Total']).toBe(0);
  });

  test('MemAvailable: 0 is kept as 0 (the facade decides what it means)', () => {
    expect(parseMeminfo(fs.readFileSync(own('memavailable-zero', 'proc', 'meminfo')))['MemAvailable']).toBe(0);
  });

  test('2.4 kernels: the leading byte table is skipped, MemShared and Inact_* kept', () => {
    const m = parseMeminfo(fs.readFileSync(own('kernel-2.4', 'proc', 'meminfo')));
    expect(m['Mem']).toBeUndefined();
    expect(m['MemShared']).toBe(1024 * 1024);
    expect(m['Inact_laundry']).toBe(2048 * 1024);
  });

  test('s390x-style spaces before the colon', () => {
    expect(parseMeminfo('MemTotal :  100 kB\n')['MemTotal']).toBe(102400);
  });

  test.each([
    ['no value', 'MemTotal:\n'],
    ['non-numeric value', 'MemTotal: lots kB\n'],
    ['unknown unit', 'MemTotal: 5 MB\n'],
    ['no colon', 'MemTotal 5 kB\n'],
    ['negative', 'MemTotal: -5 kB\n'],
  ])('%s -> ParseError naming the file', (_n, text) => {
    expect(() => parseMeminfo(text, '/x/meminfo')).toThrow(ParseError);
    expect(() => parseMeminfo(text, '/x/meminfo')).toThrow(/\/x\/meminfo/);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parseMeminfo(input, '/g/meminfo')).toThrow(ParseError);
  });
});
