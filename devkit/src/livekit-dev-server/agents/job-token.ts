import type { ParticipantPermission } from "@livekit/protocol";
import { AccessToken } from "livekit-server-sdk";

/** Long enough to connect and resume after a short network blip; a job token is not a session. */
export const JOB_TOKEN_TTL_S = 10 * 60;

export interface JobTokenInput {
  apiKey: string;
  apiSecret: string;
  room: string;
  identity: string;
  name: string;
  metadata: string;
  attributes: Record<string, string>;
  /** What the worker asked for at registration; absent means the defaults of agents-js. */
  permissions: ParticipantPermission | undefined;
}

/** The token a worker's job uses to join its room: kind agent, only that room, short-lived. */
export function mintJobToken(input: JobTokenInput): Promise<string> {
  const token = new AccessToken(input.apiKey, input.apiSecret, {
    identity: input.identity,
    name: input.name,
    metadata: input.metadata,
    attributes: input.attributes,
    ttl: JOB_TOKEN_TTL_S,
  });
  token.kind = "agent";
  const p = input.permissions;
  token.addGrant({
    roomJoin: true,
    room: input.room,
    canPublish: p?.canPublish ?? true,
    canSubscribe: p?.canSubscribe ?? true,
    canPublishData: p?.canPublishData ?? true,
    canUpdateOwnMetadata: p?.canUpdateMetadata ?? true,
    hidden: p?.hidden ?? false,
    agent: true,
  });
  return token.toJwt();
}
