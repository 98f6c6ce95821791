/**
 * fsdecode/fsencode against Python's own surrogateescape (/usr/bin/python3, no psutil needed): random byte strings
 * biased towards the bytes where UTF-8 decoders differ (overlong leads, surrogate and > U+10FFFF encodings, sequences
 * cut short), decoded by both, and random strings with lone surrogates encoded by both. One python run for each set.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { fsdecode, fsencode, osPath, wellFormed, wellFormedJson } from '../../src/util/fsencoding';
import { requireOr } from '../helpers/require';
import { rng } from '../helpers/generated';

const PYTHON = '/usr/bin/python3';

/** Bytes where decoders disagree: leads of every length and their edge values, continuation bytes, ASCII. */
const INTERESTING = [
  0x00, 0x2f, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee,
  0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xfe, 0xff,
];

function randomBytes(next: () => number): Buffer {
  const n = Math.floor(next() * 12);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = next();
    if (r < 0.5) out.push(INTERESTING[Math.floor(next() * INTERESTING.length)] as number);
    else if (r < 0.7) out.push(0x80 + Math.floor(next() * 0x40));
    else if (r < 0.85) out.push(...Buffer.from(String.fromCodePoint(Math.floor(next() * 0x10ffff) & ~0x800), 'utf8'));
    else out.push(Math.floor(next() * 256));
  }
  return Buffer.from(out);
}

