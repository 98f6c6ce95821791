/** Deterministic nasty inputs for parser tests: the same bytes on every run, so a failure reproduces. */
import { ParseError } from '../../src/probes/errors';

/** `n` pseudo-random bytes from a fixed seed (xorshift32). */
export function randomBytes(n: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Inputs every text parser must turn into ParseError (never TypeError/RangeError, never a silent empty result). */
export const GARBAGE: ReadonlyArray<[string, Buffer | string]> = [
  ['empty', ''],
  ['newlines only', '\n\n\n'],
  ['64 KiB of random bytes', randomBytes(64 * 1024)],
  ['NUL bytes', Buffer.alloc(128)],
  ['binary-looking text', '\x7fELF\x02\x01\x01\x00'],
];

/** `base` with a few bytes overwritten, chosen by `seed`: the same inputs on every run. */
export function mutate(base: Buffer, seed: number): Buffer {
  const out = Buffer.from(base);
  const r = randomBytes(16, seed);
  for (let k = 0; k < 4; k++) out[r.readUInt16LE(k * 2) % out.length] = r[8 + k]!;
  return out;
}

/**
 * Feeds `fn` 400 random buffers and 400 mutations of each of `bases` (real files, so the damage lands in
 * well-formed text the parser gets deep into): anything it throws must be a ParseError.
 */
export function onlyParseErrors(fn: (b: Buffer) => unknown, bases: Buffer[]): void {
  for (let i = 1; i <= 400; i++) {
    const inputs = [randomBytes(256 + (i % 7) * 512, i), ...bases.map((b) => mutate(b, i))];
    for (const input of inputs) {
      try {
        fn(input);
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
      }
    }
  }
}
