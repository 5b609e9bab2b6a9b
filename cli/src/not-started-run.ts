import type { PlannedRun } from "@spar/gateway";
import type { RunReport } from "@spar/protocol";

/**
 * The report of a planned run that Ctrl-C stopped before it started: it stays in the report
 * (the batch's total is what was planned) as interrupted, without connecting to the agent.
 */
export function notStartedRun(run: PlannedRun): RunReport {
  return {
    run_id: run.runId,
    scenario_id: run.scenario.id,
    attempt: run.attempt,
    channel: run.channel,
    status: "interrupted",
    ended_reason: "interrupted",
    ended_by: "platform",
    passed: false,
    duration_ms: 0,
    transcript: [],
    metadata: { ...(run.scenario.metadata ?? {}) },
    assertions: [],
    metrics: {},
    error: "interrupted before it started",
  };
}
