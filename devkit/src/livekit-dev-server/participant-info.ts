import {
  ParticipantInfo,
  ParticipantInfo_Kind,
  ParticipantInfo_State,
  ParticipantPermission,
} from "@livekit/protocol";
import { newId } from "./ids.ts";
import type { JoinTicket } from "./join-auth.ts";

const KINDS: Record<string, ParticipantInfo_Kind> = {
  standard: ParticipantInfo_Kind.STANDARD,
  ingress: ParticipantInfo_Kind.INGRESS,
  egress: ParticipantInfo_Kind.EGRESS,
  sip: ParticipantInfo_Kind.SIP,
  agent: ParticipantInfo_Kind.AGENT,
};

/** A joining participant as the token describes it; grants default the way livekit-server does. */
export function participantFromTicket(ticket: JoinTicket, nowMs: number): ParticipantInfo {
  const { claims } = ticket;
  const grant = claims.video ?? {};
  return new ParticipantInfo({
    sid: newId("PA_"),
    identity: ticket.identity,
    name: claims.name ?? "",
    metadata: claims.metadata ?? "",
    attributes: claims.attributes ?? {},
    state: ParticipantInfo_State.JOINED,
    joinedAt: BigInt(Math.floor(nowMs / 1000)),
    joinedAtMs: BigInt(nowMs),
    version: 1,
    kind: KINDS[claims.kind ?? "standard"] ?? ParticipantInfo_Kind.STANDARD,
    permission: new ParticipantPermission({
      canPublish: grant.canPublish ?? true,
      canSubscribe: grant.canSubscribe ?? true,
      canPublishData: grant.canPublishData ?? true,
      canUpdateMetadata: grant.canUpdateOwnMetadata ?? false,
      hidden: grant.hidden ?? false,
      agent: grant.agent ?? false,
    }),
  });
}
