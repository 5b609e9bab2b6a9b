import { describe, expect, it } from "vitest";
import { interruptionErrors, latencyErrors, stopTimeErrors } from "./metric-errors.ts";

const latency = (turns: [number, number][]) => ({
  average_ms: 0,
  p50_ms: 0,
  p95_ms: 0,
  turns: turns.map(([turn, latency_ms]) => ({ turn, latency_ms })),
});

describe("metric errors", () => {
  it("gives per-turn latency errors and names missing and invented turns", () => {
    expect(
      latencyErrors(
        latency([
          [1, 512.4],
          [2, 895],
          [4, 300],
        ]),
        latency([
          [1, 500],
          [2, 900],
          [3, 700],
        ]),
      ),
    ).toEqual({
      errors: [
        { turn: 1, measuredMs: 512.4, truthMs: 500, errorMs: 12.4 },
        { turn: 2, measuredMs: 895, truthMs: 900, errorMs: -5 },
      ],
      missedTurns: [3],
      inventedTurns: [4],
    });
    expect(latencyErrors(null, null)).toEqual({ errors: [], missedTurns: [], inventedTurns: [] });
  });

  it("pairs interruptions by nearest time within the tolerance", () => {
    const r = interruptionErrors(
      {
        count: 3,
        interruptions: [
          { at_second: 2.05, duration_ms: 400 },
          { at_second: 9.0, duration_ms: 100 },
          { at_second: 5.02, duration_ms: 700 },
        ],
      },
      {
        count: 2,
        interruptions: [
          { at_second: 2.0, duration_ms: 420 },
          { at_second: 5.0, duration_ms: 700 },
          { at_second: 7.0, duration_ms: 300 },
        ],
      },
      100,
    );
    expect(r.matches.map((m) => m.atErrorMs)).toEqual([50, 20]);
    expect(r.missed).toEqual([{ at_second: 7.0, duration_ms: 300 }]);
    expect(r.invented).toEqual([{ at_second: 9.0, duration_ms: 100 }]);
  });

  it("gives stop-time errors for the barge-ins both sides saw", () => {
    const r = stopTimeErrors(
      { average_ms: null, events: [{ at_second: 3.001, stop_time_ms: 512 }] },
      { average_ms: null, events: [{ at_second: 3.0, stop_time_ms: 480.5 }] },
    );
    expect(r.errorsMs).toEqual([31.5]);
    expect(r.missed).toEqual([]);
  });
});
