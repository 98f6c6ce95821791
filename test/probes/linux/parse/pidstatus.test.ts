import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  parseCpuList,
  statusIds,
  statusKb,
  statusNumber,
  statusNumbersInOrder,
  statusRequired,
  statusSignalCount,
  statusValue,
} from '../../../../src/probes/linux/parse/pidstatus';
import { ParseError } from '../../../../src/probes/errors';
import { PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';

const text = (rel: string): string => fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', rel), 'latin1');
const ours = (rel: string): string => fs.readFileSync(own('parse', 'pid', rel), 'latin1');

describe('status lookups', () => {
  test('statusNumbersInOrder: the numbers statusNumber gives, in kernel order, another order, absent, first line', () => {
    const t = ours('4321/status');
    const each = (keys: readonly string[], input = t): (number | null)[] => keys.map((k) => statusNumber(input, k));
    const run = (keys: readonly string[], input = t): (number | null)[] => {
      const out: (number | null)[] = [];
      statusNumbersInOrder(input, keys, out, '/proc/4321/status');
      return out;
    };
    const kernelOrder = ['VmSize', 'VmRSS', 'RssFile', 'RssShmem', 'VmData', 'VmStk', 'VmExe', 'VmLib'];
    expect(run(kernelOrder)).toEqual(each(kernelOrder));
    expect(run(kernelOrder)).toEqual([251116, 24844, 12444, 0, 40932, 132, 2728, 9012]);
    // Out of the kernel's order, with a line that is absent.
    const mixed = ['VmLib', 'Threads', 'NoSuchKey', 'VmSize', 'Uid'];
    expect(run(mixed)).toEqual(each(mixed));
    expect(run(mixed)).toEqual([9012, 3, null, 251116, 1000]);
    // The first line of the text has no newline before it.
    expect(run(['Threads'], 'Threads:\t7\n')).toEqual([7]);
    expect(() => run(['VmRSS'], 'Name:\tx\nVmRSS:\tlots kB\n')).toThrow(ParseError);
  });

  test('signal masks: the number of signals set; null without the line; ParseError on a mask that is not hex', () => {
    expect(statusSignalCount(ours('4321/status'), 'ShdPnd')).toBe(0);
    // SIGUSR1 (10) and SIGUSR2 (12): bits 9 and 11; SIGRTMAX (64) is the top bit of the 16 digits.
    expect(statusSignalCount('SigQ:\t2/63412\nShdPnd:\t0000000000000a00\n', 'ShdPnd')).toBe(2);
    expect(statusSignalCount('ShdPnd:\t8000000000000001\n', 'ShdPnd')).toBe(2);
    expect(statusSignalCount('ShdPnd:\tffffffffffffffff\n', 'ShdPnd')).toBe(64);
    expect(statusSignalCount('Name:\tx\n', 'ShdPnd')).toBeNull();
    expect(() => statusSignalCount('ShdPnd:\tzz\n', 'ShdPnd', '/proc/1/status')).toThrow(ParseError);
  });

  test('our python3: four distinct ids (real, effective, saved, fs), kB values right-aligned after the tab', () => {
    const t = ours('4321/status');
    expect(statusValue(t, 'Name')).toBe('python3');
    expect(statusValue(t, 'State')).toBe('S (sleeping)');
    expect(statusValue(t, 'Groups')).toBe('4 24 27 100');
    expect(statusIds(t, 'Uid')).toEqual([1000, 1001, 1002]);
    expect(statusIds(t, 'Gid')).toEqual([100, 101, 102]);
    expect(statusRequired(t, 'Tgid')).toBe(4321);
    expect(statusNumber(t, 'Threads')).toBe(3);
    expect(statusKb(t, 'VmPeak')).toBe(251264 * 1024);
    expect(statusKb(t, 'VmRSS')).toBe(24844 * 1024);
    expect(statusKb(t, 'VmSwap')).toBe(512 * 1024);
    expect(statusKb(t, 'RssShmem')).toBe(0);
    expect(statusNumber(t, 'voluntary_ctxt_switches')).toBe(2147483648);
    expect(statusNumber(t, 'nonvoluntary_ctxt_switches')).toBe(402);
    expect(parseCpuList(statusValue(t, 'Cpus_allowed_list') ?? '')).toEqual([0, 1, 2, 3, 8, 9, 10, 11]);
  });

  test('our kernel thread: no Vm* lines (statusKb reads 0), an empty Groups, a single-CPU affinity', () => {
    const t = ours('17/status');
    expect(statusValue(t, 'Name')).toBe('migration/2');
    expect(statusKb(t, 'VmRSS')).toBe(0);
    expect(statusKb(t, 'VmSwap')).toBe(0);
    expect(statusValue(t, 'Groups')).toBe('');
    expect(statusIds(t, 'Uid')).toEqual([0, 0, 0]);
    expect(parseCpuList(statusValue(t, 'Cpus_allowed_list') ?? 'x')).toEqual([2]);
  });

  test('our comm with parentheses and a trailing space: Name is the rest of its line, trimmed', () => {
    const t = ours('555/status');
    expect(statusValue(t, 'Name')).toBe(') D 1 2 (z)');
    expect(statusRequired(t, 'PPid')).toBe(4300);
  });

  testPeer('procfs 26231 (leading blank line, tabs)', () => {
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

  testPeer('procfs 26235 (spaces instead of tabs)', () => {
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
