import { describe, expect, it } from "vitest";
import { initialState, step } from "./session-core.ts";
import {
  DEFAULT_SESSION_CONFIG,
  type SessionConfig,
  type SessionEffect,
  type SessionEvent,
  type SessionResult,
  type SessionState,
} from "./session-types.ts";

/** Feeds events in order and keeps every effect; the clock is whatever `at` says. */
function drive(events: SessionEvent[], config: Partial<SessionConfig> = {}) {
  let state: SessionState = initialState({ ...DEFAULT_SESSION_CONFIG, ...config });
  const effects: SessionEffect[] = [];
  for (const e of events) {
    const out = step(state, e);
    state = out.state;
    effects.push(...out.effects);
  }
  const finish = effects.find((e): e is Extract<SessionEffect, { type: "finish" }> => e.type === "finish");
  return { state, effects, result: finish?.result as SessionResult | undefined };
}

const start: SessionEvent = { type: "start", at: 1000 };
const connected = (at = 1010): SessionEvent => ({ type: "connected", at });
const say = (at: number, text: string): SessionEvent => ({
  type: "caller_move",
  at,
  move: { kind: "say", text },
});
const frame = (at: number, data: unknown): SessionEvent => ({
  type: "frame",
  at,
  data: typeof data === "string" ? data : JSON.stringify(data),
});
const timer = (at: number, t: Extract<SessionEvent, { type: "timer" }>["timer"]): SessionEvent => ({
  type: "timer",
  at,
  timer: t,
});

