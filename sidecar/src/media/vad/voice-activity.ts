import type { PcmAudio } from "../audio/pcm.ts";

/**
 * A stretch of speech, in ms from the first sample the detector was given: `startMs` is the start
 * of the first speech frame, `endMs` the end of the last speech frame — never the moment the
 * detector became sure, which lags by the minimum silence (that lag would bias every latency).
 */
export interface SpeechSegment {
  startMs: number;
  endMs: number;
}

export type VoiceActivityEvent =
  /** Emitted once speech is confirmed (min speech later); `startMs` is still the first speech frame. */
  { type: "speech_started"; startMs: number } | { type: "speech_ended"; segment: SpeechSegment };

/** Decides who speaks when on one audio track. Feed it the received audio in order, at any rate. */
export interface VoiceActivity {
  /** e.g. "silero-v5/sherpa-onnx", "energy" — reported with every metric it feeds. */
  readonly engine: string;
  /** Analysis frame length: the resolution of every start and end it reports. */
  readonly frameMs: number;
  push(audio: PcmAudio): VoiceActivityEvent[];
  /** End of input: closes a segment still open at its last speech frame. */
  flush(): VoiceActivityEvent[];
}

/** Defaults measured to work (notes/speech-offline.md). */
export interface HysteresisSettings {
  /** Probability at or above which a frame starts speech. */
  onset: number;
  /** Probability at or above which a frame keeps speech going. */
  offset: number;
  /** Speech shorter than this is ignored (clicks, breaths). */
  minSpeechMs: number;
  /** Silence shorter than this does not end speech (pauses between words). */
  minSilenceMs: number;
}

export const DEFAULT_HYSTERESIS: HysteresisSettings = {
  onset: 0.5,
  offset: 0.35,
  minSpeechMs: 100,
  minSilenceMs: 500,
};

export function speechSegments(events: readonly VoiceActivityEvent[]): SpeechSegment[] {
  return events.flatMap((e) => (e.type === "speech_ended" ? [e.segment] : []));
}
