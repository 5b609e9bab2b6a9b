import { designPolyphaseFilter, gcd, type PolyphaseFilter } from "./kaiser-sinc-filter.ts";
import { clampToInt16, concatPcm } from "./pcm.ts";

/** Designs are cached per rate pair: a 22.05 kHz → 48 kHz table has 320 phases and takes ~10 ms to build. */
const designs = new Map<string, PolyphaseFilter>();

function filterFor(inRate: number, outRate: number): PolyphaseFilter {
  const key = `${inRate}:${outRate}`;
  let design = designs.get(key);
  if (!design) {
    design = designPolyphaseFilter(inRate, outRate);
    designs.set(key, design);
  }
  return design;
}

/**
 * Streaming band-limited resampler (mono s16): a polyphase Kaiser-windowed sinc with the passband flat
 * to 0.9 of the lower rate's Nyquist and at least 80 dB of rejection from that Nyquist up, so
 * upsampled TTS carries no images for the agent under test to hear (see docs/audio-resampling.md).
 *
 * Output sample n sits at input time exactly n·in/out and the filter is symmetric around it, so there
 * is no group delay to compensate: a sample's index gives its play time as with the input. The price
 * is look-ahead — an output is emitted once `taps/2` inputs past its position have arrived — so a
 * stream ends with `flush()`, which treats the input as silent after its last sample. Chunking does not
 * change the output: every sample is the same sum in the same order, whatever the chunk boundaries.
 */
export class SincResampler {
  private readonly filter: PolyphaseFilter;
  private readonly up: number;
  private readonly down: number;
  private readonly half: number;
  /** Pending input; buffer[0] is input sample `bufferStart` (negative indexes are the silence before the start). */
  private buffer: Float64Array;
  private bufferStart: number;
  private buffered = 0;
  private received = 0;
  private nextOutput = 0;
  private flushed = false;

  constructor(
    readonly inRate: number,
    readonly outRate: number,
  ) {
    if (!(Number.isInteger(inRate) && inRate > 0 && Number.isInteger(outRate) && outRate > 0)) {
      throw new Error(`resampler rates must be positive integers, got in=${inRate} out=${outRate}`);
    }
    this.filter = filterFor(inRate, outRate);
    const divisor = gcd(inRate, outRate);
    this.up = outRate / divisor;
    this.down = inRate / divisor;
    this.half = this.filter.taps / 2;
    this.buffer = new Float64Array(this.filter.taps * 4);
    this.bufferStart = -this.filter.taps;
    this.buffered = this.filter.taps;
  }

  /** Input samples held back for look-ahead: the stream's output lags its input by this much until `flush()`. */
  get lookaheadSamples(): number {
    return this.half;
  }

  push(input: Int16Array): Int16Array {
    if (this.flushed) throw new Error("resampler: push after flush; make a new SincResampler per stream");
    if (this.inRate === this.outRate) return input.slice();
    this.append(input);
    this.received += input.length;
    return this.drain();
  }

  /** Emits the outputs still waiting for look-ahead, up to the stream's end; the stream is over after this. */
  flush(): Int16Array {
    if (this.flushed) return new Int16Array(0);
    this.flushed = true;
    if (this.inRate === this.outRate) return new Int16Array(0);
    this.append(new Int16Array(this.filter.taps));
    return this.drain();
  }

  private append(input: Int16Array): void {
    const needed = this.buffered + input.length;
    if (needed > this.buffer.length) {
      const grown = new Float64Array(Math.max(needed, this.buffer.length * 2));
      grown.set(this.buffer.subarray(0, this.buffered));
      this.buffer = grown;
    }
    this.buffer.set(input, this.buffered);
    this.buffered = needed;
  }

  private drain(): Int16Array {
    const { up, down, half, buffer } = this;
    const { taps, coefficients } = this.filter;
    // Without flush an output needs inputs up to i + half; after flush, outputs run to the input's end.
    const available = this.bufferStart + this.buffered;
    const endNumerator = this.received * up;
    // At most every output position before the buffered input's end, plus one.
    const out = new Int16Array(Math.max(0, Math.ceil((available * up) / down) - this.nextOutput + 1));
    let count = 0;
    let n = this.nextOutput;
    for (;;) {
      const numerator = n * down;
      if (this.flushed && numerator >= endNumerator) break;
      const i = Math.floor(numerator / up);
      if (i + half >= available) break;
      const phase = numerator - i * up;
      const base = i - half + 1 - this.bufferStart;
      const offset = phase * taps;
      let acc = 0;
      for (let t = 0; t < taps; t++) acc += (buffer[base + t] ?? 0) * (coefficients[offset + t] ?? 0);
      out[count++] = clampToInt16(acc);
      n++;
    }
    this.nextOutput = n;
    this.discardConsumed();
    return out.slice(0, count);
  }

  private discardConsumed(): void {
    const firstNeeded = Math.floor((this.nextOutput * this.down) / this.up) - this.half + 1;
    const drop = Math.min(this.buffered, Math.max(0, firstNeeded - this.bufferStart));
    if (drop === 0) return;
    this.buffer.copyWithin(0, drop, this.buffered);
    this.buffered -= drop;
    this.bufferStart += drop;
  }
}

/** One-shot band-limited resample of a whole clip (TTS output): exactly ceil(length·out/in) samples, no delay. */
export function resample(samples: Int16Array, inRate: number, outRate: number): Int16Array {
  const resampler = new SincResampler(inRate, outRate);
  return concatPcm([resampler.push(samples), resampler.flush()]);
}
