import { createNoiseBed, type NoiseKind } from "@spar/devkit/reference-voice-bot";
import { describe, expect, it } from "vitest";
import { BedFlatness } from "./bed-flatness.ts";

const RATE = 16_000;
const WINDOW = 512;

/** Two seconds of a bed 20 dB under a −20 dBFS line, fed window by window as background. */
function heard(kind: NoiseKind): BedFlatness {
  const bed = new BedFlatness(RATE, WINDOW);
  const samples = createNoiseBed({ kind, snrDb: 20, seed: 3 }, 3_277, RATE);
  for (let at = 0; at + WINDOW <= 2 * RATE; at += WINDOW)
    bed.add(Float32Array.from(samples.subarray(at, at + WINDOW), (s) => s / 32768));
  return bed;
}

describe("BedFlatness", () => {
  it("hears white and pink noise as flat, and talkers as not", () => {
    expect(heard("white").flat()).toBe(true);
    expect(heard("pink").flat()).toBe(true);
    expect(heard("babble").flat()).toBe(false);
  });

  it("leaves digital silence out: it reads flat but says nothing of the background", () => {
    const bed = new BedFlatness(RATE, WINDOW);
    for (let i = 0; i < 50; i++) bed.add(new Float32Array(WINDOW));
    expect(bed.lnFlatness()).toBeUndefined();
    expect(bed.flat()).toBe(false);
  });
});
