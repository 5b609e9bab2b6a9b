import { describe, expect, it } from "vitest";
import { OutputSchedule } from "./output-schedule.ts";

/** 48 kHz, 10 ms frames: 48 samples per ms. */
const speech = (n: number, value = 1000) => new Int16Array(n).fill(value);

describe("OutputSchedule", () => {
  it("sends exact zeros when nothing is playing", () => {
    const s = new OutputSchedule();
    const f = s.next(0);
    expect(f.samples.every((v) => v === 0)).toBe(true);
    expect(f.events).toEqual([]);
  });

  it("starts an utterance on the sample of its planned time, not on a frame boundary", () => {
    const s = new OutputSchedule();
    s.play({ id: "u1", samples: speech(960), startAtMs: 1003.5 });
    expect(s.next(990).events).toEqual([]);
    const f = s.next(1000);
    expect(f.events).toEqual([{ type: "started", id: "u1", offset: 168 }]);
    expect(f.samples[167]).toBe(0);
    expect(f.samples[168]).toBe(1000);
  });

  it("ends on its last sample and returns to zeros in the same frame", () => {
    const s = new OutputSchedule();
    s.play({ id: "u1", samples: speech(500), startAtMs: 0 });
    expect(s.next(0).events).toEqual([{ type: "started", id: "u1", offset: 0 }]);
    const f = s.next(10);
    expect(f.events).toEqual([{ type: "ended", id: "u1", offset: 19, cut: false }]);
    expect(f.samples[19]).toBe(1000);
    expect(f.samples[20]).toBe(0);
    expect(s.activeId).toBeUndefined();
  });

  it("starts at once when the planned time has passed", () => {
    const s = new OutputSchedule();
    s.play({ id: "late", samples: speech(10), startAtMs: 500 });
    expect(s.next(520).events[0]).toEqual({ type: "started", id: "late", offset: 0 });
  });

  it("cuts at the first sample at or after the cut time", () => {
    const s = new OutputSchedule();
    s.play({ id: "u1", samples: speech(48_000), startAtMs: 0 });
    s.next(0);
    s.cutAt(12.5);
    const f = s.next(10);
    expect(f.events).toEqual([{ type: "ended", id: "u1", offset: 119, cut: true }]);
    expect(f.samples[119]).toBe(1000);
    expect(f.samples[120]).toBe(0);
    expect(s.next(20).samples.every((v) => v === 0)).toBe(true);
  });

  it("reports a cut that lands on a frame boundary as ending on the previous frame", () => {
    const s = new OutputSchedule();
    s.play({ id: "u1", samples: speech(48_000), startAtMs: 0 });
    s.next(0);
    s.cutAt(5); // already past when the next frame is built
    const f = s.next(10);
    expect(f.events).toEqual([{ type: "ended", id: "u1", offset: -1, cut: true }]);
    expect(f.samples.every((v) => v === 0)).toBe(true);
  });

  it("plays the next utterance in the same frame the previous one ended", () => {
    const s = new OutputSchedule();
    s.play({ id: "a", samples: speech(500), startAtMs: 0 });
    s.next(0);
    s.play({ id: "b", samples: speech(100, 7), startAtMs: 15 });
    const f = s.next(10);
    expect(f.events).toEqual([
      { type: "ended", id: "a", offset: 19, cut: false },
      { type: "started", id: "b", offset: 240 },
      { type: "ended", id: "b", offset: 339, cut: false },
    ]);
    expect([f.samples[19], f.samples[20], f.samples[239], f.samples[240], f.samples[340]]).toEqual([
      1000, 0, 0, 7, 0,
    ]);
  });

  it("replaces and cancels an utterance not yet started", () => {
    const s = new OutputSchedule();
    s.play({ id: "a", samples: speech(10), startAtMs: 100 });
    s.play({ id: "b", samples: speech(10), startAtMs: 100 });
    expect(s.pendingId).toBe("b");
    expect(s.cancelPending()).toBe("b");
    expect(s.next(100).events).toEqual([]);
  });

  it("refuses an empty utterance", () => {
    expect(() => new OutputSchedule().play({ id: "x", samples: new Int16Array(), startAtMs: 0 })).toThrow(
      /no samples/,
    );
  });
});
