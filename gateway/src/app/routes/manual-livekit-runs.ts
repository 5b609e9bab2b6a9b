/**
 * Cekura-compatible manual LiveKit runs (`POST /v1/runs/livekit[-chat]` and Cekura's
 * `run_scenarios_livekit[_chat]/`): one run per element, in order — repeat an element to run it in
 * parallel — each joining the room the client gave (`manual`: URL + token) as the caller. They
 * form one test run (threshold 100, so it passes only when every run does). Everything is
 * checked before anything is created, as for a test run: the agent, every scenario, a sidecar, the
 * callers, the metrics, each room URL against the outbound policy, credits (a voice run's price;
 * a chat run's is a text run's).
 */
import { AppError, type ManualLivekitRuns } from "@spar/protocol";
import { getAgent } from "../../db/repositories/agents.ts";
import { getMetricsByIds } from "../../db/repositories/metrics.ts";
import { createRuns, type NewRun } from "../../db/repositories/runs.ts";
import { getScenariosByIds } from "../../db/repositories/scenarios.ts";
import { runMetricsOf } from "../../runs/run-metrics.ts";
import { scenarioOf } from "../../runs/run-suite.ts";
import type { VoiceRunStart } from "../../voice/start-voice-runs.ts";
import { callerProblem } from "../../voice/voice-run-plan.ts";
import { openAgentChannels } from "../catalog/agent-channels.ts";
import type { Principal } from "../principal.ts";
import { checkUrlsAtSave } from "../saved-urls.ts";
import type { GatewayServices } from "../services.ts";
import type { ManualRunKind, StartedManualRuns } from "./cekura.ts";
import { createPaidTestRun, workspaceLlm } from "./test-run-start.ts";

export async function startManualLivekitRuns(
  services: GatewayServices,
  principal: Principal,
  request: ManualLivekitRuns,
  kind: ManualRunKind,
): Promise<StartedManualRuns> {
  const { db } = services;
  const { workspaceId } = principal;
  const voice = services.voice;
  if (voice === undefined || voice.unavailable !== undefined)
    throw new AppError(
      "bad_request",
      `voice runs cannot run here: ${voice?.unavailable ?? "no sidecar is wired in"}`,
    );
  const ids = [...new Set(request.scenarios.map((s) => s.scenario))];
  const records = await getScenariosByIds(db, workspaceId, ids);
  const byId = new Map(records.map((r) => [r.id, r]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0)
    throw new AppError("not_found", `scenarios[].scenario: no scenario ${missing.join(", ")}`);
  const agentId = request.agent ?? soleAgentOf(records.map((r) => r.agentId));
  const agent = await getAgent(db, workspaceId, agentId);
  if (agent === undefined) throw new AppError("not_found", `agent: no agent ${agentId}`);
  checkUrlsAtSave(
    services.outboundPolicy,
    request.scenarios.map((s, i) => ({
      field: `scenarios[${i}].livekit_room_url`,
      url: s.livekit_room_url,
      scheme: "wss",
    })),
  );
  const llm = await workspaceLlm(services, workspaceId);
  const scenarios = new Map(records.map((r) => [r.id, scenarioOf(r)]));
  const problems = [...scenarios.values()].flatMap((s) => callerProblem(s, llm) ?? []);
  if (problems.length > 0) throw new AppError("bad_request", problems.slice(0, 10).join("; "));
  const metrics = runMetricsOf(await getMetricsByIds(db, workspaceId, agent.metricIds), llm !== undefined);
  if (!metrics.ok) throw new AppError("bad_request", `agent ${agent.id}: ${metrics.errors.join("; ")}`);
  const { voice: channel } = await openAgentChannels(services.secrets, agent);
  // The agent's own limits when it has a voice channel, else the deployment's.
  const maxDurationS = channel?.max_duration_s ?? voice.maxDurationS;
  const agentJoinTimeoutS = channel?.agent_join_timeout_s;

  const total = request.scenarios.length;
  const chat = kind === "chat";
  const what = `${total} ${chat ? "LiveKit chat runs (billed as text)" : "voice runs"}`;
  const each = chat ? services.credits.textRunCost : services.credits.voiceRunCost;
  const charge = {
    cost: services.credits.enabled ? total * each : 0,
    reason: `manual LiveKit runs of agent ${agent.id}: ${what}`,
    what,
  };
  const testRun = {
    agentId: agent.id,
    channel: "voice" as const,
    frequency: 1,
    successThreshold: 100,
    name: chat ? "LiveKit chat runs" : "LiveKit manual runs",
    ciMetadata: null,
  };
  return createPaidTestRun(services, workspaceId, charge, testRun, async (testRunId, nowMs) => {
    const attempts = new Map<number, number>();
    const newRuns: NewRun[] = request.scenarios.map((element) => {
      const record = byId.get(element.scenario);
      const attempt = (attempts.get(element.scenario) ?? 0) + 1;
      attempts.set(element.scenario, attempt);
      return {
        agentId: agent.id,
        scenarioId: element.scenario,
        scenarioName: record?.name ?? record?.key ?? `scenario ${element.scenario}`,
        attempt,
        channel: "voice" as const,
        metadata: record?.body.metadata ?? {},
        deadlineAtMs: nowMs + maxDurationS * 1000 + voice.deadlineGraceMs,
      };
    });
    const runs = (await createRuns(db, workspaceId, testRunId, newRuns, nowMs)) ?? [];
    // createRuns answers in insertion order: the n-th run is the n-th element.
    const starts: VoiceRunStart[] = runs.map((run, i) => {
      const element = request.scenarios[i];
      const scenario = scenarios.get(run.scenarioId ?? 0);
      if (element === undefined || scenario === undefined) throw new Error(`run ${run.id} has no element`);
      return {
        workspaceId,
        testRunId,
        runId: run.id,
        agentId: agent.id,
        scenario,
        connection: {
          ok: true,
          connection: {
            mode: "manual",
            livekit_room_url: element.livekit_room_url,
            access_token: element.access_token,
          },
        },
        agentIdentity: channel?.agent_identity,
        chat,
        publishDataMessage: element.publish_data_message,
        metrics: metrics.metrics,
        llm,
        maxDurationS,
        agentJoinTimeoutMs: agentJoinTimeoutS === undefined ? undefined : agentJoinTimeoutS * 1000,
      };
    });
    await voice.start(starts);
    return { id: testRunId, run_ids: runs.map((r) => r.id) };
  });
}

/** The one agent the scenarios name, or a 400 saying to give `agent`. */
function soleAgentOf(agentIds: readonly (number | null)[]): number {
  const distinct = [...new Set(agentIds)];
  const [only] = distinct;
  if (distinct.length === 1 && only !== null && only !== undefined) return only;
  throw new AppError(
    "bad_request",
    distinct.length > 1
      ? "agent: the scenarios belong to different agents; give agent"
      : "agent: is required when the scenarios have no agent",
  );
}
