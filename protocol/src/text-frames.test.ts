import { describe, expect, it } from "vitest";
import { MAX_AGENT_FRAME_BYTES } from "./limits.ts";
import {
  type AgentFrameDecode,
  callerFrameSchema,
  decodeAgentFrame,
  decodeCallerFrame,
  encodeCallerFrame,
} from "./text-frames.ts";

const accepted = (raw: string | Uint8Array) => {
  const r = decodeAgentFrame(raw);
  if (!r.ok) throw new Error(`expected ${String(raw)} to be accepted, got: ${r.error}`);
  return r.event;
};

const rejected = (raw: string | Uint8Array): string => {
  const r: AgentFrameDecode = decodeAgentFrame(raw);
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.event)}`);
  return r.error;
};

/** A `{"content":"aaa…"}` frame of exactly `bytes` bytes. */
const contentFrameOf = (bytes: number): string => {
  const envelope = '{"content":""}'.length;
  return `{"content":"${"a".repeat(bytes - envelope)}"}`;
};

describe("decodeAgentFrame: accepted shapes", () => {
  it("reads a bare content frame as a reply", () => {
    expect(accepted('{"content":"Hello, how can I help?"}')).toEqual({
      kind: "reply",
      content: "Hello, how can I help?",
      endCall: false,
    });
  });

  it("reads a content frame typed message as a reply", () => {
    expect(accepted('{"type":"message","content":"Hi"}')).toEqual({
      kind: "reply",
      content: "Hi",
      endCall: false,
    });
  });

  it("keeps an empty reply as an empty turn", () => {
    expect(accepted('{"content":""}')).toEqual({ kind: "reply", content: "", endCall: false });
  });

  it("carries metadata sent with a reply", () => {
    expect(accepted('{"content":"Done","metadata":{"payment_status":"paid","amount":42}}')).toEqual({
      kind: "reply",
      content: "Done",
      endCall: false,
      metadata: { payment_status: "paid", amount: 42 },
    });
  });

  it("reads a frame with only metadata as a metadata event", () => {
    expect(accepted('{"metadata":{"intent":"billing"}}')).toEqual({
      kind: "metadata",
      metadata: { intent: "billing" },
    });
  });

  it("reads a metadata-typed frame as a metadata event", () => {
    expect(accepted('{"type":"metadata","metadata":{"intent":"billing","score":0.9}}')).toEqual({
      kind: "metadata",
      metadata: { intent: "billing", score: 0.9 },
    });
  });

  it("reads a message-typed frame with only metadata as a metadata event", () => {
    expect(accepted('{"type":"message","metadata":{}}')).toEqual({ kind: "metadata", metadata: {} });
  });

  it("keeps object arguments of a function call as they are", () => {
    expect(
      accepted(
        '{"type":"function_call","name":"process_payment","arguments":{"amount":42,"currency":"USD"}}',
      ),
    ).toEqual({ kind: "function_call", name: "process_payment", arguments: { amount: 42, currency: "USD" } });
  });

  it("parses function call arguments given as a JSON string", () => {
    expect(
      accepted('{"type":"function_call","name":"lookup","arguments":"{\\"account\\":\\"12345\\"}"}'),
    ).toEqual({ kind: "function_call", name: "lookup", arguments: { account: "12345" } });
  });

  it("keeps function call arguments that are a non-JSON string as text", () => {
    expect(accepted('{"type":"function_call","name":"lookup","arguments":"account 12345"}')).toEqual({
      kind: "function_call",
      name: "lookup",
      arguments: "account 12345",
    });
  });

  it("gives a function call without arguments an empty object", () => {
    expect(accepted('{"type":"function_call","name":"hang_up"}')).toEqual({
      kind: "function_call",
      name: "hang_up",
      arguments: {},
    });
  });

  it("records the id of a function call", () => {
    expect(accepted('{"type":"function_call","name":"lookup","arguments":{},"id":"c1"}')).toEqual({
      kind: "function_call",
      id: "c1",
      name: "lookup",
      arguments: {},
    });
  });

  it("accepts call_id for the id of a function call", () => {
    expect(accepted('{"type":"function_call","name":"lookup","arguments":{},"call_id":"call_9"}')).toEqual({
      kind: "function_call",
      id: "call_9",
      name: "lookup",
      arguments: {},
    });
  });

  it("prefers id over call_id when both are given", () => {
    expect(accepted('{"type":"function_call","name":"f","id":"a","call_id":"b"}')).toEqual({
      kind: "function_call",
      id: "a",
      name: "f",
      arguments: {},
    });
  });

  it("reads a function result with result, name and id", () => {
    expect(
      accepted('{"type":"function_call_result","name":"process_payment","result":{"ok":true},"id":"c1"}'),
    ).toEqual({ kind: "function_call_result", id: "c1", name: "process_payment", result: { ok: true } });
  });

  it("accepts output for the result of a function result", () => {
    expect(accepted('{"type":"function_call_result","output":"paid","call_id":"c2"}')).toEqual({
      kind: "function_call_result",
      id: "c2",
      result: "paid",
    });
  });

  it("keeps a falsy function result instead of replacing it", () => {
    expect(accepted('{"type":"function_call_result","result":0}')).toEqual({
      kind: "function_call_result",
      result: 0,
    });
  });

  it("records a function result without result or output as null", () => {
    expect(accepted('{"type":"function_call_result","name":"f"}')).toEqual({
      kind: "function_call_result",
      name: "f",
      result: null,
    });
  });

  it("reads end_call without content", () => {
    expect(accepted('{"type":"end_call"}')).toEqual({ kind: "end_call" });
  });

  it("reads end_call with final words", () => {
    expect(accepted('{"type":"end_call","content":"Goodbye!"}')).toEqual({
      kind: "end_call",
      content: "Goodbye!",
    });
  });

  it("carries metadata sent with end_call", () => {
    expect(accepted('{"type":"end_call","metadata":{"outcome":"resolved"}}')).toEqual({
      kind: "end_call",
      metadata: { outcome: "resolved" },
    });
  });

  it("reads content with end_call true as a reply that ends the call", () => {
    expect(accepted('{"content":"Bye now","end_call":true}')).toEqual({
      kind: "reply",
      content: "Bye now",
      endCall: true,
    });
  });

  it("reads content with end_call false as a plain reply", () => {
    expect(accepted('{"content":"Still here","end_call":false}')).toEqual({
      kind: "reply",
      content: "Still here",
      endCall: false,
    });
  });

  it("ignores fields it does not know", () => {
    expect(accepted('{"content":"Hi","timestamp":123,"speaker":"bot"}')).toEqual({
      kind: "reply",
      content: "Hi",
      endCall: false,
    });
  });

  it("decodes a frame given as UTF-8 bytes", () => {
    expect(accepted(new TextEncoder().encode('{"content":"Grüße 👋"}'))).toEqual({
      kind: "reply",
      content: "Grüße 👋",
      endCall: false,
    });
  });

  it("accepts a frame of exactly 256 KiB", () => {
    const frame = contentFrameOf(MAX_AGENT_FRAME_BYTES);
    expect(new TextEncoder().encode(frame).byteLength).toBe(262_144);
    expect(accepted(frame)).toEqual({ kind: "reply", content: "a".repeat(262_130), endCall: false });
  });
});

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

describe("caller frames", () => {
  it("encodes a message exactly", () => {
    expect(encodeCallerFrame({ type: "message", content: "Hi, I'd like to pay my bill" })).toBe(
      '{"type":"message","content":"Hi, I\'d like to pay my bill"}',
    );
  });

  it("encodes end_call exactly", () => {
    expect(encodeCallerFrame({ type: "end_call" })).toBe('{"type":"end_call"}');
  });

  it("encodes a message with type first whatever the key order of its input", () => {
    expect(encodeCallerFrame({ content: "Hi", type: "message" })).toBe('{"type":"message","content":"Hi"}');
  });

  it("sends no field beyond the contract even when the value carries more", () => {
    const frame = { type: "message" as const, content: 'It is <dtmf digits="1#"/>', secret: "s3cret" };
    const endCall = { type: "end_call" as const, content: "bye" };
    expect(encodeCallerFrame(frame)).toBe('{"type":"message","content":"It is <dtmf digits=\\"1#\\"/>"}');
    expect(encodeCallerFrame(endCall)).toBe('{"type":"end_call"}');
  });

  it("decodes what it encodes", () => {
    expect(decodeCallerFrame(encodeCallerFrame({ type: "message", content: "héllo" }))).toEqual({
      ok: true,
      frame: { type: "message", content: "héllo" },
    });
    expect(decodeCallerFrame('{"type":"end_call"}')).toEqual({ ok: true, frame: { type: "end_call" } });
  });

  it("rejects a caller frame that is not JSON", () => {
    expect(decodeCallerFrame("hi")).toEqual({ ok: false, error: "not JSON: hi" });
  });

  it("rejects a message without content", () => {
    expect(decodeCallerFrame('{"type":"message"}')).toEqual({
      ok: false,
      error: 'not a caller frame: {"type":"message"}',
    });
  });

  it("rejects a caller frame without type", () => {
    expect(decodeCallerFrame('{"content":"hi"}')).toEqual({
      ok: false,
      error: 'not a caller frame: {"content":"hi"}',
    });
  });

  it("rejects extra fields, since the platform sends exactly two shapes", () => {
    expect(decodeCallerFrame('{"type":"end_call","content":"bye"}')).toEqual({
      ok: false,
      error: 'not a caller frame: {"type":"end_call","content":"bye"}',
    });
    expect(decodeCallerFrame('{"type":"message","content":"hi","metadata":{}}').ok).toBe(false);
  });

  it("rejects the agent-only types", () => {
    expect(decodeCallerFrame('{"type":"metadata","metadata":{}}').ok).toBe(false);
    expect(callerFrameSchema.safeParse({ type: "function_call", name: "f" }).success).toBe(false);
  });
});
