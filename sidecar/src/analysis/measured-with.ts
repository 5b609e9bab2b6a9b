import type { MeasuredWith, VoiceMetricKey } from "@spar/protocol";
import type { CallTimeline } from "./call-timeline.ts";

/** Which sides of the call each metric reads, so its description names only what it used. */
const SIDES: Record<VoiceMetricKey, { caller: boolean; agent: boolean; words: boolean }> = {
  latency_ms: { caller: true, agent: true, words: false },
  user_interruptions: { caller: true, agent: true, words: false },
  ai_interruptions: { caller: true, agent: true, words: false },
  stop_time_after_interruption: { caller: true, agent: true, words: false },
  silence_detection: { caller: true, agent: true, words: false },
  time_to_first_audio_ms: { caller: false, agent: true, words: false },
  talk_ratio: { caller: true, agent: true, words: false },
  words_per_minute: { caller: false, agent: true, words: true },
  duration_ms: { caller: false, agent: false, words: false },
};

export function measuredWith(key: VoiceMetricKey, t: CallTimeline): MeasuredWith {
  const sides = SIDES[key];
  const parts: string[] = [];
  if (sides.caller) {
    parts.push(
      t.callerVad
        ? `caller: ${t.callerVad.engine} VAD on the received track, ${t.callerVad.frameMs} ms frames`
        : "caller: playout timestamps of its own audio (exact)",
    );
  }
  if (sides.agent) {
    parts.push(
      t.agentVad
        ? `agent: ${t.agentVad.engine} VAD on the received track, ${t.agentVad.frameMs} ms frames`
        : "agent: no VAD",
    );
  }
  if (sides.words) parts.push(t.stt ? `words: ${t.stt.engine} (${t.stt.fidelity})` : "words: none");
  if (key === "duration_ms") parts.push("call start to call end on the sidecar's monotonic clock");
  return {
    description: parts.join("; "),
    caller_source: sides.caller ? (t.callerVad ? "vad" : "playout_timestamps") : "none",
    agent_source: sides.agent && t.agentVad ? "vad" : "none",
    vad: vadOf(sides, t),
    stt: sides.words && t.stt ? { engine: t.stt.engine, fidelity: t.stt.fidelity } : null,
  };
}

/** The VAD a metric read: the agent's, else (a heard caller) the caller's. */
function vadOf(sides: { caller: boolean; agent: boolean }, t: CallTimeline): MeasuredWith["vad"] {
  const vad = (sides.agent ? t.agentVad : null) ?? (sides.caller ? t.callerVad : undefined);
  return vad ? { engine: vad.engine, frame_ms: vad.frameMs } : null;
}
