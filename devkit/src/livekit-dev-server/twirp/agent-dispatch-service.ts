import {
  CreateAgentDispatchRequest,
  DeleteAgentDispatchRequest,
  ListAgentDispatchRequest,
  ListAgentDispatchResponse,
} from "@livekit/protocol";
import { type AgentDispatcher, DispatchLimitError } from "../agents/index.ts";
import { MAX_METADATA_BYTES, MAX_ROOM_NAME_LENGTH, RoomInputError } from "../room-registry.ts";
import { requireAdmin } from "./twirp-auth.ts";
import { TwirpError } from "./twirp-error.ts";
import { method, type TwirpMethod } from "./twirp-method.ts";

const MAX_AGENT_NAME_LENGTH = 256;

/** livekit.AgentDispatchService: every call needs roomAdmin for the dispatch's room. */
export function agentDispatchService(deps: { agents: AgentDispatcher }): Record<string, TwirpMethod> {
  const { agents } = deps;
  return {
    CreateDispatch: method(CreateAgentDispatchRequest, (req, grant) => {
      requireAdmin(grant, req.room);
      if (req.room.length === 0 || req.room.length > MAX_ROOM_NAME_LENGTH) {
        throw new TwirpError("invalid_argument", `room must be 1..${MAX_ROOM_NAME_LENGTH} characters`);
      }
      if (req.agentName.length > MAX_AGENT_NAME_LENGTH) {
        throw new TwirpError(
          "invalid_argument",
          `agent_name must be at most ${MAX_AGENT_NAME_LENGTH} characters`,
        );
      }
      if (Buffer.byteLength(req.metadata) > MAX_METADATA_BYTES) {
        throw new TwirpError("invalid_argument", `metadata must be at most ${MAX_METADATA_BYTES} bytes`);
      }
      try {
        return agents.createDispatch({ room: req.room, agentName: req.agentName, metadata: req.metadata });
      } catch (err) {
        if (err instanceof DispatchLimitError) throw new TwirpError("resource_exhausted", err.message);
        if (err instanceof RoomInputError) throw new TwirpError("invalid_argument", err.message);
        throw err;
      }
    }),
    ListDispatch: method(ListAgentDispatchRequest, (req, grant) => {
      requireAdmin(grant, req.room);
      const all = agents.listDispatches(req.room);
      const agentDispatches = req.dispatchId === "" ? all : all.filter((d) => d.id === req.dispatchId);
      return new ListAgentDispatchResponse({ agentDispatches });
    }),
    DeleteDispatch: method(DeleteAgentDispatchRequest, (req, grant) => {
      requireAdmin(grant, req.room);
      const deleted = agents.deleteDispatch(req.room, req.dispatchId);
      if (!deleted) {
        throw new TwirpError(
          "not_found",
          `dispatch "${req.dispatchId.slice(0, 64)}" does not exist in room "${req.room.slice(0, 256)}"`,
        );
      }
      return deleted;
    }),
  };
}
