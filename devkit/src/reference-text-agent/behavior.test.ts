import { describe, expect, it } from "vitest";
import { defaultBehavior, parseBehavior } from "./behavior.ts";

describe("parseBehavior", () => {
  it("reads an empty list as the well-behaved agent", () => {
    expect(parseBehavior("")).toEqual({ ok: true, behavior: defaultBehavior() });
  });

  it("reads flags and numeric switches, ignoring spaces", () => {
    expect(parseBehavior(" slow:250, two_replies ,drop_after:3,http_error:503")).toEqual({
      ok: true,
      behavior: { ...defaultBehavior(), delayMs: 250, twoReplies: true, dropAfter: 3, httpError: 503 },
    });
    expect(parseBehavior("close_after:1,close_code:4001")).toEqual({
      ok: true,
      behavior: { ...defaultBehavior(), closeAfter: 1, closeCode: 4001 },
    });
  });

  it("rejects unknown names, missing or extra arguments, repeats and odd statuses", () => {
    expect(parseBehavior("dance")).toEqual({ ok: false, error: 'unknown behavior "dance"' });
    expect(parseBehavior("close_after")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/needs a count/),
    });
    expect(parseBehavior("silent:1")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/takes no argument/),
    });
    expect(parseBehavior("greet,greet")).toMatchObject({ ok: false, error: expect.stringMatching(/twice/) });
    expect(parseBehavior("http_error:200")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/400 to 599/),
    });
    expect(parseBehavior("close_code:1006")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/1000-1003, 1005, 1007-1014 or 3000-4999/),
    });
    expect(parseBehavior("slow:1:2")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/milliseconds/),
    });
  });
});
