/**
 * What the bot logs: the ground truth the accuracy suite compares the sidecar's metrics with.
 * Every time is in ms on the bot's clock (performance.now() unless one is injected).
 */
export interface UtteranceTruth {
  /** Also the `lk.segment_id` of its transcription. */
  id: string;
  /** The caller turn (1-based) it answers or interrupts. */
  turn: number;
  kind: "reply" | "interruption";
  text: string;
  /**
   * For a reply: the caller's end of speech as the bot heard it (last speech frame of its VAD).
   * For an interruption: the caller's start of speech as the bot heard it.
   */
  callerMarkMs: number;
  /** When the plan wanted the first speech sample sent (mark + latency, or + afterMs). */
  plannedStartMs: number;
  /** When the first speech sample was handed to WebRTC. */
  startMs: number;
  /** When the last speech sample was handed to WebRTC. */
  endMs: number;
  /**
   * Index, in the bot's sent stream (every sample it handed to WebRTC, from 0), of the first and
   * last speech sample: where the speech sits in `sentAudio()`, bed or no bed.
   */
  startSample: number;
  endSample: number;
  /** Bot-side latency (startMs − callerMarkMs) for a reply, null for an interruption. */
  latencyMs: number | null;
  cutShort: boolean;
  /** Why it ended: it said everything, a caller barge-in stopped it, or the bot closed. */
  reason: "finished" | "barge_in" | "closed";
  /**
   * How late the send loop handed over the frames holding the first and last sample (0 = on
   * time). The plan places samples exactly; only a busy event loop moves them, by this much.
   */
  sendLateMs: { start: number; end: number };
  /** For a barge-in cut: the caller's start of speech as the bot heard it, and the planned cut time. */
  bargeIn: { heardAtMs: number; plannedStopMs: number } | null;
}

/** A stretch of caller speech as the bot heard it (energy VAD on the received track). */
export interface CallerSpeechTruth {
  turn: number;
  /** Start of its first speech frame. */
  startMs: number;
  /** End of its last speech frame; null while it is still going on. */
  endMs: number | null;
  /** It started while the bot was speaking. */
  bargeIn: boolean;
}
