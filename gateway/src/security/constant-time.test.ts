import { describe, expect, it } from "vitest";
import { constantTimeEqual, secretsEqual, sha256Hex } from "./constant-time.ts";

describe("constantTimeEqual", () => {
  it("is true only for identical strings", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
  });
});

describe("secretsEqual", () => {
  it("compares secrets of different lengths through their hashes", async () => {
    expect(await secretsEqual("admin-token", "admin-token")).toBe(true);
    expect(await secretsEqual("admin-token", "admin-token2")).toBe(false);
    expect(await secretsEqual("", "x")).toBe(false);
  });
});

describe("sha256Hex", () => {
  it("hashes UTF-8 text to lowercase hex", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
