import { describe, expect, it } from "vitest";
import { MAX_AGENT_FRAME_BYTES } from "./limits.ts";
import { contentFrameOf, rejected } from "./text-frames.fixture.ts";

describe("decodeAgentFrame: rejected shapes", () => {
  it("rejects a frame that is not JSON and quotes it", () => {
    expect(rejected("hello agent")).toBe("frame is not JSON; frame: hello agent");
  });

  it("rejects truncated JSON", () => {
    expect(rejected('{"content":"Hi"')).toBe('frame is not JSON; frame: {"content":"Hi"');
  });

  it("quotes only the first 500 bytes of a long frame", () => {
    const raw = `not json ${"x".repeat(1000)}`;
    expect(rejected(raw)).toBe(`frame is not JSON; frame: not json ${"x".repeat(491)}…`);
  });

  it("rejects a JSON string", () => {
    expect(rejected('"Hello"')).toBe('frame is not a JSON object; frame: "Hello"');
  });

  it("rejects a JSON number", () => {
    expect(rejected("42")).toBe("frame is not a JSON object; frame: 42");
  });

  it("rejects an array", () => {
    expect(rejected('[{"content":"Hi"}]')).toBe('frame is not a JSON object; frame: [{"content":"Hi"}]');
  });

  it("rejects null", () => {
    expect(rejected("null")).toBe("frame is not a JSON object; frame: null");
  });

  it("rejects an unknown type", () => {
    expect(rejected('{"type":"reply","content":"Hi"}')).toBe(
      'unknown frame type "reply"; frame: {"type":"reply","content":"Hi"}',
    );
  });

  it("rejects an empty type", () => {
    expect(rejected('{"type":"","content":"Hi"}')).toBe(
      'unknown frame type ""; frame: {"type":"","content":"Hi"}',
    );
  });

  it("names at most 64 characters of an unknown type", () => {
    const type = "t".repeat(100);
    expect(rejected(`{"type":"${type}"}`)).toBe(
      `unknown frame type "${"t".repeat(64)}"; frame: {"type":"${type}"}`,
    );
  });

  it("rejects a type that is not a string", () => {
    expect(rejected('{"type":1,"content":"Hi"}')).toBe(
      '`type` is not a string; frame: {"type":1,"content":"Hi"}',
    );
  });

  it("rejects a null type", () => {
    expect(rejected('{"type":null,"content":"Hi"}')).toBe(
      '`type` is not a string; frame: {"type":null,"content":"Hi"}',
    );
  });

  it("rejects content that is not a string", () => {
    expect(rejected('{"content":42}')).toBe(
      '`content`: Invalid input: expected string, received number; frame: {"content":42}',
    );
  });

  it("rejects content that is an object", () => {
    expect(rejected('{"content":{"text":"Hi"}}')).toBe(
      '`content`: Invalid input: expected string, received object; frame: {"content":{"text":"Hi"}}',
    );
  });

  it("rejects end_call content that is not a string", () => {
    expect(rejected('{"type":"end_call","content":["bye"]}')).toBe(
      '`content`: Invalid input: expected string, received array; frame: {"type":"end_call","content":["bye"]}',
    );
  });

  it("rejects a frame with neither content nor metadata", () => {
    expect(rejected("{}")).toBe("frame has neither `content` nor `metadata`; frame: {}");
  });

  it("rejects a message-typed frame with neither content nor metadata", () => {
    expect(rejected('{"type":"message","end_call":false}')).toBe(
      'frame has neither `content` nor `metadata`; frame: {"type":"message","end_call":false}',
    );
  });

  it("rejects metadata that is not an object", () => {
    expect(rejected('{"metadata":"paid"}')).toBe(
      '`metadata`: Invalid input: expected record, received string; frame: {"metadata":"paid"}',
    );
  });

  it("rejects metadata that is an array", () => {
    expect(rejected('{"metadata":[1,2]}')).toBe(
      '`metadata`: Invalid input: expected record, received array; frame: {"metadata":[1,2]}',
    );
  });

  it("rejects a metadata-typed frame without metadata", () => {
    expect(rejected('{"type":"metadata"}')).toBe(
      '`metadata`: Invalid input: expected record, received undefined; frame: {"type":"metadata"}',
    );
  });

  it("rejects a metadata-typed frame whose metadata is null", () => {
    expect(rejected('{"type":"metadata","metadata":null}')).toBe(
      '`metadata`: Invalid input: expected record, received null; frame: {"type":"metadata","metadata":null}',
    );
  });

  it("rejects end_call that is not a boolean", () => {
    expect(rejected('{"content":"Bye","end_call":"yes"}')).toBe(
      '`end_call`: Invalid input: expected boolean, received string; frame: {"content":"Bye","end_call":"yes"}',
    );
  });

  it("rejects a function call without a name", () => {
    expect(rejected('{"type":"function_call","arguments":{}}')).toBe(
      '`name`: Invalid input: expected string, received undefined; frame: {"type":"function_call","arguments":{}}',
    );
  });

  it("rejects a function call with an empty name", () => {
    expect(rejected('{"type":"function_call","name":""}')).toBe(
      '`name`: Too small: expected string to have >=1 characters; frame: {"type":"function_call","name":""}',
    );
  });

  it("rejects a function call id that is not a string", () => {
    expect(rejected('{"type":"function_call","name":"f","id":7}')).toBe(
      '`id`: Invalid input: expected string, received number; frame: {"type":"function_call","name":"f","id":7}',
    );
  });

  it("rejects a function result name that is not a string", () => {
    expect(rejected('{"type":"function_call_result","name":1,"result":2}')).toBe(
      '`name`: Invalid input: expected string, received number; frame: {"type":"function_call_result","name":1,"result":2}',
    );
  });

  it("rejects a string frame one byte over 256 KiB and quotes its first 500 bytes", () => {
    const frame = contentFrameOf(MAX_AGENT_FRAME_BYTES + 1);
    expect(rejected(frame)).toBe(
      `frame of 262145 bytes is over the 262144-byte limit; frame: {"content":"${"a".repeat(488)}…`,
    );
  });

  it("counts a string frame's size in UTF-8 bytes, not characters", () => {
    // 87,382 three-byte characters: 262,146 bytes of content in 87,396 UTF-16 code units.
    const frame = `{"content":"${"€".repeat(87_382)}"}`;
    expect(frame.length).toBe(87_396);
    expect(rejected(frame)).toMatch(
      /^frame of 262160 bytes is over the 262144-byte limit; frame: \{"content":"€/,
    );
  });

  it("rejects a binary frame over 256 KiB and quotes its first 500 bytes", () => {
    const bytes = new Uint8Array(MAX_AGENT_FRAME_BYTES + 1).fill(0x61);
    expect(rejected(bytes)).toBe(
      `frame of 262145 bytes is over the 262144-byte limit; frame: ${"a".repeat(500)}…`,
    );
  });

  it("rejects binary bytes that are not JSON", () => {
    expect(rejected(new Uint8Array([0x68, 0x69]))).toBe("frame is not JSON; frame: hi");
  });
});
