/**
 * A chat run's numbers in a text run's shape (spec: billed and evaluated as a text run): the
 * transcript with `at_ms`/`latency_ms` to 0.1 ms, and the text metrics `{turns, latency_ms}`.
 * The sidecar hands the gateway a `VoiceResult`, whose transcript has `start_ms`/`end_ms`
 * only: `textTranscriptOfChat` turns it back into the text transcript.
 */
import {
  type LatencySummary,
  mean,
  percentile,
  type TranscriptEntry,
  type VoiceTranscriptEntry,
} from "@spar/protocol";

const round = (ms: number) => Math.round(ms * 10) / 10;

/** An entry as reported: times to 0.1 ms (the text runs' rule). */
export function reportedChatEntry(e: TranscriptEntry): TranscriptEntry {
  const entry: TranscriptEntry = { ...e, at_ms: round(e.at_ms) };
  if (e.latency_ms !== undefined) entry.latency_ms = round(e.latency_ms);
  return entry;
}

/** The text metrics of a run: agent turns and their latency summary (null without any). */
export function chatRunMetrics(transcript: readonly TranscriptEntry[]): {
  turns: number;
  latency_ms: LatencySummary | null;
} {
  const agentTurns = transcript.filter((e) => e.role === "agent");
  const latencies = agentTurns.flatMap((e) => (e.latency_ms === undefined ? [] : [e.latency_ms]));
  return {
    turns: agentTurns.length,
    latency_ms:
      latencies.length === 0
        ? null
        : {
            average_ms: round(mean(latencies)),
            p50_ms: round(percentile(latencies, 50)),
            p95_ms: round(percentile(latencies, 95)),
          },
  };
}

/**
 * A chat `VoiceResult`'s transcript as a text run's: `at_ms` = `start_ms`, and each agent entry's
 * latency measured from the caller's last message before it (none before the first message).
 */
export function textTranscriptOfChat(entries: readonly VoiceTranscriptEntry[]): TranscriptEntry[] {
  let lastCallerMs: number | null = null;
  return entries.map((e) => {
    if (e.role === "user") {
      lastCallerMs = e.start_ms;
      return { role: "user", content: e.content, at_ms: e.start_ms };
    }
    const entry: TranscriptEntry = { role: "agent", content: e.content, at_ms: e.start_ms };
    if (lastCallerMs !== null) entry.latency_ms = round(e.start_ms - lastCallerMs);
    return entry;
  });
}

/** The text transcript as a `VoiceResult`'s: each message is an instant (start = end). */
export function voiceTranscriptOfChat(transcript: readonly TranscriptEntry[]): VoiceTranscriptEntry[] {
  return transcript.flatMap((e) =>
    e.role === "user" || e.role === "agent"
      ? [{ role: e.role, content: e.content, start_ms: round(e.at_ms), end_ms: round(e.at_ms) }]
      : [],
  );
}
