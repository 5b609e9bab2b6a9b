import { describe, expect, it } from "vitest";
import { MAX_AGENT_FRAME_BYTES } from "./limits.ts";
import { accepted, contentFrameOf } from "./text-frames.fixture.ts";

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
