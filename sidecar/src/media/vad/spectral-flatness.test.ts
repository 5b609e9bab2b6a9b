import { createNoiseBed } from "@spar/devkit/reference-voice-bot";
import { describe, expect, it } from "vitest";
import { SpectralFlatness } from "./spectral-flatness.ts";

const RATE = 48_000;
const FRAME = 480;

/** Mean ln flatness over `frames` consecutive 10 ms frames of `samples`. */
function meanLnFlatness(samples: ArrayLike<number>, frames: number): number {
  const flatness = new SpectralFlatness(RATE, FRAME);
  let sum = 0;
  for (let f = 0; f < frames; f++)
    sum += flatness.lnFlatness(Array.from({ length: FRAME }, (_, i) => samples[f * FRAME + i] ?? 0));
  return sum / frames;
}

describe("SpectralFlatness", () => {
  it("reads white noise near ln(e^−γ) = −0.58, the flatness of a noise periodogram", () => {
    const bed = createNoiseBed({ kind: "white", snrDb: 0, seed: 3 }, 1_000, RATE);
    expect(meanLnFlatness(bed, 100)).toBeCloseTo(-0.58, 1);
  });

  it("reads a pink bed between −1.2 and −0.9: noise, though not white", () => {
    const bed = createNoiseBed({ kind: "pink", snrDb: 0, seed: 3 }, 1_000, RATE);
    const value = meanLnFlatness(bed, 100);
    expect(value).toBeGreaterThan(-1.2);
    expect(value).toBeLessThan(-0.9);
  });

  it("reads a 300 Hz tone under −15: all its power in a few bins", () => {
    const tone = Array.from(
      { length: FRAME * 20 },
      (_, i) => 3_000 * Math.sin((2 * Math.PI * 300 * i) / RATE),
    );
    expect(meanLnFlatness(tone, 20)).toBeLessThan(-15);
  });

  it("reads a frame of digital zeros as flat (0), not as minus infinity", () => {
    expect(new SpectralFlatness(RATE, FRAME).lnFlatness(new Array(FRAME).fill(0))).toBe(0);
  });

  it("refuses a band with no bins under the Nyquist frequency", () => {
    expect(() => new SpectralFlatness(8_000, 80, 4_100, 7_000)).toThrow(
      /no bins between 4100 and 7000 Hz at 8000 Hz/,
    );
  });
});
