import { describe, expect, it } from "vitest";
import { estimateFrequency, medianFrequency, onsetIndex, rms, sineFrame } from "./tone.ts";

describe("tone helpers", () => {
  it("measures the frequency of a generated sine to within 0.5 Hz", () => {
    const s = sineFrame({
      frequencyHz: 440,
      amplitude: 0.5,
      sampleRate: 48000,
      startSample: 0,
      samples: 48000,
    });
    expect(Math.abs(estimateFrequency(s, 48000) - 440)).toBeLessThan(0.5);
  });

  it("measures a sine's RMS as amplitude / sqrt(2)", () => {
    const s = sineFrame({
      frequencyHz: 660,
      amplitude: 0.4,
      sampleRate: 48000,
      startSample: 0,
      samples: 4800,
    });
    expect(rms(s)).toBeCloseTo(0.4 / Math.SQRT2, 3);
  });

  it("continues the phase across frames", () => {
    const a = sineFrame({ frequencyHz: 1000, amplitude: 1, sampleRate: 48000, startSample: 0, samples: 480 });
    const b = sineFrame({
      frequencyHz: 1000,
      amplitude: 1,
      sampleRate: 48000,
      startSample: 480,
      samples: 480,
    });
    const whole = sineFrame({
      frequencyHz: 1000,
      amplitude: 1,
      sampleRate: 48000,
      startSample: 0,
      samples: 960,
    });
    expect([...a, ...b]).toEqual([...whole]);
  });

  it("finds the onset of a tone after silence", () => {
    const s = new Int16Array(9600);
    s.set(
      sineFrame({ frequencyHz: 440, amplitude: 0.5, sampleRate: 48000, startSample: 0, samples: 4800 }),
      4800,
    );
    const at = onsetIndex(s, 48000, 0.05);
    expect(at).toBeGreaterThan(4800 - 480);
    expect(at).toBeLessThanOrEqual(4800);
  });

  it("reports no frequency and no onset for silence", () => {
    const s = new Int16Array(4800);
    expect(estimateFrequency(s, 48000)).toBe(0);
    expect(onsetIndex(s, 48000, 0.01)).toBe(-1);
  });

  it("takes the median over windows so one damaged window does not move the estimate", () => {
    const s = sineFrame({
      frequencyHz: 600,
      amplitude: 0.5,
      sampleRate: 48000,
      startSample: 0,
      samples: 48000,
    });
    s.set(
      sineFrame({ frequencyHz: 1500, amplitude: 0.5, sampleRate: 48000, startSample: 0, samples: 4800 }),
      9600,
    );
    expect(Math.abs(medianFrequency(s, 48000) - 600)).toBeLessThan(2);
    expect(Math.abs(estimateFrequency(s, 48000) - 600)).toBeGreaterThan(50);
  });
});