describe("text session core", () => {
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

  it("fails max_duration with the partial transcript", () => {
    const { result } = drive(
      [start, connected(), say(1100, "hi"), frame(1150, { content: "yo" }), timer(3000, "max_duration")],
      { maxDurationMs: 2000 },
    );
    expect(result).toMatchObject({ status: "failed", endedReason: "max_duration", endedAt: 3000 });
    expect(result?.transcript).toHaveLength(2);
  });

  it("reads 1008 before the first reply as a rejected connection", () => {
    const { result } = drive([
      start,
      connected(),
      { type: "closed", at: 1020, code: 1008, reason: "bad secret", clean: true },
    ]);
    expect(result).toMatchObject({
      status: "failed",
      endedReason: "connection_failed",
      error: 'agent rejected the connection (1008 policy violation "bad secret")',
    });
  });

  const closeAfterReply = (code: number, reason = "") =>
    drive([
      start,
      connected(),
      say(1100, "hi"),
      frame(1150, { content: "yo" }),
      { type: "closed", at: 1200, code, reason, clean: code !== 1006 },
    ]).result;

  it.each([1000, 1001, 1005, 4000, 4999])(
    "reads a close with %i after replies as the agent ending the call",
    (code) => {
      expect(closeAfterReply(code)).toMatchObject({
        status: "completed",
        endedReason: "agent_ended",
        endedBy: "agent",
        error: null,
      });
    },
  );

  it.each([
    [1011, "db down", 'the agent closed the connection with an error code (1011 internal error "db down")'],
    [1002, "", "the agent closed the connection with an error code (1002 protocol error)"],
    [1003, "", "the agent closed the connection with an error code (1003 unsupported data)"],
    [1008, "", "the agent closed the connection with an error code (1008 policy violation)"],
    [1012, "", "the agent closed the connection with an error code (1012 service restart)"],
    [3000, "", "the agent closed the connection with an error code (3000)"],
  ])("fails connection_lost when the agent closes with %i, naming the code", (code, reason, error) => {
    expect(closeAfterReply(code, reason)).toMatchObject({
      status: "failed",
      endedReason: "connection_lost",
      endedBy: "platform",
      error,
    });
  });

  it("fails an error close that answers the caller's end_call", () => {
    const { result } = drive([
      start,
      connected(),
      { type: "caller_move", at: 1100, move: { kind: "end" } },
      { type: "closed", at: 1150, code: 1011, reason: "", clean: true },
    ]);
    expect(result).toMatchObject({ status: "failed", endedReason: "connection_lost" });
  });

  it("accepts a dropped socket as the agent's answer to the caller's end_call", () => {
    const { result } = drive([
      start,
      connected(),
      { type: "caller_move", at: 1100, move: { kind: "end" } },
      { type: "closed", at: 1150, code: 1006, reason: "", clean: false },
    ]);
    expect(result).toMatchObject({ status: "completed", endedReason: "caller_ended", endedBy: "caller" });
  });

  it("ends interrupted, going away with 1001, when whoever started the run stops it", () => {
    const { result, effects } = drive([
      start,
      connected(),
      say(1100, "hi"),
      { type: "interrupt", at: 1200, detail: "interrupted (Ctrl-C)" },
    ]);
    expect(result).toMatchObject({
      status: "interrupted",
      endedReason: "interrupted",
      endedBy: "platform",
      error: "interrupted (Ctrl-C)",
      endedAt: 1200,
    });
    expect(effects).toContainEqual({ type: "close", code: 1001, reason: "the run was interrupted" });
  });

  it("reads a dropped socket as connection_lost and keeps the partial transcript", () => {
    const { result } = drive([
      start,
      connected(),
      say(1100, "hi"),
      frame(1150, { content: "yo" }),
      { type: "closed", at: 1300, code: 1006, reason: "", clean: false },
    ]);
    expect(result).toMatchObject({ status: "failed", endedReason: "connection_lost", endedAt: 1300 });
    expect(result?.transcript.map((e) => e.content)).toEqual(["hi", "yo"]);
  });

  it("ends protocol_error quoting an unusable frame and closes with 1002", () => {
    const { result, effects } = drive([start, connected(), say(1100, "hi"), frame(1150, "<html>oops")]);
    expect(result).toMatchObject({ status: "failed", endedReason: "protocol_error" });
    expect(result?.error).toBe("frame is not JSON; frame: <html>oops");
    expect(effects).toContainEqual({ type: "close", code: 1002, reason: "protocol_error" });
  });

  it("fails connection_failed on a connect error and on the connect timeout", () => {
    expect(drive([start, { type: "connect_failed", at: 1005, detail: "ECONNREFUSED" }]).result).toMatchObject(
      {
        endedReason: "connection_failed",
        error: "ECONNREFUSED",
        endedAt: 1005,
      },
    );
    expect(drive([start, timer(11_000, "connect")]).result).toMatchObject({
      endedReason: "connection_failed",
      error: "could not connect within 10 s",
    });
  });

  it("ends internal_error when the caller brain fails", () => {
    const { result } = drive([
      start,
      connected(),
      { type: "caller_failed", at: 1050, detail: "model returned 500" },
    ]);
    expect(result).toMatchObject({
      endedReason: "internal_error",
      error: "the caller failed: model returned 500",
    });
  });

  it("ignores every event after the end, so a late event cannot overwrite the status", () => {
    const { state, effects, result } = drive([
      start,
      connected(),
      say(1100, "hi"),
      timer(121_100, "turn"),
      frame(121_200, { content: "late" }),
      { type: "closed", at: 121_300, code: 1000, reason: "", clean: true },
    ]);
    expect(result?.endedReason).toBe("agent_timeout");
    expect(state.transcript).toHaveLength(1);
    expect(effects.filter((e) => e.type === "finish")).toHaveLength(1);
  });

  it("ignores a timer that was cleared before it fired", () => {
    const { result } = drive([
      start,
      connected(),
      say(1100, "hi"),
      frame(1150, { content: "x" }),
      timer(121_100, "turn"),
    ]);
    expect(result).toBeUndefined();
  });

  it("hands the turn to the caller at once when the settle window is 0", () => {
    const { effects, state } = drive([start, connected(), say(1100, "hi"), frame(1120, { content: "yo" })], {
      settleMs: 0,
    });
    expect(effects.some((e) => e.type === "set_timer" && e.timer === "settle")).toBe(false);
    expect(effects.at(-1)).toMatchObject({ type: "ask_caller", repliesSinceLastCaller: ["yo"] });
    expect(state.awaiting).toBe("caller");
  });
});
