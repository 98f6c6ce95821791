import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  parseCpuList, statusIds, statusKb, statusNumber, statusRequired, statusValue,
} from '../../../../src/probes/linux/parse/pidstatus';
import { ParseError } from '../../../../src/probes/errors';
import { PROCFS_FIXTURES } from '../../../helpers/fixtures';

const text = (rel: string): string => fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', rel), 'latin1');

describe('status lookups', () => {
  test('procfs 26231 (leading blank line, tabs)', () => {
    const t = text('26231/status');
    expect(statusValue(t, 'Name')).toBe('prometheus');
    expect(statusIds(t, 'Uid')).toEqual([1000, 1000, 1000]);
    expect(statusIds(t, 'Gid')).toEqual([1001, 1001, 1001]);
    expect(statusNumber(t, 'Threads')).toBe(1);
    expect(statusKb(t, 'VmRSS')).toBe(6716 * 1024);
    expect(statusKb(t, 'VmSwap')).toBe(660 * 1024);
    expect(statusKb(t, 'NoSuchKey')).toBe(0);
    expect(statusNumber(t, 'voluntary_ctxt_switches')).toBe(4742839);
    expect(statusNumber('Name:\tx\n', 'voluntary_ctxt_switches')).toBeNull();
  });

  test('procfs 26235 (spaces instead of tabs)', () => {
    const t = text('26235/status');
    expect(statusValue(t, 'Name')).toBe('kube-proxy');
    expect(statusRequired(t, 'Tgid')).toBe(26235);
    expect(statusIds(t, 'Uid')).toEqual([0, 0, 0]);
    expect(statusKb(t, 'VmPeak')).toBe(758200 * 1024);
  });

  test('keys match whole line starts only: a Name holding "Uid:" cannot fake the ids', () => {
    const t = 'Name:\tx\\nUid:\t7\t7\t7\t7\nUmask:\t0022\nUid:\t1\t2\t3\t4\nThreads:\t3\n';
    expect(statusIds(t, 'Uid')).toEqual([1, 2, 3]);
    // A prefix of another key is not that key.
    expect(statusNumber('Threadsx:\t9\nThreads:\t4\n', 'Threads')).toBe(4);
  });

  test('missing or malformed required lines -> ParseError naming the file', () => {
    expect(() => statusIds('Name:\tx\n', 'Uid', '/p/1/status')).toThrow(ParseError);
    expect(() => statusIds('Name:\tx\nUid:\t1\t2\n', 'Uid', '/p/1/status')).toThrow(/\/p\/1\/status/);
    expect(() => statusNumber('Threads:\tmany\n', 'Threads')).toThrow(ParseError);
    expect(() => statusRequired('Name:\tx\n', 'Tgid')).toThrow(ParseError);
  });

  test('parseCpuList: ranges, singles, empty', () => {
    expect(parseCpuList('0-3,8,10-11')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('1')).toEqual([1]);
    expect(parseCpuList('')).toEqual([]);
    expect(() => parseCpuList('0-x')).toThrow(ParseError);
    expect(() => parseCpuList('5-1')).toThrow(ParseError);
  });
});
