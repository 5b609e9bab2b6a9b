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

  it("ignores sound more than belowPeakDb under the loudest block (tails and lead-ins)", () => {
    const r = refiner();
    r.push(tone(100, 0));
    r.push(tone(40, 0.003)); // −50.5 dBFS but 40 dB under the speech: a lead-in, not speech
    r.push(tone(200, 0.3));
    expect(r.onsetMs(128)).toBe(140);
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
