import { StreamingResampler } from "../audio/resampler.ts";

const TARGET_RATE = 16_000;

/**
 * Streaming conversion of s16 audio at any rate to 16 kHz floats in −1..1, for models. Rates that are
 * a whole multiple of 16 kHz (48 kHz from LiveKit, 32 kHz) are decimated by averaging each group of
 * `factor` input samples — the same box anti-alias filter as `StreamingResampler`, at a fraction of
 * its cost (it runs on every sample of every stream). The average is centred (factor − 1) / 2 input
 * samples after the output's nominal time: 0.02 ms at 48 kHz, far below any edge we report.
 * Other rates go through `StreamingResampler`.
 */
export class To16kFloat {
  private readonly factor: number;
  private readonly resampler: StreamingResampler | undefined;
  private sum = 0;
  private count = 0;

  constructor(readonly inRate: number) {
    if (!(Number.isInteger(inRate) && inRate > 0))
      throw new Error(`sample rate must be a positive integer, got ${inRate}`);
    this.factor = inRate % TARGET_RATE === 0 ? inRate / TARGET_RATE : 0;
    this.resampler = this.factor === 0 ? new StreamingResampler(inRate, TARGET_RATE) : undefined;
  }

  push(input: Int16Array): Float32Array {
    if (this.resampler) return Float32Array.from(this.resampler.push(input), (s) => s / 32768);
    const f = this.factor;
    const out = new Float32Array(Math.floor((this.count + input.length) / f));
    const scale = 1 / (32768 * f);
    let o = 0;
    let { sum, count } = this;
    for (let i = 0; i < input.length; i++) {
      sum += input[i] ?? 0;
      if (++count === f) {
        out[o++] = sum * scale;
        sum = 0;
        count = 0;
      }
    }
    this.sum = sum;
    this.count = count;
    return out;
  }
}
