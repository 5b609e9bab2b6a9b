import type { RunMetric } from "@spar/caller";
import { SKIPPED_ON_VOICE } from "@spar/caller";
import type { MeasuredWith, Scenario, VoiceMetrics, VoiceResult } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { voiceRunEnding } from "./voice-run-ending.ts";
import type { VoiceRunPlan } from "./voice-run-plan.ts";

const measured: MeasuredWith = {
  description: "caller: playout timestamps (exact); agent: energy VAD, 10 ms frames",
  caller_source: "playout_timestamps",
  agent_source: "vad",
  vad: { engine: "energy", frame_ms: 10 },
  stt: null,
};
const noInterruptions = { count: 0, interruptions: [] };
const silence = { count: 0, total_ms: 0 };

function metricsWithLatencies(latencies: number[]): VoiceMetrics {
  return {
    latency_ms: {
      average_ms: latencies[0] ?? 0,
      p50_ms: latencies[0] ?? 0,
      p95_ms: latencies[0] ?? 0,
      turns: latencies.map((latency_ms, i) => ({ turn: i + 1, latency_ms })),
    },
    user_interruptions: noInterruptions,
    ai_interruptions: noInterruptions,
    stop_time_after_interruption: { average_ms: null, events: [] },
    silence_detection: { ai_channel: silence, user_channel: silence, threshold_ms: 3000 },
    time_to_first_audio_ms: 3_320,
    talk_ratio: 0.5,
    words_per_minute: 150,
    duration_ms: 9_000,
    measured_with: Object.fromEntries(
      [
        "latency_ms",
        "user_interruptions",
        "ai_interruptions",
        "stop_time_after_interruption",
        "silence_detection",
        "time_to_first_audio_ms",
        "talk_ratio",
        "words_per_minute",
        "duration_ms",
      ].map((k) => [k, measured]),
    ) as VoiceMetrics["measured_with"],
  };
}

const result = (overrides: Partial<VoiceResult> = {}): VoiceResult => ({
  run_id: "41",
  status: "completed",
  ended_reason: "agent_ended",
  started_at: "2026-01-01T00:00:00.000Z",
  ended_at: "2026-01-01T00:00:09.000Z",
  duration_ms: 9_000,
  transcript: [
    { role: "user", content: "hello, I am calling about my order", start_ms: 1_000, end_ms: 2_500 },
    { role: "agent", content: "thanks for calling, how can I help?", start_ms: 3_320, end_ms: 5_000 },
    { role: "agent", content: "your order shipped yesterday", start_ms: 5_100, end_ms: 6_000 },
    { role: "user", content: "thank you, goodbye", start_ms: 6_500, end_ms: 7_400 },
    { role: "agent", content: "goodbye", start_ms: 8_100, end_ms: 8_600 },
  ],
  recording: null,
  metrics: metricsWithLatencies([820, 700]),
  artifacts: [],
  ...overrides,
});

const scenario: Scenario = {
  id: "8",
  name: "Order",
  script: [{ say: "hello, I am calling about my order" }, { say: "thank you, goodbye" }],
};

const plan = (s: Partial<Scenario> = {}, metrics: RunMetric[] = []): VoiceRunPlan => ({
  job: {
    run_id: "41",
    scenario: { id: "8", name: "Order" },
    connection: { mode: "manual", livekit_room_url: "ws://127.0.0.1:7880", access_token: "t" },
    caller: {},
    max_duration_s: 600,
  },
  scenario: { ...scenario, ...s },
  metrics,
});

