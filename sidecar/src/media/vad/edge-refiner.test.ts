import { describe, expect, it } from "vitest";
import { DEFAULT_EDGE_REFINER, EdgeRefiner, type EdgeRefinerOptions } from "./edge-refiner.ts";

const RATE = 16_000;
const BLOCK = 64; // 4 ms

function refiner(overrides: Partial<EdgeRefinerOptions> = {}): EdgeRefiner {
  const { blockMs: _blockMs, ...defaults } = DEFAULT_EDGE_REFINER;
  return new EdgeRefiner({ ...defaults, sampleRate: RATE, blockSamples: BLOCK, ...overrides });
}

/** Constant-magnitude square wave: every block's RMS is exactly `amplitude`. */
const tone = (ms: number, amplitude: number) =>
  Float32Array.from({ length: (ms * RATE) / 1000 }, (_, i) => (i % 2 ? amplitude : -amplitude));

describe("EdgeRefiner", () => {
  it("places an onset on the first loud block near the frame, even before the frame", () => {
    const r = refiner();
    r.push(tone(200, 0)); // digital silence: only the absolute gate applies
    r.push(tone(400, 0.3)); // speech from 200 ms
    // The model's first speech frame starts late, at 224 ms; the rise is at 200 ms.
    expect(r.onsetMs(224)).toBe(200);
    // Or early, at 192 ms: the first loud block is still at 200 ms.
    expect(r.onsetMs(192)).toBe(200);
  });

  it("places an offset at the end of the last loud block, trimming the model's lag", () => {
    const r = refiner();
    r.push(tone(100, 0));
    r.push(tone(300, 0.3)); // speech until 400 ms
    r.push(tone(600, 0));
    expect(r.offsetMs(512)).toBe(400);
    // The model stopped early: the loud blocks after its last frame are within the look-ahead.
    expect(r.offsetMs(384)).toBe(400);
  });

  it("leaves the frame edge when no block in the window is loud", () => {
    const r = refiner();
    r.push(tone(1_000, 0));
    expect(r.onsetMs(320)).toBe(320);
    expect(r.offsetMs(640)).toBe(640);
  });

  it("ignores sound under the absolute gate before an onset, however loud the speech", () => {
    const r = refiner();
    r.push(tone(100, 0));
    r.push(tone(40, 0.003)); // −50.5 dBFS, 40 dB under the speech
    r.push(tone(200, 0.3));
    expect(r.onsetMs(128)).toBe(140);
  });

  it("dates an onset from an opening 40 dB under the line's peak, but not from one 45 dB under", () => {
    const opening = (amplitude: number) => {
      const r = refiner();
      r.push(tone(100, 0));
      r.push(tone(40, amplitude));
      r.push(tone(200, 0.9)); // −0.9 dBFS
      return r.onsetMs(128);
    };
    expect(opening(0.009)).toBe(100); // −40.9 dBFS: an /h/ heard over the quiet before it
    expect(opening(0.005)).toBe(140); // −46.0 dBFS: more than onsetBelowPeakDb (42) under
  });

  it("ends an offset before a tail 40 dB under the peak (belowPeakDb 35, as speechBounds)", () => {
    const r = refiner();
    r.push(tone(100, 0));
    r.push(tone(200, 0.9));
    r.push(tone(40, 0.009));
    r.push(tone(600, 0));
    expect(r.offsetMs(320)).toBe(300);
  });

  it("searches for an onset from where the model became unsure, so a first word it doubted is dated", () => {
    const r = refiner();
    r.push(tone(200, 0));
    r.push(tone(600, 0.3)); // speech from 200 ms; the model is sure only from 544 ms
    expect(r.onsetMs(544)).toBe(416); // the search starts 128 ms before the sure frame
    expect(r.onsetMs(544, 224)).toBe(200); // ...or 128 ms before the first unsure one
  });

  it("searches only 96 ms before the sure frame over a noisy background, short of the bed's swells", () => {
    const r = refiner();
    r.push(Float32Array.from({ length: 8_000 }, (_, i) => (i % 2 ? 0.01 : -0.01)));
    r.markBackground(500); // −40 dBFS: not quiet
    r.push(tone(600, 0.3)); // speech from 500 ms
    expect(r.quietBackground()).toBe(false);
    expect(r.onsetMs(700)).toBe(604);
  });

  it("dates a rise out of noise from where it leaves the background", () => {
    const r = refiner();
    const noise = (ms: number) =>
      Float32Array.from({ length: (ms * RATE) / 1000 }, (_, i) => (i % 2 ? 0.01 : -0.01));
    r.push(noise(500));
    r.markBackground(500); // the model called this non-speech: floor = −40 dBFS
    // 20 ms just above the floor (+2 dB), then loud speech.
    r.push(Float32Array.from(noise(20), (s) => s * 1.26));
    r.push(tone(200, 0.3));
    expect(r.floorDb()).toBeCloseTo(-40, 5);
    expect(r.onsetMs(544)).toBe(500);
  });

  it("extends an edge at most one block (4 ms) into steady background", () => {
    const r = refiner();
    const noise = Float32Array.from({ length: 8_000 }, (_, i) => (i % 2 ? 0.01 : -0.01));
    r.push(noise);
    r.markBackground(500);
    r.push(tone(200, 0.3));
    // The block before the rise averages in the loud block after it; the one before that does not.
    expect(r.onsetMs(520)).toBe(496);
  });

  it("refuses a history too short for its offset search", () => {
    expect(() => refiner({ historyMs: 100 })).toThrow(/history/);
  });
});
