import { fft } from "@spar/sidecar";

/**
 * Where a line is audible over the bed the bot sent under it (pure). Under a noise bed the first
 * sample of a line is often a consonant the bed masks ("Here is…" opens on an /h/ 11 dB under a
 * 20 dB pink bed's level): it was sent, but nobody on the far side could hear it, and no VAD can
 * date it. This dates the edges a listener could: a 10 ms Hann window slides over the line in
 * 1 ms steps, and the line is audible in a window when, in at least one critical band, its power
 * reaches the bed's power in that band over the same samples (band SNR ≥ 0 dB; masking in one
 * critical band is what a listener's ear resolves). The bot knows both signals apart, so this is
 * exact for what was sent; the alignment oracle then finds the answer in the received stream.
 *
 * Edges are window centres, clamped to the line: with no bed (digital silence) every sample of
 * the line is audible, so the audible span is the sent span.
 */

/** Critical-band edges (Hz, Zwicker's Bark scale) from 100 Hz to 9.5 kHz: the TTS's band and past it. */
export const CRITICAL_BAND_EDGES_HZ: readonly number[] = [
  100, 200, 300, 400, 510, 630, 770, 920, 1080, 1270, 1480, 1720, 2000, 2320, 2700, 3150, 3700, 4400, 5300,
  6400, 7700, 9500,
];

const WINDOW_MS = 10;
const STEP_MS = 1;

export interface AudibleSpan {
  /** First and last audible sample (inclusive), indices in the same stream as the line's. */
  firstSample: number;
  lastSample: number;
}

/**
 * The audible span of the line sent at samples `first`…`last` (inclusive) of `speech`, under
 * `bed` (same indices; the bed alone at those samples). Null when no window of the line is audible.
 */
export function audibleSpan(
  speech: ArrayLike<number>,
  bed: ArrayLike<number>,
  first: number,
  last: number,
  sampleRate: number,
): AudibleSpan | null {
  if (!(Number.isInteger(first) && Number.isInteger(last) && first >= 0 && last >= first))
    throw new Error(`audibleSpan: first ${first} and last ${last} must be sample indices, first <= last`);
  const judge = new BandJudge(sampleRate);
  const step = Math.max(1, Math.round((sampleRate * STEP_MS) / 1000));
  let firstSample: number | null = null;
  for (let centre = first; centre <= last; centre += step)
    if (judge.audible(speech, bed, centre)) {
      firstSample = centre;
      break;
    }
  if (firstSample === null) return null;
  let lastSample = firstSample;
  for (let centre = last; centre > firstSample; centre -= step)
    if (judge.audible(speech, bed, centre)) {
      lastSample = centre;
      break;
    }
  return { firstSample, lastSample };
}

/** Judges one window: is the line's power over the bed's in any critical band? */
class BandJudge {
  private readonly length: number;
  private readonly size: number;
  private readonly window: Float64Array;
  /** First FFT bin of each band, then one past the last band's last bin. */
  private readonly bandBins: number[];
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly speechBands: Float64Array;
  private readonly bedBands: Float64Array;

  constructor(sampleRate: number) {
    this.length = Math.round((sampleRate * WINDOW_MS) / 1000);
    this.size = 2 ** Math.ceil(Math.log2(this.length));
    this.window = new Float64Array(this.length);
    for (let i = 0; i < this.length; i++)
      this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / this.length);
    const hzPerBin = sampleRate / this.size;
    const nyquistBin = this.size / 2;
    this.bandBins = CRITICAL_BAND_EDGES_HZ.map((hz) => Math.min(nyquistBin, Math.round(hz / hzPerBin)));
    this.re = new Float64Array(this.size);
    this.im = new Float64Array(this.size);
    this.speechBands = new Float64Array(CRITICAL_BAND_EDGES_HZ.length - 1);
    this.bedBands = new Float64Array(CRITICAL_BAND_EDGES_HZ.length - 1);
  }

  audible(speech: ArrayLike<number>, bed: ArrayLike<number>, centre: number): boolean {
    const start = centre - (this.length >> 1);
    this.bands(speech, start, this.speechBands);
    this.bands(bed, start, this.bedBands);
    for (let b = 0; b < this.speechBands.length; b++) {
      const line = this.speechBands[b] ?? 0;
      if (line > 0 && line >= (this.bedBands[b] ?? 0)) return true;
    }
    return false;
  }

  /** Power per critical band of the windowed samples from `start` (outside the stream: zeros). */
  private bands(samples: ArrayLike<number>, start: number, into: Float64Array): void {
    this.re.fill(0);
    this.im.fill(0);
    for (let i = 0; i < this.length; i++) {
      const at = start + i;
      const v = at >= 0 && at < samples.length ? (samples[at] ?? 0) : 0;
      this.re[i] = v * (this.window[i] ?? 0);
    }
    fft(this.re, this.im);
    for (let b = 0; b < into.length; b++) {
      let sum = 0;
      for (let k = this.bandBins[b] ?? 0; k < (this.bandBins[b + 1] ?? 0); k++)
        sum += (this.re[k] ?? 0) ** 2 + (this.im[k] ?? 0) ** 2;
      into[b] = sum;
    }
  }
}