function python(script: string, input: string): string {
  const r = spawnSync(PYTHON, ['-c', script], { input, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

const hasPython = fs.existsSync(PYTHON);

describe('fsdecode / fsencode', () => {
  test('valid UTF-8 decodes as usual, each invalid byte as U+DC80 + (byte - 0x80)', () => {
    expect(fsdecode(Buffer.from('caf\u00e9 \u{1f600}', 'utf8'))).toBe('caf\u00e9 \u{1f600}');
    expect(fsdecode(Buffer.from([0x61, 0xff, 0x62]))).toBe('a\udcffb');
    // Overlong NUL, an encoded surrogate, a code point above U+10FFFF: each byte escaped on its own.
    expect(fsdecode(Buffer.from([0xc0, 0x80]))).toBe('\udcc0\udc80');
    expect(fsdecode(Buffer.from([0xed, 0xa0, 0x80]))).toBe('\udced\udca0\udc80');
    expect(fsdecode(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe('\udcf4\udc90\udc80\udc80');
    // A sequence cut short by ASCII or by the end.
    expect(fsdecode(Buffer.from([0xe2, 0x82, 0x41, 0xe2, 0x82]))).toBe('\udce2\udc82A\udce2\udc82');
    expect(fsdecode(new Uint8Array([0xc3, 0xa9, 0xc3]))).toBe('\u00e9\udcc3');
    expect(fsdecode('already text')).toBe('already text');
  });

  test('fsencode gives the bytes back, and refuses a lone surrogate that escapes no byte', () => {
    const raw = Buffer.from([0x2f, 0x74, 0xc0, 0x80, 0xff, 0xc3, 0xa9]);
    expect(fsencode(fsdecode(raw))).toEqual(raw);
    expect(fsencode('\u{1f600}')).toEqual(Buffer.from('\u{1f600}', 'utf8'));
    expect(() => fsencode('a\udc7fb')).toThrow(RangeError);
    expect(() => fsencode('a\udc7fb')).toThrow(/fsencode: s .*U\+DC7F at index 1/);
    expect(() => fsencode('\ud800', 'diskUsage: path')).toThrow(/^diskUsage: path .*U\+D800/);
    expect(() => fsencode('x\ud83d')).toThrow(RangeError);
    expect(() => fsencode(5 as unknown as string)).toThrow(TypeError);
    expect(() => fsdecode(null as unknown as Buffer)).toThrow(TypeError);
    expect(fsencode(Buffer.from([0xff]))).toEqual(Buffer.from([0xff]));
  });

  test('osPath keeps a plain string and gives the bytes of one with escapes', () => {
    expect(osPath('/tmp/caf\u00e9')).toBe('/tmp/caf\u00e9');
    expect(osPath('/tmp/\udcff')).toEqual(Buffer.from([0x2f, 0x74, 0x6d, 0x70, 0x2f, 0xff]));
  });

  test('wellFormed turns lone surrogates into U+FFFD and keeps pairs', () => {
    expect(wellFormed('a\udcffb\u{1f600}\ud800')).toBe('a\ufffdb\u{1f600}\ufffd');
    const plain = 'plain';
    expect(wellFormed(plain)).toBe(plain);
  });

  test('wellFormedJson says U+FFFD in keys and values where JSON.stringify would write a \\udcXX escape', () => {
    const value = { 'K\udcff': ['a\udcc0', { deep: '\ud800x' }], ok: '\u{1f600}', n: 1 };
    expect(JSON.stringify(value)).toContain('\\udcff');
    const text = wellFormedJson(value);
    expect(text).not.toMatch(/\\ud[89a-f]/i);
    expect(JSON.parse(text)).toEqual({ 'K\ufffd': ['a\ufffd', { deep: '\ufffdx' }], ok: '\u{1f600}', n: 1 });
    expect(wellFormedJson({ a: 1 }, 2)).toBe(JSON.stringify({ a: 1 }, null, 2));
  });

  requireOr(hasPython, 'no /usr/bin/python3 (apt-get install python3)').test(
    "decodes 20,000 random byte strings as Python's bytes.decode('utf-8', 'surrogateescape') and round-trips",
    () => {
      const next = rng(12);
      const cases = Array.from({ length: 20_000 }, () => randomBytes(next));
      const out = python(
        `import sys, json
res = []
for line in sys.stdin.read().split('\\n'):
    b = bytes.fromhex(line)
    s = b.decode('utf-8', 'surrogateescape')
    assert s.encode('utf-8', 'surrogateescape') == b
    res.append(s)
sys.stdout.write(json.dumps(res))`,
        cases.map((b) => b.toString('hex')).join('\n'),
      );
      const want = JSON.parse(out) as string[];
      expect(want).toHaveLength(cases.length);
      const wrong: string[] = [];
      cases.forEach((b, i) => {
        const got = fsdecode(b);
        if (got !== want[i] || !fsencode(got).equals(b)) wrong.push(b.toString('hex'));
      });
      expect(wrong.slice(0, 20)).toEqual([]);
    },
    90_000,
  );

  requireOr(hasPython, 'no /usr/bin/python3 (apt-get install python3)').test(
    "encodes 5,000 random strings with lone surrogates as Python's str.encode('utf-8', 'surrogateescape')",
    () => {
      const next = rng(34);
      const units = [
        0x41, 0xe9, 0x20ac, 0xd7ff, 0xe000, 0xfffd, 0xd800, 0xdbff, 0xdc00, 0xdc7f, 0xdc80, 0xdcff, 0xdd00,
      ];
      const cases: string[] = [];
      for (let k = 0; k < 5000; k++) {
        let s = '';
        const n = Math.floor(next() * 6);
        for (let i = 0; i < n; i++) {
          const r = next();
          // Surrogate pairs are one character in both languages; Python cannot hold a pair as two units.
          if (r < 0.1) s += '\u{1f600}';
          else s += String.fromCharCode(units[Math.floor(next() * units.length)] as number);
        }
        // A high surrogate before a low one would be a pair here and two characters in Python: keep them apart.
        cases.push(s.replace(/([\uD800-\uDBFF])(?=[\uDC00-\uDFFF])/g, '$1A'));
      }
      const out = python(
        `import sys, json
res = []
for s in json.loads(sys.stdin.read()):
    try: res.append(s.encode('utf-8', 'surrogateescape').hex())
    except UnicodeEncodeError: res.append(None)
sys.stdout.write(json.dumps(res))`,
        JSON.stringify(cases),
      );
      const want = JSON.parse(out) as (string | null)[];
      const wrong: string[] = [];
      cases.forEach((s, i) => {
        let got: string | null;
        try {
          got = fsencode(s).toString('hex');
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          got = null;
        }
        if (got !== want[i]) wrong.push(JSON.stringify(s));
      });
      expect(wrong.slice(0, 20)).toEqual([]);
      expect(want.filter((w) => w === null).length).toBeGreaterThan(100);
    },
    90_000,
  );
});
