/**
 * Design of the polyphase low-pass filter behind `SincResampler`: a Kaiser-windowed sinc, tabulated at
 * every fractional position an output sample can fall on between two input samples.
 */

/** Stopband attenuation the filter is designed for; images and aliases land at least this far down. */
export const STOPBAND_DB = 80;
/** Passband edge as a fraction of the lower rate's Nyquist; the band is flat up to here. */
export const PASSBAND_EDGE = 0.9;
/** Stopband edge: the lower rate's Nyquist itself, so nothing above it survives (images of 0.9·Nyquist land at 1.1·Nyquist). */
export const STOPBAND_EDGE = 1;

export interface PolyphaseFilter {
  /** Output positions fall on `phases` evenly spaced fractions of an input sample (the reduced up factor). */
  phases: number;
  /** Taps per phase; an output at input position i + j/phases reads inputs i − taps/2 + 1 … i + taps/2. */
  taps: number;
  /** phases × taps coefficients, phase-major; each phase sums to exactly 1 so DC passes unchanged. */
  coefficients: Float64Array;
}

/** Zeroth-order modified Bessel function of the first kind, by its power series (converges fast for x < 30). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x / 2) ** 2;
  for (let k = 1; k < 200 && term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

/** Kaiser's β for a given stopband attenuation (Kaiser 1974, for attenuation above 50 dB). */
export function kaiserBeta(stopbandDb: number): number {
  return 0.1102 * (stopbandDb - 8.7);
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/**
 * The filter for `inRate → outRate`. The cutoff sits midway between the passband and stopband edges of
 * the lower rate's Nyquist; Kaiser's length formula sizes the taps for `STOPBAND_DB` over that
 * transition (16 kHz → 48 kHz: 102 taps per phase, 3 phases). The filter is symmetric around each
 * output's exact input position, so it adds no delay: output n plays at input time n·in/out.
 */
export function designPolyphaseFilter(inRate: number, outRate: number): PolyphaseFilter {
  const divisor = gcd(inRate, outRate);
  const phases = outRate / divisor;
  const lowRate = Math.min(inRate, outRate);
  // Frequencies in cycles per input sample.
  const nyquist = lowRate / 2 / inRate;
  const transition = (STOPBAND_EDGE - PASSBAND_EDGE) * nyquist;
  const cutoff = ((STOPBAND_EDGE + PASSBAND_EDGE) / 2) * nyquist;
  const length = (STOPBAND_DB - 7.95) / (2.285 * 2 * Math.PI * transition);
  const half = Math.ceil(length / 2);
  const taps = 2 * half;
  const beta = kaiserBeta(STOPBAND_DB);
  const i0Beta = besselI0(beta);
  const coefficients = new Float64Array(phases * taps);
  for (let j = 0; j < phases; j++) {
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      // Distance in input samples from this tap to the output's position i + j/phases.
      const tau = t - half + 1 - j / phases;
      const u = tau / half;
      const window = Math.abs(u) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - u * u)) / i0Beta;
      const h = 2 * cutoff * sinc(2 * cutoff * tau) * window;
      coefficients[j * taps + t] = h;
      sum += h;
    }
    for (let t = 0; t < taps; t++) coefficients[j * taps + t] = (coefficients[j * taps + t] ?? 0) / sum;
  }
  return { phases, taps, coefficients };
}

export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
