import { describe, expect, it } from "vitest";
import { createConnectionLimiter } from "./connection-limiter.ts";

describe("createConnectionLimiter", () => {
  it("refuses a key over its cap until one of its connections is released", () => {
    const limiter = createConnectionLimiter({ maxPerKey: 2 });
    const first = limiter.acquire("k");
    const second = limiter.acquire("k");
    expect(first).toBeTypeOf("function");
    expect(second).toBeTypeOf("function");
    expect(limiter.acquire("k")).toBeUndefined();
    expect(limiter.acquire("other")).toBeTypeOf("function");
    first!();
    expect(limiter.count("k")).toBe(1);
    expect(limiter.acquire("k")).toBeTypeOf("function");
    expect(limiter.count("k")).toBe(2);
  });

  it("counts a release once however often it is called, and forgets idle keys", () => {
    const limiter = createConnectionLimiter({ maxPerKey: 3 });
    const a = limiter.acquire("k")!;
    const b = limiter.acquire("k")!;
    a();
    a();
    expect(limiter.count("k")).toBe(1);
    b();
    expect(limiter.count("k")).toBe(0);
    expect(limiter.size).toBe(0);
  });

  it("refuses a cap below one", () => {
    expect(() => createConnectionLimiter({ maxPerKey: 0 })).toThrow(
      "connection limit: maxPerKey must be ≥ 1",
    );
  });
});
