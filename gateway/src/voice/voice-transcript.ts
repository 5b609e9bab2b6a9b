/**
 * A voice call's transcript in the run's shape: the text runs' entry (`at_ms` = when the turn
 * started, ms since the call started) plus both ends of the speech, `start_ms`/`end_ms`
 * (spec/voice-livekit.md § Results). Live `transcript` events carry the same shape.
 */
import type { TranscriptEntry, VoiceRunEvent, VoiceTranscriptEntry } from "@spar/protocol";

export type VoiceRunTranscriptEntry = TranscriptEntry & { start_ms: number; end_ms: number };

export function transcriptOf(entries: readonly VoiceTranscriptEntry[]): VoiceRunTranscriptEntry[] {
  return entries.map((e) => ({
    role: e.role,
    content: e.content,
    at_ms: e.start_ms,
    start_ms: e.start_ms,
    end_ms: e.end_ms,
  }));
}

export function liveTranscriptEntry(turn: Extract<VoiceRunEvent, { type: "turn" }>): VoiceRunTranscriptEntry {
  return {
    role: turn.role,
    content: turn.content,
    at_ms: turn.start_ms,
    start_ms: turn.start_ms,
    end_ms: turn.end_ms,
    ...(turn.latency_ms === undefined ? {} : { latency_ms: turn.latency_ms }),
  };
}
