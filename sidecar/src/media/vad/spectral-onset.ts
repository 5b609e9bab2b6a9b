import { fft } from "../audio/spectrum.ts";

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
  /** Divergence (dB) of the frames kept, newest last; index = frame number − `dropped`. */
  private readonly divergence: number[] = [];
  private dropped = 0;
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
  }

  /** Counts the next frame without analysing it (a digitally silent stream has no bed to judge against). */
  skip(): void {
    this.remember(Number.NEGATIVE_INFINITY);
  }

  /** Analyses the next frame (int16-scaled samples); `background` adds it to the bed's spectrum. */
  push(frame: readonly number[], background: boolean): void {
    this.re.fill(0);
    this.im.fill(0);
    for (let i = 0; i < this.o.frameSamples; i++) this.re[i] = (frame[i] ?? 0) * (this.window[i] ?? 0);
    fft(this.re, this.im);
    for (let k = this.firstBin; k <= this.lastBin; k++)
      this.power[k] = (this.re[k] ?? 0) ** 2 + (this.im[k] ?? 0) ** 2;
    let ratio = 0;
    for (let k = this.firstBin; k <= this.lastBin; k++)
      ratio += (this.power[k] ?? 0) / Math.max(this.noise[k] ?? 0, 1e-3);
    ratio /= this.lastBin - this.firstBin + 1;
    const divergenceDb = 10 * Math.log10(ratio + 1e-12);
    this.remember(this.trusted() ? divergenceDb : Number.NEGATIVE_INFINITY);
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

  private remember(divergenceDb: number): void {
    this.divergence.push(divergenceDb);
    if (this.divergence.length > this.keep) {
      this.divergence.shift();
      this.dropped++;
    }
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
    const drift = Math.max(this.o.driftDb, this.bedSwing.mean() + this.bedSwing.deviation());
    return this.changePoint(start, this.o.lookbackMs, (d) => d - drift).frame;
  }

  /**
   * The end frame (exclusive) for speech the VAD ends at frame `end`: the change point back to
   * the bed within `offsetLookbackMs` before it — where the sum of (`offsetDriftDb` −
   * divergence) over the frames from it to `end` is largest — or `end` when that sum stays under
   * `offsetMinGainDb`.
   */
  offsetFrame(end: number): number {
    const found = this.changePoint(end, this.o.offsetLookbackMs, (d) => this.o.offsetDriftDb - d);
    return found.gain < this.o.offsetMinGainDb ? end : found.frame;
  }

  /**
   * Walks back from frame `from` (exclusive) at most `lookbackMs`, summing `score` of each frame's
   * divergence; answers the frame where the sum is largest, and that sum. A frame not analysed
   * (skipped, or judged before the bed was known) ends the walk: nothing is known across it.
   */
  private changePoint(
    from: number,
    lookbackMs: number,
    score: (divergenceDb: number) => number,
  ): { frame: number; gain: number } {
    const limit = Math.max(this.dropped, from - Math.round(lookbackMs / this.frameMs));
    let sum = 0;
    let best = { frame: from, gain: 0 };
    for (let f = from - 1; f >= limit; f--) {
      const divergence = this.divergence[f - this.dropped] ?? Number.NEGATIVE_INFINITY;
      if (!Number.isFinite(divergence)) break;
      sum += score(divergence);
      if (sum > best.gain) best = { frame: f, gain: sum };
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
