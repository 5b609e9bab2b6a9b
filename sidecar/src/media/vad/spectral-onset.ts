import { fft } from "../audio/spectrum.ts";
import { lnFlatnessOfPower } from "./spectral-flatness.ts";

/**
 * Dates a speech onset inside a noise bed by how far each frame's spectrum departs from the
 * noise's (pure). The energy VAD decides *that* speech started, on level; level is dominated by
 * the bed's loudest bins (pink noise and babble sit in the lows), so a word's first consonant — a
 * "th", "h" or "s" 20–30 dB under its vowel — stays under the bed's level for tens of ms. Here each
 * bin is judged against the bed's own power in that bin, and the frame's *divergence* is the mean
 * of those ratios over the speech band: the noise is whitened, so a consonant that lifts a few
 * high bins stands out where the bed is weak, and averaging ~70 bins makes a noise frame's
 * divergence steady (about ±0.5 dB) where one band's level swings by several dB.
 *
 * The bed's spectrum is a running mean of the frames the caller marks as background. An onset is
 * a change point: moved back from the frame the VAD chose to where the sum of (divergence −
 * `driftDb`) over the frames up to it is largest (CUSUM), at most `lookbackMs`. A noise frame
 * pulls that sum down by about `driftDb`, a frame of faint speech lifts it, so one quiet frame
 * inside a consonant does not stop the search and a noise blip does not start it early.
 * The onset is then placed on a grid of half frames: the same change point over windows every
 * half frame (each frame, and one straddling it and the frame before), kept within half a frame
 * of the frames' answer. The frame grid alone put every onset up to a frame late or early by
 * where the speech fell in its first frame; on half frames, on recorded 20 dB calls replayed at
 * four frame phases, the onset error p95 went from 23.6 to 20.0 ms (pink, 360 onsets) and 19.7
 * to 14.9 ms (white, 72); babble 9.0 → 9.2 ms (384). Unclamped the half-frame change point walks
 * back onto babble's swells more often (12.8 ms).
 * A swell of babble that runs into a line strays above the bed's mean by about its deviation for
 * tens of ms, and the walk crosses it; but a line entering over a swell jumps out of it. So the
 * steps the walk added that stay within the bed's own swing are given back to the bed when the
 * first step past them rises well above all of them (`swellDeviations`, `swellJumpDb`).
 */
export interface SpectralOnsetOptions {
  sampleRate: number;
  frameSamples: number;
  /** The bins averaged: where speech has energy and the codec keeps it. */
  lowHz: number;
  highHz: number;
  /** The divergence (dB) a frame must exceed to count toward an earlier onset. */
  driftDb: number;
  /** The farthest an onset is moved back. */
  lookbackMs: number;
  /**
   * An onset's leading steps under the bed's mean divergence + this many of its deviations are
   * a swell of the bed...
   */
  swellDeviations: number;
  /**
   * ...when the first step past them is this much (dB) over the loudest of them. Babble at 20 dB
   * (the reference bot's lines over seeds 1–40), with seams no longer learned as the bed
   * (`pushSeam`): onsets off by more than 20 ms 25 → 10 of 240, p95 39.9 → 8.5 ms; at 8 dB 17.4
   * ms; at 2 dB white's soft onsets were cut (p95 21.2 → 26.9 ms). At 6 dB white 21.2 → 20.6 ms,
   * pink 17.6 (one soft onset in `bench/voice-vad`'s white 15 dB 38 → 48 ms late).
   */
  swellJumpDb: number;
  /**
   * The walk back from an onset stops at this long a run of steps under the drift: the bed came
   * back between the line and a swell before it. Without it, a swell of babble 120–190 ms before a
   * line outweighed such a run (one onset in bench/voice-vad's babble seed 2, 192 ms early; babble at
   * 20 dB offline, 10 → 8 of 240 onsets off by more than 20 ms). At 20 ms pink's "Here is" was cut
   * (p95 17.6 → 18.3 ms); white and pink unchanged at 30 and 50.
   */
  bedRunMs: number;
  /** The farthest an end is moved back (a swing of the bed may hold speech open this long). */
  offsetLookbackMs: number;
  /**
   * The divergence (dB) under which a frame before the end counts as the bed's: lower than
   * `driftDb`, because a word's fading tail diverges little and is still speech.
   */
  offsetDriftDb: number;
  /**
   * An end moves only when the frames it skips sum at least this much (dB × frames) under
   * `offsetDriftDb`: a long stretch of plain bed, not a faint tail.
   */
  offsetMinGainDb: number;
  /** Weight of a new background frame in the bed's running mean. */
  noiseAdaptation: number;
}

