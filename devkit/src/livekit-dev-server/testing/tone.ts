/** Pure audio helpers for media tests: make a sine, measure what came back. */

/** One 10 ms mono frame of a sine wave, continuing phase from `startSample`. */
export function sineFrame(opts: {
  frequencyHz: number;
  amplitude: number;
  sampleRate: number;
  startSample: number;
  samples: number;
}): Int16Array {
  const out = new Int16Array(opts.samples);
  const w = (2 * Math.PI * opts.frequencyHz) / opts.sampleRate;
  for (let i = 0; i < opts.samples; i++) {
    out[i] = Math.round(opts.amplitude * 32767 * Math.sin(w * (opts.startSample + i)));
  }
  return out;
}

/** Root mean square relative to full scale (a full-scale sine measures ~0.707). */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += (s / 32768) ** 2;
  return Math.sqrt(sum / samples.length);
}

/**
 * Dominant frequency from rising zero crossings, interpolated between samples. Good to ~1 Hz for
 * a clean tone over a second; Opus coding noise does not add crossings at tone amplitudes ≥ 0.1.
 */
export function estimateFrequency(samples: Int16Array, sampleRate: number): number {
  let first = -1;
  let last = -1;
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1] ?? 0;
    const b = samples[i] ?? 0;
    if (a < 0 && b >= 0) {
      const at = i - 1 + -a / (b - a);
      if (first < 0) first = at;
      else crossings += 1;
      last = at;
    }
  }
  if (crossings === 0) return 0;
  return (crossings * sampleRate) / (last - first);
}

/** Index of the first sample whose 10 ms RMS window exceeds `threshold`, or -1. */
export function onsetIndex(samples: Int16Array, sampleRate: number, threshold: number): number {
  const win = Math.max(1, Math.round(sampleRate / 100));
  for (let start = 0; start + win <= samples.length; start += Math.max(1, Math.round(win / 4))) {
    if (rms(samples.subarray(start, start + win)) > threshold) return start;
  }
  return -1;
}

/**
 * Median of per-window frequency estimates: a jitter-buffer stretch or a concealed packet on a
 * loaded machine bends one window, not the median.
 */
export function medianFrequency(samples: Int16Array, sampleRate: number, windowMs = 100): number {
  const win = Math.round((sampleRate * windowMs) / 1000);
  const estimates: number[] = [];
  for (let start = 0; start + win <= samples.length; start += win) {
    estimates.push(estimateFrequency(samples.subarray(start, start + win), sampleRate));
  }
  estimates.sort((a, b) => a - b);
  return estimates[Math.floor(estimates.length / 2)] ?? 0;
}

/** One window of a recording: its frequency estimate and RMS level. */
export interface ToneWindow {
  hz: number;
  level: number;
}

/** The recording cut into `windowMs` windows, each measured (frequency, level). */
export function toneWindows(samples: Int16Array, sampleRate: number, windowMs = 100): ToneWindow[] {
  const win = Math.round((sampleRate * windowMs) / 1000);
  const windows: ToneWindow[] = [];
  for (let start = 0; start + win <= samples.length; start += win) {
    const w = samples.subarray(start, start + win);
    windows.push({ hz: estimateFrequency(w, sampleRate), level: rms(w) });
  }
  return windows;
}
