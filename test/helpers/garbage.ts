/** Deterministic nasty inputs for parser tests: the same bytes on every run, so a failure reproduces. */

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
