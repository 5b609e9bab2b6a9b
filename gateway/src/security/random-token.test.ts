import { describe, expect, it } from "vitest";
import { randomBase62 } from "./random-token.ts";

describe("randomBase62", () => {
  it("redraws bytes from 248 up so every character is equally likely", () => {
    const script = [[248, 255, 61, 0, 249, 62]];
    const fill = (bytes: Uint8Array) => {
      bytes.fill(250);
      bytes.set(script.shift() ?? [1, 2, 3]);
    };
    // 61 → z, 0 → 0, 62 → 0 (62 % 62); then the next fill supplies 1, 2.
    expect(randomBase62(5, fill)).toBe("z0012");
  });
});
