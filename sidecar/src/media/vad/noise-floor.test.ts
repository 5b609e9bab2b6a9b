import { describe, expect, it } from "vitest";
import { liftedFloor, NoiseFloor } from "./noise-floor.ts";

describe("liftedFloor", () => {
  it("leaves a steady bed's floor at its 10th percentile", () => {
    // 100 frames, ascending, from −50 to −40.1 dB: 10th percentile −49, 30th −47, a spread of 2 dB.
    const steady = Array.from({ length: 100 }, (_, i) => -50 + i * 0.1);
    expect(liftedFloor(steady)).toBeCloseTo(-49, 9);
  });

  it("lifts a swinging bed's floor by 1.5 × its spread beyond 2 dB", () => {
    // 100 frames, ascending, from −60 to −10.5 dB: 10th percentile −55, 30th −45; 10 dB of spread lifts it 12 dB.
    const swinging = Array.from({ length: 100 }, (_, i) => -60 + i * 0.5);
    expect(liftedFloor(swinging)).toBeCloseTo(-43, 9);
  });
});

describe("NoiseFloor", () => {
  /** 100 recent frames from −60 to −10.5 dB (a line's spread) after `bed` frames of bed. */
  function floorAfter(bed: readonly number[]): number {
    const floor = new NoiseFloor(100);
    for (const level of bed) floor.addBed(level);
    for (let i = 0; i < 100; i++) floor.add(-60 + i * 0.5);
    return floor.level();
  }

  it("keeps the 10th percentile through a long line when the bed it heard was steady", () => {
    // 60 bed frames within 0.6 dB: a line's own wide spread does not lift the floor into the line.
    expect(floorAfter(Array.from({ length: 60 }, (_, i) => -40 + (i % 6) * 0.1))).toBe(-55);
  });

  it("lifts the floor by the recent spread only once 500 ms of the bed it heard swing", () => {
    // Bed frames spread from −50 to −35.3 dB (30th percentile 3 dB over the 10th): babble-like.
    expect(floorAfter(Array.from({ length: 50 }, (_, i) => -50 + i * 0.3))).toBe(-43);
  });

  it("keeps a swinging bed's floor within 1 dB of the median of its own frames once a bed was shown", () => {
    // The bed alone, no line yet: 100 frames from −52 to −32.2 dB, 10th percentile −50, 30th −46,
    // median −42. Lifted by its spread the floor is −47, and the bed's top 10 % clear the onset.
    const floor = new NoiseFloor(100);
    for (let i = 0; i < 100; i++) {
      floor.addBed(-52 + i * 0.2);
      floor.add(-52 + i * 0.2);
    }
    expect(floor.level(undefined, true)).toBeCloseTo(-43, 9);
    expect(floor.level()).toBeCloseTo(-47, 9);
  });

  it("lifts an unread bed's floor by a fixed 7 dB, not by the recent spread, at the stream's opening only", () => {
    // 49 bed frames are not yet evidence of how the bed swings: the line's own 10 dB of spread
    // would lift the floor 12 dB into the line. At the opening the 10th percentile (−55) is lifted
    // by what babble needs, in case the bed that opens the track is babble; later it is not.
    const floor = new NoiseFloor(100);
    for (let i = 0; i < 49; i++) floor.addBed(-50 + i * 0.3);
    for (let i = 0; i < 100; i++) floor.add(-60 + i * 0.5);
    expect(floor.level("unknown")).toBe(-48);
    expect(floor.level()).toBe(-55);
    floor.addBed(-50);
    expect(floor.level("unknown")).toBe(floor.level());
  });

  it("keeps the opening's 7 dB lift once 500 ms of bed are read, when the bed read lifts less", () => {
    // The first 500 ms of a babble bed can read steady; judged by the 10th percentile alone from
    // then on, its next swells cleared the onset (seed 6 of the reference bot's).
    const floor = new NoiseFloor(100);
    for (let i = 0; i < 50; i++) floor.addBed(-45 + (i % 10) * 0.1);
    for (let i = 0; i < 100; i++) floor.add(-60 + i * 0.5);
    expect(floor.level("unknown")).toBe(-48);
    expect(floor.level()).toBe(-55);
  });

  it("judges a steady opening from its median less 2 dB, not from a codec's quieter first frames", () => {
    // Four start-up frames 5–12 dB under a white bed at −42 dB, then 16 frames of the bed.
    const floor = new NoiseFloor(100);
    for (const level of [-47, -48, -51, -54]) floor.add(level);
    for (let i = 0; i < 16; i++) floor.add(-42.5 + (i % 4) * 0.25);
    expect(floor.level()).toBe(-48);
    expect(floor.level("steady")).toBe(-44.25);
  });
});
