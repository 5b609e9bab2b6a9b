import { describe, expect, it } from "vitest";
import {
  activeSpeechLevel,
  checkNoiseBedOptions,
  createNoiseBed,
  NOISE_KINDS,
  NOISE_LOOP_SECONDS,
  rms,
} from "./noise-bed.ts";

const RATE = 16_000;
const db = (x: number) => 20 * Math.log10(x);

/** Per 10 ms frame energies in dB. */
function frameLevelsDb(s: Int16Array): number[] {
  const out: number[] = [];
  for (let at = 0; at + 160 <= s.length; at += 160) out.push(db(rms(s.subarray(at, at + 160)) + 1e-9));
  return out;
}

describe("activeSpeechLevel", () => {
  it("is the RMS of frames within 40 dB of the loudest, so pauses and faint tails do not lower it", () => {
    const speech = new Int16Array(300 * 160);
    for (let i = 0; i < 100 * 160; i++) speech[i] = i % 2 ? 1_000 : -1_000; // 100 frames at RMS 1000
    for (let i = 100 * 160; i < 200 * 160; i++) speech[i] = i % 2 ? 3 : -3; // −50 dB: excluded
    // 100 frames of digital silence: excluded
    expect(activeSpeechLevel([speech], RATE)).toBe(1_000);
  });

  it("counts frames down to 40 dB below the loudest", () => {
    const loud = new Int16Array(160).map((_, i) => (i % 2 ? 1_000 : -1_000));
    const quiet = new Int16Array(160).map((_, i) => (i % 2 ? 100 : -100)); // −20 dB: included
    expect(activeSpeechLevel([loud, quiet], RATE)).toBeCloseTo(Math.sqrt((1_000 ** 2 + 100 ** 2) / 2), 9);
  });

  it("refuses silent speech", () => {
    expect(() => activeSpeechLevel([new Int16Array(480)], RATE)).toThrow(/silent/);
  });
});

describe("createNoiseBed", () => {
  for (const kind of NOISE_KINDS) {
    for (const snrDb of [30, 20, 10]) {
      it(`puts ${kind} noise ${snrDb} dB below the speech level over its whole loop`, () => {
        const bed = createNoiseBed({ kind, snrDb, seed: 7 }, 3_000, RATE);
        expect(bed).toHaveLength(NOISE_LOOP_SECONDS * RATE);
        expect(db(3_000) - db(rms(bed))).toBeCloseTo(snrDb, 2);
      });
    }
  }

  it("gives the same samples for the same seed and different ones for another", () => {
    const bytes = (seed: number) =>
      Buffer.from(createNoiseBed({ kind: "pink", snrDb: 20, seed }, 3_000, RATE).buffer);
    const a = bytes(3);
    expect(bytes(3).equals(a)).toBe(true);
    expect(bytes(4).equals(a)).toBe(false);
  });

  it("tilts pink noise towards low frequencies, white stays flat", () => {
    // RMS of the first difference over RMS: √2 for white noise, far less when low frequencies dominate.
    const diffRatio = (s: Int16Array) => rms(s.subarray(1).map((v, i) => v - (s[i] ?? 0))) / rms(s);
    expect(diffRatio(createNoiseBed({ kind: "white", snrDb: 10 }, 3_000, RATE))).toBeCloseTo(Math.SQRT2, 1);
    expect(diffRatio(createNoiseBed({ kind: "pink", snrDb: 10 }, 3_000, RATE))).toBeLessThan(0.6);
  });

  it("modulates babble at syllable rate, while white noise keeps a steady level", () => {
    const spread = (s: Int16Array) => {
      const levels = frameLevelsDb(s).sort((a, b) => a - b);
      return (levels[Math.floor(levels.length * 0.9)] ?? 0) - (levels[Math.floor(levels.length * 0.1)] ?? 0);
    };
    expect(spread(createNoiseBed({ kind: "white", snrDb: 10 }, 3_000, RATE))).toBeLessThan(2);
    expect(spread(createNoiseBed({ kind: "babble", snrDb: 10 }, 3_000, RATE))).toBeGreaterThan(4);
  });

  it("loops without a seam: the wrap-around step is no larger than steps inside the loop", () => {
    for (const kind of NOISE_KINDS) {
      const bed = createNoiseBed({ kind, snrDb: 10 }, 3_000, RATE);
      let largest = 0;
      for (let i = 1; i < bed.length; i++)
        largest = Math.max(largest, Math.abs((bed[i] ?? 0) - (bed[i - 1] ?? 0)));
      expect(Math.abs((bed[0] ?? 0) - (bed.at(-1) ?? 0))).toBeLessThanOrEqual(largest);
    }
  });
});

describe("checkNoiseBedOptions", () => {
  it("names the field, the rule and an example for bad options", () => {
    // @ts-expect-error: an unknown kind, as from untyped input
    expect(() => checkNoiseBedOptions({ kind: "brown", snrDb: 20 })).toThrow(
      /noiseBed.kind "brown" must be one of white, pink, babble/,
    );
    expect(() => checkNoiseBedOptions({ kind: "pink", snrDb: Number.NaN })).toThrow(
      /noiseBed.snrDb NaN must be a number of dB/,
    );
    expect(() => checkNoiseBedOptions({ kind: "pink", snrDb: 20, seed: 1.5 })).toThrow(
      /noiseBed.seed 1.5 must be an integer/,
    );
  });
});
