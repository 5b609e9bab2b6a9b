import type { VoiceMetrics, VoiceTranscriptEntry } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { turnTimeline } from "./turn-timeline.ts";

const said = (role: "user" | "agent", start_ms: number, end_ms: number): VoiceTranscriptEntry => ({
  role,
  content: `${role} ${start_ms}`,
  start_ms,
  end_ms,
});

const none = {
  description: "test",
  caller_source: "none",
  agent_source: "none",
  vad: null,
  stt: null,
} as const;

function metrics(over: Partial<VoiceMetrics>): VoiceMetrics {
  return {
    latency_ms: null,
    user_interruptions: { count: 0, interruptions: [] },
    ai_interruptions: { count: 0, interruptions: [] },
    stop_time_after_interruption: { average_ms: null, events: [] },
    silence_detection: {
      ai_channel: { count: 0, total_ms: 0 },
      user_channel: { count: 0, total_ms: 0 },
      threshold_ms: 2000,
    },
    time_to_first_audio_ms: null,
    talk_ratio: null,
    words_per_minute: null,
    duration_ms: 10_000,
    measured_with: {
      latency_ms: none,
      user_interruptions: none,
      ai_interruptions: none,
      stop_time_after_interruption: none,
      silence_detection: none,
      time_to_first_audio_ms: none,
      talk_ratio: none,
      words_per_minute: none,
      duration_ms: none,
    },
    ...over,
  };
}

describe("turnTimeline", () => {
  it("puts turns in time order in their lanes with each agent turn's latency from the transcript", () => {
    const timeline = turnTimeline([said("agent", 1200, 2000), said("user", 0, 800)], null, 3000);
    expect(timeline.turns.map((t) => [t.lane, t.startMs, t.endMs, t.latencyMs])).toEqual([
      ["caller", 0, 800, null],
      ["agent", 1200, 2000, 400],
    ]);
    expect(timeline.durationMs).toBe(3000);
  });

  it("takes each answered caller turn's latency from the run's metrics over the transcript gap", () => {
    const m = metrics({
      latency_ms: { average_ms: 350, p50_ms: 350, p95_ms: 350, turns: [{ turn: 2, latency_ms: 350 }] },
    });
    const timeline = turnTimeline(
      [said("user", 0, 800), said("agent", 1000, 1500), said("user", 2000, 2600), said("agent", 3000, 3500)],
      m,
      4000,
    );
    expect(timeline.turns.map((t) => t.latencyMs)).toEqual([null, 200, null, 350]);
  });

  it("marks interruptions from the metrics and silences at least the threshold long", () => {
    const m = metrics({
      user_interruptions: { count: 1, interruptions: [{ at_second: 1.25, duration_ms: 300 }] },
      ai_interruptions: { count: 1, interruptions: [{ at_second: 7, duration_ms: 120 }] },
    });
    const timeline = turnTimeline(
      [said("user", 0, 1000), said("agent", 1100, 1900), said("user", 3899, 4000), said("agent", 6000, 7200)],
      m,
      8000,
    );
    expect(timeline.bands).toEqual([
      { kind: "interruption", startMs: 1250, endMs: 1550, label: "caller interrupted (300 ms overlap)" },
      { kind: "interruption", startMs: 7000, endMs: 7120, label: "agent interrupted (120 ms overlap)" },
      { kind: "silence", startMs: 4000, endMs: 6000, label: "silence 2.0 s" },
    ]);
  });

  it("stretches the duration to the last turn when the run's duration is shorter", () => {
    expect(turnTimeline([said("user", 0, 5200)], null, 5000).durationMs).toBe(5200);
  });
});
