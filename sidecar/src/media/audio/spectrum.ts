/**
 * Power spectrum for audio measurements (resampler image rejection, passband gain): a radix-2 FFT of
 * a Blackman–Harris-windowed signal, whose −92 dB sidelobes keep leakage below what we measure.
 */

/** cos and sin of −2πk/n for k < n/2, per length: every stage of an n-point FFT reads its twiddles here. */
const twiddleTables = new Map<number, { cos: Float64Array; sin: Float64Array }>();

function twiddlesFor(n: number): { cos: Float64Array; sin: Float64Array } {
  let table = twiddleTables.get(n);
  if (!table) {
    table = { cos: new Float64Array(n / 2), sin: new Float64Array(n / 2) };
    for (let k = 0; k < n / 2; k++) {
      table.cos[k] = Math.cos((-2 * Math.PI * k) / n);
      table.sin[k] = Math.sin((-2 * Math.PI * k) / n);
    }
    twiddleTables.set(n, table);
  }
  return table;
}

/** In-place iterative radix-2 FFT; `re` and `im` have the same power-of-two length. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n === 0 || (n & (n - 1)) !== 0 || im.length !== n) {
    throw new Error(`fft: re and im need one power-of-two length, got ${re.length} and ${im.length}`);
  }
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const r = re[i] ?? 0;
      re[i] = re[j] ?? 0;
      re[j] = r;
      const m = im[i] ?? 0;
      im[i] = im[j] ?? 0;
      im[j] = m;
    }
  }
  if (n < 2) return;
  const { cos, sin } = twiddlesFor(n);
  for (let size = 2; size <= n; size <<= 1) {
    const half = size / 2;
    const stride = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * stride] ?? 1;
        const wi = sin[k * stride] ?? 0;
        const a = start + k;
        const b = a + half;
        const br = re[b] ?? 0;
        const bi = im[b] ?? 0;
        const tr = br * wr - bi * wi;
        const ti = br * wi + bi * wr;
        re[b] = (re[a] ?? 0) - tr;
        im[b] = (im[a] ?? 0) - ti;
        re[a] = (re[a] ?? 0) + tr;
        im[a] = (im[a] ?? 0) + ti;
      }
    }
  }
}

/** Power per bin from 0 Hz to the Nyquist of `samples`, zero-padded to a power of two; bin k is k·rate/size Hz. */
export function powerSpectrum(samples: ArrayLike<number>): { power: Float64Array; size: number } {
  let size = 1;
  while (size < samples.length) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const n = samples.length;
  for (let i = 0; i < n; i++) {
    const x = (2 * Math.PI * i) / (n - 1);
    const w = 0.35875 - 0.48829 * Math.cos(x) + 0.14128 * Math.cos(2 * x) - 0.01168 * Math.cos(3 * x);
    re[i] = (samples[i] ?? 0) * w;
  }
  fft(re, im);
  const power = new Float64Array(size / 2 + 1);
  for (let k = 0; k <= size / 2; k++) power[k] = (re[k] ?? 0) ** 2 + (im[k] ?? 0) ** 2;
  return { power, size };
}

/**
 * Energy at or above `splitHz` relative to the energy below it, in dB: for an upsampled signal with the
 * split at the input's Nyquist, how loud the images are against the audio.
 */
export function energyAboveRatioDb(samples: ArrayLike<number>, sampleRate: number, splitHz: number): number {
  const { power, size } = powerSpectrum(samples);
  const splitBin = Math.ceil((splitHz * size) / sampleRate);
  let below = 0;
  let above = 0;
  for (let k = 0; k < power.length; k++) {
    if (k < splitBin) below += power[k] ?? 0;
    else above += power[k] ?? 0;
  }
  return 10 * Math.log10(above / below);
}

/**
 * Amplitude of the `freqHz` component, by least-squares projection on a sine and cosine over the
 * samples from `from` to `to` (a whole number of cycles keeps the projection exact).
 */
export function toneAmplitude(
  samples: ArrayLike<number>,
  sampleRate: number,
  freqHz: number,
  from: number,
  to: number,
): number {
  let s = 0;
  let c = 0;
  for (let i = from; i < to; i++) {
    const phase = (2 * Math.PI * freqHz * i) / sampleRate;
    s += (samples[i] ?? 0) * Math.sin(phase);
    c += (samples[i] ?? 0) * Math.cos(phase);
  }
  return (2 * Math.hypot(s, c)) / (to - from);
}

/**
 * RMS of `samples[to[0]..to[1])` relative to the RMS of `samples[ref[0]..ref[1])`, in dB. With a sweep
 * that crosses the output's Nyquist at a known time, the span after the crossing holds nothing but
 * aliases: how loud they are against the audio before it.
 */
export function rmsRatioDb(
  samples: ArrayLike<number>,
  span: [number, number],
  ref: [number, number],
): number {
  const rms = ([from, to]: [number, number]) => {
    let sum = 0;
    for (let i = from; i < to; i++) sum += (samples[i] ?? 0) ** 2;
    return Math.sqrt(sum / (to - from));
  };
  return 20 * Math.log10(rms(span) / rms(ref));
}
