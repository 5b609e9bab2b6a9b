/** Picks the VAD and fallback STT engines a call uses; selectable so a deployment can trade CPU for accuracy. */
import { PocketsphinxSpeechToText, pocketsphinxAvailable } from "../media/stt/pocketsphinx-speech-to-text.ts";
import type { AudioSpeechToTextStream } from "../media/stt/speech-to-text.ts";
import { createVoiceActivity, type VadEngine } from "../media/vad/create-voice-activity.ts";
import type { VoiceActivity } from "../media/vad/voice-activity.ts";

export const STT_ENGINES = ["pocketsphinx", "none"] as const;
export type SttEngine = (typeof STT_ENGINES)[number];

/** A fresh detector per call (each keeps per-track state). */
export function vadFactory(engine: VadEngine): () => VoiceActivity {
  return () => createVoiceActivity({ engine });
}

/**
 * Offline STT for agents that publish no `lk.transcription` (low fidelity), or none. When
 * pocketsphinx is not installed the call still runs, with agent turns left without words.
 */
export function sttFactory(engine: SttEngine): (() => AudioSpeechToTextStream | undefined) | undefined {
  if (engine === "none") return undefined;
  return () => (pocketsphinxAvailable() ? new PocketsphinxSpeechToText() : undefined);
}
