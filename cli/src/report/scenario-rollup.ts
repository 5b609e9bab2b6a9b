/** Runs grouped per scenario, in the order scenarios first appear in the report. */
import { percentile, type RunReport } from "@spar/protocol";

export interface ScenarioRollup {
  scenarioId: string;
  runs: RunReport[];
  passedRuns: number;
  /** A scenario passes when every one of its runs passed (docs/suite-file.md § Pass / fail). */
  passed: boolean;
  /** Some run failed: the scenario failed, whatever Ctrl-C stopped. */
  failed: boolean;
  /** Not passed, not failed: Ctrl-C stopped a run before any failed. */
  interrupted: boolean;
  /** Median agent-turn latency over all its runs' transcripts; null when no agent turn had one. */
  p50LatencyMs: number | null;
}

export function rollUpScenarios(runs: readonly RunReport[]): ScenarioRollup[] {
  const byScenario = new Map<string, RunReport[]>();
  for (const run of runs) {
    const list = byScenario.get(run.scenario_id);
    if (list) list.push(run);
    else byScenario.set(run.scenario_id, [run]);
  }
  return [...byScenario].map(([scenarioId, list]) => {
    const passedRuns = list.filter((r) => r.passed).length;
    const failed = list.some((r) => !r.passed && r.status !== "interrupted");
    // Pooled turn latencies, not a median of per-run medians, so short runs do not weigh extra.
    const latencies = list.flatMap((r) =>
      r.transcript.flatMap((e) => (e.role === "agent" && e.latency_ms !== undefined ? [e.latency_ms] : [])),
    );
    return {
      scenarioId,
      runs: list,
      passedRuns,
      passed: passedRuns === list.length,
      failed,
      interrupted: !failed && passedRuns < list.length,
      p50LatencyMs: latencies.length > 0 ? percentile(latencies, 50) : null,
    };
  });
}
