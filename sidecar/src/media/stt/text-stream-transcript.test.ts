import { describe, expect, it } from "vitest";
import { ManualClock } from "../clock.ts";
import { TextStreamTranscript } from "./text-stream-transcript.ts";

describe("TextStreamTranscript", () => {
  it("joins deltas per segment id and stamps first and last chunk on the clock", async () => {
    const clock = new ManualClock(1_000);
    const t = new TextStreamTranscript(clock);
    const seen: string[] = [];
    t.onSegment((s) => seen.push(s.text));
    t.append("seg-1", "Your payment ");
    clock.advance(300);
    t.append("seg-2", "Anything else?");
    clock.advance(200);
    t.append("seg-1", "is complete.");
    t.finish("seg-1");
    expect(seen).toEqual(["Your payment is complete."]);
    clock.advance(100);
    expect(await t.end()).toEqual([
      { text: "Your payment is complete.", startMs: 1_000, endMs: 1_500, words: [] },
      { text: "Anything else?", startMs: 1_300, endMs: 1_300, words: [] },
    ]);
    expect(t.fidelity).toBe("exact");
  });
});
