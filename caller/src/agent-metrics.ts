/**
 * An agent's metrics (docs/api.md § Metrics): checks the platform attaches to an agent and runs
 * on each of its runs after the scenario's own assertions. Each is one suite assertion (a judge
 * metric is `{judge: instruction}`), evaluated like any other; its result is recorded in the
 * run's assertions as kind `metric:<name>`. Whether a failure fails the run is `runVerdict`'s
 * call (only critical ones do); this module only evaluates.
 */
import type { Assertion, AssertionResult } from "@spar/protocol";
import { type AssertionDeps, evaluateAssertions } from "./assertions.ts";
import type { RunOutcome } from "./run-outcome.ts";

export interface RunMetric {
  name: string;
  /** One suite assertion; a judge metric is `{ judge: instruction }`. */
  assertion: Assertion;
  appliesTo: "text_and_voice" | "text_only";
  critical: boolean;
}

export interface MetricResult {
  critical: boolean;
  /** As recorded with the run: kind `metric:<name>`. */
  result: AssertionResult;
}

export const SKIPPED_ON_VOICE = "skipped: text_only metric on a voice run";

/** Results in the order of `metrics`; a skipped metric passes with detail {@link SKIPPED_ON_VOICE}. */
export async function evaluateMetrics(
  metrics: readonly RunMetric[],
  outcome: RunOutcome,
  channel: "text" | "voice",
  deps: AssertionDeps,
): Promise<MetricResult[]> {
  const applies = (m: RunMetric) => channel === "text" || m.appliesTo === "text_and_voice";
  const evaluated = await evaluateAssertions(
    metrics.filter(applies).map((m) => m.assertion),
    outcome,
    deps,
  );
  let next = 0;
  return metrics.map((m) => {
    const kind = `metric:${m.name}`;
    if (!applies(m))
      return { critical: m.critical, result: { kind, passed: true, detail: SKIPPED_ON_VOICE } };
    const r = evaluated[next++] as AssertionResult;
    const weight = m.critical ? "critical" : "non-critical";
    // The assertion's own kind stays readable: `metric:polite` → `(judge, critical) …`.
    return { critical: m.critical, result: { ...r, kind, detail: `(${r.kind}, ${weight}) ${r.detail}` } };
  });
}
