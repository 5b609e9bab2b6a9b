import { beforeAll, describe, expect, it } from "vitest";
import { FliteWasiTextToSpeech } from "../tts/flite-wasi-text-to-speech.ts";
import { To16kFloat } from "../vad/to-16k-float.ts";
import type { PcmAudio } from "./pcm.ts";
import { StreamingResampler } from "./resampler.ts";
import { resample } from "./sinc-resampler.ts";
import { energyAboveRatioDb, rmsRatioDb, toneAmplitude } from "./spectrum.ts";
import { speechBounds } from "./speech-bounds.ts";
import { logSweep, sine } from "./test-signals.ts";

const OUT = 48_000;
const linear = (x: Int16Array, inRate: number) => new StreamingResampler(inRate, OUT).push(x);
const filtered = (x: Int16Array, inRate: number) => resample(x, inRate, OUT);
const db = (ratio: number) => 20 * Math.log10(ratio);

/** The TTS rates the caller's voice arrives at (flite 16 kHz, OpenAI 24 kHz, others 22.05 and 8 kHz). */
const SWEEPS = [
  { inRate: 16_000, fromHz: 100, toHz: 7_900 },
  { inRate: 24_000, fromHz: 20, toHz: 11_900 },
  { inRate: 22_050, fromHz: 20, toHz: 10_900 },
  { inRate: 8_000, fromHz: 100, toHz: 3_950 },
] as const;

describe("the image measurement", () => {
  it("reads a tone 60 dB below another, above the split, as −60 dB", () => {
    const low = sine(1_000, OUT, 96_000, 10_000);
    const high = sine(12_000, OUT, 96_000, 10);
    const mixed = Float64Array.from(low, (v, i) => v + (high[i] ?? 0));
    expect(energyAboveRatioDb(mixed, OUT, 8_000)).toBeCloseTo(-60, 0);
  });

  it("finds no images in the sweep synthesized directly at 48 kHz (the floor is int16 rounding, below −85 dB)", () => {
    for (const s of SWEEPS) {
      const ideal = logSweep({ sampleRate: OUT, fromHz: s.fromHz, toHz: s.toHz, seconds: 2 });
      expect(energyAboveRatioDb(ideal, OUT, s.inRate / 2)).toBeLessThan(-85);
    }
  });
});

describe("images above the input's Nyquist when a sweep is upsampled to 48 kHz", () => {
  for (const s of SWEEPS) {
    const sweep = () => logSweep({ sampleRate: s.inRate, fromHz: s.fromHz, toHz: s.toHz, seconds: 2 });

    it(`are louder than −60 dB with linear interpolation from ${s.inRate} Hz (the bug)`, () => {
      // Measured: 16 kHz −37.3 dB, 24 kHz −46.3, 22.05 kHz −50.4, 8 kHz −34.8.
      expect(energyAboveRatioDb(linear(sweep(), s.inRate), OUT, s.inRate / 2)).toBeGreaterThan(-55);
    });

    it(`are at least 80 dB down with the sinc resampler from ${s.inRate} Hz`, () => {
      // Measured: 16 kHz −91.0 dB, 24 kHz −93.4, 22.05 kHz −90.2, 8 kHz −89.2 — the int16 rounding floor.
      expect(energyAboveRatioDb(filtered(sweep(), s.inRate), OUT, s.inRate / 2)).toBeLessThan(-80);
    });
  }
});

