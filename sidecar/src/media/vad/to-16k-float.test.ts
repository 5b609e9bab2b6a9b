import { describe, expect, it } from "vitest";
import { To16kFloat } from "./to-16k-float.ts";

describe("To16kFloat", () => {
  it("averages each group of three 48 kHz samples into one 16 kHz float", () => {
    const c = new To16kFloat(48_000);
    expect([...c.push(Int16Array.from([3, 6, 9, -32768, -32768, -32768]))]).toEqual([6 / 32768, -1]);
  });

  it("gives the same output however the input is chunked (groups span chunk boundaries)", () => {
    const input = Int16Array.from({ length: 4_800 }, (_, i) => ((i * 7919) % 65536) - 32768);
    const whole = new To16kFloat(48_000).push(input);
    const chunked = new To16kFloat(48_000);
    const parts: number[] = [];
    for (let at = 0; at < input.length; at += 479) parts.push(...chunked.push(input.subarray(at, at + 479)));
    expect(whole.length).toBe(1_600);
    expect(parts).toEqual([...whole]);
  });

  it("passes 16 kHz through, scaled", () => {
    expect([...new To16kFloat(16_000).push(Int16Array.from([16384, -8192]))]).toEqual([0.5, -0.25]);
  });

  it("resamples rates that are not a multiple of 16 kHz, keeping the sample count exact", () => {
    const out = new To16kFloat(24_000).push(new Int16Array(2_400).fill(1_000));
    expect(out.length).toBe(1_600);
    expect(out.every((v) => Math.abs(v - 1_000 / 32768) < 1e-9)).toBe(true);
  });
});
