import { SpectralFlatness } from "./spectral-flatness.ts";

/**
 * A window quieter than this (dBFS) is digital silence, which reads as flat: it says nothing of
 * the background.
 */
const SOUND_DBFS = -55;
/** Weight of each new background window in the running mean (~0.6 s of 32 ms windows). */
const ADAPTATION = 0.05;
/**
 * Over this mean ln flatness the background is a flat noise. Measured on the background windows
 * of recorded 20 and 30 dB calls: white −0.6, pink −1.2 to −1.3, babble −5.4 to −6.5 (its talkers
 * put their power in harmonics); the energy VAD's bed test uses the same line.
 */
const FLAT_LN = -2;

/**
 * What kind of background a stream has (pure): the running mean ln spectral flatness of the
 * windows a VAD called background, digital silence left out. A flat one (hiss, fans, comfort
 * noise) has no swells that look like speech; babble does.
 */
export class BedFlatness {
  private readonly flatness: SpectralFlatness;
  private readonly scaled: Float64Array;
  private mean: number | undefined;

  constructor(sampleRate: number, windowSamples: number) {
    this.flatness = new SpectralFlatness(sampleRate, windowSamples);
    this.scaled = new Float64Array(windowSamples);
  }

  /** Adds one background window (floats in −1..1, `windowSamples` long). */
  add(window: Float32Array): void {
    let sum = 0;
    for (let i = 0; i < this.scaled.length; i++) {
      const v = (window[i] ?? 0) * 32768;
      this.scaled[i] = v;
      sum += v * v;
    }
    if (10 * Math.log10(sum / this.scaled.length / 32768 ** 2 + 1e-12) < SOUND_DBFS) return;
    const ln = this.flatness.lnFlatness(this.scaled);
    this.mean = this.mean === undefined ? ln : (1 - ADAPTATION) * this.mean + ADAPTATION * ln;
  }

  /** Mean ln flatness so far; undefined before any background window that was sound. */
  lnFlatness(): number | undefined {
    return this.mean;
  }

  /** The background heard so far is a flat noise (white, pink), not talkers. */
  flat(): boolean {
    return this.mean !== undefined && this.mean > FLAT_LN;
  }
}
