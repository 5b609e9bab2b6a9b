// How many calls of a voice-load level overlapped, and for how long.

/** The highest number of overlapping spans and the total time at that number. */
export function peak(spans: { startMs: number; endMs: number }[]): { peakConcurrent: number; peakS: number } {
  const edges = spans
    .flatMap((s) => [
      { at: s.startMs, d: 1 },
      { at: s.endMs, d: -1 },
    ])
    .sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let best = 0;
  let bestMs = 0;
  for (let k = 0; k < edges.length; k++) {
    const e = edges[k];
    if (!e) continue;
    now += e.d;
    const next = edges[k + 1]?.at ?? e.at;
    if (now > best) {
      best = now;
      bestMs = 0;
    }
    if (now === best) bestMs += next - e.at;
  }
  return { peakConcurrent: best, peakS: bestMs / 1000 };
}
