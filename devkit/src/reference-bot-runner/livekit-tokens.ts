import { AccessToken } from "livekit-server-sdk";
import { z } from "zod";

/** Join tokens handed out by the runner live this long: enough to join, not a session. */
export const JOIN_TOKEN_TTL_S = 10 * 60;

/** A token for one identity in one room: join, publish, subscribe, data — nothing else. */
export function mintJoinToken(input: {
  apiKey: string;
  apiSecret: string;
  identity: string;
  room: string;
  ttlS?: number;
}): Promise<string> {
  const token = new AccessToken(input.apiKey, input.apiSecret, {
    identity: input.identity,
    name: input.identity,
    ttl: input.ttlS ?? JOIN_TOKEN_TTL_S,
  });
  token.addGrant({
    roomJoin: true,
    room: input.room,
    canPublish: true,
    canSubscribe: true,
    canPublishData: true,
  });
  return token.toJwt();
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  video: z.object({ room: z.string().optional() }).optional(),
});
export type JoinClaims = { identity: string; room: string | undefined };

/**
 * The identity and room a join token names, read without verifying the signature: the runner
 * is not the authority (LiveKit checks the token when the bot joins); it only needs to know
 * whom to watch and to refuse a token for another room before trying to join with it.
 */
export function readJoinClaims(
  jwt: string,
): { ok: true; claims: JoinClaims } | { ok: false; message: string } {
  const parts = jwt.split(".");
  if (parts.length !== 3 || !parts[1])
    return { ok: false, message: "is not a JWT (three dot-separated parts)" };
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return { ok: false, message: "has a payload that is not base64url JSON" };
  }
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, message: "has no identity (`sub` claim)" };
  return { ok: true, claims: { identity: parsed.data.sub, room: parsed.data.video?.room } };
}

/** True when two LiveKit URLs name the same server (ws/http and wss/https are the same door). */
export function sameLivekitServer(a: string, b: string): boolean {
  const origin = (s: string) => {
    const u = new URL(s.replace(/^ws/, "http"));
    return `${u.protocol}//${u.host}`;
  };
  try {
    return origin(a) === origin(b);
  } catch {
    return false;
  }
}
