import { describe, expect, it } from "vitest";
import { CoreDriver } from "./call-core.fixture.ts";

const stages = (d: CoreDriver) =>
  d.emitted().filter((e) => e.type === "stage_started" || e.type === "stage_finished");

describe("call core: timeouts", () => {
  it("fails connection_failed exactly connect_ms after the start", () => {
    const d = new CoreDriver({ connectMs: 20_000 });
    d.send(1_000, { type: "start" });
    expect(d.fire("connect").at).toBe(21_000);
    expect(d.end).toEqual({
      status: "failed",
      reason: "connection_failed",
      endedBy: "platform",
      detail: "could not connect to the room within 20 s",
    });
    expect(stages(d)).toEqual([
      { type: "stage_started", stage: "connect" },
      { type: "stage_finished", stage: "connect", ok: false, reason: "connection_failed" },
    ]);
    expect(d.timers.size).toBe(0);
  });

  it("fails agent_never_joined exactly agent_join_ms after the caller got in", () => {
    const d = new CoreDriver({ agentJoinMs: 30_000 });
    d.send(0, { type: "start" });
    d.send(400, { type: "connected" });
    expect(d.fire("agent_join").at).toBe(30_400);
    expect(d.end).toMatchObject({
      reason: "agent_never_joined",
      detail: "no agent joined the room within 30 s",
    });
    expect(stages(d).at(-1)).toEqual({
      type: "stage_finished",
      stage: "agent_join",
      ok: false,
      reason: "agent_never_joined",
    });
  });

  it("admits an agent that was in the room before the caller's connect finished, and only the named one", () => {
    const d = new CoreDriver({}, { agentIdentity: "bot" });
    d.send(0, { type: "start" });
    d.send(50, { type: "participant_joined", identity: "observer" });
    d.send(60, { type: "participant_joined", identity: "bot" });
    expect(d.effects.filter((e) => e.type === "admit_agent")).toEqual([
      { type: "admit_agent", identity: "bot" },
    ]);
    d.send(300, { type: "connected" });
    expect(d.state.phase).toBe("conversing");
    expect(d.timers.has("agent_join")).toBe(false);
  });

  it("fails max_duration exactly max_duration_ms after the start, whatever the call waits for", () => {
    const d = new CoreDriver({ maxDurationMs: 60_000, greetingWaitMs: 0 });
    d.join(500, 900);
    d.move(1_000, { kind: "wait", ms: 120_000 });
    expect(d.fire("max_duration").at).toBe(60_500);
    expect(d.end).toMatchObject({ status: "failed", reason: "max_duration" });
    expect(d.timers.size).toBe(0);
  });

  it("fails agent_timeout exactly turn_timeout_ms after the caller's line when the agent never answers", () => {
    const d = new CoreDriver({ turnTimeoutMs: 8_000, greetingWaitMs: 0 });
    d.join(0, 100);
    const lineId = d.move(100, { kind: "say", text: "Hello?" }) ?? 0;
    d.send(1_200, { type: "line_spoken", lineId, text: "Hello?", startMs: 300, endMs: 1_150 });
    expect(d.fire("turn").at).toBe(9_200);
    expect(d.end).toMatchObject({
      reason: "agent_timeout",
      detail: "the agent did not start speaking within 8 s of the caller's turn",
    });
  });

  it("does not count agent speech that ended before the caller's line as its answer", () => {
    const d = new CoreDriver({ turnTimeoutMs: 8_000, greetingWaitMs: 0 });
    d.join(0, 100);
    const lineId = d.move(100, { kind: "say", text: "Hello?" }) ?? 0;
    d.agentSays(200, 600);
    d.send(1_200, { type: "line_spoken", lineId, text: "Hello?", startMs: 700, endMs: 1_150 });
    expect(d.timers.get("turn")).toBe(9_200);
  });

  it("fails agent_timeout turn_timeout_ms after wait_for_end when the agent stays on", () => {
    const d = new CoreDriver({ turnTimeoutMs: 5_000, greetingWaitMs: 0 });
    d.join(0, 100);
    d.move(300, { kind: "wait_for_end" });
    expect(d.fire("turn").at).toBe(5_300);
    expect(d.end).toMatchObject({
      reason: "agent_timeout",
      detail: "the agent did not end the call within 5 s",
    });
  });

  it("asks the brain exactly greeting_wait_ms after the agent joined when it does not greet", () => {
    const d = new CoreDriver({ greetingWaitMs: 2_000 });
    d.join(0, 250);
    expect(d.last("ask_brain")).toBeUndefined();
    const { at, effects } = d.fire("greeting");
    expect(at).toBe(2_250);
    expect(effects).toContainEqual({
      type: "ask_brain",
      view: { transcript: [], repliesSinceLastCaller: [] },
    });
  });

  it("fails internal_error when the brain does not decide within step_ms, and when synthesis takes longer", () => {
    const brain = new CoreDriver({ stepMs: 10_000, greetingWaitMs: 0 });
    brain.join(0, 100);
    expect(brain.fire("step").at).toBe(10_100);
    expect(brain.end).toMatchObject({
      reason: "internal_error",
      detail: "the caller brain did not decide within 10 s",
    });
    const tts = new CoreDriver({ stepMs: 10_000, greetingWaitMs: 0 });
    tts.join(0, 100);
    tts.send(200, { type: "brain_move", move: { kind: "say", text: "Hi" } });
    expect(tts.fire("step").at).toBe(10_200);
    expect(tts.end).toMatchObject({ reason: "internal_error", detail: "speech synthesis took over 10 s" });
  });
});

