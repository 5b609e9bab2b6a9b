import { describe, expect, it } from "vitest";
import { describeClose, isNormalCloseCode } from "./close-codes.ts";

describe("isNormalCloseCode", () => {
  it("accepts 1000, 1001, 1005 and the application range 4000–4999", () => {
    for (const code of [1000, 1001, 1005, 4000, 4321, 4999]) expect(isNormalCloseCode(code)).toBe(true);
  });

  it("rejects every other code, errors and reserved ones alike", () => {
    for (const code of [
      999, 1002, 1003, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015, 2999, 3000, 3999, 5000,
    ]) {
      expect(isNormalCloseCode(code)).toBe(false);
    }
  });
});

describe("describeClose", () => {
  it("names a known code and quotes the reason", () => {
    expect(describeClose(1011, "db down")).toBe('1011 internal error "db down"');
  });

  it("leaves out an empty reason and the name of an application code", () => {
    expect(describeClose(4001, "")).toBe("4001");
  });

  it("cuts a long reason to 200 characters", () => {
    expect(describeClose(1000, "x".repeat(300))).toBe(`1000 normal closure "${"x".repeat(200)}"`);
  });
});
