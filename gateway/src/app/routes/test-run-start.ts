/**
 * Starting a test run (`POST /v1/test-runs`, `POST /api/public/v1/test_runs`): everything is
 * checked — agent, scenarios, channel, the suites the runs will play, credits — before anything
 * is created; then the test run and all its runs are stored and each run is submitted to the
 * text run host.
 */
import { AppError, type LlmConfig, type TestRunCreate } from "@spar/protocol";
import { type AgentRecord, getAgent } from "../../db/repositories/agents.ts";
import { getMetricsByIds } from "../../db/repositories/metrics.ts";
import { createRuns, type NewRun } from "../../db/repositories/runs.ts";
import {
  getScenariosByIds,
  getScenariosWithAnyTag,
  type ScenarioRecord,
} from "../../db/repositories/scenarios.ts";
import { getSettings } from "../../db/repositories/settings.ts";
import { createTestRun, type TestRunInput } from "../../db/repositories/test-runs.ts";
import { sealContext } from "../../db/sealed-fields.ts";
import { runMetricsOf } from "../../runs/run-metrics.ts";
import { buildRunSuite, suiteFor } from "../../runs/run-suite.ts";
import { reportUrl } from "../../runs/run-views.ts";
import { debitOrRefuse, refundCharge } from "../credit-charge.ts";
import type { GatewayServices } from "../services.ts";
import { startVoiceTestRun } from "./test-run-voice.ts";

/** Scenarios × frequency; a bigger test run is a mistake more often than a need. */
export const MAX_RUNS_PER_TEST_RUN = 1000;

export async function startTestRun(
  services: GatewayServices,
  workspaceId: number,
  request: TestRunCreate,
): Promise<{ test_run_id: number; report_url: string }> {
  const { db } = services;
  const agent = await getAgent(db, workspaceId, request.agent_id);
  if (agent === undefined) throw new AppError("not_found", `agent_id: no agent ${request.agent_id}`);
  const scenarios = await selectScenarios(services, workspaceId, request);
  if (channelOf(agent, request.channel) === "voice")
    return startVoiceTestRun(services, workspaceId, request, agent, scenarios);
  const text = await textChannelOf(services, agent);
  const llm = await workspaceLlm(services, workspaceId);
  const built = buildRunSuite({ agentId: agent.id, text, llm, scenarios });
  if (!built.ok) {
    const hint = built.errors.some((e) => e.includes("caller.llm"))
      ? " (the workspace LLM is set with PUT /v1/settings/llm)"
      : "";
    throw new AppError("bad_request", `${built.errors.slice(0, 10).join("; ")}${hint}`);
  }
  // Deleted metrics are gone from the agent's list too: getMetricsByIds skips them.
  const metrics = runMetricsOf(await getMetricsByIds(db, workspaceId, agent.metricIds), llm !== undefined);
  if (!metrics.ok) throw new AppError("bad_request", `agent ${agent.id}: ${metrics.errors.join("; ")}`);
  const total = scenarios.length * request.frequency;
  if (total > MAX_RUNS_PER_TEST_RUN) {
    throw new AppError(
      "bad_request",
      `the test run would have ${total} runs (scenarios × frequency); at most ${MAX_RUNS_PER_TEST_RUN}`,
    );
  }

  const charge = {
    cost: services.credits.enabled ? total * services.credits.textRunCost : 0,
    reason: `test run of agent ${agent.id}: ${total} text runs`,
    what: `${total} text runs`,
  };
  const testRun = {
    agentId: agent.id,
    channel: "text" as const,
    frequency: request.frequency,
    successThreshold: request.success_threshold,
    name: request.name ?? null,
    ciMetadata: request.ci_metadata ?? null,
  };
  return createPaidTestRun(services, workspaceId, charge, testRun, async (testRunId, nowMs) => {
    const newRuns: NewRun[] = scenarios.flatMap((s) =>
      Array.from({ length: request.frequency }, (_, i) => ({
        agentId: agent.id,
        scenarioId: s.id,
        scenarioName: s.name ?? s.key ?? `scenario ${s.id}`,
        attempt: i + 1,
        channel: "text" as const,
        metadata: s.body.metadata ?? {},
      })),
    );
    const runs = (await createRuns(db, workspaceId, testRunId, newRuns, nowMs)) ?? [];
    for (const run of runs) {
      const scenario = built.scenarioById.get(run.scenarioId ?? 0);
      if (scenario === undefined) continue;
      services.textRuns.submit({
        workspaceId,
        testRunId,
        runId: run.id,
        attempt: run.attempt,
        suite: suiteFor(built.suite, scenario),
        scenario,
        metrics: metrics.metrics,
      });
    }
    return { test_run_id: testRunId, report_url: reportUrl(services.publicUrl, testRunId) };
  });
}

