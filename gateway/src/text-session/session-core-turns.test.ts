import { describe, expect, it } from "vitest";
import { connected, drive, frame, say, start, timer } from "./session-drive.fixture.ts";

describe("text session core: turns, the caller's moves and normal endings", () => {
  it("connects, arms the connect and max-duration timers, then asks the caller first", () => {
    const { effects } = drive([start, connected()]);
    expect(effects).toEqual([
      { type: "connect" },
      { type: "set_timer", timer: "connect", dueAt: 11_000 },
      { type: "set_timer", timer: "max_duration", dueAt: 601_000 },
      { type: "clear_timer", timer: "connect" },
      { type: "ask_caller", transcript: [], repliesSinceLastCaller: [] },
    ]);
  });

  it("measures an agent turn's latency from the caller's message and settles before answering", () => {
    const { state, effects } = drive([
      start,
      connected(),
      say(1100, "hi"),
      frame(1141, { content: "hello" }),
    ]);
    expect(state.transcript).toEqual([
      { role: "user", content: "hi", at_ms: 100 },
      { role: "agent", content: "hello", at_ms: 141, latency_ms: 41 },
    ]);
    expect(effects).toContainEqual({ type: "send", data: '{"type":"message","content":"hi"}' });
    expect(effects).toContainEqual({ type: "set_timer", timer: "turn", dueAt: 121_100 });
    expect(effects).toContainEqual({ type: "clear_timer", timer: "turn" });
    expect(effects.at(-1)).toEqual({ type: "set_timer", timer: "settle", dueAt: 1441 });
    expect(state.awaiting).toBe("settle");
  });

  it("records several content frames in a row as several turns and asks the caller once after the last settles", () => {
    const { effects, state } = drive([
      start,
      connected(),
      say(1100, "hi"),
      frame(1150, { content: "one" }),
      frame(1300, { type: "message", content: "two" }),
      timer(1600, "settle"),
    ]);
    expect(state.transcript.filter((e) => e.role === "agent").map((e) => [e.content, e.latency_ms])).toEqual([
      ["one", 50],
      ["two", 200],
    ]);
    const asks = effects.filter((e) => e.type === "ask_caller");
    expect(asks).toHaveLength(2);
    expect(asks[1]).toMatchObject({ repliesSinceLastCaller: ["one", "two"] });
  });

  it("keeps the per-turn timer running through function-call frames", () => {
    const { effects, result } = drive(
      [
        start,
        connected(),
        say(1100, "pay"),
        frame(1200, { type: "function_call", name: "lookup", arguments: '{"a":1}', call_id: "c1" }),
        frame(1300, { type: "function_call_result", output: { ok: true }, id: "c1" }),
        timer(3100, "turn"),
      ],
      { perTurnTimeoutMs: 2000 },
    );
    expect(effects.filter((e) => e.type === "clear_timer" && e.timer === "turn")).toHaveLength(0);
    expect(result).toMatchObject({
      status: "failed",
      endedReason: "agent_timeout",
      endedBy: "platform",
      error: "the agent did not reply within 2 s",
    });
    expect(result?.transcript).toEqual([
      { role: "user", content: "pay", at_ms: 100 },
      {
        role: "function_call",
        content: "",
        at_ms: 200,
        data: { id: "c1", name: "lookup", arguments: { a: 1 } },
      },
      { role: "function_call_result", content: "", at_ms: 300, data: { id: "c1", result: { ok: true } } },
    ]);
  });

  it("merges metadata with the last write winning, from replies and metadata-only frames", () => {
    const { state } = drive([
      start,
      connected(),
      say(1100, "hi"),
      frame(1110, { metadata: { a: 1, b: 1 } }),
      frame(1120, { type: "metadata", metadata: { b: 2 } }),
      frame(1130, { content: "ok", metadata: { c: 3 } }),
    ]);
    expect(state.metadata).toEqual({ a: 1, b: 2, c: 3 });
    expect(state.transcript.filter((e) => e.role === "agent")).toHaveLength(1);
  });

  it("ends completed by the agent on end_call, recording the final words first", () => {
    const { result, effects } = drive([
      start,
      connected(),
      say(1100, "bye"),
      frame(1180, { type: "end_call", content: "Goodbye!" }),
    ]);
    expect(result).toMatchObject({
      status: "completed",
      endedReason: "agent_ended",
      endedBy: "agent",
      error: null,
    });
    expect(result?.transcript.at(-1)).toEqual({
      role: "agent",
      content: "Goodbye!",
      at_ms: 180,
      latency_ms: 80,
    });
    expect(effects).toContainEqual({ type: "close", code: 1000, reason: "agent ended the call" });
    expect(
      effects.filter((e) => e.type === "clear_timer").map((e) => e.type === "clear_timer" && e.timer),
    ).toEqual(expect.arrayContaining(["turn", "max_duration"]));
  });

  it("accepts content with end_call: true as final words and the end", () => {
    const { result } = drive([
      start,
      connected(),
      say(1100, "x"),
      frame(1150, { content: "Done.", end_call: true }),
    ]);
    expect(result).toMatchObject({ status: "completed", endedReason: "agent_ended" });
    expect(result?.transcript.at(-1)?.content).toBe("Done.");
  });

  it("sends end_call for the caller, waits for the agent's close, and ends caller_ended", () => {
    const ended = drive([
      start,
      connected(),
      { type: "caller_move", at: 1100, move: { kind: "end" } },
      { type: "closed", at: 1150, code: 1000, reason: "", clean: true },
    ]);
    expect(ended.effects).toContainEqual({ type: "send", data: '{"type":"end_call"}' });
    expect(ended.effects).toContainEqual({ type: "set_timer", timer: "close_grace", dueAt: 6100 });
    expect(ended.result).toMatchObject({
      status: "completed",
      endedReason: "caller_ended",
      endedBy: "caller",
    });
  });

  it("closes with 1000 itself when the agent does not close within the grace period", () => {
    const { result, effects } = drive([
      start,
      connected(),
      { type: "caller_move", at: 1100, move: { kind: "end" } },
      timer(6100, "close_grace"),
    ]);
    expect(effects).toContainEqual({ type: "close", code: 1000, reason: "caller ended the call" });
    expect(result).toMatchObject({ status: "completed", endedReason: "caller_ended", endedAt: 6100 });
  });

  it("keeps an expectation failure as the run's error while the call still ends normally", () => {
    const failure = "expectation failed: expected /confirm/i, agent said “hello”";
    const { result } = drive([
      start,
      connected(),
      { type: "caller_move", at: 1100, move: { kind: "end", failure } },
      timer(6100, "close_grace"),
    ]);
    expect(result).toMatchObject({ status: "completed", expectationFailure: failure, error: failure });
  });

  it("waits for the agent's greeting when the agent speaks first", () => {
    const { effects, state } = drive(
      [start, connected(1020), frame(1070, { content: "Welcome" }), timer(1370, "settle")],
      { firstSpeaker: "agent" },
    );
    expect(effects).toContainEqual({ type: "set_timer", timer: "turn", dueAt: 121_020 });
    expect(state.transcript).toEqual([{ role: "agent", content: "Welcome", at_ms: 70 }]);
    expect(effects.at(-1)).toMatchObject({ type: "ask_caller", repliesSinceLastCaller: ["Welcome"] });
  });

  it("ends agent_timeout when the greeting never comes", () => {
    const { result } = drive([start, connected(1020), timer(121_020, "turn")], { firstSpeaker: "agent" });
    expect(result).toMatchObject({ status: "failed", endedReason: "agent_timeout", transcript: [] });
  });

  it("pauses for wait_ms and asks the caller again", () => {
    const { effects } = drive([
      start,
      connected(),
      { type: "caller_move", at: 1100, move: { kind: "wait", ms: 250 } },
      timer(1350, "wait"),
    ]);
    expect(effects).toContainEqual({ type: "set_timer", timer: "wait", dueAt: 1350 });
    expect(effects.filter((e) => e.type === "ask_caller")).toHaveLength(2);
  });

  it("waits for the end with the per-turn timeout when the caller waits for the agent to end", () => {
    const { result } = drive(
      [
        start,
        connected(),
        { type: "caller_move", at: 1100, move: { kind: "wait_for_end" } },
        timer(1600, "turn"),
      ],
      { perTurnTimeoutMs: 500 },
    );
    expect(result).toMatchObject({
      endedReason: "agent_timeout",
      error: "the agent did not end the call within 0.5 s",
    });
  });
});
