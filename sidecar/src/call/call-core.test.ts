import { describe, expect, it } from "vitest";
import { CoreDriver } from "./call-core.fixture.ts";
import { BARGE_IN_LEAD_MS, STT_GRACE_MS, WORDS_GRACE_MS } from "./call-step.ts";

describe("call core: endpointing", () => {
  it("ends a greeting turn exactly endpointing_ms after its last speech frame and writes it with its speech times", () => {
    const d = new CoreDriver({ endpointingMs: 700 });
    d.join(0, 100);
    d.agentSays(500, 1_800);
    expect(d.timers.get("endpoint")).toBe(2_500);
    const { at, effects } = d.fire("endpoint");
    expect(at).toBe(2_500);
    expect(effects).toContainEqual({ type: "watch_words", speechEndMs: 1_800 });
    expect(d.timers.get("words")).toBe(2_500 + WORDS_GRACE_MS);
    d.send(2_600, { type: "words_ready" });
    expect(d.timers.has("words")).toBe(false);
    expect(d.last("decide_words")).toBeDefined();
    d.send(2_600, { type: "words_decided", sttRunning: false });
    d.send(2_600, { type: "words_taken", text: "Hello, how can I help?" });
    expect(d.state.transcript.entries).toEqual([
      { role: "agent", content: "Hello, how can I help?", start_ms: 500, end_ms: 1_800 },
    ]);
    expect(d.last("ask_brain")?.view.repliesSinceLastCaller).toEqual(["Hello, how can I help?"]);
    expect(d.timers.get("step")).toBe(2_600 + 30_000);
  });

  it("moves the endpoint when the agent resumes before it, and never ends a turn while it speaks", () => {
    const d = new CoreDriver({ endpointingMs: 700 });
    d.join(0, 100);
    d.agentSays(500, 1_800);
    expect(d.timers.get("endpoint")).toBe(2_500);
    d.send(2_400, { type: "agent_speech_started", startMs: 2_350 });
    expect(d.timers.has("endpoint")).toBe(false);
    d.send(3_100, { type: "agent_speech_ended", startMs: 2_350, endMs: 3_050 });
    expect(d.timers.get("endpoint")).toBe(3_750);
    d.closeTurn("One moment. Done.");
    expect(d.state.transcript.entries[0]).toMatchObject({ start_ms: 500, end_ms: 3_050 });
  });

  it("answers a caller line: turn timer from when the line finished playing, latency from its last sample", () => {
    const d = new CoreDriver({ endpointingMs: 600, greetingWaitMs: 2_000, turnTimeoutMs: 30_000 });
    d.join(0, 100);
    expect(d.timers.get("greeting")).toBe(2_100);
    d.fire("greeting");
    const lineId = d.move(2_150, { kind: "say", text: "I need a refund" });
    expect(d.last("speak_line")).toEqual({ type: "speak_line", lineId });
    d.send(4_000, {
      type: "line_spoken",
      lineId: lineId ?? 0,
      text: "I need a refund",
      startMs: 2_300,
      endMs: 3_900,
    });
    expect(d.timers.get("turn")).toBe(4_000 + 30_000);
    d.send(4_400, { type: "agent_speech_started", startMs: 4_320 });
    expect(d.timers.has("turn")).toBe(false);
    d.send(5_500, { type: "agent_speech_ended", startMs: 4_320, endMs: 5_480 });
    expect(d.closeTurn("Sure.")).toBe(6_080);
    expect(d.state.transcript.conversation).toEqual([
      { role: "user", content: "I need a refund", at_ms: 2_300 },
      { role: "agent", content: "Sure.", at_ms: 4_320, latency_ms: 420 },
    ]);
    expect(d.emitted().filter((e) => e.type === "turn")).toHaveLength(2);
  });

  it("gives offline speech-to-text its own grace once it starts at the end of the first turn", () => {
    const d = new CoreDriver({ endpointingMs: 700 });
    d.join(0, 100);
    d.agentSays(500, 1_800);
    d.fire("endpoint");
    expect(d.fire("words").at).toBe(2_500 + WORDS_GRACE_MS);
    const effects = d.send(4_500, { type: "words_decided", sttRunning: true });
    expect(effects).toContainEqual({ type: "watch_words", speechEndMs: 1_800 });
    expect(d.timers.get("words")).toBe(4_500 + STT_GRACE_MS);
    d.fire("words");
    expect(d.last("take_words")).toBeDefined();
    d.send(10_500, { type: "words_taken", text: "hello" });
    expect(d.state.transcript.entries).toEqual([
      { role: "agent", content: "hello", start_ms: 500, end_ms: 1_800 },
    ]);
  });

  it("lets the agent finish speech that began during a caller's pause before the next move", () => {
    const d = new CoreDriver({ endpointingMs: 700, greetingWaitMs: 0 });
    d.join(0, 100);
    d.move(100, { kind: "wait", ms: 1_500 });
    expect(d.timers.get("wait")).toBe(1_600);
    d.agentSays(900, 1_400);
    expect(d.timers.has("endpoint")).toBe(false);
    d.fire("wait");
    expect(d.timers.get("endpoint")).toBe(2_100);
    d.closeTurn("Are you there?");
    expect(d.last("ask_brain")?.view.repliesSinceLastCaller).toEqual(["Are you there?"]);
  });

  it("asks the brain again when a pause passes in silence", () => {
    const d = new CoreDriver({ greetingWaitMs: 0 });
    d.join(0, 100);
    d.move(100, { kind: "wait", ms: 1_500 });
    const { at, effects } = d.fire("wait");
    expect(at).toBe(1_600);
    expect(effects.some((e) => e.type === "ask_brain")).toBe(true);
  });
});

