/**
 * `client` mode ("you create rooms", RubricHQ's bot runner): the user's bot runner creates the
 * room, starts the bot and answers where the caller joins. We never see their API key.
 */
import { botRunnerResponseSchema, decodeFields, displayUrl, type VoiceConnection } from "@spar/protocol";
import { postJson } from "./endpoint-call.ts";
import {
  entryFailure,
  type RoomEntry,
  type RoomEntryContext,
  type RoomEntryPorts,
} from "./room-entry-types.ts";

export async function enterClientRoom(
  connection: Extract<VoiceConnection, { mode: "client" }>,
  context: RoomEntryContext,
  ports: RoomEntryPorts,
): Promise<RoomEntry> {
  const answer = await postJson(
    "the bot runner",
    connection.bot_runner_url,
    {
      rubric_run_id: context.runId,
      metadata: {
        scenario_id: context.scenario.id,
        scenario_name: context.scenario.name,
        agent_id: context.agentId ?? null,
      },
    },
    connection.headers ?? {},
    ports,
  );
  if (!answer.ok) return answer;
  const decoded = decodeFields(botRunnerResponseSchema, answer.body);
  if (!decoded.ok) {
    return entryFailure(
      "invalid_bot_runner_response",
      `the bot runner ${displayUrl(connection.bot_runner_url)} answered without what the caller needs to join: ${decoded.problem} (expected {"room_name", "room_url", "token"})`,
    );
  }
  return {
    ok: true,
    url: decoded.value.room_url,
    token: decoded.value.token,
    roomName: decoded.value.room_name,
  };
}
