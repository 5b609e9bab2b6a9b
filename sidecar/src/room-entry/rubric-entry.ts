/**
 * `rubric` modes ("we create rooms"): the platform creates the room with the user's LiveKit
 * credentials and the allowed room options, then either calls the bot's session endpoint with a
 * `bot_token` (endpoint form) or dispatches the agent by name (dispatch form; a blank name relies
 * on automatic dispatch). The room is deleted when the call ends.
 */
import {
  decodeFields,
  displayUrl,
  ROOM_OPTION_DEFAULTS,
  sessionStartResponseSchema,
  type VoiceConnection,
} from "@spar/protocol";
import { BOT_IDENTITY, CALLER_IDENTITY, mintRoomToken } from "./caller-tokens.ts";
import { postJson } from "./endpoint-call.ts";
import { type LiveKitAdmin, LiveKitApiError, twirpLiveKitAdmin } from "./livekit-admin.ts";
import {
  entryFailure,
  type RoomAccess,
  type RoomEntry,
  type RoomEntryContext,
  type RoomEntryFailure,
  type RoomEntryPorts,
} from "./room-entry-types.ts";

type RubricConnection = Extract<VoiceConnection, { mode: "rubric_endpoint" | "rubric_dispatch" }>;

/** Tokens are only checked when a participant joins; ten minutes covers any join of one run. */
const TOKEN_TTL_S = 600;

/** `rubric-<run id>-<8 hex>`: unique per attempt, and the run is readable in LiveKit's room list. */
export function rubricRoomName(runId: string, randomHex: (bytes: number) => string): string {
  return `rubric-${runId}-${randomHex(4)}`;
}

export async function enterRubricRoom(
  connection: RubricConnection,
  context: RoomEntryContext,
  ports: RoomEntryPorts,
  adminFor: (connection: RubricConnection, signal: AbortSignal | undefined) => LiveKitAdmin = (c, signal) =>
    twirpLiveKitAdmin(c, { fetch: ports.fetch, timeoutMs: ports.limits.roomCreateMs, signal }),
): Promise<RoomEntry> {
  const refused = ports.checkUrl(connection.livekit_url);
  if (refused !== undefined) {
    return entryFailure(
      "room_create_failed",
      `LiveKit ${displayUrl(connection.livekit_url)} may not be called: ${refused}`,
    );
  }
  const admin = adminFor(connection, ports.signal);
  const roomName = rubricRoomName(context.runId, ports.randomHex);
  const created = await adminStep(
    () => admin.createRoom(roomName, { ...ROOM_OPTION_DEFAULTS, ...connection.room_options }),
    "could not create the room",
  );
  if (created) return created;
  const release = async () => {
    try {
      // Not tied to the run's signal: a stopped run still deletes its room.
      await adminFor(connection, undefined).deleteRoom(roomName);
    } catch (cause) {
      ports.log(
        `room entry: could not delete room ${roomName}: ${cause instanceof Error ? cause.message : String(cause)}`,
      );
    }
  };
  const access: RoomAccess = {
    ok: true,
    url: connection.livekit_url,
    token: await mintRoomToken(connection, CALLER_IDENTITY, roomName, TOKEN_TTL_S),
    roomName,
    release,
  };
  const started =
    connection.mode === "rubric_endpoint"
      ? await startSession(connection, roomName, ports)
      : await dispatchAgent(admin, connection.agent_name, roomName, context);
  if (started) {
    await release();
    return started;
  }
  return access;
}

async function startSession(
  connection: Extract<VoiceConnection, { mode: "rubric_endpoint" }>,
  roomName: string,
  ports: RoomEntryPorts,
): Promise<RoomEntryFailure | undefined> {
  const url = `${connection.web_call_url.replace(/\/+$/, "")}/api/session`;
  const answer = await postJson(
    "the session endpoint",
    url,
    {
      room_name: roomName,
      bot_token: await mintRoomToken(connection, BOT_IDENTITY, roomName, TOKEN_TTL_S),
      livekit_url: connection.livekit_url,
    },
    {},
    ports,
  );
  if (!answer.ok) return answer;
  const decoded = decodeFields(sessionStartResponseSchema, answer.body);
  if (!decoded.ok) {
    return entryFailure(
      "invalid_bot_runner_response",
      `the session endpoint ${displayUrl(url)} did not confirm the session: ${decoded.problem} (expected {"status": "started", "room_name"})`,
    );
  }
  if (decoded.value.room_name !== roomName) {
    return entryFailure(
      "invalid_bot_runner_response",
      `the session endpoint ${displayUrl(url)} answered field "room_name" ${JSON.stringify(decoded.value.room_name.slice(0, 256))}, expected the room it was given, ${JSON.stringify(roomName)}`,
    );
  }
  return undefined;
}

async function dispatchAgent(
  admin: LiveKitAdmin,
  agentName: string,
  roomName: string,
  context: RoomEntryContext,
): Promise<RoomEntryFailure | undefined> {
  // Blank agent_name: the agent is dispatched automatically when the caller joins the room.
  if (agentName.trim() === "") return undefined;
  const metadata = JSON.stringify({
    rubric_run_id: context.runId,
    ...(context.chat ? { text_mode: true } : {}),
  });
  return adminStep(
    () => admin.createDispatch(roomName, agentName, metadata),
    `could not dispatch agent "${agentName}"`,
  );
}

async function adminStep(work: () => Promise<void>, what: string): Promise<RoomEntryFailure | undefined> {
  try {
    await work();
    return undefined;
  } catch (cause) {
    const detail = cause instanceof LiveKitApiError ? cause.message : `unexpected error: ${String(cause)}`;
    return entryFailure("room_create_failed", `${what}: ${detail}`);
  }
}
