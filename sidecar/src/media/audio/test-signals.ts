/** Deterministic test signals for resampler measurements (tests and bench/resampler). */

/** Raised-cosine fade in and out over `fadeMs`, so the signal's edges add no broadband splatter. */
function fadeGain(i: number, count: number, fadeSamples: number): number {
  if (i < fadeSamples) return 0.5 - 0.5 * Math.cos((Math.PI * i) / fadeSamples);
  if (i >= count - fadeSamples) return 0.5 - 0.5 * Math.cos((Math.PI * (count - 1 - i)) / fadeSamples);
  return 1;
}

/**
 * Exponential (log) sine sweep from `fromHz` to `toHz` over `seconds`, amplitude `amplitude`, with 20 ms
 * fades. Synthesized from its analytic phase, so the same sweep can be made at any rate.
 */
export function logSweep(options: {
  sampleRate: number;
  fromHz: number;
  toHz: number;
  seconds: number;
  amplitude?: number;
}): Int16Array {
  const { sampleRate, fromHz, toHz, seconds } = options;
  const amplitude = options.amplitude ?? 10_000;
  const count = Math.round(sampleRate * seconds);
  const rateLog = Math.log(toHz / fromHz);
  const fade = Math.round(sampleRate * 0.02);
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    const t = i / sampleRate;
    const phase = ((2 * Math.PI * fromHz * seconds) / rateLog) * (Math.exp((t / seconds) * rateLog) - 1);
    out[i] = Math.round(amplitude * fadeGain(i, count, fade) * Math.sin(phase));
  }
  return out;
}

/** A steady sine at `freqHz` for `count` samples. */
export function sine(freqHz: number, sampleRate: number, count: number, amplitude = 10_000): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRate));
  return out;
}
