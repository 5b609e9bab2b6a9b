/**
 * The platform's media sidecar joins a started browser session as a silent observer
 * (spec/voice-livekit.md § Session API), so the human's call is recorded and measured like any
 * voice run: one test run named after the room holding one voice run, whose job — a hidden,
 * subscribe-only token for the room and the parties' identities — goes through the durable voice
 * job queue to a sidecar; its result is stored as every voice run's is (transcript, recordings,
 * metrics, the agent's metrics evaluated). The session's own debit pays for it: nothing more is
 * charged. Deleting the session deletes the room, which ends the observer's call.
 *
 * It never fails the human's session: with no sidecar (Workers without one configured) or when
 * the run cannot be queued, the session goes ahead unrecorded and the answer says why.
 */
import { SESSION_TOKEN_TTL_S } from "@spar/protocol";
import { workspaceLlm } from "../app/routes/test-run-start.ts";
import type { GatewayServices } from "../app/services.ts";
import { getAgent } from "../db/repositories/agents.ts";
import { getMetricsByIds } from "../db/repositories/metrics.ts";
import { createRuns } from "../db/repositories/runs.ts";
import { createTestRun } from "../db/repositories/test-runs.ts";
import { runMetricsOf } from "../runs/run-metrics.ts";
import { mintLivekitToken } from "./livekit-token.ts";
import type { SessionObservation, StartedSession } from "./session-ports.ts";

/** The observer's identity in the room (hidden: the human and the agent never see it). */
export function observerIdentity(runId: number): string {
  return `spar-observer-${runId}`;
}

/**
 * A session lasts as long as its token lets the human in (1 h); the observer stays that long at
 * most, then ends `max_duration`.
 */
export const SESSION_OBSERVE_MAX_S = SESSION_TOKEN_TTL_S;

export async function observeSessionWithSidecar(
  services: GatewayServices,
  session: StartedSession,
): Promise<SessionObservation> {
  const voice = services.voice;
  if (voice === undefined || voice.unavailable !== undefined) {
    return {
      observed: false,
      reason: `the session is not recorded: ${voice?.unavailable ?? "no sidecar is wired in"}`,
    };
  }
  const { db } = services;
  const { workspaceId, agentId, roomName } = session;
  try {
    const nowMs = services.now();
    const agent = await getAgent(db, workspaceId, agentId);
    if (agent === undefined)
      return { observed: false, reason: `the session is not recorded: no agent ${agentId}` };
    const llm = await workspaceLlm(services, workspaceId);
    // The agent's metrics judge the session as they judge its test runs; ones that cannot run
    // here (an LLM judge without the workspace LLM) leave the session measured but unjudged.
    const metrics = runMetricsOf(await getMetricsByIds(db, workspaceId, agent.metricIds), llm !== undefined);
    const testRun = await createTestRun(
      db,
      workspaceId,
      {
        agentId,
        channel: "voice",
        frequency: 1,
        successThreshold: 100,
        name: `LiveKit session ${roomName}`,
        ciMetadata: null,
      },
      nowMs,
    );
    if (!testRun.ok) return { observed: false, reason: `the session is not recorded: no agent ${agentId}` };
    const scenarioName = `session ${roomName}`;
    const [run] =
      (await createRuns(
        db,
        workspaceId,
        testRun.row.id,
        [
          {
            agentId,
            scenarioId: null,
            scenarioName,
            attempt: 1,
            channel: "voice",
            metadata: { room_name: roomName, session: true, user_id: session.userId },
            deadlineAtMs: nowMs + SESSION_OBSERVE_MAX_S * 1000 + voice.deadlineGraceMs,
          },
        ],
        nowMs,
      )) ?? [];
    if (run === undefined) throw new Error(`test run ${testRun.row.id} took no run`);
    const token = await mintLivekitToken({
      apiKey: session.credentials.api_key,
      apiSecret: session.credentials.api_secret,
      identity: observerIdentity(run.id),
      grant: {
        room: roomName,
        roomJoin: true,
        canSubscribe: true,
        canPublish: false,
        canPublishData: false,
        hidden: true,
      },
      ttlS: SESSION_TOKEN_TTL_S,
      nowMs,
    });
    await voice.start([
      {
        workspaceId,
        testRunId: testRun.row.id,
        runId: run.id,
        agentId,
        scenario: { id: `session-${run.id}`, name: scenarioName },
        connection: {
          ok: true,
          connection: { mode: "manual", livekit_room_url: session.credentials.url, access_token: token },
        },
        chat: false,
        metrics: metrics.ok ? metrics.metrics : [],
        llm,
        maxDurationS: SESSION_OBSERVE_MAX_S,
        observe: {
          human_identity: String(session.userId),
          ...(session.agentIdentity === undefined ? {} : { agent_identity: session.agentIdentity }),
        },
      },
    ]);
    return { observed: true, runId: run.id };
  } catch (cause) {
    services.log({ level: "error", message: `session ${roomName} could not be observed`, cause });
    return { observed: false, reason: "the session is not recorded: its observer could not be started" };
  }
}
