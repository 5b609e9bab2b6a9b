import { describe, expect, it } from "vitest";
import { audibleSpan } from "./audible-speech.ts";
import { createNoiseBed } from "./noise-bed.ts";

const RATE = 48_000;
/** Pink noise at RMS 1000 (int16 units), long enough for every test. */
const PINK = createNoiseBed({ kind: "pink", snrDb: 0, seed: 1 }, 1_000, RATE);

/** A tone of `rmsLevel` at `hz` over samples `from`…`to` (inclusive) of a stream of `length`. */
function tone(length: number, hz: number, rmsLevel: number, from: number, to: number): Float64Array {
  const out = new Float64Array(length);
  for (let i = from; i <= to; i++) out[i] = rmsLevel * Math.SQRT2 * Math.sin((2 * Math.PI * hz * i) / RATE);
  return out;
}

const db = (x: number) => 10 ** (x / 20);

describe("audibleSpan", () => {
  it("is the sent span when there is no bed (digital silence around the line)", () => {
    const line = tone(24_000, 1_000, 1_000, 4_800, 14_399);
    expect(audibleSpan(line, new Float64Array(24_000), 4_800, 14_399, RATE)).toEqual({
      firstSample: 4_800,
      lastSample: 14_399,
    });
  });

  it("hears a sound 11 dB under a pink bed's level from its first ms, because its critical band holds little of the bed", () => {
    // What "Here is…" opens with: breath noise in 2–4 kHz, quiet against the whole bed, not in its band.
    const line = tone(24_000, 3_000, 1_000 * db(-11), 4_800, 14_399);
    const span = audibleSpan(line, PINK, 4_800, 14_399, RATE);
    expect(span).toEqual({ firstSample: 4_800, lastSample: 14_399 });
  });

  it("finds nothing audible in a line that stays under the bed in every band", () => {
    const line = tone(24_000, 3_000, 1_000 * db(-40), 4_800, 14_399);
    expect(audibleSpan(line, PINK, 4_800, 14_399, RATE)).toBeNull();
  });

  it("dates a line that opens masked where it rises over the bed, 2 ms early by its 10 ms window", () => {
    const quiet = tone(24_000, 3_000, 1_000 * db(-40), 4_800, 5_759);
    const loud = tone(24_000, 3_000, 1_000, 5_760, 14_399);
    const line = quiet.map((q, i) => q + (loud[i] ?? 0));
    const span = audibleSpan(line, PINK, 4_800, 14_399, RATE);
    // The window centred 2 ms (96 samples) before the rise holds 3 ms of the loud tone: enough.
    expect(span?.firstSample).toBe(5_760 - 96);
    // And the same at the end: a line fading into the bed ends where it sinks under it.
    const tail = tone(24_000, 3_000, 1_000 * db(-40), 13_440, 14_399);
    const fading = tone(24_000, 3_000, 1_000, 4_800, 13_439).map((v, i) => v + (tail[i] ?? 0));
    const end = audibleSpan(fading, PINK, 4_800, 14_399, RATE);
    expect(end?.lastSample).toBe(13_439 + 96);
  });

  it("names the rule a wrong edge breaks", () => {
    expect(() => audibleSpan([], [], 10, 5, RATE)).toThrow(/first <= last/);
  });
});
