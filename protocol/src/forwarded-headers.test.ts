import { describe, expect, it } from "vitest";
import {
  checkForwardedHeaders,
  forwardedHeaders,
  isForwardedField,
  rubricHeaders,
} from "./forwarded-headers.ts";

const NOT_A_TOKEN = "is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)";
const RUBRIC = "X-RUBRIC-* headers are set by the platform and cannot be overridden; rename it";
const SPLITS = "value contains CR, LF or NUL, which would split the header";
const NOT_SCALAR = "must be a string, number or boolean to be sent as a header";
const TOO_LONG = "value is over 1024 bytes";

describe("isForwardedField", () => {
  it("is true for X- names in any case", () => {
    expect(isForwardedField("X-Bot-Id")).toBe(true);
    expect(isForwardedField("x-bot-id")).toBe(true);
    expect(isForwardedField("X-")).toBe(true);
  });

  it("is false for other names", () => {
    expect(isForwardedField("customer_tier")).toBe(false);
    expect(isForwardedField("XBot")).toBe(false);
    expect(isForwardedField("Y-Bot")).toBe(false);
    expect(isForwardedField(" X-Bot")).toBe(false);
  });
});

describe("checkForwardedHeaders", () => {
  it("accepts valid X-* fields of every scalar kind", () => {
    expect(
      checkForwardedHeaders({
        "X-Bot-Id": "billing",
        "x-lower": "ok",
        "X-Tokens!#$%&'*+-.^_`|~09": "symbols",
        "X-Count": 3,
        "X-Flag": false,
        "X-Empty": "",
        "X-Tab": "a\tb",
      }),
    ).toEqual([]);
  });

  it("refuses names that are not header tokens", () => {
    expect(
      checkForwardedHeaders({
        "X-Has Space": "v",
        "X-Colon:": "v",
        "X-Ünicode": "v",
        'X-Quote"': "v",
        "X-(paren)": "v",
        "X-Slash/": "v",
      }),
    ).toEqual([
      { field: "X-Has Space", message: NOT_A_TOKEN },
      { field: "X-Colon:", message: NOT_A_TOKEN },
      { field: "X-Ünicode", message: NOT_A_TOKEN },
      { field: 'X-Quote"', message: NOT_A_TOKEN },
      { field: "X-(paren)", message: NOT_A_TOKEN },
      { field: "X-Slash/", message: NOT_A_TOKEN },
    ]);
  });

  it("refuses X-RUBRIC-* names in any case", () => {
    expect(
      checkForwardedHeaders({
        "X-RUBRIC-SECRET": "s",
        "x-rubric-run-id": "r",
        "X-Rubric-Agent-Id": "a",
        "X-RUBRIC-ANYTHING-NEW": "n",
      }),
    ).toEqual([
      { field: "X-RUBRIC-SECRET", message: RUBRIC },
      { field: "x-rubric-run-id", message: RUBRIC },
      { field: "X-Rubric-Agent-Id", message: RUBRIC },
      { field: "X-RUBRIC-ANYTHING-NEW", message: RUBRIC },
    ]);
  });

  it("allows names that only start like X-RUBRIC", () => {
    expect(checkForwardedHeaders({ "X-RUBRICS": "v", "X-Rubric": "v" })).toEqual([]);
  });

  it("refuses values with CR, LF or NUL", () => {
    expect(
      checkForwardedHeaders({
        "X-CR": "a\rb",
        "X-LF": "a\nSet-Cookie: x=1",
        "X-CRLF": "a\r\n",
        "X-NUL": "a\0b",
      }),
    ).toEqual([
      { field: "X-CR", message: SPLITS },
      { field: "X-LF", message: SPLITS },
      { field: "X-CRLF", message: SPLITS },
      { field: "X-NUL", message: SPLITS },
    ]);
  });

  it("refuses values HTTP cannot carry, which would otherwise fail every run at connect", () => {
    const message =
      "value contains a control character or a character beyond U+00FF, which HTTP headers cannot carry";
    expect(
      checkForwardedHeaders({
        "X-Bell": "a\u0007b",
        "X-Del": "a\u007fb",
        "X-Emoji": "coffee ☕",
        "X-Euro": "5 €",
      }),
    ).toEqual([
      { field: "X-Bell", message },
      { field: "X-Del", message },
      { field: "X-Emoji", message },
      { field: "X-Euro", message },
    ]);
  });

  it("allows Latin-1 letters in values", () => {
    expect(checkForwardedHeaders({ "X-Cafe": "café crème" })).toEqual([]);
  });

  it("allows a value of exactly 1 KiB and refuses one byte more", () => {
    expect(checkForwardedHeaders({ "X-Max": "a".repeat(1024) })).toEqual([]);
    expect(checkForwardedHeaders({ "X-Over": "a".repeat(1025) })).toEqual([
      { field: "X-Over", message: TOO_LONG },
    ]);
  });

  it("measures the value in UTF-8 bytes", () => {
    // 513 two-byte characters: 1026 bytes in 513 characters.
    expect(checkForwardedHeaders({ "X-Accents": "é".repeat(513) })).toEqual([
      { field: "X-Accents", message: TOO_LONG },
    ]);
    expect(checkForwardedHeaders({ "X-Accents": "é".repeat(512) })).toEqual([]);
  });

  it("refuses values that are not string, number or boolean", () => {
    expect(
      checkForwardedHeaders({ "X-Object": { a: 1 }, "X-Array": ["a"], "X-Null": null, "X-Undef": undefined }),
    ).toEqual([
      { field: "X-Object", message: NOT_SCALAR },
      { field: "X-Array", message: NOT_SCALAR },
      { field: "X-Null", message: NOT_SCALAR },
      { field: "X-Undef", message: NOT_SCALAR },
    ]);
  });

  it("ignores fields that are not X-*, whatever they hold", () => {
    expect(
      checkForwardedHeaders({
        customer_tier: { nested: true },
        "Bad Name": "line\r\nbreak",
        Connection: "close",
        big: "a".repeat(5000),
      }),
    ).toEqual([]);
  });

  it("reports one violation per field, the name before the value", () => {
    expect(checkForwardedHeaders({ "X-RUBRIC-SECRET": { a: 1 }, "X-Bad Name": "a\nb" })).toEqual([
      { field: "X-RUBRIC-SECRET", message: RUBRIC },
      { field: "X-Bad Name", message: NOT_A_TOKEN },
    ]);
  });

  it("accepts nothing to check", () => {
    expect(checkForwardedHeaders({})).toEqual([]);
  });
});

