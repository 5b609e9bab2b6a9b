import type {
  Interruption,
  InterruptionsMetric,
  LatencyMetric,
  SilenceDetection,
  StopTimeEvent,
  StopTimeMetric,
  TurnLatency,
  VoiceMetricKey,
  VoiceMetrics,
} from "@spar/protocol";
import { mean, percentile } from "@spar/protocol";
import { type CallTimeline, mergeIntervals, type SpeechInterval, totalMs } from "./call-timeline.ts";
import { measuredWith } from "./measured-with.ts";

export const DEFAULT_SILENCE_THRESHOLD_MS = 3_000;

/** Milliseconds to 0.1 ms: finer than any frame, coarse enough to read. */
const ms = (v: number) => Math.round(v * 10) / 10;
const seconds = (v: number) => Math.round(v) / 1000;

/**
 * Turn-taking metrics of one call (pure: the timeline carries every timestamp).
 * - latency: each caller turn's end → the first agent speech starting after it and before the
 *   caller's next turn; agent speech that starts while the caller talks is an AI interruption instead.
 * - user interruption: the caller starts while the agent speaks; its stop time is the agent's
 *   last speech frame after that barge-in. AI interruption: the agent starts while the caller speaks.
 * - silence: a gap with nobody speaking at least the threshold long, charged to the party whose
 *   turn it was (the one who did not speak last).
 */
export function analyzeTurns(t: CallTimeline): VoiceMetrics {
  if (!(t.callEndMs >= t.callStartMs)) throw new Error("analysis: callEndMs is before callStartMs");
  const caller = mergeIntervals(t.caller);
  const agent = mergeIntervals(t.agent);
  const at = (clockMs: number) => seconds(clockMs - t.callStartMs);
  const agentTalk = totalMs(agent);
  const callerTalk = totalMs(caller);
  const firstAgent = agent[0];
  const how = (key: VoiceMetricKey) => measuredWith(key, t);
  const barges = bargeIns(caller, agent);
  return {
    latency_ms: latency(caller, agent),
    user_interruptions: interruptions(barges, at),
    ai_interruptions: interruptions(bargeIns(agent, caller), at),
    stop_time_after_interruption: stopTimes(barges, at),
    silence_detection: silences(caller, agent, t.silenceThresholdMs ?? DEFAULT_SILENCE_THRESHOLD_MS),
    time_to_first_audio_ms: firstAgent ? ms(Math.max(0, firstAgent.startMs - t.callStartMs)) : null,
    talk_ratio:
      agentTalk + callerTalk > 0 ? Math.round((agentTalk / (agentTalk + callerTalk)) * 1000) / 1000 : null,
    words_per_minute:
      t.agentWordCount !== null && t.agentWordCount > 0 && agentTalk > 0
        ? Math.round((t.agentWordCount / (agentTalk / 60_000)) * 10) / 10
        : null,
    duration_ms: ms(t.callEndMs - t.callStartMs),
    measured_with: {
      latency_ms: how("latency_ms"),
      user_interruptions: how("user_interruptions"),
      ai_interruptions: how("ai_interruptions"),
      stop_time_after_interruption: how("stop_time_after_interruption"),
      silence_detection: how("silence_detection"),
      time_to_first_audio_ms: how("time_to_first_audio_ms"),
      talk_ratio: how("talk_ratio"),
      words_per_minute: how("words_per_minute"),
      duration_ms: how("duration_ms"),
    },
  };
}

function latency(caller: SpeechInterval[], agent: SpeechInterval[]): LatencyMetric | null {
  const turns: TurnLatency[] = [];
  caller.forEach((c, i) => {
    const nextCallerStart = caller[i + 1]?.startMs ?? Number.POSITIVE_INFINITY;
    const reply = agent.find((a) => a.startMs >= c.endMs && a.startMs < nextCallerStart);
    if (reply) turns.push({ turn: i + 1, latency_ms: ms(reply.startMs - c.endMs) });
  });
  if (turns.length === 0) return null;
  const values = turns.map((x) => x.latency_ms);
  return {
    average_ms: ms(mean(values)),
    p50_ms: ms(percentile(values, 50)),
    p95_ms: ms(percentile(values, 95)),
    turns,
  };
}

/** Each `interrupter` interval that starts strictly inside a `speaker` interval. */
function bargeIns(interrupter: SpeechInterval[], speaker: SpeechInterval[]) {
  return interrupter.flatMap((i) => {
    const over = speaker.find((s) => s.startMs < i.startMs && i.startMs < s.endMs);
    return over ? [{ interrupter: i, speaker: over }] : [];
  });
}

function interruptions(
  barges: { interrupter: SpeechInterval; speaker: SpeechInterval }[],
  at: (clockMs: number) => number,
): InterruptionsMetric {
  const list: Interruption[] = barges.map(({ interrupter, speaker }) => ({
    at_second: at(interrupter.startMs),
    duration_ms: ms(Math.min(interrupter.endMs, speaker.endMs) - interrupter.startMs),
  }));
  return { count: list.length, interruptions: list };
}

function stopTimes(
  barges: { interrupter: SpeechInterval; speaker: SpeechInterval }[],
  at: (clockMs: number) => number,
): StopTimeMetric {
  const events: StopTimeEvent[] = barges.map(({ interrupter, speaker }) => ({
    at_second: at(interrupter.startMs),
    stop_time_ms: ms(speaker.endMs - interrupter.startMs),
  }));
  return { average_ms: events.length ? ms(mean(events.map((e) => e.stop_time_ms))) : null, events };
}

function silences(caller: SpeechInterval[], agent: SpeechInterval[], thresholdMs: number): SilenceDetection {
  const speech = [
    ...caller.map((i) => ({ ...i, who: "user" as const })),
    ...agent.map((i) => ({ ...i, who: "ai" as const })),
  ].sort((a, b) => a.startMs - b.startMs);
  const result: SilenceDetection = {
    ai_channel: { count: 0, total_ms: 0 },
    user_channel: { count: 0, total_ms: 0 },
    threshold_ms: thresholdMs,
  };
  let lastEnd: number | undefined;
  let lastWho: "user" | "ai" | undefined;
  for (const s of speech) {
    if (lastEnd !== undefined && lastWho !== undefined && s.startMs - lastEnd >= thresholdMs) {
      const channel = lastWho === "user" ? result.ai_channel : result.user_channel;
      channel.count++;
      channel.total_ms = ms(channel.total_ms + (s.startMs - lastEnd));
    }
    if (lastEnd === undefined || s.endMs >= lastEnd) {
      lastEnd = s.endMs;
      lastWho = s.who;
    }
  }
  return result;
}
