import { RateLimiter, TokenBucket } from '../../src/admin/ratelimit';

describe('TokenBucket', () => {
  it('gives burst tokens, then one per interval', () => {
    let now = 0;
    const b = new TokenBucket({ intervalMs: 100, burst: 3 }, () => now);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    now = 99;
    expect(b.take()).toBe(false);
    now = 200;
    expect(b.take()).toBe(true);
    now = 10_000;
    expect(b.full()).toBe(true);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
  });
});

describe('RateLimiter', () => {
  it('limits each credential and all of them together', () => {
    let now = 0;
    const rl = new RateLimiter(
      {
        perCredential: { intervalMs: 1000, burst: 2 },
        global: { intervalMs: 1000, burst: 3 },
        unauthenticated: { intervalMs: 1000, burst: 1 },
      },
      () => now,
    );
    expect([rl.allow('a'), rl.allow('a'), rl.allow('a')]).toEqual([true, true, false]);
    expect([rl.allow('b'), rl.allow('b')]).toEqual([true, false]); // the global bucket is empty
    expect([rl.allowUnauthenticated(), rl.allowUnauthenticated()]).toEqual([true, false]);
    now = 1000;
    expect(rl.allow('b')).toBe(true);
  });
});
