import { describe, expect, it } from "vitest";
import { maxAttempts, nextAttemptAt, type RetryPolicy, WEBHOOK_RETRY_POLICY } from "./retry-schedule.ts";

const T0 = 1_700_000_000_000;
const S = 1_000;
const H = 3_600_000;

/** Every attempt time of a delivery that never succeeds, the first (failed) attempt at T0 included. */
function schedule(random: (attempt: number) => number): number[] {
  const times = [T0];
  for (let attempt = 1; ; attempt++) {
    const next = nextAttemptAt(attempt, T0, random(attempt));
    if (next === undefined) return times;
    times.push(next);
  }
}

describe("nextAttemptAt", () => {
  it("places the first retry anywhere in the 30 s after the first failure", () => {
    expect(nextAttemptAt(1, T0, 0)).toBe(T0);
    expect(nextAttemptAt(1, T0, 0.5)).toBe(T0 + 15 * S);
    expect(nextAttemptAt(1, T0, 1)).toBe(T0 + 30 * S);
  });

  it("doubles the window for each following retry", () => {
    expect([0, 0.5, 1].map((r) => nextAttemptAt(2, T0, r))).toEqual([T0 + 30 * S, T0 + 60 * S, T0 + 90 * S]);
    expect([0, 0.5, 1].map((r) => nextAttemptAt(3, T0, r))).toEqual([
      T0 + 90 * S,
      T0 + 150 * S,
      T0 + 210 * S,
    ]);
    // Window 7 is 1920 s long and starts at 30+60+…+960 = 1890 s.
    expect([0, 0.5, 1].map((r) => nextAttemptAt(7, T0, r))).toEqual([
      T0 + 1_890 * S,
      T0 + 2_850 * S,
      T0 + 3_810 * S,
    ]);
  });

  it("stops growing the window at one hour", () => {
    // Window 8 would be 3840 s; it is capped at 3600 s, as is every later one.
    expect([0, 0.5, 1].map((r) => nextAttemptAt(8, T0, r))).toEqual([
      T0 + 3_810 * S,
      T0 + 5_610 * S,
      T0 + 7_410 * S,
    ]);
    expect(nextAttemptAt(9, T0, 0)).toBe(T0 + 7_410 * S);
  });

  it("schedules the last retry at 24 h or later and gives up after it fails", () => {
    // Retry 30 started at 83 010 s (< 24 h), so retry 31 is due; retry 31 started at 86 610 s (≥ 24 h).
    expect([0, 0.5, 1].map((r) => nextAttemptAt(31, T0, r))).toEqual([
      T0 + 86_610 * S,
      T0 + 88_410 * S,
      T0 + 90_210 * S,
    ]);
    expect(nextAttemptAt(32, T0, 0)).toBeUndefined();
    expect(nextAttemptAt(32, T0, 1)).toBeUndefined();
  });

  it.each([0, 0.5, 1])("with random = %s, spans at least 24 h in 32 attempts, in time order", (r) => {
    const times = schedule(() => r);
    expect(times).toHaveLength(32);
    expect(times.length).toBe(maxAttempts());
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
    expect(times.at(-1)! - T0).toBeGreaterThanOrEqual(24 * H);
    expect(times.at(-1)! - T0).toBe({ 0: 86_610, 0.5: 88_410, 1: 90_210 }[r]! * S);
  });

  it("keeps attempts in time order and the span ≥ 24 h when the draws alternate between extremes", () => {
    const times = schedule((attempt) => (attempt % 2 === 1 ? 1 : 0));
    expect(times).toHaveLength(32);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
    // Retry 31 is an odd attempt, drawn 1: the end of its window.
    expect(times.at(-1)! - T0).toBe(90_210 * S);
  });

  it("clamps draws outside [0, 1] and treats NaN as 0", () => {
    expect(nextAttemptAt(1, T0, -3)).toBe(T0);
    expect(nextAttemptAt(1, T0, 7)).toBe(T0 + 30 * S);
    expect(nextAttemptAt(1, T0, Number.NaN)).toBe(T0);
  });

  it("refuses an attempt number below 1 and a policy with an empty first window", () => {
    expect(() => nextAttemptAt(0, T0, 0)).toThrow("attempt must be ≥ 1, got 0");
    const empty: RetryPolicy = { ...WEBHOOK_RETRY_POLICY, firstWindowMs: 0 };
    expect(() => nextAttemptAt(1, T0, 0, empty)).toThrow("firstWindowMs must be > 0");
  });

  it("follows a custom policy", () => {
    const policy: RetryPolicy = { firstWindowMs: 1_000, maxWindowMs: 4_000, retryForMs: 10_000 };
    // Windows 1 s, 2 s, 4 s, 4 s starting at 0, 1, 3, 7, 11 s: retry 5 starts at 11 s ≥ 10 s.
    expect(maxAttempts(policy)).toBe(6);
    expect(nextAttemptAt(5, 0, 0, policy)).toBe(11_000);
    expect(nextAttemptAt(6, 0, 0, policy)).toBeUndefined();
  });
});
