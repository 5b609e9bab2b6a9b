import type { SpeechInterval } from "../analysis/call-timeline.ts";

/** Default endpointing window: silence after the agent's last speech frame that ends its turn. */
export const DEFAULT_ENDPOINTING_MS = 700;

/**
 * Who-speaks-when of the agent on the call clock: closed speech segments and the start of one
 * still open. Plain data, changed only by `applyAgentSpeech`, so the call core can hold it.
 */
export interface AgentTimeline {
  readonly segments: readonly SpeechInterval[];
  readonly speakingSinceMs: number | undefined;
}

/** A VAD decision, already on the call clock. */
export type AgentSpeechEvent =
  | { type: "agent_speech_started"; startMs: number }
  | { type: "agent_speech_ended"; startMs: number; endMs: number };

export const EMPTY_TIMELINE: AgentTimeline = { segments: [], speakingSinceMs: undefined };

export function applyAgentSpeech(t: AgentTimeline, event: AgentSpeechEvent): AgentTimeline {
  if (event.type === "agent_speech_started")
    return { segments: t.segments, speakingSinceMs: t.speakingSinceMs ?? event.startMs };
  return {
    segments: [...t.segments, { startMs: event.startMs, endMs: event.endMs }],
    speakingSinceMs: undefined,
  };
}

/**
 * Start of the first agent speech still going on or ended after `ms` (its first speech frame,
 * which may lie before `ms` when the agent talked over the caller), or undefined.
 */
export function speechAfter(t: AgentTimeline, ms: number): number | undefined {
  const ended = t.segments.find((s) => s.endMs > ms);
  if (ended) return ended.startMs;
  return t.speakingSinceMs;
}

/**
 * Endpointing: when the agent's turn, having spoken after `sinceMs`, is over — `endpointingMs`
 * of silence after its last speech frame — or undefined while it speaks or has not spoken yet.
 */
export function turnOverAtMs(t: AgentTimeline, sinceMs: number, endpointingMs: number): number | undefined {
  if (t.speakingSinceMs !== undefined) return undefined;
  const last = t.segments.at(-1);
  if (!last || last.endMs <= sinceMs) return undefined;
  return last.endMs + endpointingMs;
}

/** Closed segments plus one still open, cut at `nowMs` (the call ended mid-word). */
export function agentIntervals(t: AgentTimeline, nowMs: number): SpeechInterval[] {
  const out = [...t.segments];
  if (t.speakingSinceMs !== undefined && nowMs > t.speakingSinceMs)
    out.push({ startMs: t.speakingSinceMs, endMs: nowMs });
  return out;
}
