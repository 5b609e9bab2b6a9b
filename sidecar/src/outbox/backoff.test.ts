import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./backoff.ts";

const policy = { baseMs: 1_000, maxMs: 60_000, maxAttempts: 5 };

describe("retryDelayMs", () => {
  it("doubles the ceiling per failed attempt and keeps at least half of it", () => {
    expect(retryDelayMs(policy, 1, 0)).toBe(500);
    expect(retryDelayMs(policy, 2, 0)).toBe(1_000);
    expect(retryDelayMs(policy, 3, 0.5)).toBe(3_000);
    expect(retryDelayMs(policy, 4, 0.999)).toBe(7_996);
  });

  it("never waits longer than the maximum", () => {
    expect(retryDelayMs(policy, 30, 0.999)).toBe(59_970);
    expect(retryDelayMs(policy, 1, 0, 3_600_000)).toBe(60_000);
  });

  it("honours a longer Retry-After from the receiver", () => {
    expect(retryDelayMs(policy, 1, 0, 9_000)).toBe(9_000);
    expect(retryDelayMs(policy, 3, 0, 10)).toBe(2_000);
  });
});
