/** An agent as the API answers it: channels without secrets, each secret said to be there or not. */
import { ignoredRoomConfigKeys } from "@spar/protocol";
import type { AgentRecord } from "../../db/repositories/agents.ts";
import { isoTime } from "../request-params.ts";

function roomConfigOf(voice: AgentRecord["voice"]): Record<string, unknown> | undefined {
  const livekit = voice?.livekit as { room_config?: Record<string, unknown> } | undefined;
  return livekit?.room_config;
}

export function agentView(agent: AgentRecord) {
  return {
    id: agent.id,
    key: agent.key,
    name: agent.name,
    text: agent.text === null ? null : { ...agent.text, secret_configured: agent.textSecret !== null },
    // Stored with `*_configured` flags in place of its secrets (agent-channels.ts).
    voice: agent.voice,
    metric_ids: agent.metricIds,
    /** Room options LiveKit is not sent (spec/voice-livekit.md § Room options). */
    ignored_room_config_keys: ignoredRoomConfigKeys(roomConfigOf(agent.voice)),
    created_at: isoTime(agent.createdAtMs),
    updated_at: isoTime(agent.updatedAtMs),
  };
}
