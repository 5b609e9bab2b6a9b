import { describe, expect, it } from "vitest";
import { AgentSpeech } from "./agent-speech.ts";

const started = (startMs: number) => ({ type: "speech_started" as const, startMs });
const ended = (startMs: number, endMs: number) => ({
  type: "speech_ended" as const,
  segment: { startMs, endMs },
});

describe("AgentSpeech (endpointing)", () => {
  it("puts VAD times on the call clock and reports the onset as the first speech frame", () => {
    const s = new AgentSpeech(700);
    s.apply(started(1_200), 5_000);
    expect(s.speaking).toBe(true);
    expect(s.onsetAfter(6_000)).toBe(6_200);
    expect(s.speechAfter(6_000)).toBe(6_200);
    s.apply(ended(1_200, 2_450), 5_000);
    expect(s.segments).toEqual([{ startMs: 6_200, endMs: 7_450 }]);
    expect(s.speaking).toBe(false);
  });

  it("ends the turn only after the endpointing window of silence since the last speech frame", () => {
    const s = new AgentSpeech(700);
    s.apply(started(100), 0);
    expect(s.turnOver(0, 5_000)).toBe(false);
    s.apply(ended(100, 900), 0);
    expect(s.turnOver(0, 1_599)).toBe(false);
    expect(s.turnOver(0, 1_600)).toBe(true);
  });

  it("keeps the turn open while the agent resumes after a pause", () => {
    const s = new AgentSpeech(700);
    s.apply(ended(100, 900), 0);
    s.apply(started(1_450), 0);
    expect(s.turnOver(0, 2_000)).toBe(false);
    s.apply(ended(1_450, 2_100), 0);
    expect(s.turnOver(0, 2_799)).toBe(false);
    expect(s.turnOver(0, 2_800)).toBe(true);
  });

  it("does not count speech that ended before the caller's turn as a reply", () => {
    const s = new AgentSpeech(600);
    s.apply(ended(100, 900), 0);
    expect(s.turnOver(1_000, 10_000)).toBe(false);
    expect(s.onsetAfter(1_000)).toBeUndefined();
    expect(s.speechAfter(1_000)).toBeUndefined();
    s.apply(ended(1_300, 2_000), 0);
    expect(s.onsetAfter(1_000)).toBe(1_300);
    expect(s.turnOver(1_000, 2_600)).toBe(true);
  });

  it("tells an overlap (speech running past the caller's end) from a reply", () => {
    const s = new AgentSpeech(700);
    s.apply(ended(500, 1_500), 0);
    expect(s.speechAfter(1_000)).toBe(500);
    expect(s.onsetAfter(1_000)).toBeUndefined();
  });

  it("closes an open segment at the end of the call", () => {
    const s = new AgentSpeech();
    s.apply(ended(0, 400), 0);
    s.apply(started(1_000), 0);
    expect(s.intervals(1_250)).toEqual([
      { startMs: 0, endMs: 400 },
      { startMs: 1_000, endMs: 1_250 },
    ]);
  });
});
