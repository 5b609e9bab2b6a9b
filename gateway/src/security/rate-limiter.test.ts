import { describe, expect, it } from "vitest";
import { createRateLimiter } from "./rate-limiter.ts";

function clock(startMs = 0) {
  let t = startMs;
  return {
    now: () => t,
    set: (ms: number) => {
      t = ms;
    },
  };
}

describe("createRateLimiter", () => {
  it("allows a burst, then refuses with the whole seconds until the next token", () => {
    const c = clock();
    const limiter = createRateLimiter({ ratePerSec: 1, burst: 3, now: c.now });
    expect([limiter.take("k"), limiter.take("k"), limiter.take("k")]).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
    ]);
    expect(limiter.take("k")).toEqual({ ok: false, retryAfterS: 1 });
    c.set(999);
    expect(limiter.take("k")).toEqual({ ok: false, retryAfterS: 1 });
    c.set(1000);
    expect(limiter.take("k")).toEqual({ ok: true });
    expect(limiter.take("k")).toEqual({ ok: false, retryAfterS: 1 });
  });

  it("rounds Retry-After up for slow rates", () => {
    const c = clock();
    const limiter = createRateLimiter({ ratePerSec: 0.2, burst: 1, now: c.now });
    expect(limiter.take("k")).toEqual({ ok: true });
    expect(limiter.take("k")).toEqual({ ok: false, retryAfterS: 5 });
    c.set(2500); // half a token: 2.5 s to go
    expect(limiter.take("k")).toEqual({ ok: false, retryAfterS: 3 });
    c.set(4000);
    expect(limiter.take("k")).toEqual({ ok: false, retryAfterS: 1 });
    c.set(5000);
    expect(limiter.take("k")).toEqual({ ok: true });
  });

  it("refills at the rate and never beyond the burst", () => {
    const c = clock();
    const limiter = createRateLimiter({ ratePerSec: 10, burst: 5, now: c.now });
    for (let i = 0; i < 5; i++) limiter.take("k");
    expect(limiter.take("k")).toEqual({ ok: false, retryAfterS: 1 });
    c.set(300); // 3 tokens
    expect([limiter.take("k"), limiter.take("k"), limiter.take("k"), limiter.take("k")]).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: false, retryAfterS: 1 },
    ]);
    c.set(3_600_000);
    const results = Array.from({ length: 6 }, () => limiter.take("k").ok);
    expect(results).toEqual([true, true, true, true, true, false]);
  });

  it("keeps keys independent", () => {
    const limiter = createRateLimiter({ ratePerSec: 1, burst: 1, now: clock().now });
    expect(limiter.take("a")).toEqual({ ok: true });
    expect(limiter.take("a")).toEqual({ ok: false, retryAfterS: 1 });
    expect(limiter.take("b")).toEqual({ ok: true });
  });

  it("does not drain a bucket when the clock steps back", () => {
    const c = clock(10_000);
    const limiter = createRateLimiter({ ratePerSec: 1, burst: 2, now: c.now });
    limiter.take("k");
    c.set(5_000);
    expect(limiter.take("k")).toEqual({ ok: true });
    expect(limiter.take("k")).toEqual({ ok: false, retryAfterS: 1 });
  });

  it("drops buckets idle long enough to have refilled", () => {
    const c = clock();
    const limiter = createRateLimiter({ ratePerSec: 1, burst: 3, now: c.now });
    limiter.take("a");
    c.set(1000);
    limiter.take("b");
    expect(limiter.size).toBe(2);
    c.set(2999); // a idle 2.999 s < 3 s to refill
    limiter.take("c");
    expect(limiter.size).toBe(3);
    c.set(3000);
    limiter.take("c");
    expect(limiter.size).toBe(2); // a dropped; b (idle 2 s) and c kept
    c.set(10_000);
    limiter.take("d");
    expect(limiter.size).toBe(1);
  });

  it("caps the number of buckets by dropping the least recently used", () => {
    const limiter = createRateLimiter({ ratePerSec: 1, burst: 2, now: clock().now, maxKeys: 2 });
    limiter.take("a");
    limiter.take("b");
    limiter.take("a"); // a is now the most recent, and empty
    limiter.take("c"); // evicts b
    expect(limiter.size).toBe(2);
    expect(limiter.take("a")).toEqual({ ok: false, retryAfterS: 1 }); // a kept its state
    expect(limiter.take("b")).toEqual({ ok: true }); // b starts again with a full burst (evicting c)
    expect(limiter.size).toBe(2);
  });

  it("keeps recency order when a bucket in the middle is used", () => {
    const limiter = createRateLimiter({ ratePerSec: 1, burst: 1, now: clock().now, maxKeys: 3 });
    for (const key of ["a", "b", "c", "b", "d", "e"]) limiter.take(key); // d evicts a, e evicts c
    expect(limiter.size).toBe(3);
    expect(limiter.take("b")).toEqual({ ok: false, retryAfterS: 1 }); // kept: still empty
    expect(limiter.take("d")).toEqual({ ok: false, retryAfterS: 1 });
    expect(limiter.take("c")).toEqual({ ok: true }); // evicted earlier: starts full
  });

  it("refuses nonsensical settings", () => {
    const now = clock().now;
    expect(() => createRateLimiter({ ratePerSec: 0, burst: 1, now })).toThrow(
      "rate limit: ratePerSec must be > 0",
    );
    expect(() => createRateLimiter({ ratePerSec: 1, burst: 0.5, now })).toThrow(
      "rate limit: burst must be ≥ 1",
    );
    expect(() => createRateLimiter({ ratePerSec: 1, burst: 1, now, maxKeys: 0 })).toThrow(
      "rate limit: maxKeys must be ≥ 1",
    );
  });
});
