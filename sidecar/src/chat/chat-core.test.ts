import { describe, expect, it } from "vitest";
import { initialChatState, stepChat } from "./chat-core.ts";
import {
  type ChatConfig,
  type ChatEffect,
  type ChatEvent,
  type ChatResult,
  type ChatState,
  DEFAULT_CHAT_LIMITS,
} from "./chat-types.ts";

const limits = {
  ...DEFAULT_CHAT_LIMITS,
  connectMs: 1_000,
  agentJoinMs: 2_000,
  greetingWaitMs: 500,
  turnTimeoutMs: 3_000,
  maxDurationMs: 60_000,
  settleMs: 200,
};

/** Drives the core like the shell does, keeping every effect for inspection. */
class Harness {
  state: ChatState;
  effects: ChatEffect[] = [];
  constructor(config: Partial<ChatConfig> = {}) {
    this.state = initialChatState({ limits, publishesDataMessage: false, ...config });
  }
  feed(event: ChatEvent): ChatEffect[] {
    const out = stepChat(this.state, event);
    this.state = out.state;
    // A timer that fired is no longer set.
    if (event.type === "timer") this.effects.push({ type: "clear_timer", timer: event.timer });
    this.effects.push(...out.effects);
    return out.effects;
  }
  /** start at 1000, joined at 1100 with the agent already in the room. */
  inCall(participants: string[] = ["agent"]): this {
    this.feed({ type: "start", at: 1_000 });
    this.feed({ type: "connected", at: 1_100, roomName: "room-1", participants });
    return this;
  }
  result(): ChatResult {
    const finish = this.effects.find((e) => e.type === "finish");
    if (finish?.type !== "finish") throw new Error("the call has not finished");
    return finish.result;
  }
  timersDue(): Record<string, number> {
    const due: Record<string, number> = {};
    for (const e of this.effects) {
      if (e.type === "set_timer") due[e.timer] = e.dueAt;
      if (e.type === "clear_timer") delete due[e.timer];
    }
    return due;
  }
}

