/**
 * Token buckets (exporter-toolkit's `rate_limit: {interval, burst}`): one per credential, one global, one shared by
 * requests that fail authentication. A full bucket holds `burst` tokens; one token returns every `interval`.
 * Time comes from an injectable monotonic clock so that the buckets never jump with the wall clock.
 */
import type { RateSpec } from './config';

export type Clock = () => number;
export const monotonicMs: Clock = () => performance.now();

export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly spec: RateSpec,
    private readonly now: Clock = monotonicMs,
  ) {
    this.tokens = spec.burst;
    this.last = now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** True when the bucket has refilled completely (it can be forgotten without changing behaviour). */
  full(): boolean {
    this.refill();
    return this.tokens >= this.spec.burst;
  }

  private refill(): void {
    const t = this.now();
    if (t > this.last) {
      this.tokens = Math.min(this.spec.burst, this.tokens + (t - this.last) / this.spec.intervalMs);
      this.last = t;
    }
  }
}

/** Per-credential buckets plus a global one; both must have a token for a request to pass. */
export class RateLimiter {
  private readonly perCredential = new Map<string, TokenBucket>();
  private readonly global: TokenBucket;
  private readonly unauthenticated: TokenBucket;

  constructor(
    private readonly spec: { perCredential: RateSpec; global: RateSpec; unauthenticated: RateSpec },
    private readonly now: Clock = monotonicMs,
  ) {
    this.global = new TokenBucket(spec.global, now);
    this.unauthenticated = new TokenBucket(spec.unauthenticated, now);
  }

  /** For an authenticated credential. The per-credential bucket is checked first so one noisy caller drains only its own. */
  allow(credentialId: string): boolean {
    let b = this.perCredential.get(credentialId);
    if (!b) {
      // Credentials are few (one token, a handful of client SANs); still, forget full buckets before growing.
      if (this.perCredential.size >= 1024)
        for (const [k, v] of this.perCredential) if (v.full()) this.perCredential.delete(k);
      b = new TokenBucket(this.spec.perCredential, this.now);
      this.perCredential.set(credentialId, b);
    }
    return b.take() && this.global.take();
  }

  /** For a request that failed authentication: true while the shared bucket lasts (then 429 instead of 401). */
  allowUnauthenticated(): boolean {
    return this.unauthenticated.take();
  }
}
