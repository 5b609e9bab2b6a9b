import { type LatencySummary, mean, percentile } from "@spar/protocol";

/** Average, p50 and p95 of `values` in ms, rounded to 0.1 ms; null when there are none. */
export function summarizeLatency(values: readonly number[]): LatencySummary | null {
  if (values.length === 0) return null;
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    average_ms: round(mean(values)),
    p50_ms: round(percentile(values, 50)),
    p95_ms: round(percentile(values, 95)),
  };
}
