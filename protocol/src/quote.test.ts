import { describe, expect, it } from "vitest";
import { quoteFrame } from "./quote.ts";

describe("quoteFrame", () => {
  it("returns a short frame whole", () => {
    expect(quoteFrame('{"content":"Hi"}')).toBe('{"content":"Hi"}');
  });

  it("returns a frame of exactly 500 bytes whole, without an ellipsis", () => {
    expect(quoteFrame("a".repeat(500))).toBe("a".repeat(500));
  });

  it("cuts a longer frame at 500 bytes and marks the cut", () => {
    expect(quoteFrame("a".repeat(501))).toBe(`${"a".repeat(500)}…`);
  });

  it("counts bytes, not characters", () => {
    // 250 two-byte characters are exactly 500 bytes.
    expect(quoteFrame("é".repeat(250))).toBe("é".repeat(250));
    expect(quoteFrame("é".repeat(251))).toBe(`${"é".repeat(250)}…`);
  });

  it("drops a multi-byte character split by the cut instead of inventing a replacement character", () => {
    // "a" + 249 × "é" is 499 bytes; byte 500 is the first half of the next "é".
    expect(quoteFrame(`a${"é".repeat(300)}`)).toBe(`a${"é".repeat(249)}…`);
    // 4-byte emoji: 125 of them fill 500 bytes exactly; one byte earlier cuts the last one.
    expect(quoteFrame(`x${"👋".repeat(200)}`)).toBe(`x${"👋".repeat(124)}…`);
  });

  it("quotes bytes the same way as text", () => {
    const bytes = new TextEncoder().encode(`a${"é".repeat(300)}`);
    expect(quoteFrame(bytes)).toBe(`a${"é".repeat(249)}…`);
    expect(quoteFrame(new Uint8Array([0x68, 0x69]))).toBe("hi");
  });

  it("shows bytes that are not UTF-8 as replacement characters", () => {
    expect(quoteFrame(new Uint8Array([0x61, 0xff, 0x62]))).toBe("a\uFFFDb");
  });

  it("takes another limit when asked", () => {
    expect(quoteFrame("abcdef", 3)).toBe("abc…");
    expect(quoteFrame("€uro", 2)).toBe("…");
  });
});
