/**
 * Per-key token buckets with an injected clock. Memory is bounded two ways: a bucket idle long
 * enough to have refilled is indistinguishable from a new one and is dropped, and past `maxKeys`
 * the least recently used bucket is dropped (that key starts again with a full burst — a bounded
 * leniency, preferred to refusing keys the limiter has no room for).
 */
import { AppError } from "@spar/protocol";

export interface RateLimiterOptions {
  /** Tokens added per second. */
  ratePerSec: number;
  /** Bucket size: requests allowed at once after idling. */
  burst: number;
  /** Milliseconds, monotonic (performance.now or Date.now). */
  now: () => number;
  /** Buckets kept at most; default 10 000. */
  maxKeys?: number;
}

export type TakeResult =
  | { ok: true }
  | { ok: false /** Whole seconds until a token, for `Retry-After`. */; retryAfterS: number };

export interface RateLimiter {
  take(key: string): TakeResult;
  /** Buckets currently held. */
  readonly size: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { ratePerSec, burst, now } = options;
  const maxKeys = options.maxKeys ?? 10_000;
  if (!(ratePerSec > 0)) throw new AppError("config_invalid", "rate limit: ratePerSec must be > 0");
  if (!(burst >= 1)) throw new AppError("config_invalid", "rate limit: burst must be ≥ 1");
  if (!(maxKeys >= 1)) throw new AppError("config_invalid", "rate limit: maxKeys must be ≥ 1");
  const refillMs = (burst / ratePerSec) * 1000;
  // Insertion order is recency order: every take re-inserts its bucket at the end.
  const buckets = new Map<string, Bucket>();

  function dropRefilled(t: number): void {
    for (const [key, bucket] of buckets) {
      if (t - bucket.atMs < refillMs) break;
      buckets.delete(key);
    }
  }

  return {
    take(key) {
      const t = now();
      dropRefilled(t);
      let bucket = buckets.get(key);
      if (bucket) {
        buckets.delete(key);
        // A clock stepping back must not drain the bucket.
        const elapsedMs = Math.max(0, t - bucket.atMs);
        bucket = { tokens: Math.min(burst, bucket.tokens + (elapsedMs * ratePerSec) / 1000), atMs: t };
      } else {
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
        bucket = { tokens: burst, atMs: t };
      }
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterS: Math.ceil((1 - bucket.tokens) / ratePerSec) };
    },
    get size() {
      return buckets.size;
    },
  };
}
