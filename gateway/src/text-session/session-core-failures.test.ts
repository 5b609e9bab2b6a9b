import { describe, expect, it } from "vitest";
import { connected, drive, frame, say, start, timer } from "./session-drive.fixture.ts";

describe("text session core: failures, close codes and late events", () => {
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
