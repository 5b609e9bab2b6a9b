import type { PcmAudio } from "../audio/pcm.ts";
import { clampToInt16 } from "../audio/pcm.ts";
import { speechBounds } from "../audio/speech-bounds.ts";
import type { TextToSpeech } from "../tts/text-to-speech.ts";
import type { SpeechSegment } from "./voice-activity.ts";

/**
 * Builds a track of synthesized utterances separated by silences of known length, and the ground
 * truth of where speech is. The truth of an utterance is its first and last sample above 2 % of its
 * peak: TTS output carries ~150 ms of near-silent lead-in and tail that no VAD should call speech.
 * Used by VAD timing tests and bench/voice-vad (test support, not product code).
 */
export interface FixtureUtterance {
  text: string;
  /** Silence placed before this utterance. */
  gapBeforeMs: number;
}

export interface SpeechFixture {
  audio: PcmAudio;
  truth: SpeechSegment[];
}

export async function buildSpeechFixture(
  tts: TextToSpeech,
  utterances: readonly FixtureUtterance[],
  tailMs = 1_000,
): Promise<SpeechFixture> {
  const parts: Int16Array[] = [];
  const truth: SpeechSegment[] = [];
  let rate: number | undefined;
  let at = 0;
  for (const u of utterances) {
    const audio = await tts.synthesize(u.text);
    rate ??= audio.sampleRate;
    if (audio.sampleRate !== rate) throw new Error("fixture: the TTS changed sample rate between utterances");
    const gap = new Int16Array(Math.round((u.gapBeforeMs * rate) / 1000));
    parts.push(gap, audio.samples);
    at += gap.length;
    const bounds = speechBounds(audio.samples);
    if (!bounds) throw new Error(`fixture: the TTS produced silence for "${u.text}"`);
    const { first, last } = bounds;
    truth.push({ startMs: ((at + first) / rate) * 1000, endMs: ((at + last + 1) / rate) * 1000 });
    at += audio.samples.length;
  }
  if (rate === undefined) throw new Error("fixture: no utterances");
  parts.push(new Int16Array(Math.round((tailMs * rate) / 1000)));
  const samples = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    samples.set(p, offset);
    offset += p.length;
  }
  return { audio: { samples, sampleRate: rate }, truth };
}

/**
 * Adds white noise (deterministic PRNG) at `snrDb` below the RMS of the speech regions, over the
 * whole track including the silences — the case where an energy VAD's floor matters.
 */
export function addNoise(fixture: SpeechFixture, snrDb: number, seed = 1): PcmAudio {
  const { samples, sampleRate } = fixture.audio;
  let sum = 0;
  let count = 0;
  for (const seg of fixture.truth) {
    for (let i = Math.floor((seg.startMs * sampleRate) / 1000); i < (seg.endMs * sampleRate) / 1000; i++) {
      sum += (samples[i] ?? 0) ** 2;
      count++;
    }
  }
  const noiseRms = Math.sqrt(sum / Math.max(1, count)) / 10 ** (snrDb / 20);
  let state = seed >>> 0;
  const uniform = () => {
    // xorshift32: reproducible noise so measured errors are comparable run to run.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) + 0.5) / 4294967296;
  };
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    // Uniform on [-√3, √3]·rms has the wanted RMS.
    const noise = (uniform() * 2 - 1) * Math.sqrt(3) * noiseRms;
    out[i] = clampToInt16((samples[i] ?? 0) + noise);
  }
  return { samples: out, sampleRate };
}
