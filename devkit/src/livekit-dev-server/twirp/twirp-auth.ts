import type { IncomingMessage } from "node:http";
import { bearerToken, type VideoGrant, verifyAccessToken } from "../token-claims.ts";
import { TwirpError } from "./twirp-error.ts";

/** Verifies the `Authorization: Bearer <JWT>` header and returns the token's video grant. */
export async function authenticate(
  req: IncomingMessage,
  keys: ReadonlyMap<string, string>,
): Promise<VideoGrant> {
  const header = req.headers.authorization;
  if (header === undefined || header.length === 0) {
    throw new TwirpError(
      "unauthenticated",
      "missing Authorization header: send `Authorization: Bearer <JWT>`",
    );
  }
  // Server API tokens come only in the header; never from the query string.
  const verified = await verifyAccessToken(bearerToken(header, new URLSearchParams()), keys);
  if (!verified.ok) throw new TwirpError("unauthenticated", verified.message);
  return verified.claims.video ?? {};
}

/** The grant checks livekit-server applies (EnsureCreatePermission, EnsureListPermission, EnsureAdminPermission). */
export function requireCreate(grant: VideoGrant): void {
  if (!grant.roomCreate) throw denied("roomCreate");
}

export function requireList(grant: VideoGrant): void {
  if (!grant.roomList) throw denied("roomList");
}

export function requireAdmin(grant: VideoGrant, room: string): void {
  if (!grant.roomAdmin) throw denied(`roomAdmin (for room "${room}")`);
  if (grant.room !== room) {
    throw new TwirpError(
      "permission_denied",
      `permissions denied: the token's roomAdmin grant is for room "${grant.room ?? ""}", not "${room}"`,
    );
  }
}

function denied(grant: string): TwirpError {
  return new TwirpError("permission_denied", `permissions denied: the token needs the ${grant} grant`);
}
