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
  key: string;
  tokens: number;
  atMs: number;
  /** Recency list: `older` toward the least recently used head, `newer` toward the tail. */
  older: Bucket | undefined;
  newer: Bucket | undefined;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { ratePerSec, burst, now } = options;
  const maxKeys = options.maxKeys ?? 10_000;
  if (!(ratePerSec > 0)) throw new AppError("config_invalid", "rate limit: ratePerSec must be > 0");
  if (!(burst >= 1)) throw new AppError("config_invalid", "rate limit: burst must be ≥ 1");
  if (!(maxKeys >= 1)) throw new AppError("config_invalid", "rate limit: maxKeys must be ≥ 1");
  const refillMs = (burst / ratePerSec) * 1000;
  // A linked recency list beside the Map, not the Map's own insertion order: V8 keeps deleted
  // Map entries until it rehashes, so reading the oldest entry of a Map that is re-inserted on
  // every take walks past them (measured: 11 µs per take at 10 000 keys, against 0.2 µs at 100).
  const buckets = new Map<string, Bucket>();
  let head: Bucket | undefined;
  let tail: Bucket | undefined;

  function unlink(bucket: Bucket): void {
    if (bucket.older) bucket.older.newer = bucket.newer;
    else head = bucket.newer;
    if (bucket.newer) bucket.newer.older = bucket.older;
    else tail = bucket.older;
    bucket.older = undefined;
    bucket.newer = undefined;
  }

  function append(bucket: Bucket): void {
    bucket.older = tail;
    if (tail) tail.newer = bucket;
    else head = bucket;
    tail = bucket;
  }

  function drop(bucket: Bucket): void {
    unlink(bucket);
    buckets.delete(bucket.key);
  }

  return {
    take(key) {
      const t = now();
      while (head && t - head.atMs >= refillMs) drop(head);
      let bucket = buckets.get(key);
      if (bucket) {
        unlink(bucket);
        // A clock stepping back must not drain the bucket.
        const elapsedMs = Math.max(0, t - bucket.atMs);
        bucket.tokens = Math.min(burst, bucket.tokens + (elapsedMs * ratePerSec) / 1000);
        bucket.atMs = t;
      } else {
        if (buckets.size >= maxKeys && head) drop(head);
        bucket = { key, tokens: burst, atMs: t, older: undefined, newer: undefined };
        buckets.set(key, bucket);
      }
      append(bucket);
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
