import { describe, expect, it } from "vitest";
import { findReceivedSpeech, matchTransit } from "./received-speech.ts";

/** 1 kHz "rate" so indices read as ms. */
const RATE = 1_000;

function stream(parts: [at: number, values: number[]][], length: number): Int16Array {
  const s = new Int16Array(length);
  for (const [at, values] of parts) s.set(values, at);
  return s;
}

describe("findReceivedSpeech", () => {
  it("finds an utterance's exact edges, including the quiet samples joined to its loud part", () => {
    const s = stream([[100, [70, 0, 200, 5000, -8000, 3000, 0, 0, 90, 0, 0, 0, 0, 0, 0, 0, 80]]], 300);
    // Loud 103–105; back to 100 (70 ≥ 64, gaps of 1 < 5); forward to 108 (then 7 quiet samples).
    expect(findReceivedSpeech(s, RATE, { minLoudMs: 1 })).toEqual([{ firstSample: 100, lastSample: 108 }]);
  });

  it("ignores codec noise and clicks, and keeps two utterances apart", () => {
    const s = stream(
      [
        [10, [40, -33, 60]], // floor noise below the edge level
        [50, [2000]], // a click: loud for 1 ms only
        [500, Array(30).fill(4000)],
        [1000, Array(30).fill(-4000)],
      ],
      1200,
    );
    expect(findReceivedSpeech(s, RATE, { minLoudMs: 20, mergeGapMs: 350 })).toEqual([
      { firstSample: 500, lastSample: 529 },
      { firstSample: 1000, lastSample: 1029 },
    ]);
  });

  it("merges loud parts split by a pause shorter than the merge gap", () => {
    const s = stream(
      [
        [100, Array(30).fill(4000)],
        [300, Array(30).fill(4000)],
      ],
      500,
    );
    expect(findReceivedSpeech(s, RATE, { mergeGapMs: 350 })).toEqual([{ firstSample: 100, lastSample: 329 }]);
  });

  it("finds nothing in digital silence", () => {
    expect(findReceivedSpeech(new Int16Array(48_000), 48_000)).toEqual([]);
  });
});

describe("matchTransit", () => {
  it("pairs each sent utterance with the next arrival and reports transit at both ends", () => {
    const r = matchTransit(
      [
        { id: "a", startMs: 1000, endMs: 2000 },
        { id: "b", startMs: 5000, endMs: 5600 },
        { id: "lost", startMs: 9000, endMs: 9500 },
      ],
      [
        { startMs: 1062.5, endMs: 2071 },
        { startMs: 3000, endMs: 3100 }, // nothing was sent then
        { startMs: 5040, endMs: 5655 },
      ],
    );
    expect(r.matches).toEqual([
      { id: "a", startMs: 62.5, endMs: 71 },
      { id: "b", startMs: 40, endMs: 55 },
    ]);
    expect(r.unmatchedSent).toEqual(["lost"]);
    expect(r.unmatchedReceived).toBe(1);
  });
});
