import { VoiceMetricsSchema } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import type { CallTimeline } from "./call-timeline.ts";
import { analyzeTurns } from "./turn-analysis.ts";

const base: CallTimeline = {
  callStartMs: 1_000,
  callEndMs: 20_000,
  caller: [],
  agent: [],
  agentWordCount: null,
  agentVad: { engine: "silero-v5/sherpa-onnx", frameMs: 32 },
  stt: { engine: "pocketsphinx/en-us", fidelity: "low_fidelity" },
};

/** Four caller turns: a normal reply, a quick one, a barge-in, and one the agent talks over. */
const call: CallTimeline = {
  ...base,
  caller: [
    { startMs: 1_500, endMs: 3_000 },
    { startMs: 7_000, endMs: 8_000 },
    { startMs: 10_000, endMs: 10_800 },
    { startMs: 18_000, endMs: 19_000 },
  ],
  agent: [
    { startMs: 3_450, endMs: 6_000 },
    { startMs: 8_200, endMs: 12_000 },
    { startMs: 13_000, endMs: 14_000 },
    { startMs: 18_500, endMs: 19_500 },
  ],
  agentWordCount: 42,
};

describe("analyzeTurns", () => {
  it("reports latency from caller end to agent start, per answered turn", () => {
    expect(analyzeTurns(call).latency_ms).toEqual({
      average_ms: 950,
      p50_ms: 450,
      // [200, 450, 2200] at rank 1.9 → 450 + 0.9 × 1750
      p95_ms: 2025,
      turns: [
        { turn: 1, latency_ms: 450 },
        { turn: 2, latency_ms: 200 },
        { turn: 3, latency_ms: 2200 },
      ],
    });
  });

  it("counts the caller barging into agent speech, and how long the agent took to stop", () => {
    const m = analyzeTurns(call);
    expect(m.user_interruptions).toEqual({ count: 1, interruptions: [{ at_second: 9, duration_ms: 800 }] });
    expect(m.stop_time_after_interruption).toEqual({
      average_ms: 2000,
      events: [{ at_second: 9, stop_time_ms: 2000 }],
    });
  });

  it("counts the agent starting while the caller speaks as an AI interruption, not a latency", () => {
    const m = analyzeTurns(call);
    expect(m.ai_interruptions).toEqual({ count: 1, interruptions: [{ at_second: 17.5, duration_ms: 500 }] });
    expect(m.latency_ms?.turns.map((t) => t.turn)).not.toContain(4);
  });

  it("charges a long gap to the party whose turn it was", () => {
    expect(analyzeTurns(call).silence_detection).toEqual({
      ai_channel: { count: 0, total_ms: 0 },
      user_channel: { count: 1, total_ms: 4000 },
      threshold_ms: 3000,
    });
    const slowAgent = analyzeTurns({
      ...base,
      caller: [{ startMs: 2_000, endMs: 3_000 }],
      agent: [{ startMs: 6_500, endMs: 7_000 }],
    });
    expect(slowAgent.silence_detection.ai_channel).toEqual({ count: 1, total_ms: 3500 });
    expect(slowAgent.silence_detection.user_channel).toEqual({ count: 0, total_ms: 0 });
  });

  it("computes time to first audio, talk ratio, words per minute and duration", () => {
    const m = analyzeTurns(call);
    expect(m.time_to_first_audio_ms).toBe(2450);
    // agent 8350 ms, caller 4300 ms
    expect(m.talk_ratio).toBe(0.66);
    // 42 words over 8.35 s of agent speech
    expect(m.words_per_minute).toBe(301.8);
    expect(m.duration_ms).toBe(19_000);
  });

  it("states how each metric was measured", () => {
    const m = analyzeTurns(call);
    expect(m.measured_with.latency_ms).toEqual({
      description:
        "caller: playout timestamps of its own audio (exact); agent: silero-v5/sherpa-onnx VAD on the received track, 32 ms frames",
      caller_source: "playout_timestamps",
      agent_source: "vad",
      vad: { engine: "silero-v5/sherpa-onnx", frame_ms: 32 },
      stt: null,
    });
    expect(m.measured_with.words_per_minute.stt).toEqual({
      engine: "pocketsphinx/en-us",
      fidelity: "low_fidelity",
    });
    expect(m.measured_with.duration_ms.vad).toBeNull();
  });

  it("produces output the protocol schema accepts", () => {
    expect(VoiceMetricsSchema.parse(analyzeTurns(call))).toEqual(analyzeTurns(call));
  });

  it("reports unmeasurable metrics as null, not zero", () => {
    const m = analyzeTurns({ ...base, caller: [{ startMs: 2_000, endMs: 3_000 }] });
    expect(m.latency_ms).toBeNull();
    expect(m.time_to_first_audio_ms).toBeNull();
    expect(m.words_per_minute).toBeNull();
    expect(m.talk_ratio).toBe(0);
    expect(m.stop_time_after_interruption).toEqual({ average_ms: null, events: [] });
  });

  it("merges overlapping VAD pieces of one channel before measuring", () => {
    const m = analyzeTurns({
      ...base,
      caller: [{ startMs: 2_000, endMs: 3_000 }],
      agent: [
        { startMs: 3_300, endMs: 4_000 },
        { startMs: 3_900, endMs: 5_000 },
      ],
    });
    expect(m.latency_ms?.turns).toEqual([{ turn: 1, latency_ms: 300 }]);
    // agent 1700 ms (3300–5000 merged), caller 1000 ms
    expect(m.talk_ratio).toBe(0.63);
  });

  it("rejects a call that ends before it starts", () => {
    expect(() => analyzeTurns({ ...base, callEndMs: 0 })).toThrow(/before/);
  });
});
