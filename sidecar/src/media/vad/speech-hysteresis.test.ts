import { describe, expect, it } from "vitest";
import { SpeechHysteresis } from "./speech-hysteresis.ts";
import type { VoiceActivityEvent } from "./voice-activity.ts";

function run(probabilities: number[], frameMs = 10): VoiceActivityEvent[] {
  const h = new SpeechHysteresis(frameMs);
  return [...probabilities.flatMap((p) => h.next(p)), ...h.flush()];
}

const repeat = (p: number, n: number) => Array<number>(n).fill(p);

describe("SpeechHysteresis", () => {
  it("reports a segment from its first to its last speech frame, not when the end was detected", () => {
    const events = run([...repeat(0, 20), ...repeat(0.9, 30), ...repeat(0.1, 60)]);
    expect(events).toEqual([
      { type: "speech_started", startMs: 200 },
      { type: "speech_ended", segment: { startMs: 200, endMs: 500 } },
    ]);
  });

  it("confirms speech only after the minimum speech time, dating it back to the first frame", () => {
    const h = new SpeechHysteresis(10);
    const events = repeat(0.9, 10).map((p) => h.next(p));
    expect(events.slice(0, 9).every((e) => e.length === 0)).toBe(true);
    expect(events[9]).toEqual([{ type: "speech_started", startMs: 0 }]);
  });

  it("is speaking from the frame that confirms speech until the frame that ends it", () => {
    const h = new SpeechHysteresis(10);
    const speaking = [...repeat(0.9, 10), ...repeat(0, 50)].map((p) => {
      h.next(p);
      return h.speaking;
    });
    expect(speaking.indexOf(true)).toBe(9);
    expect(speaking.lastIndexOf(true)).toBe(58);
    expect(speaking.filter(Boolean)).toHaveLength(50);
  });

  it("ignores a burst shorter than the minimum speech", () => {
    expect(run([...repeat(0.9, 9), ...repeat(0, 100)])).toEqual([]);
  });

  it("bridges a pause shorter than the minimum silence and splits at a longer one", () => {
    const events = run([
      ...repeat(0.9, 20),
      ...repeat(0.1, 49),
      ...repeat(0.9, 20),
      ...repeat(0.1, 50),
      ...repeat(0.9, 20),
    ]);
    expect(events.filter((e) => e.type === "speech_ended")).toEqual([
      { type: "speech_ended", segment: { startMs: 0, endMs: 890 } },
      { type: "speech_ended", segment: { startMs: 1390, endMs: 1590 } },
    ]);
  });

  it("keeps speech going on frames between offset and onset (hysteresis)", () => {
    const events = run([...repeat(0.9, 20), ...repeat(0.4, 100), ...repeat(0, 60)]);
    expect(events.at(-1)).toEqual({ type: "speech_ended", segment: { startMs: 0, endMs: 1200 } });
  });

  it("closes open speech on flush at its last speech frame", () => {
    expect(run([...repeat(0.9, 15), ...repeat(0, 3)])).toEqual([
      { type: "speech_started", startMs: 0 },
      { type: "speech_ended", segment: { startMs: 0, endMs: 150 } },
    ]);
  });

  it("uses the frame size for times (32 ms Silero windows)", () => {
    const events = run([...repeat(0, 3), ...repeat(0.8, 4), ...repeat(0, 20)], 32);
    expect(events.at(-1)).toEqual({ type: "speech_ended", segment: { startMs: 96, endMs: 224 } });
  });
});
