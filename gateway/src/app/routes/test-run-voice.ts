/**
 * A voice test run (`channel: web`, or the default of an agent with only voice): everything is
 * checked before anything is created, as for text — a sidecar to run on, callers every scenario
 * can play, the agent's metrics, credits (10 a voice run; a chat agent's run 1, billed as text) —
 * then the test run and its runs are stored and handed to the voice platform, which queues each
 * (or ends it `credentials_missing` when its LiveKit credentials cannot be resolved).
 */
import { AppError, type TestRunCreate, voiceConnectionFor } from "@spar/protocol";
import type { AgentRecord } from "../../db/repositories/agents.ts";
import { getMetricsByIds } from "../../db/repositories/metrics.ts";
import { createRuns, type NewRun } from "../../db/repositories/runs.ts";
import type { ScenarioRecord } from "../../db/repositories/scenarios.ts";
import { getSettings } from "../../db/repositories/settings.ts";
import { openField } from "../../db/sealed-fields.ts";
import { runMetricsOf } from "../../runs/run-metrics.ts";
import { scenarioOf } from "../../runs/run-suite.ts";
import { reportUrl } from "../../runs/run-views.ts";
import type { VoiceRunStart } from "../../voice/start-voice-runs.ts";
import { callerProblem } from "../../voice/voice-run-plan.ts";
import { openAgentChannels } from "../catalog/agent-channels.ts";
import type { GatewayServices } from "../services.ts";
import { createPaidTestRun, MAX_RUNS_PER_TEST_RUN, workspaceLlm } from "./test-run-start.ts";

export async function startVoiceTestRun(
  services: GatewayServices,
  workspaceId: number,
  request: TestRunCreate,
  agent: AgentRecord,
  records: readonly ScenarioRecord[],
): Promise<{ test_run_id: number; report_url: string }> {
  const { db } = services;
  const voice = services.voice;
  if (voice === undefined || voice.unavailable !== undefined)
    throw new AppError(
      "bad_request",
      `channel: voice runs cannot run here: ${voice?.unavailable ?? "no sidecar is wired in"}`,
    );
  const { voice: channel } = await openAgentChannels(services.secrets, agent);
  if (channel === null) throw new AppError("bad_request", `channel: agent ${agent.id} has no voice channel`);
  const llm = await workspaceLlm(services, workspaceId);
  const scenarios = records.map((r) => ({ record: r, scenario: scenarioOf(r) }));
  const problems = scenarios.flatMap((s) => callerProblem(s.scenario, llm) ?? []);
  if (problems.length > 0) throw new AppError("bad_request", problems.slice(0, 10).join("; "));
  const metrics = runMetricsOf(await getMetricsByIds(db, workspaceId, agent.metricIds), llm !== undefined);
  if (!metrics.ok) throw new AppError("bad_request", `agent ${agent.id}: ${metrics.errors.join("; ")}`);
  const total = scenarios.length * request.frequency;
  if (total > MAX_RUNS_PER_TEST_RUN) {
    throw new AppError(
      "bad_request",
      `the test run would have ${total} runs (scenarios × frequency); at most ${MAX_RUNS_PER_TEST_RUN}`,
    );
  }
  const chat = channel.chat === true;
  const kind = chat ? "LiveKit chat runs (billed as text)" : "voice runs";
  const each = chat ? services.credits.textRunCost : services.credits.voiceRunCost;
  const charge = {
    cost: services.credits.enabled ? total * each : 0,
    reason: `test run of agent ${agent.id}: ${total} ${kind}`,
    what: `${total} ${kind}`,
  };
  const testRun = {
    agentId: agent.id,
    channel: "voice" as const,
    frequency: request.frequency,
    successThreshold: request.success_threshold,
    name: request.name ?? null,
    ciMetadata: request.ci_metadata ?? null,
  };
  // The agent's own limits (agent.voice.max_duration_s, agent_join_timeout_s), else the deployment's.
  const maxDurationS = channel.max_duration_s ?? voice.maxDurationS;
  const agentJoinTimeoutMs =
    channel.agent_join_timeout_s === undefined ? undefined : channel.agent_join_timeout_s * 1000;
  return createPaidTestRun(services, workspaceId, charge, testRun, async (testRunId, nowMs) => {
    const newRuns: NewRun[] = scenarios.flatMap(({ record }) =>
      Array.from({ length: request.frequency }, (_, i) => ({
        agentId: agent.id,
        scenarioId: record.id,
        scenarioName: record.name ?? record.key ?? `scenario ${record.id}`,
        attempt: i + 1,
        channel: "voice" as const,
        metadata: record.body.metadata ?? {},
        // A run no sidecar ever takes is ended at this deadline, like one a sidecar lost.
        deadlineAtMs: nowMs + maxDurationS * 1000 + voice.deadlineGraceMs,
      })),
    );
    const runs = (await createRuns(db, workspaceId, testRunId, newRuns, nowMs)) ?? [];
    const workspaceCredentials = await workspaceLivekit(services, workspaceId);
    const connection = voiceConnectionFor(channel.livekit, workspaceCredentials);
    const byId = new Map(scenarios.map((s) => [s.record.id, s.scenario]));
    const starts: VoiceRunStart[] = runs.flatMap((run) => {
      const scenario = byId.get(run.scenarioId ?? 0);
      if (scenario === undefined) return [];
      return [
        {
          workspaceId,
          testRunId,
          runId: run.id,
          agentId: agent.id,
          scenario,
          connection,
          agentIdentity: channel.agent_identity,
          chat,
          metrics: metrics.metrics,
          llm,
          maxDurationS,
          agentJoinTimeoutMs,
        },
      ];
    });
    await voice.start(starts);
    return { test_run_id: testRunId, report_url: reportUrl(services.publicUrl, testRunId) };
  });
}

/** The workspace's LiveKit project (PUT /v1/settings/livekit), secret opened; undefined when incomplete. */
async function workspaceLivekit(services: GatewayServices, workspaceId: number) {
  const { livekit } = await getSettings(services.db, workspaceId);
  if (livekit.url === null || livekit.apiKey === null || livekit.apiSecret === null) return undefined;
  const apiSecret = await openField(
    services.secrets,
    workspaceId,
    "settings.livekit.api_secret",
    livekit.apiSecret,
  );
  return { url: livekit.url, api_key: livekit.apiKey, api_secret: apiSecret };
}
