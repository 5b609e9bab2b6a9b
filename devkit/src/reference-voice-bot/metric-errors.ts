import type { InterruptionsMetric, LatencyMetric, StopTimeMetric } from "@spar/protocol";

/** measured − truth for one turn's latency, ms. */
export interface LatencyError {
  turn: number;
  measuredMs: number;
  truthMs: number;
  errorMs: number;
}

/** Turn-by-turn latency errors; a turn only one side has is listed as missing or invented. */
export function latencyErrors(
  measured: LatencyMetric | null,
  truth: LatencyMetric | null,
): { errors: LatencyError[]; missedTurns: number[]; inventedTurns: number[] } {
  const m = new Map((measured?.turns ?? []).map((t) => [t.turn, t.latency_ms]));
  const t = new Map((truth?.turns ?? []).map((x) => [x.turn, x.latency_ms]));
  const errors: LatencyError[] = [];
  for (const [turn, truthMs] of t) {
    const measuredMs = m.get(turn);
    if (measuredMs !== undefined)
      errors.push({ turn, measuredMs, truthMs, errorMs: round(measuredMs - truthMs) });
  }
  return {
    errors,
    missedTurns: [...t.keys()].filter((k) => !m.has(k)),
    inventedTurns: [...m.keys()].filter((k) => !t.has(k)),
  };
}

export interface EventMatch<T> {
  truth: T;
  measured: T;
  /** measured − truth of the event time, ms. */
  atErrorMs: number;
}

/**
 * Pairs events by time: each truth event with the nearest unused measured event within
 * `toleranceMs`. Unpaired truth events were missed; unpaired measured ones were invented.
 */
export function matchEvents<T extends { at_second: number }>(
  measured: readonly T[],
  truth: readonly T[],
  toleranceMs: number,
): { matches: EventMatch<T>[]; missed: T[]; invented: T[] } {
  const used = new Set<number>();
  const matches: EventMatch<T>[] = [];
  const missed: T[] = [];
  for (const t of truth) {
    let best = -1;
    for (let i = 0; i < measured.length; i++) {
      if (used.has(i)) continue;
      const d = Math.abs((measured[i]?.at_second ?? 0) - t.at_second) * 1000;
      if (
        d <= toleranceMs &&
        (best < 0 || d < Math.abs((measured[best]?.at_second ?? 0) - t.at_second) * 1000)
      )
        best = i;
    }
    const m = measured[best];
    if (!m) {
      missed.push(t);
      continue;
    }
    used.add(best);
    matches.push({ truth: t, measured: m, atErrorMs: round((m.at_second - t.at_second) * 1000) });
  }
  return { matches, missed, invented: measured.filter((_, i) => !used.has(i)) };
}

export function interruptionErrors(
  measured: InterruptionsMetric,
  truth: InterruptionsMetric,
  toleranceMs = 400,
) {
  return matchEvents(measured.interruptions, truth.interruptions, toleranceMs);
}

/** Stop-time errors of the barge-ins both sides saw (measured − truth, ms). */
export function stopTimeErrors(measured: StopTimeMetric, truth: StopTimeMetric, toleranceMs = 400) {
  const r = matchEvents(measured.events, truth.events, toleranceMs);
  return { ...r, errorsMs: r.matches.map((x) => round(x.measured.stop_time_ms - x.truth.stop_time_ms)) };
}

const round = (v: number) => Math.round(v * 10) / 10;
