import { describe, expect, it } from "vitest";
import { chatRunMetrics, textTranscriptOfChat, voiceTranscriptOfChat } from "./chat-report.ts";

describe("chat transcripts and metrics", () => {
  it("turns a chat VoiceResult transcript back into the text one, latency from the caller's last message", () => {
    const voice = voiceTranscriptOfChat([
      { role: "agent", content: "Welcome!", at_ms: 120.04 },
      { role: "user", content: "Hi", at_ms: 500 },
      { role: "agent", content: "Hello.", at_ms: 612.36, latency_ms: 112.36 },
      { role: "agent", content: "How can I help?", at_ms: 640, latency_ms: 140 },
    ]);
    expect(voice[2]).toEqual({ role: "agent", content: "Hello.", start_ms: 612.4, end_ms: 612.4 });
    expect(textTranscriptOfChat(voice)).toEqual([
      { role: "agent", content: "Welcome!", at_ms: 120 },
      { role: "user", content: "Hi", at_ms: 500 },
      { role: "agent", content: "Hello.", at_ms: 612.4, latency_ms: 112.4 },
      { role: "agent", content: "How can I help?", at_ms: 640, latency_ms: 140 },
    ]);
  });

  it("summarizes agent turns and their latencies, null without any latency", () => {
    expect(
      chatRunMetrics([
        { role: "user", content: "a", at_ms: 0 },
        { role: "agent", content: "b", at_ms: 100, latency_ms: 100 },
        { role: "user", content: "c", at_ms: 200 },
        { role: "agent", content: "d", at_ms: 500, latency_ms: 300 },
      ]),
    ).toEqual({ turns: 2, latency_ms: { average_ms: 200, p50_ms: 200, p95_ms: 290 } });
    expect(chatRunMetrics([{ role: "agent", content: "hi", at_ms: 5 }])).toEqual({
      turns: 1,
      latency_ms: null,
    });
  });
});
