import { describe, expect, it } from "vitest";
import { concatPcm } from "./pcm.ts";
import { resampleLinear, StreamingResampler } from "./resampler.ts";

function sine(freq: number, rate: number, count: number, amp = 10_000): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

function rmsError(a: Int16Array, b: Int16Array, from: number): number {
  let sum = 0;
  const n = Math.min(a.length, b.length);
  for (let i = from; i < n; i++) sum += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  return Math.sqrt(sum / (n - from));
}

describe("StreamingResampler", () => {
  it("turns one second at 48 kHz into exactly one second at 16 kHz", () => {
    expect(resampleLinear(new Int16Array(48_000), 48_000, 16_000).length).toBe(16_000);
  });

  it("turns one second at 16 kHz into exactly one second at 48 kHz (last sample held)", () => {
    // Output n sits at input n/3; the last reachable input index is 15999 → 47998 is the last output.
    expect(resampleLinear(new Int16Array(16_000), 16_000, 48_000).length).toBe(47_998);
  });

  it("keeps a 440 Hz tone when going 48 kHz → 16 kHz", () => {
    const out = resampleLinear(sine(440, 48_000, 48_000), 48_000, 16_000);
    // The 3-tap average delays by one 48 kHz sample; compare against the tone so delayed.
    const expected = new Int16Array(16_000);
    for (let n = 0; n < 16_000; n++) {
      expected[n] = Math.round(10_000 * Math.sin((2 * Math.PI * 440 * (3 * n - 1)) / 48_000));
    }
    // Box filter gain at 440 Hz is 0.9972 → ≈28 of 10 000 in amplitude.
    expect(rmsError(out, expected, 2)).toBeLessThan(30);
  });

  it("keeps a 440 Hz tone when going 16 kHz → 48 kHz", () => {
    const out = resampleLinear(sine(440, 16_000, 16_000), 16_000, 48_000);
    const expected = sine(440, 48_000, out.length);
    // Linear interpolation error for 440 Hz at 16 kHz is below 0.2 % of amplitude.
    expect(rmsError(out, expected, 0)).toBeLessThan(20);
  });

  it("resamples 24 kHz → 16 kHz (provider speech) to the right length", () => {
    expect(resampleLinear(new Int16Array(24_000), 24_000, 16_000).length).toBe(16_000);
  });

  it("gives the same samples whether the input arrives whole or in uneven chunks", () => {
    const input = sine(700, 48_000, 9_600);
    const whole = resampleLinear(input, 48_000, 16_000);
    const r = new StreamingResampler(48_000, 16_000);
    const parts: Int16Array[] = [];
    for (const [from, to] of [
      [0, 481],
      [481, 482],
      [482, 5_000],
      [5_000, 9_600],
    ] as const) {
      parts.push(r.push(input.subarray(from, to)));
    }
    expect(Array.from(concatPcm(parts))).toEqual(Array.from(whole));
  });

  it("rejects a non-integer rate", () => {
    expect(() => new StreamingResampler(44_100.5, 16_000)).toThrow(/positive integers/);
  });
});