describe("call core: barge-in", () => {
  it("plays the interrupting line interrupt_after_ms after the agent's onset and splits the turns at its start", () => {
    const d = new CoreDriver(
      { endpointingMs: 700, greetingWaitMs: 0 },
      { interruptAfterMsByMove: [undefined, 800, undefined] },
    );
    d.join(0, 100);
    const first = d.move(100, { kind: "say", text: "Tell me about plans" });
    expect(d.last("set_microphone_lead")).toEqual({ type: "set_microphone_lead", leadMs: BARGE_IN_LEAD_MS });
    d.send(2_000, {
      type: "line_spoken",
      lineId: first ?? 0,
      text: "Tell me about plans",
      startMs: 300,
      endMs: 1_900,
    });
    const atOnset = d.send(2_300, { type: "agent_speech_started", startMs: 2_250 });
    expect(atOnset.some((e) => e.type === "ask_brain")).toBe(true);
    const barge = d.move(2_310, { kind: "say", text: "Stop, just the price", interruptAfterMs: 800 });
    expect(d.last("speak_line")).toEqual({ type: "speak_line", lineId: barge, notBeforeMs: 3_050 });
    expect(d.last("set_microphone_lead")).toEqual({ type: "set_microphone_lead", leadMs: undefined });
    d.send(4_200, {
      type: "line_spoken",
      lineId: barge ?? 0,
      text: "Stop, just the price",
      startMs: 3_050,
      endMs: 4_100,
    });
    // The agent still talks (its turn is cut at the barge-in's start); its words are taken now.
    d.send(4_200, { type: "words_ready" });
    d.send(4_200, { type: "words_decided", sttRunning: false });
    d.send(4_200, { type: "words_taken", text: "We have three plans, the" });
    // Still speaking past the line's end: the turn is under way, so no reply timeout runs.
    expect(d.timers.has("turn")).toBe(false);
    d.send(4_400, { type: "agent_speech_ended", startMs: 2_250, endMs: 4_350 });
    expect(d.timers.get("endpoint")).toBe(5_050);
    d.agentSays(4_600, 5_200);
    // Only speech that began after the barge-in's start answers it; the tail stays in the turn before.
    expect(d.closeTurn("It is ten dollars.")).toBe(5_900);
    expect(d.state.transcript.conversation).toEqual([
      { role: "user", content: "Tell me about plans", at_ms: 300 },
      { role: "agent", content: "We have three plans, the", at_ms: 2_250, latency_ms: 350 },
      { role: "user", content: "Stop, just the price", at_ms: 3_050 },
      { role: "agent", content: "It is ten dollars.", at_ms: 4_600, latency_ms: 500 },
    ]);
    expect(d.state.transcript.entries[1]).toMatchObject({ start_ms: 2_250, end_ms: 4_200 });
  });

  it("lets the agent finish when the move asked for at its onset is no barge-in after all", () => {
    const d = new CoreDriver(
      { endpointingMs: 700, greetingWaitMs: 0 },
      { interruptAfterMsByMove: [undefined, 500] },
    );
    d.join(0, 100);
    const first = d.move(100, { kind: "say", text: "Hi" });
    d.send(1_000, { type: "line_spoken", lineId: first ?? 0, text: "Hi", startMs: 200, endMs: 900 });
    d.send(1_100, { type: "agent_speech_started", startMs: 1_050 });
    expect(d.move(1_110, { kind: "end" })).toBeUndefined();
    expect(d.end).toBeUndefined();
    d.send(2_000, { type: "agent_speech_ended", startMs: 1_050, endMs: 1_950 });
    d.closeTurn("Hello!");
    expect(d.end).toEqual({ status: "completed", reason: "caller_ended", endedBy: "caller" });
    expect(d.state.transcript.conversation.at(-1)).toEqual({
      role: "agent",
      content: "Hello!",
      at_ms: 1_050,
      latency_ms: 150,
    });
  });
});
