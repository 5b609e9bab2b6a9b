/**
 * The one place a run's report is put together, for text and voice alike: the scenario's
 * assertions and the agent's metrics evaluated on what the run produced, the one verdict rule
 * applied, and the report's fields filled the same way. Runners bring the outcome and their
 * channel's numbers; none of them decides `passed`.
 */
import type { EndedReason, RunReport, Scenario } from "@spar/protocol";
import { evaluateMetrics, type RunMetric } from "./agent-metrics.ts";
import { type AssertionDeps, evaluateAssertions } from "./assertions.ts";
import type { RunOutcome } from "./run-outcome.ts";
import { runVerdict } from "./run-verdict.ts";

export interface RunReportParts {
  runId: string;
  scenario: Scenario;
  attempt: number;
  channel: RunReport["channel"];
  /** What the run produced; `metadata` is what `metadata` assertions check (never the scenario's own). */
  outcome: RunOutcome;
  /** Why the run failed, or the failed expectation the caller hung up on; null when none. */
  problem: string | null;
  durationMs: number;
  /** The channel's measurements (text: turns + latency; voice: the turn-taking metrics). */
  metrics: RunReport["metrics"];
  /** The agent's metrics, evaluated after the assertions and reported with them. */
  agentMetrics?: readonly RunMetric[];
}

export async function assembleRunReport(parts: RunReportParts, deps: AssertionDeps): Promise<RunReport> {
  const { scenario, outcome } = parts;
  // An interrupted run gets no verdict, so nothing is evaluated (no judge call after Ctrl-C).
  const interrupted = outcome.status === "interrupted";
  const assertions = interrupted ? [] : await evaluateAssertions(scenario.assertions ?? [], outcome, deps);
  const metrics =
    interrupted || !parts.agentMetrics?.length
      ? []
      : await evaluateMetrics(
          parts.agentMetrics,
          outcome,
          parts.channel === "voice" ? "voice" : "text",
          deps,
        );
  const verdict = runVerdict({
    status: outcome.status,
    endedReason: outcome.endedReason,
    problem: parts.problem,
    script: scenario.script,
    transcript: outcome.transcript,
    assertions,
    metrics,
  });
  return {
    run_id: parts.runId,
    scenario_id: scenario.id,
    attempt: parts.attempt,
    channel: parts.channel,
    status: outcome.status,
    ended_reason: outcome.endedReason,
    ended_by: outcome.endedBy,
    passed: verdict.passed,
    duration_ms: parts.durationMs,
    transcript: [...outcome.transcript],
    // Everything the scenario said about itself is recorded with the run; what the run produced wins.
    metadata: { ...(scenario.metadata ?? {}), ...outcome.metadata },
    assertions: [...assertions, ...metrics.map((m) => m.result)],
    metrics: parts.metrics,
    error: verdict.error,
  };
}

/** A run that never reached the agent: failed (or interrupted) with the stage's reason, no verdict to compute. */
export function notStartedReport(parts: {
  runId: string;
  scenario: Scenario;
  attempt: number;
  channel: RunReport["channel"];
  reason: EndedReason;
  message: string;
  /** What is known without a call (e.g. the transport); the scenario's metadata is added under it. */
  metadata?: Record<string, unknown>;
  metrics: RunReport["metrics"];
}): RunReport {
  return {
    run_id: parts.runId,
    scenario_id: parts.scenario.id,
    attempt: parts.attempt,
    channel: parts.channel,
    status: parts.reason === "interrupted" ? "interrupted" : "failed",
    ended_reason: parts.reason,
    ended_by: "platform",
    passed: false,
    duration_ms: 0,
    transcript: [],
    metadata: { ...(parts.scenario.metadata ?? {}), ...parts.metadata },
    assertions: [],
    metrics: parts.metrics,
    error: parts.message,
  };
}
