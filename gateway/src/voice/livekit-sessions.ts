/**
 * Browser calls to an agent (spec/voice-livekit.md § Session API). Starting one runs these steps
 * in order, each with its own answer, and creates nothing before the last check has passed:
 * the agent is the workspace's (404) → it has a voice channel (400) → the channel is one where the
 * platform creates rooms, `rubric`, with credentials (400) → credits, fail-closed (402) → the
 * session is recorded (reserving its room name) → the room is created and the agent dispatched or
 * its session endpoint called (500 naming the reason; the room is deleted, the credits refunded)
 * → the caller's token is minted → the platform's sidecar is sent to observe it (its run's id is in
 * the answer; livekit-sessions-observer.ts). The API key itself was checked before (401).
 */
import {
  AppError,
  type LivekitCredentials,
  type LivekitSession,
  roomOptionsOf,
  SESSION_BOT_IDENTITY,
  SESSION_TOKEN_TTL_S,
  type SessionDispatchMetadata,
} from "@spar/protocol";
import { openAgentChannels } from "../app/catalog/agent-channels.ts";
import { debitOrRefuse, refundCharge } from "../app/credit-charge.ts";
import type { Principal } from "../app/principal.ts";
import type { GatewayServices } from "../app/services.ts";
import { getAgent } from "../db/repositories/agents.ts";
import {
  createLivekitSession,
  deleteLivekitSession,
  endLivekitSession,
  getLivekitSession,
} from "../db/repositories/livekit-sessions.ts";
import { isUniqueViolation } from "../db/write-result.ts";
import { LivekitAdminError } from "./livekit-admin.ts";
import { mintLivekitToken } from "./livekit-token.ts";
import { agentLivekitCredentials, workspaceLivekitCredentials } from "./session-credentials.ts";

/** Why each mode where the platform does not create rooms cannot take a session. */
const NOT_OURS: Record<string, string> = {
  client: "its bot runner creates the rooms",
  token_endpoint: "its token endpoint decides the room",
  manual: "a room and token are given per run",
};

export function sessionRoomName(agentId: number, userId: number, nowMs: number): string {
  return `agent_${agentId}_${userId}_${nowMs}`;
}

interface Plan {
  agentId: number;
  agentName: string;
  credentials: LivekitCredentials;
  roomOptions: Record<string, unknown>;
  /** The agent's identity in the room when known (see StartedSession). */
  agentIdentity: string | undefined;
  entry: { kind: "dispatch"; agentName: string } | { kind: "endpoint"; webCallUrl: string };
}

async function planSession(services: GatewayServices, workspaceId: number, agentId: number): Promise<Plan> {
  const agent = await getAgent(services.db, workspaceId, agentId);
  if (agent === undefined) throw new AppError("not_found", `agent_id: no agent ${agentId}`);
  if (agent.voice === null) {
    throw new AppError(
      "bad_request",
      `agent_id: agent ${agentId} has no voice channel; text-only agents cannot take voice calls`,
    );
  }
  const { voice } = await openAgentChannels(services.secrets, agent);
  const livekit = voice?.livekit;
  if (livekit === undefined || livekit.mode !== "rubric") {
    const mode = livekit?.mode ?? "none";
    throw new AppError(
      "bad_request",
      `agent_id: agent ${agentId}'s LiveKit mode is ${mode}: ${NOT_OURS[mode] ?? "it has no LiveKit channel"}, so the platform cannot create a session room; sessions need mode rubric (web_call_url or agent_name)`,
    );
  }
  const credentials =
    agentLivekitCredentials(voice ?? null) ??
    (await workspaceLivekitCredentials(services.db, services.secrets, workspaceId));
  if (credentials === undefined) {
    throw new AppError(
      "bad_request",
      `agent_id: agent ${agentId} has no LiveKit credentials: give url, api_key and api_secret on the agent, or set the workspace's (PUT /v1/settings/livekit)`,
    );
  }
  return {
    agentId,
    agentName: agent.name,
    credentials,
    roomOptions: roomOptionsOf(livekit.room_config),
    agentIdentity:
      voice?.agent_identity ?? (livekit.web_call_url !== undefined ? SESSION_BOT_IDENTITY : undefined),
    entry:
      livekit.web_call_url !== undefined
        ? { kind: "endpoint", webCallUrl: livekit.web_call_url }
        : { kind: "dispatch", agentName: livekit.agent_name ?? "" },
  };
}

async function debit(services: GatewayServices, workspaceId: number, reason: string): Promise<number> {
  if (!services.credits.enabled) return 0;
  const cost = services.credits.voiceRunCost;
  await debitOrRefuse(services, workspaceId, cost, reason, {
    unchecked: "credits could not be checked, so no session was started; try again",
    short: (has) => `a voice session costs ${cost} credits; ${has}`,
  });
  return cost;
}

function refund(services: GatewayServices, workspaceId: number, cost: number, reason: string) {
  return refundCharge(services, workspaceId, cost, `refund: ${reason} failed`, "a session that failed");
}

