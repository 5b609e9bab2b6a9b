import type { PcmAudio } from "../audio/pcm.ts";

/**
 * How far a transcript can be trusted: `exact` is the agent's own published text
 * (`lk.transcription`), `provider` a hosted ASR, `low_fidelity` the offline engine
 * (pocketsphinx: ~16 % WER clean, worse after Opus and in noise).
 */
export type TranscriptFidelity = "exact" | "provider" | "low_fidelity";

export interface TranscribedWord {
  word: string;
  /** Milliseconds from the start of the audio given to the engine. */
  startMs: number;
  endMs: number;
  /** 0..1 when the engine reports one. */
  confidence?: number;
}

/** One utterance; times are ms from the start of the audio (or stream) the engine was given. */
export interface TranscriptSegment {
  text: string;
  startMs: number;
  endMs: number;
  words: TranscribedWord[];
}

/** Batch transcription of one utterance (hosted providers). */
export interface SpeechToText {
  readonly name: string;
  readonly fidelity: TranscriptFidelity;
  transcribe(audio: PcmAudio, options?: { signal?: AbortSignal }): Promise<TranscriptSegment>;
}

/**
 * A live transcript of the agent: fed audio (an ASR engine) or the agent's own text (a room
 * adapter for `lk.transcription`), it reports each finished segment as soon as it is known.
 */
export interface SpeechToTextStream {
  readonly name: string;
  readonly fidelity: TranscriptFidelity;
  onSegment(listener: (segment: TranscriptSegment) => void): () => void;
  /** Stops input, waits for the engine to drain, returns every segment in order. */
  end(): Promise<TranscriptSegment[]>;
}

/** A stream fed with the agent's received audio. */
export interface AudioSpeechToTextStream extends SpeechToTextStream {
  write(audio: PcmAudio): void;
}

/** Words of a segment joined the way a transcript shows them. */
export function joinWords(words: readonly TranscribedWord[]): string {
  return words.map((w) => w.word).join(" ");
}
