import { createNoiseBed } from "@spar/devkit/reference-voice-bot";
import { describe, expect, it } from "vitest";
import { DEFAULT_SPECTRAL_ONSET, SpectralOnset } from "./spectral-onset.ts";

const RATE = 48_000;
const FRAME = 480;

/**
 * A bed of white noise (RMS 1000), with a faint "consonant" — a 5 kHz tone 6 dB under the bed's
 * RMS, far under its level — from `consonantFrom`, and a loud 300 Hz "vowel" (+20 dB) from
 * `vowelFrom` to `vowelTo`; frame numbers.
 */
function frames(count: number, consonantFrom: number, vowelFrom: number, vowelTo: number): number[][] {
  // The reference bot's white bed at 0 dB against a level of 1000: RMS 1000.
  const bed = createNoiseBed({ kind: "white", snrDb: 0, seed: 7 }, 1000, RATE);
  const out: number[][] = [];
  for (let f = 0; f < count; f++) {
    const frame: number[] = [];
    for (let i = 0; i < FRAME; i++) {
      const n = f * FRAME + i;
      let s = bed[n] ?? 0;
      if (f >= consonantFrom && f < vowelTo) s += 700 * Math.sin((2 * Math.PI * 5_000 * n) / RATE);
      if (f >= vowelFrom && f < vowelTo) s += 14_000 * Math.sin((2 * Math.PI * 300 * n) / RATE);
      frame.push(s);
    }
    out.push(frame);
  }
  return out;
}

/** Frames before `speechFrom` and from `speechTo` are marked background, as the VAD would. */
function analysed(all: number[][], speechFrom: number, speechTo: number): SpectralOnset {
  const onset = new SpectralOnset({ ...DEFAULT_SPECTRAL_ONSET, sampleRate: RATE, frameSamples: FRAME });
  all.forEach((frame, f) => {
    onset.push(frame, f < speechFrom || f >= speechTo);
  });
  return onset;
}

let babble: Int16Array | undefined;

/** The reference bot's babble bed (RMS 1000) with a loud 300 Hz "vowel" from `vowelFrom`. */
function babbleFrames(count: number, vowelFrom: number): number[][] {
  babble ??= createNoiseBed({ kind: "babble", snrDb: 0, seed: 3 }, 1000, RATE);
  const bed = babble;
  return Array.from({ length: count }, (_, f) =>
    Array.from({ length: FRAME }, (_, i) => {
      const n = f * FRAME + i;
      const vowel = f >= vowelFrom ? 14_000 * Math.sin((2 * Math.PI * 300 * n) / RATE) : 0;
      return (bed[n] ?? 0) + vowel;
    }),
  );
}

/** A voiced vowel: 26 harmonics of 150 Hz (to 3.9 kHz), falling 3 dB an octave, about 20 dB over the bed. */
function harmonicVowel(n: number): number {
  let v = 0;
  for (let h = 1; h <= 26; h++) v += (2_000 / Math.sqrt(h)) * Math.sin((2 * Math.PI * 150 * h * n) / RATE);
  return v;
}

/**
 * The babble bed raised by `swellDb` for `swellFrames` frames, then `bedFrames` of plain bed, then a
 * harmonic vowel from `vowelFrom` (the frames before the swell marked background).
 */
function swellBeforeVowel(vowelFrom: number, swellDb: number, swellFrames = 8, bedFrames = 0): SpectralOnset {
  babble ??= createNoiseBed({ kind: "babble", snrDb: 0, seed: 3 }, 1000, RATE);
  const bed = babble;
  const swellFrom = vowelFrom - bedFrames - swellFrames;
  const onset = new SpectralOnset({ ...DEFAULT_SPECTRAL_ONSET, sampleRate: RATE, frameSamples: FRAME });
  for (let f = 0; f < vowelFrom + 20; f++) {
    const gain = f >= swellFrom && f < vowelFrom - bedFrames ? 10 ** (swellDb / 20) : 1;
    const frame = Array.from({ length: FRAME }, (_, i) => {
      const n = f * FRAME + i;
      return gain * (bed[n] ?? 0) + (f >= vowelFrom ? harmonicVowel(n) : 0);
    });
    onset.push(frame, f < swellFrom);
  }
  return onset;
}

