/** A stretch of one party's speech on the call clock (ms from the injected Clock). */
export interface SpeechInterval {
  startMs: number;
  endMs: number;
}

/** Everything the turn analysis needs, all on one clock. */
export interface CallTimeline {
  callStartMs: number;
  callEndMs: number;
  /** From playout timestamps of the caller's own audio: exact (or VAD when `callerVad` is set). */
  caller: SpeechInterval[];
  /**
   * Set when the caller side was heard, not played: an observed session's human, whose turns
   * come from VAD on the received track (then stated instead of "playout timestamps").
   */
  callerVad?: { engine: string; frameMs: number };
  /** From VAD on the received agent track. */
  agent: SpeechInterval[];
  /** Words the agent said (from its transcription or STT), for words per minute. */
  agentWordCount: number | null;
  /** What measured the agent side, stated in every metric. */
  agentVad: { engine: string; frameMs: number } | null;
  stt: { engine: string; fidelity: "exact" | "provider" | "low_fidelity" } | null;
  /** Shortest gap counted as a silence (default 3000 ms). */
  silenceThresholdMs?: number;
}

/** Sorts intervals and merges overlapping or touching ones (a channel cannot speak twice at once). */
export function mergeIntervals(intervals: readonly SpeechInterval[]): SpeechInterval[] {
  const sorted = intervals.filter((i) => i.endMs > i.startMs).sort((a, b) => a.startMs - b.startMs);
  const out: SpeechInterval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i.startMs <= last.endMs) last.endMs = Math.max(last.endMs, i.endMs);
    else out.push({ ...i });
  }
  return out;
}

export function totalMs(intervals: readonly SpeechInterval[]): number {
  return intervals.reduce((s, i) => s + (i.endMs - i.startMs), 0);
}
