/**
 * Room entry: from a voice job's `connection` to where the caller joins (URL + token), one
 * module per mode (spec/voice-livekit.md § Ways into a room). Every stage is bounded and fails
 * with its named reason; rooms the platform created come back with a `release` to delete them.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { VoiceConnection } from "@spar/protocol";
import { enterClientRoom } from "./client-entry.ts";
import {
  DEFAULT_ROOM_ENTRY_LIMITS,
  type RoomEntry,
  type RoomEntryContext,
  type RoomEntryPorts,
} from "./room-entry-types.ts";
import { enterRubricRoom } from "./rubric-entry.ts";
import { enterTokenEndpointRoom } from "./token-endpoint-entry.ts";

export function enterRoom(
  connection: VoiceConnection,
  context: RoomEntryContext,
  ports: RoomEntryPorts,
): Promise<RoomEntry> {
  switch (connection.mode) {
    case "manual":
      return Promise.resolve({
        ok: true,
        url: connection.livekit_room_url,
        token: connection.access_token,
        roomName: undefined,
      });
    case "client":
      return enterClientRoom(connection, context, ports);
    case "rubric_endpoint":
    case "rubric_dispatch":
      return enterRubricRoom(connection, context, ports);
    case "token_endpoint":
      return enterTokenEndpointRoom(connection, context, ports);
  }
}

/** Production ports, each overridable: global fetch, crypto randomness, the spec's limits, allow-all URLs. */
export function roomEntryPorts(overrides: Partial<RoomEntryPorts> = {}): RoomEntryPorts {
  return {
    fetch: overrides.fetch ?? ((input, init) => fetch(input, init)),
    limits: overrides.limits ?? DEFAULT_ROOM_ENTRY_LIMITS,
    randomHex: overrides.randomHex ?? ((bytes) => randomBytes(bytes).toString("hex")),
    randomUuid: overrides.randomUuid ?? randomUUID,
    checkUrl: overrides.checkUrl ?? (() => undefined),
    log: overrides.log ?? ((line) => console.warn(line)),
    ...(overrides.signal ? { signal: overrides.signal } : {}),
  };
}

export type {
  RoomAccess,
  RoomEntry,
  RoomEntryContext,
  RoomEntryFailure,
  RoomEntryLimits,
  RoomEntryPorts,
} from "./room-entry-types.ts";
export { DEFAULT_ROOM_ENTRY_LIMITS } from "./room-entry-types.ts";
