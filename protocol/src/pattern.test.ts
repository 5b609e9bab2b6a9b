import { describe, expect, it } from "vitest";
import { compilePattern, patternError } from "./pattern.ts";

describe("compilePattern: plain text", () => {
  it("matches a case-insensitive substring", () => {
    const p = compilePattern("Account Number");
    expect(p.source).toBe("Account Number");
    expect(p.test("Please give me your ACCOUNT NUMBER.")).toBe(true);
    expect(p.test("Please give me your account no.")).toBe(false);
  });

  it("treats regex metacharacters in plain text literally", () => {
    const p = compilePattern("$19.99 (refund)");
    expect(p.test("I issued a $19.99 (REFUND) today")).toBe(true);
    expect(p.test("I issued a $19199 refund")).toBe(false);
  });

  it("reads text that only starts with a slash as plain text", () => {
    const p = compilePattern("/usr/bin");
    expect(p.test("see /USR/BIN here")).toBe(true);
    expect(p.test("usr")).toBe(false);
  });

  it("reads two slashes alone as plain text", () => {
    expect(compilePattern("//").test("https://x")).toBe(true);
  });
});

describe("compilePattern: /regex/flags", () => {
  it("is case-sensitive without the i flag", () => {
    const p = compilePattern("/confirm/");
    expect(p.test("please confirm")).toBe(true);
    expect(p.test("Please CONFIRM")).toBe(false);
  });

  it("honours flags", () => {
    expect(compilePattern("/confirm/i").test("Please CONFIRM")).toBe(true);
    expect(compilePattern("/^total$/m").test("line one\ntotal\nline three")).toBe(true);
    expect(compilePattern("/a.b/s").test("a\nb")).toBe(true);
  });

  it("keeps slashes inside the regex", () => {
    const p = compilePattern("/\\d+/\\d+/");
    expect(p.test("due 12/31")).toBe(true);
    expect(p.test("due 12-31")).toBe(false);
  });

  it("matches the spec example", () => {
    const p = compilePattern("/payment (is )?complete/i");
    expect(p.test("Your Payment is complete.")).toBe(true);
    expect(p.test("payment complete")).toBe(true);
    expect(p.test("payment pending")).toBe(false);
  });

  it("answers the same every time with the g flag", () => {
    const p = compilePattern("/paid/g");
    expect([p.test("paid"), p.test("paid"), p.test("paid")]).toEqual([true, true, true]);
  });

  it("answers the same every time with the y flag", () => {
    const p = compilePattern("/paid/y");
    expect([p.test("paid"), p.test("paid")]).toEqual([true, true]);
    // Sticky is dropped too, so the match is not anchored at lastIndex 0.
    expect(p.test("it is paid")).toBe(true);
  });
});

describe("compilePattern: errors", () => {
  it("throws a SyntaxError quoting the pattern for an invalid regex", () => {
    expect(() => compilePattern("/(/")).toThrow(
      new SyntaxError("invalid regex /(/: Invalid regular expression: /(/: Unterminated group"),
    );
  });

  it("rejects repeated flags", () => {
    expect(() => compilePattern("/a/ii")).toThrow(
      "invalid regex /a/ii: Invalid flags supplied to RegExp constructor 'ii'",
    );
  });

  it("reads an unknown flag as plain text, not as a regex", () => {
    const p = compilePattern("/a/x");
    expect(p.test("say /A/X")).toBe(true);
    expect(p.test("a")).toBe(false);
  });
});

describe("patternError", () => {
  it("is undefined for a valid pattern", () => {
    expect(patternError("hello")).toBeUndefined();
    expect(patternError("/hel+o/i")).toBeUndefined();
  });

  it("is the compile error message for an invalid one", () => {
    expect(patternError("/[a-/")).toBe(
      "invalid regex /[a-/: Invalid regular expression: /[a-/: Unterminated character class",
    );
  });
});
