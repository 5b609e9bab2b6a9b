import { describe, expect, it } from "vitest";
import { codeFrame } from "./code-frame.ts";

describe("codeFrame", () => {
  it("shows the line before and the line with a caret under the column", () => {
    expect(codeFrame("version: 1\nagent:\n  id: x\n   text: 2\n", 3, 7)).toEqual([
      "  2 | agent:",
      "> 3 |   id: x",
      "    |       ^",
    ]);
  });

  it("shows only the line on line 1, and aligns the gutter for two-digit lines", () => {
    expect(codeFrame("a: [", 1, 5)).toEqual(["> 1 | a: [", "    |     ^"]);
    const text = Array.from({ length: 10 }, (_, i) => `k${i}: ${i}`).join("\n");
    expect(codeFrame(text, 10, 1)).toEqual(["   9 | k8: 8", "> 10 | k9: 9", "     | ^"]);
  });

  it("keeps the caret aligned over a tab and in a long line cut to a window", () => {
    expect(codeFrame("a:\n\tb: 1", 2, 1)).toEqual(["  1 | a:", "> 2 |  b: 1", "    | ^"]);
    const long = `${"x".repeat(300)}!${"y".repeat(300)}`;
    const [, at, caret] = codeFrame(`a: 1\n${long}`, 2, 301);
    expect(at?.indexOf("!")).toBe(caret?.indexOf("^"));
    expect(at?.length).toBeLessThanOrEqual(130);
  });
});