describe("SpectralOnset", () => {
  it("gives a swell of the bed that runs into a line back to the bed", () => {
    // The babble 2 dB louder for 80 ms before a vowel, at 20 places: the swell's frames stray above
    // the bed's mean by about its deviation, and the walk back crossed them: 10 of 20 onsets
    // stayed, 10 moved back 2–14 frames. The vowel jumps out of the swell (≥ 6 dB over all its
    // frames): 16 stay; two swells stray past two deviations and still take 8 frames, and the last
    // two places move 4 and 14 frames with no swell at all (the bed there).
    const moves = Array.from({ length: 20 }, (_, k) => {
      const start = 300 + 10 * k;
      return start - swellBeforeVowel(start, 2).onsetFrame(start);
    });
    expect(moves).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 8, 0, 4, 14]);
  });

  it("does not walk back across the bed to a swell before it", () => {
    // The babble 10 dB louder for 150 ms, then 60 ms of plain bed, then a vowel, at 20 places: the
    // swell's gain outweighed the plain bed's frames and the walk crossed them (19 of 20 onsets
    // moved back 10–20 frames). It stops at 30 ms of plain bed: one moves, at the last place.
    const moves = Array.from({ length: 20 }, (_, k) => {
      const start = 300 + 10 * k;
      return start - swellBeforeVowel(start, 10, 15, 6).onsetFrame(start);
    });
    expect(moves).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20]);
  });

  it("does not take a swell of a babble bed for the start of speech", () => {
    // A vowel starting at 40 places in the bed (3–6.9 s). With a fixed 1 dB drift, 22 of the 40
    // onsets moved back onto a swell of the babble, by up to 14 frames (140 ms): its frames stray
    // several dB from the bed's mean spectrum. The drift now rises with how far the bed's own frames
    // stray (their mean + one standard deviation): 39 stayed, one moved back 4 frames, onto a
    // swell the vowel jumps out of (below): all 40 stay.
    const moves = Array.from({ length: 40 }, (_, k) => {
      const start = 300 + 10 * k;
      return start - analysed(babbleFrames(start + 20, start), start, start + 20).onsetFrame(start);
    });
    expect(moves.filter((m) => m === 0)).toHaveLength(40);
  });

  it("moves an onset back to where a consonant under the bed's level starts", () => {
    // The consonant starts at frame 100, the vowel (where level finds the speech) at frame 106.
    const onset = analysed(frames(200, 100, 106, 150), 100, 150);
    expect(onset.onsetFrame(106)).toBe(100);
  });

  it("dates an onset that starts mid-frame on the half-frame grid", () => {
    // The consonant from 1005 ms (frame 100.5): on whole frames the onset is frame 101 (1010 ms),
    // 5 ms late; the window straddling frames 100 and 101 starts at the consonant.
    const all = frames(200, 106, 106, 150);
    const consonant = Math.round(100.5 * FRAME);
    for (let n = consonant; n < 106 * FRAME; n++) {
      const f = Math.floor(n / FRAME);
      const row = all[f] as number[];
      row[n - f * FRAME] = (row[n - f * FRAME] ?? 0) + 700 * Math.sin((2 * Math.PI * 5_000 * n) / RATE);
    }
    const onset = analysed(all, 100, 150);
    expect(onset.onsetFrame(106)).toBe(101);
    expect(onset.onsetMs(106)).toBe(1_005);
  });

  it("leaves an onset where it is when the frames before it are plain bed", () => {
    const onset = analysed(frames(200, 106, 106, 150), 106, 150);
    expect(onset.onsetFrame(106)).toBe(106);
    // Anywhere in the plain bed a start stays within 20 ms (measured: 50 of 60 stay, 8 move one
    // frame, 2 move two).
    const moves = Array.from({ length: 60 }, (_, i) => 40 + i - onset.onsetFrame(40 + i));
    expect(Math.max(...moves)).toBeLessThanOrEqual(2);
    expect(moves.filter((m) => m === 0)).toHaveLength(50);
  });

  it("moves an onset back at most its look-back", () => {
    // Faint sound for 400 ms before the vowel: the onset goes back 200 ms and no further.
    const onset = analysed(frames(200, 60, 100, 150), 60, 150);
    expect(onset.onsetFrame(100)).toBe(80);
  });

  it("moves an end held open by the bed back to where the speech stopped", () => {
    // The speech stops at frame 150; the VAD, held open by the bed, ended it at frame 200.
    const onset = analysed(frames(260, 100, 100, 150), 100, 150);
    expect(onset.offsetFrame(200)).toBe(150);
  });

  it("keeps an end when the frames before it are speech", () => {
    const onset = analysed(frames(260, 100, 100, 150), 100, 150);
    expect(onset.offsetFrame(150)).toBe(150);
  });

  it("judges nothing before it has heard 20 frames of bed", () => {
    // 10 frames of bed, then the consonant and the vowel: too little bed to judge them against.
    const onset = analysed(frames(30, 10, 16, 30), 10, 30);
    expect(onset.trusted()).toBe(false);
    expect(onset.onsetFrame(16)).toBe(16);
  });

  it("never moves an end across frames it skipped", () => {
    const all = frames(260, 100, 100, 150);
    const onset = new SpectralOnset({ ...DEFAULT_SPECTRAL_ONSET, sampleRate: RATE, frameSamples: FRAME });
    all.forEach((frame, f) => {
      if (f === 190) onset.skip();
      else onset.push(frame, f < 100 || f >= 150);
    });
    // Bed from 150 to 200, but frame 190 was not analysed: the walk back from 200 stops there.
    expect(onset.offsetFrame(200)).toBe(200);
  });

  it("never moves an onset across frames it skipped", () => {
    const all = frames(200, 100, 106, 150);
    const onset = new SpectralOnset({ ...DEFAULT_SPECTRAL_ONSET, sampleRate: RATE, frameSamples: FRAME });
    all.forEach((frame, f) => {
      if (f >= 103 && f < 104) onset.skip();
      else onset.push(frame, f < 100 || f >= 150);
    });
    expect(onset.onsetFrame(106)).toBe(104);
  });
});
