/** A sample above this fraction of the clip's peak counts as speech (TTS lead-in/tail is far below it). */
export const SPEECH_FRACTION_OF_PEAK = 0.02;

/**
 * First and last sample index of the audible part of a clip we made ourselves (TTS output), or
 * undefined for a silent clip. Used with playout timestamps: the caller's speech starts at
 * playout start + first / rate, exactly, with no VAD involved.
 */
export function speechBounds(samples: Int16Array): { first: number; last: number } | undefined {
  let peak = 0;
  for (const s of samples) peak = Math.max(peak, Math.abs(s));
  if (peak === 0) return undefined;
  const threshold = peak * SPEECH_FRACTION_OF_PEAK;
  let first = 0;
  while (first < samples.length && Math.abs(samples[first] ?? 0) <= threshold) first++;
  let last = samples.length - 1;
  while (last > first && Math.abs(samples[last] ?? 0) <= threshold) last--;
  return { first, last };
}
