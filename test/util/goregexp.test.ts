/**
 * compileGoRegexp against re2js itself (the oracle: what node_exporter's Go regexps answer): generated patterns in and
 * around the subset, matched against generated names biased towards the characters where RegExp and RE2 part ways
 * (`\n`, `\r`, U+2028, surrogates, astral characters) and towards long ones; and the schema's own regexp defaults,
 * which must take the RegExp path (the memory this module is for) and answer as re2js on real names.
 */
import { RE2JS } from 're2js';
import { compileGoRegexp, MAX_NAME, MAX_QUANTIFIERS, regExpSourceOf } from '../../src/util/goregexp';
import { rng, schemaRegexpDefaults } from '../helpers/generated';

function re2Finds(pattern: string, name: string): boolean {
  return RE2JS.compile(pattern).matcher(name).find();
}

/** Pieces of patterns: most in the subset, some outside it (which must go to re2js and still answer alike). */
const ATOMS = ['a', 'b', 'ab', '_', '-', '/', ' ', '.', '\\d', '\\D', '\\w', '\\W', '\\s', '\\.', '\\-', '\\/', '\\$'];
const CLASSES = ['[ab]', '[^ab]', '[a-c]', '[^a-c0-9]', '[-a]', '[a-]', '[\\d.]', '[\\w]', '[.^$]', '[^\\s]', '[a\\]]'];
const OUTSIDE = ['(?i)a', 'a{2}', '\\bb', '[[:alpha:]]', '[]a]', '\\pL', 'é', '(a)*', '(?:a|b)+', '\\n', '\\x41'];
const QUANT = ['', '', '', '*', '+', '?', '*?', '+?'];

function pattern(r: () => number, depth = 0): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const parts: string[] = [];
  if (r() < 0.3) parts.push('^');
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.45) parts.push(pick(ATOMS) + pick(QUANT));
    else if (k < 0.7) parts.push(pick(CLASSES) + pick(QUANT));
    else if (k < 0.85 && depth < 2) {
      const alts = [pattern(r, depth + 1), pattern(r, depth + 1)];
      if (r() < 0.5) alts.push('');
      parts.push(`${r() < 0.3 ? '(?:' : '('}${alts.join('|')})`);
    } else if (k < 0.92) parts.push(pick(OUTSIDE));
    else parts.push('|');
  }
  if (r() < 0.3) parts.push('$');
  return parts.join('');
}

const NAME_CHARS = [
  'a',
  'b',
  'c',
  '0',
  '9',
  '_',
  '-',
  '/',
  '.',
  ' ',
  '$',
  ']',
  '\n',
  '\r',
  '\u2028',
  '\uD83D\uDE00',
  '\uDC80',
  'é',
];

function name(r: () => number): string {
  const len = r() < 0.1 ? MAX_NAME - 2 + Math.floor(r() * 5) : Math.floor(r() * 8);
  let s = '';
  // Long names are mostly one letter: a pattern's backtracking on them is bounded by MAX_NAME, not by this test.
  for (let i = 0; i < len; i++) s += len > 16 && r() < 0.9 ? 'a' : NAME_CHARS[Math.floor(r() * NAME_CHARS.length)]!;
  return s;
}

