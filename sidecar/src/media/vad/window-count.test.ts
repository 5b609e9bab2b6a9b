import { describe, expect, it } from "vitest";
import { WindowCount } from "./window-count.ts";

describe("WindowCount", () => {
  it("counts the true flags among the last `capacity` pushed, forgetting older ones", () => {
    const w = new WindowCount(3);
    const counts = [true, true, false, true, false, false, false].map((f) => {
      w.push(f);
      return w.count;
    });
    expect(counts).toEqual([1, 2, 2, 2, 1, 1, 0]);
  });

  it("refuses a capacity that is not a whole number over 0", () => {
    expect(() => new WindowCount(0)).toThrow("capacity must be a whole number > 0, got 0");
  });
});