describe("stepChat", () => {
  it("waits for a greeting, then records the caller's message and the agent's reply with exact times", () => {
    const h = new Harness().inCall();
    expect(h.timersDue()).toEqual({ max_duration: 61_000, greeting: 1_600 });
    const asked = h.feed({ type: "timer", at: 1_600, timer: "greeting" });
    expect(asked).toContainEqual({
      type: "ask_caller",
      view: { transcript: [], repliesSinceLastCaller: [] },
    });
    const sent = h.feed({ type: "caller_move", at: 1_650, move: { kind: "say", text: "Hi" } });
    expect(sent).toContainEqual({ type: "send_chat", text: "Hi" });
    expect(h.timersDue().turn).toBe(4_650);
    h.feed({ type: "text", at: 2_030, identity: "agent", source: "chat", text: " Hello, how can I help? " });
    expect(h.timersDue()).toEqual({ max_duration: 61_000, settle: 2_230 });
    const view = h.feed({ type: "timer", at: 2_230, timer: "settle" });
    expect(view.find((e) => e.type === "ask_caller")).toMatchObject({
      view: { repliesSinceLastCaller: ["Hello, how can I help?"] },
    });
    h.feed({ type: "caller_move", at: 2_300, move: { kind: "end" } });
    expect(h.result()).toEqual({
      end: { status: "completed", reason: "caller_ended", endedBy: "caller" },
      transcript: [
        { role: "user", content: "Hi", at_ms: 650 },
        { role: "agent", content: "Hello, how can I help?", at_ms: 1_030, latency_ms: 380 },
      ],
      roomName: "room-1",
      agentIdentity: "agent",
      startedAt: 1_000,
      endedAt: 2_300,
    });
    expect(h.effects.filter((e) => e.type === "leave")).toHaveLength(1);
  });

  it("counts a reply sent on lk.chat and as a transcription segment once, in either order", () => {
    const h = new Harness({ limits: { ...limits, greetingWaitMs: 0 } }).inCall();
    h.feed({ type: "caller_move", at: 1_200, move: { kind: "say", text: "Hi" } });
    h.feed({ type: "text", at: 1_500, identity: "agent", source: "transcription", text: "Hello there." });
    h.feed({ type: "text", at: 1_520, identity: "agent", source: "chat", text: "Hello  there." });
    h.feed({ type: "timer", at: 1_700, timer: "settle" });
    h.feed({ type: "caller_move", at: 1_800, move: { kind: "say", text: "Bye" } });
    h.feed({ type: "text", at: 1_900, identity: "agent", source: "chat", text: "Bye now." });
    h.feed({ type: "timer", at: 2_100, timer: "settle" });
    h.feed({ type: "caller_move", at: 2_150, move: { kind: "say", text: "Still there?" } });
    // The transcription of "Bye now." arrives late, after the caller's next message: still an echo.
    h.feed({ type: "text", at: 2_160, identity: "agent", source: "transcription", text: "Bye now." });
    h.feed({ type: "text", at: 2_400, identity: "agent", source: "chat", text: "Yes." });
    h.feed({ type: "interrupt", at: 2_500, detail: "stopped" });
    expect(h.result().transcript.map((e) => [e.role, e.content, e.at_ms, e.latency_ms])).toEqual([
      ["user", "Hi", 200, undefined],
      ["agent", "Hello there.", 500, 300],
      ["user", "Bye", 800, undefined],
      ["agent", "Bye now.", 900, 100],
      ["user", "Still there?", 1_150, undefined],
      ["agent", "Yes.", 1_400, 250],
    ]);
  });

  it("keeps the same words sent twice on one topic: they are two replies", () => {
    const h = new Harness({ limits: { ...limits, greetingWaitMs: 0 } }).inCall();
    h.feed({ type: "caller_move", at: 1_200, move: { kind: "say", text: "Hi" } });
    h.feed({ type: "text", at: 1_300, identity: "agent", source: "chat", text: "OK." });
    h.feed({ type: "text", at: 1_350, identity: "agent", source: "chat", text: "OK." });
    expect(h.timersDue().settle).toBe(1_550);
    h.feed({ type: "timer", at: 1_550, timer: "settle" });
    h.feed({ type: "caller_move", at: 1_560, move: { kind: "end" } });
    expect(h.result().transcript.filter((e) => e.role === "agent")).toHaveLength(2);
  });

  it("ignores text from anyone but the agent", () => {
    const h = new Harness({ agentIdentity: "bot", limits: { ...limits, greetingWaitMs: 0 } }).inCall([
      "observer",
      "bot",
    ]);
    expect(h.state.agentIdentity).toBe("bot");
    h.feed({ type: "caller_move", at: 1_200, move: { kind: "say", text: "Hi" } });
    h.feed({ type: "text", at: 1_300, identity: "observer", source: "chat", text: "not the agent" });
    h.feed({ type: "timer", at: 4_200, timer: "turn" });
    expect(h.result().end).toEqual({
      status: "failed",
      reason: "agent_timeout",
      endedBy: "platform",
      detail: "the agent did not reply within 3 s",
    });
  });

  it("fails agent_timeout when the agent does not end the call it was waited on to end", () => {
    const h = new Harness({ limits: { ...limits, greetingWaitMs: 0 } }).inCall();
    h.feed({ type: "caller_move", at: 1_100, move: { kind: "wait_for_end" } });
    expect(h.timersDue().turn).toBe(4_100);
    h.feed({ type: "timer", at: 4_100, timer: "turn" });
    expect(h.result().end.detail).toBe("the agent did not end the call within 3 s");
    expect(h.result().endedAt).toBe(4_100);
  });

  it("ends agent_ended when the agent leaves, and completed/caller_ended with the failure of an expectation", () => {
    const left = new Harness().inCall();
    left.feed({ type: "participant_left", at: 1_400, identity: "agent" });
    expect(left.result().end).toMatchObject({ status: "completed", reason: "agent_ended", endedBy: "agent" });

    const unmet = new Harness({ limits: { ...limits, greetingWaitMs: 0 } }).inCall();
    unmet.feed({ type: "caller_move", at: 1_200, move: { kind: "end", failure: "expectation failed: x" } });
    expect(unmet.result().end).toEqual({
      status: "completed",
      reason: "caller_ended",
      endedBy: "caller",
      detail: "expectation failed: x",
    });
  });

  it("fails agent_never_joined 2 s after joining an empty room, and connection_failed at the connect limit", () => {
    const empty = new Harness();
    empty.feed({ type: "start", at: 0 });
    empty.feed({ type: "connected", at: 300, roomName: "r", participants: [] });
    expect(empty.timersDue().agent_join).toBe(2_300);
    empty.feed({ type: "timer", at: 2_300, timer: "agent_join" });
    expect(empty.result().end).toMatchObject({
      reason: "agent_never_joined",
      detail: "no agent joined the room within 2 s",
    });

    const slow = new Harness();
    slow.feed({ type: "start", at: 0 });
    slow.feed({ type: "timer", at: 1_000, timer: "connect" });
    expect(slow.result().end).toMatchObject({ status: "failed", reason: "connection_failed" });
    // A connect that resolves after the call ended changes nothing.
    expect(slow.feed({ type: "connected", at: 1_200, roomName: "r", participants: ["agent"] })).toEqual([]);
  });

  it("fails max_duration at start + limit and leaves the room", () => {
    const h = new Harness().inCall();
    h.feed({ type: "timer", at: 61_000, timer: "max_duration" });
    expect(h.result().end).toMatchObject({
      status: "failed",
      reason: "max_duration",
      detail: "the conversation exceeded max_duration_s (60 s)",
    });
    expect(h.result().endedAt).toBe(61_000);
  });

  it("publishes the data message once the agent is in the room, not before", () => {
    const h = new Harness({ publishesDataMessage: true });
    h.feed({ type: "start", at: 0 });
    const joined = h.feed({ type: "connected", at: 100, roomName: "r", participants: [] });
    expect(joined.some((e) => e.type === "publish_data_message")).toBe(false);
    const agent = h.feed({ type: "participant_joined", at: 900, identity: "agent" });
    expect(agent.filter((e) => e.type === "publish_data_message")).toHaveLength(1);
    expect(h.timersDue()).toEqual({ max_duration: 60_000, greeting: 1_400 });
  });

  it("answers a greeting after the settle window instead of the greeting wait", () => {
    const h = new Harness().inCall();
    h.feed({ type: "text", at: 1_300, identity: "agent", source: "transcription", text: "Welcome!" });
    expect(h.timersDue()).toEqual({ max_duration: 61_000, settle: 1_500 });
    const asked = h.feed({ type: "timer", at: 1_500, timer: "settle" });
    expect(asked.find((e) => e.type === "ask_caller")).toMatchObject({
      view: { repliesSinceLastCaller: ["Welcome!"] },
    });
    // No caller message yet: a greeting has no latency.
    expect(h.state.transcript).toEqual([{ role: "agent", content: "Welcome!", at_ms: 300 }]);
  });

  it("fails connection_lost when a send fails or the caller drops, and internal_error when the caller brain fails", () => {
    const send = new Harness().inCall();
    send.feed({ type: "send_failed", at: 1_200, detail: "could not send: closed" });
    expect(send.result().end).toMatchObject({ reason: "connection_lost", detail: "could not send: closed" });

    const dropped = new Harness().inCall();
    dropped.feed({ type: "disconnected", at: 1_200, reason: "SIGNAL_CLOSE", normal: false });
    expect(dropped.result().end).toMatchObject({ status: "failed", reason: "connection_lost" });

    const closed = new Harness().inCall();
    closed.feed({ type: "disconnected", at: 1_200, reason: "ROOM_DELETED", normal: true });
    expect(closed.result().end).toMatchObject({ status: "completed", reason: "agent_ended" });

    const brain = new Harness().inCall();
    brain.feed({ type: "caller_failed", at: 1_200, detail: "model unreachable" });
    expect(brain.result().end).toMatchObject({
      reason: "internal_error",
      detail: "the caller failed: model unreachable",
    });
  });

  it("emits stage and turn events with times since the call started", () => {
    const h = new Harness({ limits: { ...limits, greetingWaitMs: 0 } }).inCall();
    h.feed({ type: "caller_move", at: 1_250, move: { kind: "say", text: "Hi" } });
    h.feed({ type: "text", at: 1_400, identity: "agent", source: "chat", text: "Hello" });
    h.feed({ type: "participant_left", at: 1_500, identity: "agent" });
    const events = h.effects.flatMap((e) => (e.type === "emit" ? [e.event] : []));
    expect(events).toEqual([
      { type: "stage_started", stage: "connect" },
      { type: "stage_finished", stage: "connect", ok: true },
      { type: "stage_started", stage: "agent_join" },
      { type: "participant_joined", identity: "agent" },
      { type: "stage_finished", stage: "agent_join", ok: true },
      { type: "stage_started", stage: "conversation" },
      { type: "turn", turn_index: 1, role: "user", content: "Hi", start_ms: 250, end_ms: 250 },
      {
        type: "turn",
        turn_index: 2,
        role: "agent",
        content: "Hello",
        start_ms: 400,
        end_ms: 400,
        latency_ms: 150,
      },
      { type: "stage_finished", stage: "conversation", ok: true, reason: "agent_ended" },
    ]);
  });
});
