/**
 * Why LiveKit took the caller out of the room, and whether that is a normal end of the call
 * (the same rule as the text channel's close codes): the agent's side closing or deleting the
 * room, or removing the caller, ends a call; a server shutdown, a lost signal connection or a
 * failed join is a fault and must never read as the agent hanging up.
 */
import { DisconnectReason } from "@livekit/rtc-node";

const NORMAL: ReadonlySet<DisconnectReason> = new Set([
  DisconnectReason.CLIENT_INITIATED,
  DisconnectReason.PARTICIPANT_REMOVED,
  DisconnectReason.ROOM_DELETED,
  DisconnectReason.ROOM_CLOSED,
]);

export interface DisconnectDescription {
  /** The reason's name (`ROOM_DELETED`), or its number when this rtc-node does not know it. */
  name: string;
  normal: boolean;
}

export function describeDisconnect(reason: DisconnectReason | number): DisconnectDescription {
  const name =
    (DisconnectReason as unknown as Record<number, string | undefined>)[reason] ?? `reason ${reason}`;
  return { name, normal: NORMAL.has(reason as DisconnectReason) };
}
