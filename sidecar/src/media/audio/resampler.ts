import { clampToInt16 } from "./pcm.ts";

/**
 * Streaming linear-interpolation resampler (mono s16), for audio only a machine analyses (VAD, the
 * offline STT's fallback rates, the recorder's file). Anything a listener hears — caller speech going
 * up to the microphone rate, the agent under test's input — goes through `SincResampler` / `resample`:
 * linear interpolation leaves images of the audio above the input's Nyquist (a sweep from 16 kHz
 * carries them at −37 dB, see resampler-aliasing.test.ts).
 *
 * Output sample n sits at input time n·(in/out), so sample counts — and therefore timestamps — stay
 * exact across chunk boundaries. When downsampling, a moving average over one output period runs first
 * as a cheap anti-alias filter (48 kHz → 16 kHz: 3 taps, group delay 1 input sample = 0.02 ms, far
 * below any VAD frame).
 */
export class StreamingResampler {
  private readonly taps: number;
  private readonly history: number[] = [];
  private prev = 0;
  /** Next output's input position × outRate, kept in integers so long streams never drift. */
  private posNum = 0;

  constructor(
    readonly inRate: number,
    readonly outRate: number,
  ) {
    if (!(Number.isInteger(inRate) && inRate > 0 && Number.isInteger(outRate) && outRate > 0)) {
      throw new Error(`resampler rates must be positive integers, got in=${inRate} out=${outRate}`);
    }
    this.taps = inRate > outRate ? Math.round(inRate / outRate) : 1;
  }

  push(input: Int16Array): Int16Array {
    if (this.inRate === this.outRate) return input.slice();
    const x = this.lowpass(input);
    const n = x.length;
    const out: number[] = [];
    const limit = (n - 1) * this.outRate;
    while (this.posNum <= limit) {
      const i = Math.floor(this.posNum / this.outRate);
      const frac = (this.posNum - i * this.outRate) / this.outRate;
      const a = i < 0 ? this.prev : (x[i] ?? 0);
      const value = frac === 0 ? a : a + (x[i + 1] ?? a) * frac - a * frac;
      out.push(clampToInt16(value));
      this.posNum += this.inRate;
    }
    this.posNum -= n * this.outRate;
    if (n > 0) this.prev = x[n - 1] ?? 0;
    return Int16Array.from(out);
  }

  private lowpass(input: Int16Array): Float64Array {
    const out = new Float64Array(input.length);
    if (this.taps === 1) {
      out.set(input);
      return out;
    }
    const h = this.history;
    for (let i = 0; i < input.length; i++) {
      h.push(input[i] ?? 0);
      if (h.length > this.taps) h.shift();
      let sum = 0;
      for (const v of h) sum += v;
      out[i] = sum / h.length;
    }
    return out;
  }
}

/** One-shot linear resample of a whole buffer; `resample` (band-limited) is the one for audio someone hears. */
export function resampleLinear(samples: Int16Array, inRate: number, outRate: number): Int16Array {
  return new StreamingResampler(inRate, outRate).push(samples);
}
