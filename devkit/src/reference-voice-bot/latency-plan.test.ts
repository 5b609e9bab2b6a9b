import { describe, expect, it } from "vitest";
import { checkLatencyPlan, latencyForTurn } from "./latency-plan.ts";

describe("latencyForTurn", () => {
  it("gives a fixed latency for every turn", () => {
    expect([1, 2, 9].map((t) => latencyForTurn(450, t))).toEqual([450, 450, 450]);
  });

  it("walks a list by turn and repeats it when it runs out", () => {
    expect([1, 2, 3, 4, 5].map((t) => latencyForTurn([300, 800, 500], t))).toEqual([300, 800, 500, 300, 800]);
  });

  it("draws a jittered latency inside mean ± jitter, the same for the same seed and turn", () => {
    const plan = { meanMs: 600, jitterMs: 200, seed: 7 };
    const values = Array.from({ length: 200 }, (_, i) => latencyForTurn(plan, i + 1));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(400);
    expect(Math.max(...values)).toBeLessThanOrEqual(800);
    // Spread over the range, not stuck on one value.
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(300);
    expect(latencyForTurn(plan, 17)).toBe(values[16]);
    expect(latencyForTurn({ ...plan, seed: 8 }, 17)).not.toBe(values[16]);
  });

  it("never goes below zero when the jitter is wider than the mean", () => {
    const plan = { meanMs: 10, jitterMs: 100, seed: 1 };
    for (let t = 1; t <= 100; t++) expect(latencyForTurn(plan, t)).toBeGreaterThanOrEqual(0);
  });

  it("refuses turn 0, empty lists and negative latencies", () => {
    expect(() => latencyForTurn(100, 0)).toThrow(/>= 1/);
    expect(() => checkLatencyPlan([])).toThrow(/empty/);
    expect(() => checkLatencyPlan([100, -1])).toThrow(/-1 ms/);
    expect(() => checkLatencyPlan(Number.NaN)).toThrow(/finite/);
    expect(() => checkLatencyPlan({ meanMs: 100, jitterMs: 10, seed: 1.5 })).toThrow(/seed/);
  });
});