describe("voiceRunEnding", () => {
  it("passes a completed call whose assertions hold, with each reply's latency on its first agent entry", async () => {
    const ending = await voiceRunEnding(
      plan({ assertions: [{ max_latency_ms: 1000 }] }),
      result(),
      null,
      9_999,
    );
    expect(ending).toMatchObject({
      status: "completed",
      endedBy: "agent",
      passed: true,
      error: null,
      endedAtMs: 9_999,
    });
    expect(ending.transcript.map((e) => e.latency_ms)).toEqual([undefined, 820, undefined, undefined, 700]);
    expect(ending.transcript[1]).toEqual({
      role: "agent",
      content: "thanks for calling, how can I help?",
      at_ms: 3_320,
      start_ms: 3_320,
      end_ms: 5_000,
      latency_ms: 820,
    });
  });

  it("fails a call whose measured latency breaks max_latency_ms", async () => {
    const ending = await voiceRunEnding(plan({ assertions: [{ max_latency_ms: 800 }] }), result(), null, 1);
    expect(ending.passed).toBe(false);
    expect(ending.assertions[0]).toMatchObject({ kind: "max_latency_ms", passed: false });
    expect(ending.error).toMatch(/max_latency_ms/);
  });

  it("fails a failed call even when every assertion holds", async () => {
    const ending = await voiceRunEnding(
      plan({ assertions: [{ agent_said: "/order shipped/" }] }),
      result({
        status: "failed",
        ended_reason: "agent_timeout",
        error_message: "no agent audio within 30 s",
      }),
      null,
      1,
    );
    expect(ending).toMatchObject({
      status: "failed",
      endedReason: "agent_timeout",
      endedBy: "platform",
      passed: false,
      error: "no agent audio within 30 s",
    });
    expect(ending.assertions).toEqual([expect.objectContaining({ kind: "agent_said", passed: true })]);
  });

  it("skips text_only metrics on a voice run and fails on a failed critical metric", async () => {
    const metrics: RunMetric[] = [
      { name: "polite", assertion: { agent_never_said: "/stupid/" }, appliesTo: "text_only", critical: true },
      {
        name: "no refunds",
        assertion: { agent_never_said: "/shipped/" },
        appliesTo: "text_and_voice",
        critical: true,
      },
    ];
    const ending = await voiceRunEnding(plan({}, metrics), result(), null, 1);
    expect(ending.assertions).toEqual([
      { kind: "metric:polite", passed: true, detail: SKIPPED_ON_VOICE },
      expect.objectContaining({ kind: "metric:no refunds", passed: false }),
    ]);
    expect(ending.passed).toBe(false);
  });

  it("evaluates a chat run's text_only metrics, as a text run", async () => {
    const metrics: RunMetric[] = [
      {
        name: "polite",
        assertion: { agent_never_said: "/shipped/" },
        appliesTo: "text_only",
        critical: true,
      },
    ];
    const chat = plan({}, metrics);
    chat.job = { ...chat.job, chat: true };
    const ending = await voiceRunEnding(chat, result({ metrics: null }), null, 1);
    expect(ending.assertions).toEqual([expect.objectContaining({ kind: "metric:polite", passed: false })]);
    expect(ending.passed).toBe(false);
  });

  it("records the caller's microphone timing as run metadata, which a metadata assertion can require", async () => {
    const callerAudio = { frame_ms: 100, frames: 88, underruns: 2, underrun_ms: 45.5, max_late_ms: 30 };
    const assertion = { metadata: { caller_audio: { underruns: 0 } } };
    const gappy = await voiceRunEnding(
      plan({ assertions: [assertion] }),
      result({ caller_audio: callerAudio }),
      null,
      1,
    );
    expect(gappy.metadata).toEqual({ caller_audio: callerAudio });
    expect(gappy.assertions).toEqual([expect.objectContaining({ kind: "metadata", passed: false })]);
    expect(gappy.passed).toBe(false);
    const clean = await voiceRunEnding(
      plan({ assertions: [assertion] }),
      result({ caller_audio: { ...callerAudio, underruns: 0, underrun_ms: 0, max_late_ms: 0 } }),
      null,
      1,
    );
    expect(clean.passed).toBe(true);
  });

  it("evaluates nothing on an interrupted call and does not pass it", async () => {
    const ending = await voiceRunEnding(
      plan({ assertions: [{ agent_said: "/order/" }] }),
      result({ status: "interrupted", ended_reason: "interrupted" }),
      null,
      1,
    );
    expect(ending).toMatchObject({ status: "interrupted", passed: false, assertions: [] });
  });
});