/** What a test run costs and how the ledger names it. */
export interface TestRunCharge {
  /** Credits to debit; 0 when credits are off. */
  cost: number;
  /** The ledger line (and, prefixed "refund:", its refund's). */
  reason: string;
  /** The runs it pays for, as the 402 message says them, e.g. "4 voice runs". */
  what: string;
}

/**
 * Debits the charge (fail-closed, 402), stores the test run and hands its id to `fill`, which
 * creates and starts its runs; anything thrown after the debit refunds it. The one way every
 * kind of test run (text, voice, manual LiveKit) is paid for and created.
 */
export async function createPaidTestRun<T>(
  services: GatewayServices,
  workspaceId: number,
  charge: TestRunCharge,
  testRun: TestRunInput,
  fill: (testRunId: number, nowMs: number) => Promise<T>,
): Promise<T> {
  await debitOrRefuse(services, workspaceId, charge.cost, charge.reason, {
    unchecked: "credits could not be checked, so nothing was started; try again",
    short: (has) => `the test run needs ${charge.cost} credits (${charge.what}); ${has}`,
  });
  try {
    const nowMs = services.now();
    const created = await createTestRun(services.db, workspaceId, testRun, nowMs);
    if (!created.ok) throw new AppError("not_found", `agent_id: no agent ${testRun.agentId}`);
    return await fill(created.row.id, nowMs);
  } catch (error) {
    await refundCharge(
      services,
      workspaceId,
      charge.cost,
      `refund: ${charge.reason} not created`,
      "a test run that was not created",
    );
    throw error;
  }
}

/** `scenario_ids` ∪ the workspace's scenarios carrying any of `tags`, in id order. */
export async function selectScenarios(
  services: GatewayServices,
  workspaceId: number,
  request: TestRunCreate,
): Promise<ScenarioRecord[]> {
  const ids = [...new Set(request.scenario_ids ?? [])];
  const byId = await getScenariosByIds(services.db, workspaceId, ids);
  const found = new Set(byId.map((s) => s.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new AppError("not_found", `scenario_ids: no scenario ${missing.join(", ")}`);
  const tagged = await getScenariosWithAnyTag(services.db, workspaceId, request.tags ?? []);
  const all = new Map([...byId, ...tagged].map((s) => [s.id, s]));
  if (all.size === 0) {
    throw new AppError(
      "bad_request",
      "no scenarios selected: give scenario_ids, or tags that at least one scenario carries",
    );
  }
  return [...all.values()].sort((a, b) => a.id - b.id);
}

/**
 * The test run's channel: the requested one, else the agent's own (text when it has a text
 * channel, else voice); `web` is voice over LiveKit; a channel the agent lacks is refused.
 */
function channelOf(agent: AgentRecord, requested: TestRunCreate["channel"]): "text" | "voice" {
  const channel = requested ?? (agent.text !== null ? "text" : agent.voice !== null ? "voice" : "text");
  if (channel === "phone")
    throw new AppError("bad_request", "channel: phone is not supported yet; use text or web");
  if (channel === "voice" || channel === "web") {
    if (agent.voice === null)
      throw new AppError("bad_request", `channel: agent ${agent.id} has no voice channel`);
    return "voice";
  }
  return "text";
}

/** The agent's text channel with its secret opened. */
async function textChannelOf(services: GatewayServices, agent: AgentRecord) {
  if (agent.text === null)
    throw new AppError("bad_request", `channel: agent ${agent.id} has no text channel`);
  if (agent.textSecret === null) {
    throw new AppError(
      "bad_request",
      `agent ${agent.id}: its text channel has no secret; set text.secret with PATCH /v1/agents/${agent.id}`,
    );
  }
  const secret = await services.secrets.open(
    agent.textSecret.ciphertext,
    sealContext(agent.workspaceId, "agent.text.secret"),
  );
  return { ...agent.text, secret };
}

/** The workspace LLM for persona callers and judges, when one is configured. */
export async function workspaceLlm(
  services: GatewayServices,
  workspaceId: number,
): Promise<LlmConfig | undefined> {
  const { llm } = await getSettings(services.db, workspaceId);
  if (llm.baseUrl === null || llm.model === null) return undefined;
  const apiKey =
    llm.apiKey === null
      ? undefined
      : await services.secrets.open(llm.apiKey.ciphertext, sealContext(workspaceId, "settings.llm.api_key"));
  return { base_url: llm.baseUrl, model: llm.model, ...(apiKey === undefined ? {} : { api_key: apiKey }) };
}
