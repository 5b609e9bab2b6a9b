import { describe, expect, it } from "vitest";
import { designPolyphaseFilter } from "./kaiser-sinc-filter.ts";
import { concatPcm } from "./pcm.ts";
import { resample, SincResampler } from "./sinc-resampler.ts";
import { logSweep, sine } from "./test-signals.ts";

function maxAbsError(a: Int16Array, b: Int16Array, from: number, to: number): number {
  let worst = 0;
  for (let i = from; i < to; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}

function chunked(input: Int16Array, inRate: number, outRate: number, sizes: readonly number[]): Int16Array {
  const resampler = new SincResampler(inRate, outRate);
  const parts: Int16Array[] = [];
  let at = 0;
  for (let k = 0; at < input.length; k++) {
    const size = sizes[k % sizes.length] ?? 1;
    parts.push(resampler.push(input.subarray(at, at + size)));
    at += size;
  }
  parts.push(resampler.flush());
  return concatPcm(parts);
}

describe("designPolyphaseFilter", () => {
  it("sizes 16 kHz → 48 kHz as 3 phases of 102 taps", () => {
    const filter = designPolyphaseFilter(16_000, 48_000);
    expect(filter.phases).toBe(3);
    expect(filter.taps).toBe(102);
  });

  it("gives 22.05 kHz → 48 kHz one phase per 1/320 of an input sample", () => {
    expect(designPolyphaseFilter(22_050, 48_000).phases).toBe(320);
  });

  it("makes every phase sum to 1, so DC passes unchanged", () => {
    const { phases, taps, coefficients } = designPolyphaseFilter(24_000, 48_000);
    for (let j = 0; j < phases; j++) {
      let sum = 0;
      for (let t = 0; t < taps; t++) sum += coefficients[j * taps + t] ?? 0;
      expect(sum).toBeCloseTo(1, 12);
    }
  });
});

describe("SincResampler", () => {
  it("turns one second at 16, 22.05, 24 and 8 kHz into exactly one second at 48 kHz", () => {
    for (const rate of [16_000, 22_050, 24_000, 8_000]) {
      expect(resample(new Int16Array(rate), rate, 48_000).length).toBe(48_000);
    }
  });

  it("turns one second at 48 kHz into exactly one second at 16 kHz", () => {
    expect(resample(new Int16Array(48_000), 48_000, 16_000).length).toBe(16_000);
  });

  it("puts an impulse at input sample 800 on output sample 2400 at 3× the rate, symmetric around it (no delay)", () => {
    const input = new Int16Array(1_600);
    input[800] = 20_000;
    const out = resample(input, 16_000, 48_000);
    let peak = 0;
    for (let i = 0; i < out.length; i++) if (Math.abs(out[i] ?? 0) > Math.abs(out[peak] ?? 0)) peak = i;
    expect(peak).toBe(2_400);
    expect(out[2_400]).toBe(19_000); // The cutoff sits at 0.95 of the input's Nyquist: peak = 0.95 × 20 000.
    for (let k = 1; k < 200; k++) expect(out[2_400 - k]).toBe(out[2_400 + k]);
  });

  it("reproduces a 1 kHz tone at 16 kHz as the same tone sampled at 48 kHz, within 2 LSB", () => {
    const out = resample(sine(1_000, 16_000, 16_000), 16_000, 48_000);
    const expected = sine(1_000, 48_000, 48_000);
    // Away from the clip's abrupt ends, where the tone starts and stops from nothing.
    expect(maxAbsError(out, expected, 1_000, 47_000)).toBeLessThanOrEqual(2);
  });

  it("gives the same samples whether the input arrives whole or in uneven chunks", () => {
    for (const [inRate, outRate] of [
      [16_000, 48_000],
      [22_050, 48_000],
      [24_000, 48_000],
      [48_000, 16_000],
    ] as const) {
      const input = logSweep({ sampleRate: inRate, fromHz: 50, toHz: inRate / 2 - 100, seconds: 0.5 });
      const whole = resample(input, inRate, outRate);
      expect(Array.from(chunked(input, inRate, outRate, [1, 481, 7, 160, 2_000, 3]))).toEqual(
        Array.from(whole),
      );
      expect(Array.from(chunked(input, inRate, outRate, [160]))).toEqual(Array.from(whole));
    }
  });

  it("holds back taps/2 input samples of look-ahead until flush", () => {
    const resampler = new SincResampler(16_000, 48_000);
    expect(resampler.lookaheadSamples).toBe(51);
    // 160 inputs: outputs whose position i satisfies i + 51 < 160, i.e. i ≤ 108 → 109 × 3 outputs.
    expect(resampler.push(new Int16Array(160)).length).toBe(327);
    expect(resampler.flush().length).toBe(480 - 327);
  });

  it("passes audio through untouched when the rates match", () => {
    const input = sine(440, 48_000, 480);
    expect(Array.from(resample(input, 48_000, 48_000))).toEqual(Array.from(input));
  });

  it("refuses a push after flush, naming the fix", () => {
    const resampler = new SincResampler(16_000, 48_000);
    resampler.flush();
    expect(() => resampler.push(new Int16Array(10))).toThrow(
      /push after flush; make a new SincResampler per stream/,
    );
  });

  it("rejects a non-integer rate", () => {
    expect(() => new SincResampler(44_100.5, 48_000)).toThrow(
      /rates must be positive integers, got in=44100.5/,
    );
  });
});
