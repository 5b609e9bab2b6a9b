import type { RoomRegistry } from "./room-registry.ts";
import { bearerToken, type VerifiedClaims, verifyAccessToken } from "./token-claims.ts";

export interface JoinTicket {
  room: string;
  identity: string;
  claims: VerifiedClaims;
  autoSubscribe: boolean;
}

export type JoinDecision = { ok: true; ticket: JoinTicket } | { ok: false; status: number; message: string };

/**
 * Decides a `/rtc` join before the WebSocket upgrade, so a refused client gets an HTTP status
 * and a message (rtc-node then calls `/rtc/validate`, which returns the same decision).
 */
export async function decideJoin(
  req: { authorization: string | undefined; query: URLSearchParams },
  deps: { keys: ReadonlyMap<string, string>; registry: RoomRegistry; autoCreateRooms: boolean },
): Promise<JoinDecision> {
  const verified = await verifyAccessToken(bearerToken(req.authorization, req.query), deps.keys);
  if (!verified.ok) return { ok: false, status: 401, message: verified.message };
  const { claims } = verified;
  const grant = claims.video;
  if (!grant?.roomJoin) {
    return {
      ok: false,
      status: 401,
      message: "token has no roomJoin grant: add `roomJoin: true` to the video grant",
    };
  }
  const room = grant.room ?? "";
  if (room.length === 0) {
    return {
      ok: false,
      status: 401,
      message: "token grants roomJoin but names no room: set `room` in the video grant",
    };
  }
  const askedRoom = req.query.get("room");
  if (askedRoom !== null && askedRoom !== room) {
    return { ok: false, status: 401, message: `token is for room "${room}", not "${askedRoom}"` };
  }
  const identity = claims.sub ?? "";
  if (identity.length === 0)
    return { ok: false, status: 401, message: "token has no identity (`sub`): set one" };
  if (identity.length > 256)
    return { ok: false, status: 400, message: "identity is longer than 256 characters" };
  const existing = deps.registry.getRoom(room);
  if (!existing && !deps.autoCreateRooms) {
    return {
      ok: false,
      status: 404,
      message: `room "${room}" does not exist; create it first (auto-create is off)`,
    };
  }
  if (existing && existing.maxParticipants > 0) {
    const inRoom = deps.registry.listParticipants(room);
    const rejoining = inRoom.some((p) => p.identity === identity);
    if (!rejoining && inRoom.length >= existing.maxParticipants) {
      return {
        ok: false,
        status: 403,
        message: `room "${room}" is full: max_participants is ${existing.maxParticipants}`,
      };
    }
  }
  const autoSubscribe =
    req.query.get("auto_subscribe") !== "0" && req.query.get("auto_subscribe") !== "false";
  return { ok: true, ticket: { room, identity, claims, autoSubscribe } };
}
