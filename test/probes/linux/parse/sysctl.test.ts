import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, describePeer, own } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

import { parseSysctlUint } from '../../../../src/probes/linux/parse/sysctl';

describe('parseSysctlUint', () => {
  test.each([
    ['entropy_avail', 256],
    ['poolsize', 256],
    ['nf_conntrack_count', 0],
    ['nf_conntrack_max', 262144],
    // fs.file-max's 64-bit default since Linux 5.x is LONG_MAX: beyond 2^53, the nearest double.
    ['file-max', 9223372036854775807],
  ])('our %s -> %d', (name, want) => {
    const p = own('parse', 'sysctl', name);
    expect(parseSysctlUint(fs.readFileSync(p), p)).toBe(want);
  });

  describePeer("the peers' single-number files", () => {
    test.each([
      [NODE_EXPORTER_FIXTURES, 'proc/sys/kernel/random/entropy_avail', 1337],
      [NODE_EXPORTER_FIXTURES, 'proc/sys/kernel/random/poolsize', 4096],
      [NODE_EXPORTER_FIXTURES, 'proc/sys/net/netfilter/nf_conntrack_count', 123],
      [NODE_EXPORTER_FIXTURES, 'proc/sys/net/netfilter/nf_conntrack_max', 65536],
      [PROCFS_FIXTURES, 'proc/sys/kernel/random/entropy_avail', 3943],
      [PROCFS_FIXTURES, 'proc/sys/kernel/random/poolsize', 4096],
    ])('%s/%s -> %d', (root, rel, want) => {
      const p = path.join(root, rel);
      expect(parseSysctlUint(fs.readFileSync(p), p)).toBe(want);
    });
  });

  test.each([
    ['empty', ''],
    ['negative', '-1\n'],
    ['two numbers', '1 2\n'],
    ['text', 'max\n'],
    ['binary', '\u0000\u0001'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseSysctlUint(body, '/proc/sys/x')).toThrow(ParseError);
    expect(() => parseSysctlUint(body, '/proc/sys/x')).toThrow('/proc/sys/x');
  });

  test('fuzz: random bytes and mutated fixtures give a number or ParseError, nothing else', () => {
    onlyParseErrors((b) => parseSysctlUint(b, 'x'), [Buffer.from('65536\n')]);
  });
});
