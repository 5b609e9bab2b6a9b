import { describe, expect, it } from "vitest";
import { clampLimit, encodeCursor, parseCursor, toPage } from "./page.ts";

describe("cursors", () => {
  it("round-trips an id through an opaque url-safe string", () => {
    const cursor = encodeCursor(12_345);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain("12345");
    expect(parseCursor(cursor)).toEqual({ beforeId: 12_345 });
  });

  it("rejects strings it did not make", () => {
    for (const junk of [
      "",
      "12",
      "v1:12",
      btoa("v2:12"),
      btoa("v1:0"),
      btoa("v1:-3"),
      btoa("v1:1.5"),
      "%%%",
    ]) {
      expect(parseCursor(junk)).toBeUndefined();
    }
  });

  it("clamps limits into 1–100", () => {
    expect([clampLimit(0), clampLimit(7.9), clampLimit(500), clampLimit(Number.NaN)]).toEqual([
      1, 7, 100, 100,
    ]);
  });

  it("keeps the extra fetched row out of the page and points the cursor below the last row", () => {
    const fetched = [{ id: 9 }, { id: 7 }, { id: 4 }];
    expect(toPage(fetched, 2)).toEqual({ rows: [{ id: 9 }, { id: 7 }], nextCursor: encodeCursor(7) });
    expect(toPage(fetched, 3)).toEqual({ rows: fetched, nextCursor: null });
  });
});
