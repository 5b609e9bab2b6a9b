/**
 * The run and test-run objects as the API answers them (spec/gateway-api.md § Runs, § Test
 * runs), built from stored rows only: `GET /v1/runs/{id}`, the `ended` event and the webhook
 * body are the same function of the same row, so they cannot drift apart.
 */
import type { RunRecord } from "../db/repositories/runs.ts";
import type { UnpassedRun } from "../db/repositories/test-run-outcome.ts";
import type { TestRunRecord, TestRunTally } from "../db/repositories/test-runs.ts";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const FINAL = new Set(["completed", "failed", "interrupted"]);

export function isFinished(run: Pick<RunRecord, "status">): boolean {
  return FINAL.has(run.status);
}

/** The holder's measure; for a run the platform ended (sweeper, restart, cancel), ended − started. */
function durationOf(run: RunRecord): number | null {
  if (run.durationMs !== null) return run.durationMs;
  if (run.endedAtMs === null) return null;
  return run.startedAtMs === null ? 0 : Math.max(0, run.endedAtMs - run.startedAtMs);
}

/** The CLI report's run object (spec/suite-file.md) plus the platform's ids and times. */
export function runView(run: RunRecord) {
  return {
    id: run.id,
    run_id: String(run.id),
    test_run_id: run.testRunId,
    agent_id: run.agentId,
    scenario_id: run.scenarioId,
    scenario_name: run.scenarioName,
    attempt: run.attempt,
    channel: run.channel,
    status: run.status,
    ended_reason: run.endedReason,
    ended_by: run.endedBy,
    passed: run.passed,
    duration_ms: durationOf(run),
    transcript: run.transcript,
    metadata: run.metadata,
    assertions: run.assertions,
    metrics: run.metrics,
    error: run.error,
    created_at: iso(run.createdAtMs),
    started_at: iso(run.startedAtMs),
    ended_at: iso(run.endedAtMs),
    ...(run.recording === null ? {} : { recording: run.recording }),
  };
}
export type RunView = ReturnType<typeof runView>;

/** Passed ÷ total × 100 with one decimal; 0 for a test run without runs. */
export function passRate(passed: number, total: number): number {
  return total === 0 ? 0 : Math.round((passed / total) * 1000) / 10;
}

const MAX_REASON = 300;

/** Why a run did not pass, on one line: `agent_timeout: no reply within 120 s`. */
export function failureReason(run: Pick<RunRecord, "endedReason" | "status" | "error">): string {
  const reason = run.endedReason ?? run.status;
  const detail = run.error?.replace(/\s+/g, " ").trim();
  const line = detail ? `${reason}: ${detail}` : reason;
  return line.length <= MAX_REASON ? line : `${line.slice(0, MAX_REASON - 1)}…`;
}

/**
 * Built from the stored counts and the runs that did not pass (not from every run with its
 * transcript). `runs.failed` counts every run that ended without completing — `interrupted`
 * ones (a cancel, a shutdown) too — so that, as CI clients check, completed + failed = total
 * once all ended.
 */
export function testRunView(
  testRun: TestRunRecord,
  tally: TestRunTally,
  unpassed: readonly UnpassedRun[],
  publicUrl: string,
) {
  return {
    test_run_id: testRun.id,
    name: testRun.name,
    agent_id: testRun.agentId,
    channel: testRun.channel,
    status: testRun.status,
    verdict: testRun.verdict,
    pass_rate: passRate(tally.passed, tally.total),
    success_threshold: testRun.successThreshold,
    runs: {
      total: tally.total,
      completed: tally.completed,
      failed: tally.failed + tally.interrupted,
      passed: tally.passed,
    },
    failed_runs: unpassed.map((r) => ({
      run_id: r.id,
      scenario_id: r.scenarioId,
      scenario_name: r.scenarioName,
      reason: failureReason(r),
    })),
    report_url: reportUrl(publicUrl, testRun.id),
    ci_metadata: testRun.ciMetadata ?? {},
    created_at: iso(testRun.createdAtMs),
    finished_at: iso(testRun.finishedAtMs),
  };
}
export type TestRunView = ReturnType<typeof testRunView>;

/** The dashboard's page of the test run (gateway/src/dashboard); it asks for an API key to sign in. */
export function reportUrl(publicUrl: string, testRunId: number): string {
  return `${publicUrl}/dashboard/test-runs/${testRunId}`;
}
