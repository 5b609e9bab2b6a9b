import { describe, expect, it } from "vitest";
import { subsetMismatch } from "./deep-subset.ts";

describe("subsetMismatch", () => {
  it("accepts extra keys in the actual value", () => {
    expect(subsetMismatch({ amount: 42 }, { amount: 42, currency: "USD" })).toBeUndefined();
  });

  it("matches nested objects and arrays element by element", () => {
    const actual = { card: { last4: "4242", brand: "visa" }, items: [{ sku: "a", qty: 1 }, { sku: "b" }] };
    expect(
      subsetMismatch({ card: { last4: "4242" }, items: [{ sku: "a" }, { sku: "b" }] }, actual),
    ).toBeUndefined();
    expect(subsetMismatch({ items: [{ sku: "a" }] }, actual)).toBe(
      'items: expected [{"sku":"a"}], found [{"sku":"a","qty":1},{"sku":"b"}]',
    );
  });

  it("names the path of the first mismatch", () => {
    expect(subsetMismatch({ card: { last4: "0000" } }, { card: { last4: "4242" } })).toBe(
      'card.last4: expected "0000", found "4242"',
    );
    expect(subsetMismatch({ amount: 42 }, {})).toBe("amount: expected 42, found nothing");
    expect(subsetMismatch({ amount: 42 }, { amount: "42" })).toBe('amount: expected 42, found "42"');
  });

  it("treats null as a value, not as a missing key", () => {
    expect(subsetMismatch({ x: null }, { x: null })).toBeUndefined();
    expect(subsetMismatch({ x: null }, {})).toBe("x: expected null, found nothing");
  });
});