describe("forwardedHeaders", () => {
  it("forwards X-* fields verbatim and stringifies numbers and booleans", () => {
    expect(
      forwardedHeaders({
        "X-Bot-Id": "billing",
        "x-lower": "kept as written",
        "X-Count": 3,
        "X-Flag": true,
        customer_tier: "gold",
        "not-x": 1,
      }),
    ).toEqual({ "X-Bot-Id": "billing", "x-lower": "kept as written", "X-Count": "3", "X-Flag": "true" });
  });

  it("drops null and object values", () => {
    expect(forwardedHeaders({ "X-Null": null, "X-Obj": { a: 1 }, "X-Ok": "" })).toEqual({ "X-Ok": "" });
  });
});

describe("rubricHeaders", () => {
  it("sets exactly the five identity headers", () => {
    expect(
      rubricHeaders({
        secret: "s3cret",
        agentId: "billing-bot",
        scenarioId: "pay-bill",
        runId: "r1",
        batchId: "b1",
      }),
    ).toStrictEqual({
      "X-RUBRIC-SECRET": "s3cret",
      "X-RUBRIC-AGENT-ID": "billing-bot",
      "X-RUBRIC-SCENARIO-ID": "pay-bill",
      "X-RUBRIC-RUN-ID": "r1",
      "X-RUBRIC-BATCH-ID": "b1",
    });
  });
});
