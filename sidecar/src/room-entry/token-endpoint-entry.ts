/**
 * `token_endpoint` mode (Coval-style): the user's endpoint mints the caller's token for a room
 * we name; its answer may spell the token, server URL and room several ways (protocol's
 * tokenResponseFields). The agent then joins on its own; the call waits for it as in every mode.
 */
import {
  displayUrl,
  TOKEN_FIELDS,
  TOKEN_MISSING_MESSAGE,
  tokenResponseFields,
  urlProblem,
  type VoiceConnection,
} from "@spar/protocol";
import { postJson } from "./endpoint-call.ts";
import {
  entryFailure,
  type RoomEntry,
  type RoomEntryContext,
  type RoomEntryPorts,
} from "./room-entry-types.ts";

/** `participant_name` sent to the token endpoint (what Coval sends). */
export const SIMULATED_USER = "simulated_user";

export async function enterTokenEndpointRoom(
  connection: Extract<VoiceConnection, { mode: "token_endpoint" }>,
  _context: RoomEntryContext,
  ports: RoomEntryPorts,
): Promise<RoomEntry> {
  const roomName = ports.randomUuid();
  const shown = `the token endpoint ${displayUrl(connection.generate_token_endpoint)}`;
  const answer = await postJson(
    "the token endpoint",
    connection.generate_token_endpoint,
    { room_name: roomName, participant_name: SIMULATED_USER, ...connection.token_request_payload },
    connection.generate_token_headers ?? {},
    ports,
  );
  if (!answer.ok) return answer;
  const fields = tokenResponseFields(answer.body);
  if (!fields.ok) return entryFailure("invalid_bot_runner_response", `${shown}: ${fields.problem}`);
  const { token, serverUrl, roomName: grantedRoom } = fields.value;
  if (token === undefined) {
    return entryFailure(
      "token_missing",
      `${TOKEN_MISSING_MESSAGE} (${shown} answered none of ${TOKEN_FIELDS.join(", ")})`,
    );
  }
  const url = serverUrl ?? connection.livekit_url;
  if (url === undefined) {
    return entryFailure(
      "invalid_bot_runner_response",
      `${shown} answered no field "serverUrl" or "server_url", and the channel has no url: return the LiveKit server URL, or set agent.voice.livekit.url`,
    );
  }
  const badUrl = urlProblem(url, "ws") === undefined ? undefined : urlProblem(url, "http");
  if (serverUrl !== undefined && badUrl !== undefined) {
    return entryFailure("invalid_bot_runner_response", `${shown} answered a server URL that ${badUrl}`);
  }
  if (grantedRoom !== undefined && grantedRoom !== roomName) {
    return entryFailure(
      "invalid_bot_runner_response",
      `${shown} answered room ${JSON.stringify(grantedRoom.slice(0, 256))}, not the requested ${JSON.stringify(roomName)}`,
    );
  }
  return { ok: true, url, token, roomName };
}
