import { describe, expect, it } from "vitest";
import { ReceiveClock } from "./receive-clock.ts";

describe("ReceiveClock", () => {
  it("stamps frames by sample count from the earliest consistent arrival", () => {
    const c = new ReceiveClock(48_000);
    expect(c.frame(480, 1000)).toBe(1000);
    expect(c.frame(480, 1012)).toBe(1010); // read 2 ms late: still placed at 1010
    expect(c.frame(480, 1020)).toBe(1020);
  });

  it("ignores a burst after an event-loop stall", () => {
    const c = new ReceiveClock(48_000);
    c.frame(480, 500);
    // Five frames read together 60 ms late.
    const at = [c.frame(480, 570), c.frame(480, 570), c.frame(480, 570), c.frame(480, 570)];
    expect(at).toEqual([510, 520, 530, 540]);
    expect(c.msOfSample(48)).toBe(501);
  });

  it("moves its origin earlier when a frame proves it was too late", () => {
    const c = new ReceiveClock(48_000);
    c.frame(480, 105); // first read 5 ms late
    expect(c.frame(480, 110)).toBe(110);
    expect(c.msOfSample(0)).toBe(100);
  });

  it("follows a real slip of the stream once a whole window is late", () => {
    const c = new ReceiveClock(48_000, { slipWindowFrames: 3, slipToleranceMs: 20 });
    c.frame(480, 0);
    c.frame(480, 10);
    // 50 ms of audio never came: from here every frame is 50 ms later than its count says.
    c.frame(480, 70);
    c.frame(480, 80);
    expect(c.msOfStreamMs(0)).toBe(0);
    c.frame(480, 90); // third late frame in a row: the origin moves by 50 ms
    expect(c.msOfStreamMs(0)).toBe(50);
    expect(c.frame(480, 100)).toBe(100);
  });

  it("converts VAD stream times", () => {
    const c = new ReceiveClock(16_000);
    c.frame(160, 2000);
    expect(c.msOfStreamMs(250)).toBe(2250);
    expect(c.receivedSamples).toBe(160);
  });
});
