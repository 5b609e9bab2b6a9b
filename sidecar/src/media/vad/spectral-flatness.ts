import { fft } from "../audio/spectrum.ts";

const DEFAULT_FLOOR_POWER = 1e-6;

/**
 * How noise-like one frame is (pure): the natural log of its spectral flatness — the geometric
 * over the arithmetic mean of its power in a band (Hann window, zero-padded to a power of two).
 * A noise frame's periodogram scatters around a smooth spectrum, so its log flatness sits near
 * −0.6 (white) to −1.4 (pink through a codec); a tone or a voiced sound puts its power in a few
 * bins and sits at −3 (speech, averaged over 200 ms) to −19 (a pure tone). Bins never hold less
 * than `floorPower`, so a frame of digital zeros reads as flat, not as −∞.
 */
export class SpectralFlatness {
  private readonly size: number;
  private readonly window: Float64Array;
  private readonly firstBin: number;
  private readonly lastBin: number;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(
    readonly sampleRate: number,
    private readonly frameSamples: number,
    lowHz = 150,
    highHz = 7_000,
    private readonly floorPower = DEFAULT_FLOOR_POWER,
  ) {
    this.size = 2 ** Math.ceil(Math.log2(frameSamples));
    this.window = new Float64Array(frameSamples);
    for (let i = 0; i < frameSamples; i++)
      this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / frameSamples);
    const hzPerBin = sampleRate / this.size;
    this.firstBin = Math.max(1, Math.round(lowHz / hzPerBin));
    this.lastBin = Math.min(this.size / 2 - 1, Math.round(highHz / hzPerBin));
    if (this.lastBin <= this.firstBin)
      throw new Error(`spectral flatness: no bins between ${lowHz} and ${highHz} Hz at ${sampleRate} Hz`);
    this.re = new Float64Array(this.size);
    this.im = new Float64Array(this.size);
  }

  /** ln(flatness) of one frame (int16-scaled samples), in (−∞, 0]. */
  lnFlatness(frame: ArrayLike<number>): number {
    this.re.fill(0);
    this.im.fill(0);
    for (let i = 0; i < this.frameSamples; i++) this.re[i] = (frame[i] ?? 0) * (this.window[i] ?? 0);
    fft(this.re, this.im);
    for (let k = this.firstBin; k <= this.lastBin; k++)
      this.re[k] = (this.re[k] ?? 0) ** 2 + (this.im[k] ?? 0) ** 2;
    return lnFlatnessOfPower(this.re, this.firstBin, this.lastBin, this.floorPower);
  }
}

/** ln(flatness) of the power spectrum `power` over bins `first`..`last`, each at least `floorPower`. */
export function lnFlatnessOfPower(
  power: ArrayLike<number>,
  first: number,
  last: number,
  floorPower = DEFAULT_FLOOR_POWER,
): number {
  let logSum = 0;
  let sum = 0;
  for (let k = first; k <= last; k++) {
    const p = (power[k] ?? 0) + floorPower;
    logSum += Math.log(p);
    sum += p;
  }
  const bins = last - first + 1;
  return Math.min(0, logSum / bins - Math.log(sum / bins));
}
