import { describe, expect, it } from "vitest";
import { AppError, ERROR_CODES, httpStatusOf } from "./errors.ts";

describe("AppError", () => {
  it("carries its code, message, status and cause", () => {
    const cause = new Error("socket hang up");
    const e = new AppError("upstream_failed", "the LLM provider did not answer", { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("AppError");
    expect(e.code).toBe("upstream_failed");
    expect(e.message).toBe("the LLM provider did not answer");
    expect(e.status).toBe(502);
    expect(e.cause).toBe(cause);
  });

  it("has no cause unless given one", () => {
    expect(new AppError("not_found", "no such run").cause).toBeUndefined();
  });
});

describe("httpStatusOf", () => {
  it("maps every code to its HTTP status", () => {
    expect(Object.fromEntries(ERROR_CODES.map((c) => [c, httpStatusOf(c)]))).toEqual({
      bad_request: 400,
      config_invalid: 400,
      unauthorized: 401,
      forbidden: 403,
      not_found: 404,
      conflict: 409,
      payload_too_large: 413,
      rate_limited: 429,
      payment_required: 402,
      upstream_failed: 502,
      internal: 500,
    });
  });
});
