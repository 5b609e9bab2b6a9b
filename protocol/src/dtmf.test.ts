import { describe, expect, it } from "vitest";
import { DTMF_DIGITS, dtmfTag, dtmfTagPattern, parseDtmf, stripDtmf } from "./dtmf.ts";

describe("parseDtmf", () => {
  it("finds a tag with its digits, offset and text", () => {
    expect(parseDtmf('It is <dtmf digits="12345#"/>')).toEqual([
      { digits: "12345#", index: 6, tag: '<dtmf digits="12345#"/>' },
    ]);
  });

  it("finds every tag in order", () => {
    const text = '<dtmf digits="1"/> then <dtmf  digits="*0#" /> and <dtmf\tdigits="9"/>';
    expect(parseDtmf(text)).toEqual([
      { digits: "1", index: 0, tag: '<dtmf digits="1"/>' },
      { digits: "*0#", index: 24, tag: '<dtmf  digits="*0#" />' },
      { digits: "9", index: 51, tag: '<dtmf\tdigits="9"/>' },
    ]);
  });

  it("gives offsets in UTF-16 code units", () => {
    expect(parseDtmf('👋 <dtmf digits="5"/>')).toEqual([
      { digits: "5", index: 3, tag: '<dtmf digits="5"/>' },
    ]);
  });

  it("accepts 32 digits", () => {
    const digits = "0123456789*#".repeat(3).slice(0, 32);
    expect(parseDtmf(`<dtmf digits="${digits}"/>`)).toEqual([
      { digits, index: 0, tag: `<dtmf digits="${digits}"/>` },
    ]);
  });

  it("does not match 33 digits", () => {
    expect(parseDtmf(`<dtmf digits="${"1".repeat(33)}"/>`)).toEqual([]);
  });

  it("does not match an empty digit string", () => {
    expect(parseDtmf('<dtmf digits=""/>')).toEqual([]);
  });

  it("does not match letters, spaces or single quotes", () => {
    expect(parseDtmf('<dtmf digits="12A"/>')).toEqual([]);
    expect(parseDtmf('<dtmf digits="1 2"/>')).toEqual([]);
    expect(parseDtmf("<dtmf digits='12'/>")).toEqual([]);
    expect(parseDtmf('<dtmfdigits="12"/>')).toEqual([]);
    expect(parseDtmf('<dtmf digits="12">')).toEqual([]);
  });

  it("returns nothing for text without tags", () => {
    expect(parseDtmf("press one for billing")).toEqual([]);
  });

  it("answers the same on every call", () => {
    const text = 'a <dtmf digits="1"/>';
    expect(parseDtmf(text)).toEqual(parseDtmf(text));
    expect(parseDtmf(text)).toHaveLength(1);
  });
});

describe("dtmfTagPattern", () => {
  it("is the pattern from the spec, global, and fresh each time", () => {
    const a = dtmfTagPattern();
    expect(a.source).toBe('<dtmf\\s+digits="([0-9*#]{1,32})"\\s*\\/>');
    expect(a.flags).toBe("g");
    a.exec('<dtmf digits="1"/>');
    expect(a.lastIndex).toBe(18);
    expect(dtmfTagPattern()).not.toBe(a);
    expect(dtmfTagPattern().lastIndex).toBe(0);
  });
});

describe("stripDtmf", () => {
  it("removes tags and tidies the whitespace around them", () => {
    expect(stripDtmf('It is <dtmf digits="12345#"/> thanks')).toBe("It is thanks");
  });

  it("leaves nothing of a message that is only a tag", () => {
    expect(stripDtmf('<dtmf digits="1"/>')).toBe("");
  });

  it("keeps words glued to a tag apart", () => {
    expect(stripDtmf('one<dtmf digits="1"/>two')).toBe("one two");
  });

  it("leaves a tag with 33 digits in place", () => {
    const tag = `<dtmf digits="${"1".repeat(33)}"/>`;
    expect(stripDtmf(`x ${tag}`)).toBe(`x ${tag}`);
  });
});

describe("dtmfTag", () => {
  it("writes the tag for valid digits", () => {
    expect(dtmfTag("123#")).toBe('<dtmf digits="123#"/>');
    expect(dtmfTag("*")).toBe('<dtmf digits="*"/>');
  });

  it("round-trips through parseDtmf", () => {
    expect(parseDtmf(dtmfTag("0*9#"))).toEqual([{ digits: "0*9#", index: 0, tag: '<dtmf digits="0*9#"/>' }]);
  });

  it("throws a RangeError naming the rule for invalid digits", () => {
    expect(() => dtmfTag("12a")).toThrow(
      new RangeError('invalid DTMF digits "12a": use 1-32 of 0-9, * and #'),
    );
    expect(() => dtmfTag("")).toThrow(RangeError);
    expect(() => dtmfTag("1".repeat(33))).toThrow(
      `invalid DTMF digits "${"1".repeat(33)}": use 1-32 of 0-9, * and #`,
    );
  });

  it("refuses digits that would break out of the attribute", () => {
    expect(() => dtmfTag('1"/><x')).toThrow(RangeError);
  });
});

describe("DTMF_DIGITS", () => {
  it("allows 1 to 32 of 0-9, * and #", () => {
    expect(DTMF_DIGITS.test("0123456789*#")).toBe(true);
    expect(DTMF_DIGITS.test("1".repeat(32))).toBe(true);
    expect(DTMF_DIGITS.test("1".repeat(33))).toBe(false);
    expect(DTMF_DIGITS.test("")).toBe(false);
    expect(DTMF_DIGITS.test("A")).toBe(false);
  });
});
