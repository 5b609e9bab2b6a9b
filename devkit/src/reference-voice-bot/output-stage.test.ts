import { describe, expect, it } from "vitest";
import { OutputStage } from "./output-stage.ts";

describe("OutputStage", () => {
  it("lays speech over the bed, continuing the bed across frames and around its loop", () => {
    const stage = new OutputStage(Int16Array.from([1, 2, 3]), true);
    expect([...stage.mix(Int16Array.from([0, 10]))]).toEqual([1, 12]);
    expect(stage.sentSamples).toBe(2);
    expect([...stage.mix(Int16Array.from([0, 0, 100]))]).toEqual([3, 1, 102]);
    expect(stage.sentSamples).toBe(5);
    expect([...stage.sentAudio()]).toEqual([1, 12, 3, 1, 102]);
    expect([...stage.sentBed()]).toEqual([1, 2, 3, 1, 2]);
  });

  it("clips the sum to int16 instead of wrapping", () => {
    const stage = new OutputStage(Int16Array.from([500, -500]), false);
    expect([...stage.mix(Int16Array.from([32_500, -32_500]))]).toEqual([32_767, -32_768]);
  });

  it("sends the speech unchanged without a bed and keeps nothing unless asked", () => {
    const stage = new OutputStage(undefined, false);
    expect([...stage.mix(Int16Array.from([0, 7, -7]))]).toEqual([0, 7, -7]);
    expect(stage.sentSamples).toBe(3);
    expect(stage.sentAudio()).toHaveLength(0);
    expect(stage.sentBed()).toHaveLength(0);
  });

  it("gives zeros for the bed under a kept stream that has none", () => {
    const stage = new OutputStage(undefined, true);
    stage.mix(Int16Array.from([5, -5]));
    expect([...stage.sentBed()]).toEqual([0, 0]);
  });

  it("sets the bed against the lines' active level", () => {
    const line = new Int16Array(4_800).map((_, i) => (i % 2 ? 3_000 : -3_000));
    const stage = OutputStage.create({ kind: "white", snrDb: 20 }, [line], 48_000, true);
    const sent = stage.mix(new Int16Array(48_000 * 20));
    const level = Math.sqrt(sent.reduce((a, v) => a + v * v, 0) / sent.length);
    expect(20 * Math.log10(3_000 / level)).toBeCloseTo(20, 2);
  });
});
