import { describe, expect, it } from "vitest";
import { dtmfEventCode, dtmfFrequencies, dtmfTones } from "./dtmf-signal.ts";

/** Goertzel power of one frequency over a block: how a receiver detects a DTMF tone. */
function power(samples: Int16Array, from: number, to: number, hz: number, rate: number): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s0 = (samples[i] ?? 0) / 32768 + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (to - from);
}

describe("DTMF signal", () => {
  it("maps digits to RFC 4733 event codes", () => {
    expect([..."0123456789*#ABCD"].map(dtmfEventCode)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    ]);
    expect(() => dtmfEventCode("x")).toThrow('invalid DTMF digit "x"');
  });

  it("uses the keypad's row and column frequencies", () => {
    expect(dtmfFrequencies("1")).toEqual({ lowHz: 697, highHz: 1209 });
    expect(dtmfFrequencies("0")).toEqual({ lowHz: 941, highHz: 1336 });
    expect(dtmfFrequencies("#")).toEqual({ lowHz: 941, highHz: 1477 });
    expect(dtmfFrequencies("D")).toEqual({ lowHz: 941, highHz: 1633 });
  });

  it("makes 100 ms tones with 100 ms gaps whose energy sits at the digit's two frequencies", () => {
    const rate = 8_000;
    const tones = dtmfTones("5#", { sampleRate: rate });
    expect(tones.length).toBe(2 * 1_600);
    const p = (from: number, hz: number) => power(tones, from, from + 800, hz, rate);
    // "5" = 770 + 1336 Hz: strong there, nothing at "#"'s 941 / 1477 Hz.
    expect(p(0, 770)).toBeGreaterThan(100 * p(0, 941));
    expect(p(0, 1336)).toBeGreaterThan(100 * p(0, 1477));
    expect(p(1_600, 941)).toBeGreaterThan(100 * p(1_600, 770));
    expect(p(1_600, 1477)).toBeGreaterThan(100 * p(1_600, 1336));
    expect([...tones.subarray(800, 1_600)].every((s) => s === 0)).toBe(true);
    expect(Math.max(...tones)).toBeLessThanOrEqual(32767);
  });
});
