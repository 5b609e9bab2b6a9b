import { describe, expect, it } from "vitest";
import type { RunRecord } from "../db/repositories/runs.ts";
import { failureReason, passRate } from "./run-views.ts";

const ended = (over: Partial<RunRecord>): RunRecord => ({
  id: 1,
  workspaceId: 1,
  testRunId: 1,
  agentId: 1,
  scenarioId: 1,
  scenarioName: "s",
  attempt: 1,
  channel: "text",
  status: "failed",
  endedReason: "agent_timeout",
  endedBy: "platform",
  passed: false,
  error: "the agent did not reply within 2 s",
  transcript: [],
  metadata: {},
  assertions: [],
  metrics: {},
  recording: null,
  createdAtMs: 0,
  startedAtMs: 0,
  endedAtMs: 0,
  deadlineAtMs: null,
  durationMs: null,
  ...over,
});

describe("run views", () => {
  it("rounds the pass rate to one decimal and answers 0 for no runs", () => {
    expect([passRate(2, 3), passRate(1, 3), passRate(3, 3), passRate(0, 0), passRate(1, 8)]).toEqual([
      66.7, 33.3, 100, 0, 12.5,
    ]);
  });

  it("gives a failed run's reason as one bounded line", () => {
    expect(failureReason(ended({}))).toBe("agent_timeout: the agent did not reply within 2 s");
    expect(failureReason(ended({ error: "first line\n  second\tline" }))).toBe(
      "agent_timeout: first line second line",
    );
    expect(failureReason(ended({ endedReason: null, error: null, status: "interrupted" }))).toBe(
      "interrupted",
    );
    const long = failureReason(ended({ error: "x".repeat(1000) }));
    expect([long.length, long.endsWith("…")]).toEqual([300, true]);
  });
});
