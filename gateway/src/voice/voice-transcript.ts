/**
 * A voice call's transcript in the run's shape: the text runs' entry (`at_ms` = when the turn
 * started, ms since the call started) plus both ends of the speech, `start_ms`/`end_ms`
 * (spec/voice-livekit.md § Results). Live `transcript` events carry the same shape.
 */
import type { TranscriptEntry, TurnLatency, VoiceRunEvent, VoiceTranscriptEntry } from "@spar/protocol";

export type VoiceRunTranscriptEntry = TranscriptEntry & { start_ms: number; end_ms: number };

/**
 * The result's entries with each agent reply's latency (the result's `latency_ms.turns`: turn k
 * is the reply to the k-th caller turn) on the agent entry after that caller turn, as the
 * embedded runner's transcript has it — `max_latency_ms` assertions read it there.
 */
export function transcriptOf(
  entries: readonly VoiceTranscriptEntry[],
  latencyTurns: readonly TurnLatency[] = [],
): VoiceRunTranscriptEntry[] {
  const byCallerTurn = new Map(latencyTurns.map((t) => [t.turn, t.latency_ms]));
  let callerTurns = 0;
  let answered = 0;
  return entries.map((e) => {
    if (e.role === "user") callerTurns++;
    const entry: VoiceRunTranscriptEntry = {
      role: e.role,
      content: e.content,
      at_ms: e.start_ms,
      start_ms: e.start_ms,
      end_ms: e.end_ms,
    };
    if (e.role === "agent" && callerTurns > answered) {
      answered = callerTurns;
      const latency = byCallerTurn.get(callerTurns);
      if (latency !== undefined) entry.latency_ms = latency;
    }
    return entry;
  });
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