describe('compileGoRegexp', () => {
  test('answers as re2js on generated patterns and names, in and outside the subset', () => {
    const r = rng(14);
    let inSubset = 0;
    let compared = 0;
    for (let i = 0; i < 1500; i++) {
      const p = pattern(r);
      let oracle: RE2JS;
      try {
        oracle = RE2JS.compile(p);
      } catch {
        // re2js refuses it: so must compileGoRegexp (the config loader refuses it before any collector sees it).
        expect(() => compileGoRegexp(p)).toThrow();
        continue;
      }
      if (regExpSourceOf(p) !== null) inSubset++;
      const mine = compileGoRegexp(p);
      for (let j = 0; j < 12; j++) {
        const s = name(r);
        const want = oracle.matcher(s).find();
        if (mine.test(s) !== want) throw new Error(`${JSON.stringify(p)} on ${JSON.stringify(s)}: want ${want}`);
        compared++;
      }
    }
    // The generator must exercise both paths, not only re2js's.
    expect(inSubset).toBeGreaterThan(500);
    expect(compared).toBeGreaterThan(5000);
  });

  test("the schema's regexp defaults take the RegExp path and answer as re2js", () => {
    const defaults = schemaRegexpDefaults();
    expect(defaults.length).toBeGreaterThan(3);
    const names = [
      '/',
      '/dev',
      '/dev/shm',
      '/proc',
      '/proc/sys/fs/binfmt_misc',
      '/run/credentials/systemd-sysctl.service',
      '/sys',
      '/var/lib/docker/overlay2/x/merged',
      '/home',
      '/devices',
      'sysfs',
      'ext4',
      'cgroup',
      'cgroup2',
      'tmpfs',
      'overlay',
      'sda',
      'sda1',
      'nvme0n1',
      'nvme0n1p2',
      'loop7',
      'zram0',
      'ram12',
      'xvda3',
      'dm-0',
      'md127',
      'eth0',
      'lo',
      'Tcp_ActiveOpens',
      'TcpExt_ListenDrops',
      'TcpExt_TCPSynRetrans',
      'Ip_Forwarding',
      'Udp6_InDatagrams',
      'IpExt_InOctets',
      'Icmp_InMsgs',
      'Ip6_OutOctets',
      'Tcp_InErrs',
      'Udp_InErrors',
      'TcpExt_TCPHPHits',
      'pgfault',
      'pgmajfault',
      'pgpgin',
      'pswpout',
      'oom_kill',
      'nr_free_pages',
      'foo.service',
      'dev-sda.device',
      'user.slice',
      '',
      '\n',
    ];
    for (const d of defaults) {
      expect({ d, source: regExpSourceOf(d) }).toEqual({ d, source: expect.any(String) });
      const mine = compileGoRegexp(d);
      for (const s of names) expect({ d, s, found: mine.test(s) }).toEqual({ d, s, found: re2Finds(d, s) });
    }
  });

  test('left to re2js: flags, counted repeats, quantified groups, POSIX classes, too many quantifiers', () => {
    for (const p of ['(?i)abc', 'a{2,3}', '(ab)+', '(?:a|b)*', '[[:digit:]]', '[]a]', '\\bword', 'x\\pLy', '^*'])
      expect({ p, source: regExpSourceOf(p) }).toEqual({ p, source: null });
    const many = 'a.*'.repeat(MAX_QUANTIFIERS + 1);
    expect(regExpSourceOf(many)).toBeNull();
    // Quantifiers in different alternatives do not add up.
    expect(regExpSourceOf(Array.from({ length: MAX_QUANTIFIERS + 2 }, () => 'a.*').join('|'))).not.toBeNull();
    // The spelling RegExp gets: `.` as is (names where it differs go to re2js), \d as ASCII, `\-` unescaped.
    expect(regExpSourceOf('^x.\\d\\-[^a-c\\d-]$')).toBe('^x.[0-9]-[^a-c0-9\\-]$');
  });

  test('names RegExp would read differently, or that are long, are matched by re2js', () => {
    const dot = compileGoRegexp('^a.b$');
    for (const s of ['a\rb', 'a\u2028b', 'a\uD83D\uDE00b', 'axb', 'a\nb'])
      expect({ s, found: dot.test(s) }).toEqual({ s, found: re2Finds('^a.b$', s) });
    expect(dot.test('a\rb')).toBe(true);
    expect(dot.test('a\uD83D\uDE00b')).toBe(true);
    const long = `${'a'.repeat(MAX_NAME)}b`;
    expect(compileGoRegexp('a+b$').test(long)).toBe(true);
    expect(compileGoRegexp('^a{3}').test('aaab')).toBe(true);
  });

  test('a pattern re2js refuses throws its error', () => {
    expect(() => compileGoRegexp('(?<=x)y')).toThrow();
    expect(() => compileGoRegexp('a**')).toThrow();
    expect(() => compileGoRegexp('(ab')).toThrow();
  });
});