describe("aliases when a 48 kHz sweep to 23.9 kHz is taken down to 16 kHz", () => {
  // The sweep crosses 8 kHz at 2·ln(400)/ln(1195) = 1.690 s; after it, the 16 kHz output is all alias.
  const input = logSweep({ sampleRate: OUT, fromHz: 20, toHz: 23_900, seconds: 2 });
  const crossing = 16_000 * ((2 * Math.log(8_000 / 20)) / Math.log(23_900 / 20));
  const aliasDb = (out: ArrayLike<number>) =>
    rmsRatioDb(out, [Math.round(crossing) + 1_600, 32_000 - 1_600], [1_600, Math.round(crossing) - 1_600]);

  it("stay more than 80 dB down with the sinc resampler (the offline STT's path)", () => {
    // Measured: −106.4 dB.
    expect(aliasDb(resample(input, OUT, 16_000))).toBeLessThan(-80);
  });

  it("come through at about −13 dB with the box average the VAD uses, so it stays VAD-only", () => {
    // Measured: −13.2 dB for both (the same 3-tap average).
    expect(aliasDb(new StreamingResampler(OUT, 16_000).push(input))).toBeGreaterThan(-20);
    expect(aliasDb(new To16kFloat(OUT).push(input))).toBeGreaterThan(-20);
  });
});

describe("passband and stopband of the 16 kHz → 48 kHz path", () => {
  const IN = 16_000;
  // 0.5 s windows at 48 kHz hold a whole number of cycles of every even frequency: exact projections.
  const from = 12_000;
  const to = 36_000;
  const gainDb = (out: Int16Array, f: number) => db(toneAmplitude(out, OUT, f, from, to) / 10_000);

  it("is flat within ±0.05 dB from 100 Hz to 0.9 of the input's Nyquist (7.2 kHz)", () => {
    for (const f of [100, 1_000, 3_000, 5_000, 6_400, 7_200]) {
      expect(Math.abs(gainDb(filtered(sine(f, IN, IN), IN), f))).toBeLessThan(0.05);
    }
  });

  it("loses more than 0.5 dB at 7.2 kHz with linear interpolation", () => {
    // sinc² of linear interpolation at 3×: −5.6 dB at 7.2 kHz.
    expect(gainDb(linear(sine(7_200, IN, IN), IN), 7_200)).toBeLessThan(-5);
  });

  it("puts the image of a 7.2 kHz tone (at 8.8 kHz) more than 80 dB down, where linear leaves it near −6 dB", () => {
    const image = 16_000 - 7_200;
    const tone = sine(7_200, IN, IN);
    expect(gainDb(filtered(tone, IN), image)).toBeLessThan(-80);
    expect(gainDb(linear(tone, IN), image)).toBeGreaterThan(-10);
  });
});

describe("when a sample plays after the sinc resampler", () => {
  it("puts an impulse 0.1 s into the clip at 0.1 s at every TTS rate: the filter adds no delay", () => {
    for (const inRate of [16_000, 24_000, 22_050, 8_000]) {
      const input = new Int16Array(inRate / 5);
      input[inRate / 10] = 20_000;
      const out = filtered(input, inRate);
      let peak = 0;
      for (let i = 0; i < out.length; i++) if (Math.abs(out[i] ?? 0) > Math.abs(out[peak] ?? 0)) peak = i;
      expect(peak).toBe(OUT / 10);
      for (let k = 1; k < 100; k++) expect(out[peak - k]).toBe(out[peak + k]);
    }
  });

  describe("on flite speech", () => {
    let line: PcmAudio;
    beforeAll(async () => {
      line = await new FliteWasiTextToSpeech("rms").synthesize("Hi, I would like to pay my bill.");
    });

    it("keeps the first and last audible sample's time within one input sample (1/16 ms)", () => {
      const inBounds = speechBounds(line.samples);
      const outBounds = speechBounds(filtered(line.samples, line.sampleRate));
      const inMs = (i: number | undefined) => ((i ?? Number.NaN) * 1000) / line.sampleRate;
      const outMs = (i: number | undefined) => ((i ?? Number.NaN) * 1000) / OUT;
      expect(Math.abs(outMs(outBounds?.first) - inMs(inBounds?.first))).toBeLessThanOrEqual(
        1000 / line.sampleRate,
      );
      expect(Math.abs(outMs(outBounds?.last) - inMs(inBounds?.last))).toBeLessThanOrEqual(
        1000 / line.sampleRate,
      );
    });

    it("keeps the clip's length exact: n input samples become n × 3 output samples", () => {
      expect(filtered(line.samples, line.sampleRate).length).toBe(line.samples.length * 3);
    });
  });
});
