import {
  CreateRoomRequest,
  DeleteRoomRequest,
  DeleteRoomResponse,
  ListParticipantsRequest,
  ListParticipantsResponse,
  ListRoomsRequest,
  ListRoomsResponse,
  RemoveParticipantResponse,
  RoomParticipantIdentity,
  UpdateRoomMetadataRequest,
} from "@livekit/protocol";
import type { AgentDispatcher } from "../agents/index.ts";
import { RoomInputError, type RoomRegistry } from "../room-registry.ts";
import { requireAdmin, requireCreate, requireList } from "./twirp-auth.ts";
import { TwirpError } from "./twirp-error.ts";
import { method, type TwirpMethod } from "./twirp-method.ts";

const MAX_LISTED_NAMES = 1000;
const MAX_ROOM_AGENTS = 16;

/** livekit.RoomService, with the grant checks of livekit-server's roomservice.go. */
export function roomService(deps: {
  registry: RoomRegistry;
  agents: AgentDispatcher;
}): Record<string, TwirpMethod> {
  const { registry, agents } = deps;
  return {
    CreateRoom: method(CreateRoomRequest, (req, grant) => {
      requireCreate(grant);
      if (req.name.length === 0)
        throw new TwirpError("invalid_argument", "name is required: give the room a name");
      const isNew = registry.getRoom(req.name) === undefined;
      const room = inputErrors(() =>
        registry.createRoom({
          name: req.name,
          emptyTimeoutS: req.emptyTimeout,
          departureTimeoutS: req.departureTimeout,
          maxParticipants: req.maxParticipants,
          metadata: req.metadata,
        }),
      );
      // Dispatches listed in CreateRoom apply when the room is created, as on the real server.
      if (isNew) {
        for (const a of req.agents) {
          agents.createDispatch({ room: req.name, agentName: a.agentName, metadata: a.metadata });
        }
      }
      return room;
    }),
    ListRooms: method(ListRoomsRequest, (req, grant) => {
      requireList(grant);
      if (req.names.length > MAX_LISTED_NAMES) {
        throw new TwirpError("invalid_argument", `names lists at most ${MAX_LISTED_NAMES} rooms`);
      }
      return new ListRoomsResponse({ rooms: registry.listRooms(req.names) });
    }),
    DeleteRoom: method(DeleteRoomRequest, (req, grant) => {
      requireCreate(grant);
      if (!registry.deleteRoom(req.room)) throw roomNotFound(req.room);
      return new DeleteRoomResponse();
    }),
    ListParticipants: method(ListParticipantsRequest, (req, grant) => {
      requireAdmin(grant, req.room);
      // Like livekit-server's store, an unknown room simply has no participants.
      return new ListParticipantsResponse({ participants: registry.listParticipants(req.room) });
    }),
    GetParticipant: method(RoomParticipantIdentity, (req, grant) => {
      requireAdmin(grant, req.room);
      const p = registry.getParticipant(req.room, req.identity);
      if (!p) throw participantNotFound(req.room, req.identity);
      return p;
    }),
    RemoveParticipant: method(RoomParticipantIdentity, (req, grant) => {
      requireAdmin(grant, req.room);
      if (!registry.removeParticipant(req.room, req.identity))
        throw participantNotFound(req.room, req.identity);
      return new RemoveParticipantResponse();
    }),
    UpdateRoomMetadata: method(UpdateRoomMetadataRequest, (req, grant) => {
      requireAdmin(grant, req.room);
      const room = inputErrors(() => registry.updateRoomMetadata(req.room, req.metadata));
      if (!room) throw roomNotFound(req.room);
      return room;
    }),
  };
}

function inputErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RoomInputError) throw new TwirpError("invalid_argument", err.message);
    throw err;
  }
}

function roomNotFound(room: string): TwirpError {
  return new TwirpError("not_found", `requested room does not exist: "${room.slice(0, 256)}"`);
}

function participantNotFound(room: string, identity: string): TwirpError {
  return new TwirpError(
    "not_found",
    `participant does not exist: "${identity.slice(0, 256)}" in room "${room.slice(0, 256)}"`,
  );
}
