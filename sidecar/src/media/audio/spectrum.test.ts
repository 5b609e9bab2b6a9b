import { describe, expect, it } from "vitest";
import { fft, powerSpectrum, toneAmplitude } from "./spectrum.ts";
import { sine } from "./test-signals.ts";

describe("fft", () => {
  it("puts a cosine of 3 cycles in 16 samples on bins 3 and 13 with magnitude 8", () => {
    const re = Float64Array.from({ length: 16 }, (_, i) => Math.cos((2 * Math.PI * 3 * i) / 16));
    const im = new Float64Array(16);
    fft(re, im);
    const magnitude = Array.from(re, (r, k) => Math.round(Math.hypot(r, im[k] ?? 0) * 1e9) / 1e9);
    expect(magnitude).toEqual([0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0]);
  });

  it("rejects a length that is not a power of two, naming both lengths", () => {
    expect(() => fft(new Float64Array(12), new Float64Array(12))).toThrow(
      /power-of-two length, got 12 and 12/,
    );
  });
});

describe("powerSpectrum", () => {
  it("puts a 1 kHz tone at 48 kHz on the bin nearest 1 kHz", () => {
    const { power, size } = powerSpectrum(sine(1_000, 48_000, 48_000));
    let peak = 0;
    for (let k = 0; k < power.length; k++) if ((power[k] ?? 0) > (power[peak] ?? 0)) peak = k;
    expect(size).toBe(65_536);
    expect(Math.round((peak * 48_000) / size)).toBe(1_000);
  });
});

describe("toneAmplitude", () => {
  it("reads a 10 000-amplitude 440 Hz tone as 10 000 and a tone that is absent as 0", () => {
    const tone = sine(440, 48_000, 48_000);
    expect(toneAmplitude(tone, 48_000, 440, 0, 48_000)).toBeCloseTo(10_000, 0);
    expect(toneAmplitude(tone, 48_000, 880, 0, 48_000)).toBeLessThan(0.1);
  });
});