describe("call core: end reasons", () => {
  const conversing = () => {
    const d = new CoreDriver({ greetingWaitMs: 0 });
    d.join(0, 100);
    return d;
  };

  it("ends agent_ended by the agent when the agent leaves", () => {
    const d = conversing();
    d.send(5_000, { type: "participant_left", identity: "someone-else" });
    expect(d.end).toBeUndefined();
    d.send(5_100, { type: "participant_left", identity: "agent" });
    expect(d.end).toEqual({
      status: "completed",
      reason: "agent_ended",
      endedBy: "agent",
      detail: "the agent left the room",
    });
    expect(d.last("end")).toEqual({ type: "end", end: d.end });
  });

  it("ends agent_ended when the room closes, and connection_lost when the caller is cut off", () => {
    const closed = conversing();
    closed.send(3_000, { type: "disconnected", reason: "ROOM_DELETED", normal: true });
    expect(closed.end).toMatchObject({
      status: "completed",
      reason: "agent_ended",
      detail: "the room closed (ROOM_DELETED)",
    });
    const lost = conversing();
    lost.send(3_000, { type: "disconnected", reason: "SIGNAL_CLOSE", normal: false });
    expect(lost.end).toEqual({
      status: "failed",
      reason: "connection_lost",
      endedBy: "platform",
      detail: "the caller was disconnected from the room (SIGNAL_CLOSE)",
    });
  });

  it("ends caller_ended by the caller, carrying a failed expectation as the detail", () => {
    const plain = conversing();
    plain.move(200, { kind: "end" });
    expect(plain.end).toEqual({ status: "completed", reason: "caller_ended", endedBy: "caller" });
    const failing = conversing();
    failing.move(200, { kind: "end", failure: 'expected "refund"' });
    expect(failing.end).toMatchObject({ reason: "caller_ended", detail: 'expected "refund"' });
  });

  it("ends connection_failed when the room refuses the caller", () => {
    const d = new CoreDriver();
    d.send(0, { type: "start" });
    d.send(300, { type: "connect_failed", detail: "401 invalid token" });
    expect(d.end).toMatchObject({
      reason: "connection_failed",
      detail: "could not connect to the room: 401 invalid token",
    });
  });

  it("ends interrupted with no verdict on anyone when the run is stopped", () => {
    const d = conversing();
    d.send(800, { type: "interrupt", detail: "the call was interrupted (SIGINT)" });
    expect(d.end).toEqual({
      status: "interrupted",
      reason: "interrupted",
      endedBy: "platform",
      detail: "the call was interrupted (SIGINT)",
    });
  });

  it("ends internal_error or connection_lost when the brain, synthesis, the microphone or the shell fails", () => {
    const cases = [
      [{ type: "brain_failed", detail: "HTTP 500" }, "internal_error", "the caller brain failed: HTTP 500"],
      [{ type: "prepare_failed", detail: "no voice" }, "internal_error", "the call failed: no voice"],
      [
        { type: "speak_failed", detail: "track closed" },
        "connection_lost",
        "the caller's audio stopped: track closed",
      ],
      [{ type: "failure", detail: "boom" }, "internal_error", "the call failed: boom"],
    ] as const;
    for (const [event, reason, detail] of cases) {
      const d = conversing();
      d.send(900, event);
      expect(d.end).toEqual({ status: "failed", reason, endedBy: "platform", detail });
    }
  });

  it("keeps the first end: later events and late timers change nothing but the agent's speech", () => {
    const d = conversing();
    d.send(1_000, { type: "participant_left", identity: "agent" });
    const first = d.end;
    const after = d.effects.length;
    d.send(1_100, { type: "timer", timer: "max_duration" });
    d.send(1_200, { type: "disconnected", reason: "x", normal: false });
    d.send(1_300, { type: "brain_move", move: { kind: "say", text: "late" } });
    d.send(1_400, { type: "agent_speech_ended", startMs: 900, endMs: 1_000 });
    expect(d.end).toBe(first);
    expect(d.effects.length).toBe(after);
    expect(d.state.timeline.segments).toEqual([{ startMs: 900, endMs: 1_000 }]);
  });
});