/** Creates the room and brings the agent in; throws a 500 naming the reason. */
async function openRoom(services: GatewayServices, plan: Plan, room: string, userId: number, nowMs: number) {
  const { rooms, callSessionEndpoint } = services.livekit;
  try {
    await rooms.createRoom(plan.credentials, room, plan.roomOptions);
  } catch (error) {
    if (!(error instanceof LivekitAdminError)) throw error;
    throw new AppError("internal", `the LiveKit room could not be created: ${error.message}`, {
      cause: error,
    });
  }
  try {
    if (plan.entry.kind === "dispatch") {
      // A blank agent name relies on LiveKit's automatic dispatch, which room creation triggers.
      if (plan.entry.agentName !== "") {
        const metadata: SessionDispatchMetadata = {
          spar_session: { room_name: room, agent_id: plan.agentId, user_id: userId },
        };
        await rooms.createDispatch(plan.credentials, {
          room,
          agentName: plan.entry.agentName,
          metadata: JSON.stringify(metadata),
        });
      }
    } else {
      const botToken = await mintLivekitToken({
        apiKey: plan.credentials.api_key,
        apiSecret: plan.credentials.api_secret,
        identity: SESSION_BOT_IDENTITY,
        name: SESSION_BOT_IDENTITY,
        grant: { room, roomJoin: true, canPublish: true, canSubscribe: true },
        ttlS: SESSION_TOKEN_TTL_S,
        nowMs,
      });
      const called = await callSessionEndpoint({
        webCallUrl: plan.entry.webCallUrl,
        body: { room_name: room, bot_token: botToken, livekit_url: plan.credentials.url },
      });
      if (!called.ok) throw new AppError("internal", called.message);
    }
  } catch (error) {
    await rooms.deleteRoom(plan.credentials, room).catch((cause: unknown) =>
      services.log({
        level: "error",
        message: `session room ${room} could not be deleted after a failed start`,
        cause,
      }),
    );
    if (error instanceof LivekitAdminError) {
      throw new AppError("internal", `the agent could not be dispatched: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

export async function startLivekitSession(
  services: GatewayServices,
  principal: Principal,
  agentId: number,
): Promise<LivekitSession> {
  const { workspaceId, userId } = principal;
  const plan = await planSession(services, workspaceId, agentId);
  const reason = `voice session with agent ${agentId}`;
  const cost = await debit(services, workspaceId, reason);
  const nowMs = services.now();
  const room = sessionRoomName(agentId, userId, nowMs);
  try {
    try {
      await createLivekitSession(
        services.db,
        workspaceId,
        { roomName: room, agentId, userId, livekitUrl: plan.credentials.url },
        nowMs,
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new AppError(
        "conflict",
        `session room ${room} already exists (same agent, user and millisecond); try again`,
      );
    }
    try {
      await openRoom(services, plan, room, userId, nowMs);
    } catch (error) {
      await deleteLivekitSession(services.db, workspaceId, room);
      throw error;
    }
  } catch (error) {
    await refund(services, workspaceId, cost, reason);
    if (error instanceof AppError && error.code === "internal") {
      // The client gets the reason; the log keeps the cause for the operator.
      services.log({
        level: "warn",
        message: `session ${room} did not start: ${error.message}`,
        cause: error.cause,
      });
    }
    throw error;
  }
  const token = await mintLivekitToken({
    apiKey: plan.credentials.api_key,
    apiSecret: plan.credentials.api_secret,
    identity: String(userId),
    grant: { room, roomJoin: true, canPublish: true, canSubscribe: true },
    ttlS: SESSION_TOKEN_TTL_S,
    nowMs,
  });
  const observation = await services.livekit.onSessionStarted({
    workspaceId,
    agentId,
    userId,
    roomName: room,
    credentials: plan.credentials,
    agentIdentity: plan.agentIdentity,
  });
  return {
    room_name: room,
    token,
    livekit_url: plan.credentials.url,
    agent_name: plan.agentName,
    ...(observation.observed
      ? { run_id: observation.runId }
      : { run_id: null, unobserved_reason: observation.reason }),
  };
}

/**
 * Ends the workspace's session: its room is deleted on LiveKit (a room already gone is fine), then
 * the session is marked ended. Another workspace's room is a 404; an ended session answers as
 * done. LiveKit refusing the delete is a 502 and the session stays open, so it can be retried.
 */
export async function endSession(
  services: GatewayServices,
  workspaceId: number,
  roomName: string,
): Promise<void> {
  const session = await getLivekitSession(services.db, workspaceId, roomName);
  if (session === undefined) throw new AppError("not_found", `session ${roomName} not found`);
  if (session.endedAtMs !== null) return;
  const agent = await getAgent(services.db, workspaceId, session.agentId);
  const voice = agent === undefined ? null : (await openAgentChannels(services.secrets, agent)).voice;
  const credentials =
    agentLivekitCredentials(voice) ??
    (await workspaceLivekitCredentials(services.db, services.secrets, workspaceId));
  if (credentials === undefined) {
    services.log({
      level: "warn",
      message: `session ${roomName} ended without deleting its room: no LiveKit credentials remain (the room's empty_timeout ends it)`,
    });
  } else {
    try {
      await services.livekit.rooms.deleteRoom(credentials, roomName);
    } catch (error) {
      if (!(error instanceof LivekitAdminError)) throw error;
      throw new AppError("upstream_failed", `the session room could not be deleted: ${error.message}`, {
        cause: error,
      });
    }
  }
  await endLivekitSession(services.db, workspaceId, roomName, services.now());
}
