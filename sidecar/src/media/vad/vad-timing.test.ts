import { beforeAll, describe, expect, it } from "vitest";
import { percentile } from "../../analysis/percentile.ts";
import type { PcmAudio } from "../audio/pcm.ts";
import { resample } from "../audio/resampler.ts";
import { FliteWasiTextToSpeech } from "../tts/flite-wasi-text-to-speech.ts";
import { EnergyVoiceActivity } from "./energy-voice-activity.ts";
import { SileroVoiceActivity } from "./silero-voice-activity.ts";
import { addNoise, buildSpeechFixture, type SpeechFixture } from "./speech-fixture.ts";
import { measureTiming, runVad } from "./vad-timing.ts";

/** Silences of known length at known offsets, fed as 48 kHz 10 ms frames like a LiveKit track. */
const UTTERANCES = [
  { text: "Hi, I would like to pay my bill.", gapBeforeMs: 700 },
  { text: "My account number is one two three four five.", gapBeforeMs: 1_300 },
  { text: "Yes, go ahead.", gapBeforeMs: 2_100 },
  { text: "Thank you, goodbye.", gapBeforeMs: 900 },
  { text: "Can you confirm the amount?", gapBeforeMs: 650 },
];

let fixture: SpeechFixture;
const at48k = (a: PcmAudio): PcmAudio => ({
  samples: resample(a.samples, a.sampleRate, 48_000),
  sampleRate: 48_000,
});
const absP95 = (xs: number[]) => percentile(xs.map(Math.abs), 95);

beforeAll(async () => {
  fixture = await buildSpeechFixture(new FliteWasiTextToSpeech("rms"), UTTERANCES);
});

describe("VAD timing on synthesized speech with known silences", () => {
  it("energy VAD finds every utterance, invents none, onsets within 20 ms and offsets within 120 ms (clean)", () => {
    const errors = measureTiming(fixture.truth, runVad(new EnergyVoiceActivity(), at48k(fixture.audio)));
    expect(errors.missed).toBe(0);
    expect(errors.invented).toBe(0);
    expect(absP95(errors.onsetErrorsMs)).toBeLessThanOrEqual(20);
    expect(absP95(errors.offsetErrorsMs)).toBeLessThanOrEqual(120);
  });

  it("Silero VAD finds every utterance, invents none, onsets within 70 ms and offsets within 220 ms (clean)", () => {
    const errors = measureTiming(fixture.truth, runVad(new SileroVoiceActivity(), at48k(fixture.audio)));
    expect(errors.missed).toBe(0);
    expect(errors.invented).toBe(0);
    expect(absP95(errors.onsetErrorsMs)).toBeLessThanOrEqual(70);
    expect(absP95(errors.offsetErrorsMs)).toBeLessThanOrEqual(220);
  });

  it("Silero VAD keeps every utterance apart under white noise at 15 dB SNR", () => {
    const noisy = addNoise(fixture, 15);
    const errors = measureTiming(fixture.truth, runVad(new SileroVoiceActivity(), at48k(noisy)));
    expect(errors.missed).toBe(0);
    expect(errors.invented).toBe(0);
    expect(absP95(errors.onsetErrorsMs)).toBeLessThanOrEqual(70);
  });
});
