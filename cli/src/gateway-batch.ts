/**
 * `spar run --gateway URL --api-key K`: the same plan run on a Spar gateway instead of in this
 * process. Each suite is upserted (`PUT /v1/suites`), one test run per suite is started with the
 * planned scenarios, and its runs are followed until every one has ended; each comes back in the
 * CLI report's run shape, so the table, JSON, JUnit and exit codes are the embedded ones.
 * Ctrl-C cancels the test runs (their runs end interrupted) and still collects them.
 */
import type { PlannedRun } from "@spar/gateway";
import { displayUrl, type RunReport, type Suite } from "@spar/protocol";
import type { ProgressReporter } from "./report/progress-reporter.ts";
import { UsageError } from "./usage-error.ts";

const POLL_MS = 250;

export interface GatewayClient {
  baseUrl: string;
  apiKey: string;
  signal: AbortSignal;
}

interface GatewayRun extends Omit<RunReport, "scenario_id" | "status"> {
  id: number;
  scenario_id: number;
  status: RunReport["status"] | "queued" | "running";
}

async function call<T>(client: GatewayClient, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${client.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${client.apiKey}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (cause) {
    const why =
      cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : "";
    throw new UsageError(`could not reach the gateway at ${displayUrl(client.baseUrl)}: ${why}`);
  }
  const text = await res.text();
  if (!res.ok) {
    const message = (() => {
      try {
        return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text.slice(0, 300);
      } catch {
        return text.slice(0, 300);
      }
    })();
    const hint = res.status === 401 ? " (check --api-key)" : "";
    throw new UsageError(`the gateway refused ${method} ${path} (${res.status}): ${message}${hint}`);
  }
  return JSON.parse(text) as T;
}

/** The plan's runs of one suite as one test run: the same scenarios, each as many times. */
function testRunOf(suiteName: string, runs: readonly PlannedRun[], keys: Map<string, number>) {
  const attempts = new Map<string, number>();
  for (const run of runs) attempts.set(run.scenario.id, (attempts.get(run.scenario.id) ?? 0) + 1);
  const counts = new Set(attempts.values());
  const frequency = [...counts][0] ?? 1;
  if (counts.size > 1 || frequency > 5) {
    throw new UsageError(
      `${suiteName}: on a gateway every selected scenario runs the same number of times, 1-5 (its test run's frequency); got repeat ${[...counts].join(", ")}`,
    );
  }
  const channels = new Set(runs.map((r) => r.channel));
  if (channels.size > 1) {
    throw new UsageError(
      `${suiteName}: on a gateway a suite's runs share one channel (its test run's); got ${[...channels].join(" and ")} — pick one with --channel`,
    );
  }
  const scenarioIds = [...attempts.keys()].map((key) => keys.get(key) as number);
  // The gateway's voice channel over LiveKit is `web` (spec/gateway-api.md § Test runs).
  return { scenario_ids: scenarioIds, frequency, channel: channels.has("voice") ? "web" : "text" };
}

export async function runOnGateway(
  client: GatewayClient,
  plan: readonly PlannedRun[],
  progress: ProgressReporter,
): Promise<RunReport[]> {
  const bySuite = new Map<Suite, PlannedRun[]>();
  for (const run of plan) bySuite.set(run.suite, [...(bySuite.get(run.suite) ?? []), run]);
  const started: { testRunId: number; keyOf: Map<number, string> }[] = [];
  for (const [suite, runs] of bySuite) {
    const suiteName = runs[0]?.suiteName ?? "suite";
    const upserted = await call<{ agent_id: number; scenarios: { id: number; key: string }[] }>(
      client,
      "PUT",
      "/v1/suites",
      suite,
    );
    const keys = new Map(upserted.scenarios.map((s) => [s.key, s.id]));
    const body = {
      agent_id: upserted.agent_id,
      ...testRunOf(suiteName, runs, keys),
      name: `spar run ${suiteName}`,
    };
    const created = await call<{ test_run_id: number }>(client, "POST", "/v1/test-runs", body);
    started.push({
      testRunId: created.test_run_id,
      keyOf: new Map(upserted.scenarios.map((s) => [s.id, s.key])),
    });
  }
  const cancel = () => {
    for (const { testRunId } of started)
      call(client, "POST", `/v1/test-runs/${testRunId}/cancel`).catch(() => undefined);
  };
  client.signal.addEventListener("abort", cancel, { once: true });
  try {
    const ended = new Map<number, RunReport>();
    const seen = new Set<number>();
    for (;;) {
      let unfinished = 0;
      for (const { testRunId, keyOf } of started) {
        const { data } = await call<{ data: GatewayRun[] }>(
          client,
          "GET",
          `/v1/runs?test_run_id=${testRunId}`,
        );
        for (const run of data) {
          if (!seen.has(run.id)) {
            seen.add(run.id);
            progress.runStarted(
              String(run.id),
              keyOf.get(run.scenario_id) ?? String(run.scenario_id),
              run.attempt,
            );
          }
          if (run.status === "queued" || run.status === "running") unfinished++;
          else if (!ended.has(run.id)) {
            const report = reportOf(run, keyOf);
            ended.set(run.id, report);
            progress.runFinished(report);
          }
        }
      }
      if (unfinished === 0) return [...ended.values()];
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    client.signal.removeEventListener("abort", cancel);
  }
}

/** A gateway run as the CLI report's run: the scenario's key for its id, the platform's extras dropped. */
function reportOf(run: GatewayRun, keyOf: Map<number, string>): RunReport {
  return {
    run_id: String(run.id),
    scenario_id: keyOf.get(run.scenario_id) ?? String(run.scenario_id),
    attempt: run.attempt,
    channel: run.channel,
    status: run.status as RunReport["status"],
    ended_reason: run.ended_reason,
    ended_by: run.ended_by,
    passed: run.passed,
    duration_ms: run.duration_ms,
    transcript: run.transcript,
    metadata: run.metadata,
    assertions: run.assertions,
    metrics: run.metrics,
    error: run.error,
  };
}