export const DEFAULT_SPECTRAL_ONSET: Omit<SpectralOnsetOptions, "sampleRate" | "frameSamples"> = {
  lowHz: 150,
  highHz: 7_000,
  driftDb: 1,
  lookbackMs: 200,
  swellDeviations: 2,
  swellJumpDb: 6,
  bedRunMs: 30,
  offsetLookbackMs: 1_000,
  offsetDriftDb: 0.3,
  offsetMinGainDb: 8,
  noiseAdaptation: 0.05,
};

/**
 * Weight of a background frame in the running statistics of the bed's own divergence (~0.5 s at
 * 10 ms frames).
 */
const BED_SWING_ADAPTATION = 0.02;

/** Background frames needed before the bed's spectrum is trusted. */
const MIN_BACKGROUND_FRAMES = 20;

export class SpectralOnset {
  private readonly size: number;
  private readonly window: Float64Array;
  private readonly firstBin: number;
  private readonly lastBin: number;
  private readonly noise: Float64Array;
  private backgroundFrames = 0;
  /** How the bed's own frames diverge from its mean spectrum: a steady bed's barely, babble's by its syllables. */
  private readonly bedSwing = new RunningSpread(BED_SWING_ADAPTATION);
  /**
   * Divergence (dB) every half frame kept, newest last. Step k is the window starting k half frames
   * in: frame f is step 2f, the window straddling frames f − 1 and f step 2f − 1 (the one before
   * frame 0 is step −1). Index = k + 1 − `droppedSteps`.
   */
  private readonly divergence: number[] = [];
  private droppedSteps = 0;
  /** This frame's samples and the last one's (the first half of the next straddling window). */
  private current: Float64Array;
  private previous: Float64Array;
  /** `previous` holds a frame analysed just before (not skipped). */
  private hasPrevious = false;
  private readonly straddling: Float64Array;
  private readonly keep: number;
  private readonly frameMs: number;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly power: Float64Array;

