/**
 * An agent's stored metrics as the checks its runs evaluate (docs/api.md § Metrics): a judge
 * metric becomes the assertion `{judge: instruction}`, an assertion metric its own assertion.
 * Checked when a test run starts, so a run never fails later on a judge nobody can call.
 */
import type { RunMetric } from "@spar/caller";
import type { MetricRecord } from "../db/repositories/metrics.ts";

export type RunMetricsBuild = { ok: true; metrics: RunMetric[] } | { ok: false; errors: string[] };

export function runMetricsOf(records: readonly MetricRecord[], llmConfigured: boolean): RunMetricsBuild {
  const metrics: RunMetric[] = [];
  const errors: string[] = [];
  for (const m of records) {
    const label = `metric ${m.id} (${m.name})`;
    const assertion = m.kind === "judge" ? (m.judge === null ? null : { judge: m.judge }) : m.assertion;
    if (assertion === null) {
      errors.push(`${label}: has no ${m.kind}; set it with PATCH /v1/metrics/${m.id}`);
      continue;
    }
    if ("judge" in assertion && !llmConfigured) {
      errors.push(`${label}: its judge needs the workspace LLM (PUT /v1/settings/llm)`);
      continue;
    }
    metrics.push({ name: m.name, assertion, appliesTo: m.appliesTo, critical: m.critical });
  }
  return errors.length === 0 ? { ok: true, metrics } : { ok: false, errors };
}
