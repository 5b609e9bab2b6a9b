import { describe, expect, it } from "vitest";
import { mean, percentile } from "./stats.ts";

describe("percentile", () => {
  it("interpolates between closest ranks", () => {
    expect(percentile([100, 200], 50)).toBe(150);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21], 95)).toBe(
      20,
    );
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([30, 10, 20], 0)).toBe(10);
  });

  it("refuses empty input and p outside 0..100", () => {
    expect(() => percentile([], 50)).toThrow(/no values/);
    expect(() => percentile([1], 101)).toThrow(/0..100/);
    expect(() => mean([])).toThrow(/no values/);
  });
});