  constructor(private readonly o: SpectralOnsetOptions) {
    this.size = 2 ** Math.ceil(Math.log2(o.frameSamples));
    this.window = new Float64Array(o.frameSamples);
    for (let i = 0; i < o.frameSamples; i++)
      this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / o.frameSamples);
    const hzPerBin = o.sampleRate / this.size;
    this.firstBin = Math.max(1, Math.round(o.lowHz / hzPerBin));
    this.lastBin = Math.min(this.size / 2 - 1, Math.round(o.highHz / hzPerBin));
    this.noise = new Float64Array(this.lastBin + 1);
    this.re = new Float64Array(this.size);
    this.im = new Float64Array(this.size);
    this.power = new Float64Array(this.lastBin + 1);
    this.frameMs = (o.frameSamples / o.sampleRate) * 1000;
    this.keep = Math.ceil(Math.max(o.lookbackMs, o.offsetLookbackMs) / this.frameMs) + 64;
    this.straddling = new Float64Array(o.frameSamples);
    this.current = new Float64Array(o.frameSamples);
    this.previous = new Float64Array(o.frameSamples);
  }

  /** Counts the next frame without analysing it (a digitally silent stream has no bed to judge against). */
  skip(): void {
    this.hasPrevious = false;
    this.remember(Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY);
  }

  /**
   * Counts the next frame as a seam (under the VAD's gate: a bed paused, a receiver gap): certainly
   * not speech, and nothing to learn the bed from. Both its steps read as a typical frame of the bed
   * (its mean divergence): as −120 dB, which a zero frame's spectrum gives, each outweighed more than ten
   * frames of a line, and an end walked back across a whole 600 ms line to a seam before it.
   */
  pushSeam(frame: readonly number[]): void {
    this.load(frame);
    const typical = this.trusted() ? this.bedSwing.mean() : Number.NEGATIVE_INFINITY;
    this.remember(typical, typical);
  }

  /** Analyses the next frame (int16-scaled samples); `background` adds it to the bed's spectrum. */
  push(frame: readonly number[], background: boolean): void {
    const n = this.o.frameSamples;
    const straddle = this.hasPrevious && this.trusted();
    const samples = this.load(frame);
    let straddlingDb = Number.NEGATIVE_INFINITY;
    if (straddle) {
      const half = n >> 1;
      this.straddling.set(this.current.subarray(n - half));
      this.straddling.set(samples.subarray(0, n - half), half);
      straddlingDb = this.divergenceDb(this.straddling);
    }
    // Last: it leaves this frame's power in `power`, for the bed's spectrum below.
    const divergenceDb = this.divergenceDb(samples);
    this.remember(straddlingDb, this.trusted() ? divergenceDb : Number.NEGATIVE_INFINITY);
    if (background && this.trusted()) this.bedSwing.add(divergenceDb);
    if (background) {
      const a =
        this.backgroundFrames < MIN_BACKGROUND_FRAMES
          ? 1 / (this.backgroundFrames + 1)
          : this.o.noiseAdaptation;
      for (let k = this.firstBin; k <= this.lastBin; k++)
        this.noise[k] = (1 - a) * (this.noise[k] ?? 0) + a * (this.power[k] ?? 0);
      this.backgroundFrames++;
    }
  }

  /** Makes the frame the newest, in `previous` (the one before it moves to `current`); answers it. */
  private load(frame: readonly number[]): Float64Array {
    const samples = this.current;
    for (let i = 0; i < this.o.frameSamples; i++) samples[i] = frame[i] ?? 0;
    this.current = this.previous;
    this.previous = samples;
    this.hasPrevious = true;
    return samples;
  }

  /** Mean over the band of each bin's power over the bed's (dB); leaves the bins' power in `power`. */
  private divergenceDb(samples: Float64Array): number {
    this.re.fill(0);
    this.im.fill(0);
    for (let i = 0; i < this.o.frameSamples; i++) this.re[i] = (samples[i] ?? 0) * (this.window[i] ?? 0);
    fft(this.re, this.im);
    for (let k = this.firstBin; k <= this.lastBin; k++)
      this.power[k] = (this.re[k] ?? 0) ** 2 + (this.im[k] ?? 0) ** 2;
    let ratio = 0;
    for (let k = this.firstBin; k <= this.lastBin; k++)
      ratio += (this.power[k] ?? 0) / Math.max(this.noise[k] ?? 0, 1e-3);
    ratio /= this.lastBin - this.firstBin + 1;
    return 10 * Math.log10(ratio + 1e-12);
  }

  /** Keeps a frame's two steps: the window straddling it and the one before, then the frame. */
  private remember(straddlingDb: number, divergenceDb: number): void {
    this.divergence.push(straddlingDb, divergenceDb);
    if (this.divergence.length > 2 * this.keep) {
      this.divergence.splice(0, 2);
      this.droppedSteps += 2;
    }
  }

  /** ln spectral flatness (spectral-flatness.ts) of the frame last pushed, over the bins judged. */
  lastLnFlatness(): number {
    return lnFlatnessOfPower(this.power, this.firstBin, this.lastBin);
  }

  /** Whether enough background was seen to judge frames against it. */
  trusted(): boolean {
    return this.backgroundFrames >= MIN_BACKGROUND_FRAMES;
  }

  /**
   * The onset frame for speech the VAD starts at frame `start` (frames numbered from the first
   * pushed): the change point within the look-back, or `start` when no earlier frame lifts the sum.
   */
  onsetFrame(start: number): number {
    return this.onsetStep(2 * start, 2) / 2;
  }

  /**
   * The onset in ms (from the first frame's start) for speech the VAD starts at frame `start`: the
   * change point on the half-frame grid, within half a frame of `onsetFrame`'s.
   */
  onsetMs(start: number): number {
    const frameMs = this.onsetFrame(start) * this.frameMs;
    const halfMs = (this.onsetStep(2 * start, 1) * this.frameMs) / 2;
    return Math.min(frameMs + this.frameMs / 2, Math.max(frameMs - this.frameMs / 2, halfMs));
  }

  /** The onset step for speech the VAD starts at step `from`: the change point, past a swell of the bed. */
  private onsetStep(from: number, stride: 1 | 2): number {
    const found = this.changePoint(from, this.o.lookbackMs, stride, this.onsetScore(), this.o.bedRunMs).step;
    const swell = this.bedSwing.mean() + this.o.swellDeviations * this.bedSwing.deviation();
    let step = found;
    let loudest = Number.NEGATIVE_INFINITY;
    for (; step < from; step += stride) {
      const divergence = this.divergenceAt(step);
      if (divergence >= swell) break;
      loudest = Math.max(loudest, divergence);
    }
    if (step === found) return found;
    return this.divergenceAt(step) - loudest >= this.o.swellJumpDb ? step : found;
  }

  /** Step `step`'s divergence (dB); +∞ for a step not yet analysed, −∞ for one skipped or dropped. */
  private divergenceAt(step: number): number {
    const index = step - (this.droppedSteps - 1);
    if (index < 0) return Number.NEGATIVE_INFINITY;
    return this.divergence[index] ?? Number.POSITIVE_INFINITY;
  }

  /** A frame's contribution to an onset's change point: its divergence over the bed's own swing. */
  private onsetScore(): (divergenceDb: number) => number {
    const drift = Math.max(this.o.driftDb, this.bedSwing.mean() + this.bedSwing.deviation());
    return (d) => d - drift;
  }

  /**
   * The end frame (exclusive) for speech the VAD ends at frame `end`: the change point back to
   * the bed within `offsetLookbackMs` before it — where the sum of (`offsetDriftDb` −
   * divergence) over the frames from it to `end` is largest — or `end` when that sum stays under
   * `offsetMinGainDb`.
   */
  offsetFrame(end: number): number {
    const found = this.changePoint(2 * end, this.o.offsetLookbackMs, 2, (d) => this.o.offsetDriftDb - d);
    return found.gain < this.o.offsetMinGainDb ? end : found.step / 2;
  }

  /**
   * Walks back from step `from` (exclusive) at most `lookbackMs` (whole frames of it), `stride`
   * steps at a time (2: frames only; 1: every half frame), summing `score` of each step's
   * divergence; answers the step where the sum is largest, and that sum. A step not analysed
   * (skipped, or judged before the bed was known) ends the walk: nothing is known across it; so
   * does a run of `bedRunMs` of steps that each lower the sum (the bed came back).
   */
  private changePoint(
    from: number,
    lookbackMs: number,
    stride: 1 | 2,
    score: (divergenceDb: number) => number,
    bedRunMs = Number.POSITIVE_INFINITY,
  ): { step: number; gain: number } {
    const limit = Math.max(this.droppedSteps - 1, from - 2 * Math.round(lookbackMs / this.frameMs));
    const stepMs = this.frameMs / 2;
    let sum = 0;
    let best = { step: from, gain: 0 };
    let bedSteps = 0;
    for (let f = from - stride; f >= limit; f -= stride) {
      const divergence = this.divergenceAt(f);
      if (!Number.isFinite(divergence)) break;
      const gain = score(divergence);
      bedSteps = gain < 0 ? bedSteps + stride : 0;
      if (bedSteps * stepMs >= bedRunMs) break;
      sum += gain;
      if (sum > best.gain) best = { step: f, gain: sum };
    }
    return best;
  }
}

/** Exponentially weighted mean and standard deviation of a stream of values. */
class RunningSpread {
  private m = 0;
  private square = 0;

  constructor(private readonly weight: number) {}

  add(value: number): void {
    this.m = (1 - this.weight) * this.m + this.weight * value;
    this.square = (1 - this.weight) * this.square + this.weight * value * value;
  }

  mean(): number {
    return this.m;
  }

  deviation(): number {
    return Math.sqrt(Math.max(0, this.square - this.m * this.m));
  }
}
