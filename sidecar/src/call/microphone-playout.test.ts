import { describe, expect, it } from "vitest";
import { ManualClock } from "../media/clock.ts";
import { type FrameSink, MicrophonePlayout } from "./microphone-playout.ts";

/** A sink that takes 10 ms of clock per frame unless told otherwise, like a real-time queue. */
class ClockedSink implements FrameSink {
  readonly sampleRate = 1_000;
  readonly frames: Int16Array[] = [];
  delays: number[] = [];
  constructor(private readonly clock: ManualClock) {}
  async captureFrame(samples: Int16Array): Promise<void> {
    this.frames.push(samples);
    this.clock.advance(this.delays.shift() ?? 10);
    // A macrotask per frame, like the real sink: the loop must never starve the event loop.
    await new Promise((r) => setImmediate(r));
  }
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !check(); i++) await new Promise((r) => setImmediate(r));
}

describe("MicrophonePlayout", () => {
  it("plays a clip on the sample clock, padding the last frame, with silence around it", async () => {
    const clock = new ManualClock(1_000);
    const sink = new ClockedSink(clock);
    const slots: number[] = [];
    const mic = new MicrophonePlayout(sink, clock, { onFrame: (_f, slot) => slots.push(slot) });
    mic.start();
    await until(() => sink.frames.length >= 2);
    const played = await mic.play(Int16Array.from({ length: 25 }, () => 7));
    await mic.stop();
    expect(played.endMs - played.startMs).toBe(25);
    expect(slots.slice(0, 3)).toEqual([1_000, 1_010, 1_020]);
    const first = slots.indexOf(played.startMs);
    expect(first).toBeGreaterThan(0);
    expect([...(sink.frames[first + 2] ?? [])]).toEqual([7, 7, 7, 7, 7, 0, 0, 0, 0, 0]);
    expect(mic.stats.underruns).toBe(0);
  });

  it("starts a clip at notBeforeMs to the sample", async () => {
    const clock = new ManualClock(0);
    const sink = new ClockedSink(clock);
    const mic = new MicrophonePlayout(sink, clock);
    mic.start();
    const played = await mic.play(
      Int16Array.from({ length: 10 }, () => 5),
      { notBeforeMs: 43 },
    );
    await mic.stop();
    expect(played).toEqual({ startMs: 43, endMs: 53 });
    expect([...(sink.frames[4] ?? [])]).toEqual([0, 0, 0, 5, 5, 5, 5, 5, 5, 5]);
    expect([...(sink.frames[5] ?? [])]).toEqual([5, 5, 5, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("counts a frame handed over after its slot as an underrun and re-anchors the clock", async () => {
    const clock = new ManualClock(0);
    const sink = new ClockedSink(clock);
    sink.delays = [10, 10, 35];
    const slots: number[] = [];
    const mic = new MicrophonePlayout(sink, clock, { onFrame: (_f, slot) => slots.push(slot) });
    mic.start();
    await until(() => sink.frames.length >= 5);
    await mic.stop();
    expect(slots.slice(0, 5)).toEqual([0, 10, 20, 55, 65]);
    expect(mic.stats).toMatchObject({ underruns: 1, underrunMs: 25, maxLateMs: 25 });
  });

  it("rejects queued clips when the sink fails", async () => {
    const clock = new ManualClock(0);
    const sink: FrameSink = { sampleRate: 1_000, captureFrame: () => Promise.reject(new Error("gone")) };
    const mic = new MicrophonePlayout(sink, clock);
    mic.start();
    await until(() => mic.error !== undefined);
    await expect(mic.play(new Int16Array(5))).rejects.toThrow("gone");
  });
});

describe("MicrophonePlayout lead", () => {
  it("hands frames at most maxLead ahead of their slot when set, and as fast as the sink takes them when not", async () => {
    const clock = new ManualClock(0);
    // A sink with an unbounded queue: it never holds the loop back.
    const handedAt: number[] = [];
    const sink: FrameSink = {
      sampleRate: 1_000,
      captureFrame: async () => {
        handedAt.push(clock.now());
        await new Promise((r) => setImmediate(r));
      },
    };
    const slots: number[] = [];
    const mic = new MicrophonePlayout(sink, clock, {
      frameMs: 100,
      onFrame: (_f, slot) => slots.push(slot),
      wait: async (ms) => clock.advance(ms),
    });
    mic.setMaxLead(40);
    mic.start();
    await until(() => handedAt.length >= 5);
    mic.setMaxLead(undefined);
    const from = handedAt.length;
    await until(() => handedAt.length >= from + 20);
    await mic.stop();
    // With the lead: every frame handed 40 ms before its slot (the first at once, on the anchor).
    for (let k = 1; k < 5; k++) expect((slots[k] ?? 0) - (handedAt[k] ?? 0)).toBe(40);
    // Without: the clock does not move, so frames run ahead as far as the sink lets them.
    expect((slots[from + 19] ?? 0) - (handedAt[from + 19] ?? 0)).toBeGreaterThan(1_500);
    expect(mic.stats.underruns).toBe(0);
  });
});
