import { describe, expect, it } from "vitest";
import { callerFrameSchema, decodeCallerFrame, encodeCallerFrame } from "./text-frames.ts";

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
