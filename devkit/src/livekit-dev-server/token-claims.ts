import { TokenVerifier } from "livekit-server-sdk";
import { z } from "zod";

/** The part of a LiveKit access token the dev server acts on (decoded, never cast). */
const videoGrantSchema = z.object({
  roomCreate: z.boolean().optional(),
  roomJoin: z.boolean().optional(),
  roomList: z.boolean().optional(),
  roomAdmin: z.boolean().optional(),
  room: z.string().optional(),
  canPublish: z.boolean().optional(),
  canSubscribe: z.boolean().optional(),
  canPublishData: z.boolean().optional(),
  canUpdateOwnMetadata: z.boolean().optional(),
  hidden: z.boolean().optional(),
  agent: z.boolean().optional(),
});

const claimsSchema = z.object({
  iss: z.string(),
  sub: z.string().optional(),
  name: z.string().optional(),
  metadata: z.string().optional(),
  attributes: z.record(z.string(), z.string()).optional(),
  kind: z.string().optional(),
  video: videoGrantSchema.optional(),
});

export type VerifiedClaims = z.infer<typeof claimsSchema>;
export type VideoGrant = z.infer<typeof videoGrantSchema>;

export type VerifyResult = { ok: true; claims: VerifiedClaims } | { ok: false; message: string };

export const MAX_TOKEN_LENGTH = 16 * 1024;

const unverifiedIssuerSchema = z.object({ iss: z.string() });

/**
 * Verifies a token with the secret of the key it names (`iss`), using livekit-server-sdk's
 * TokenVerifier so signature and expiry rules are the real ones. Messages say what to fix.
 */
export async function verifyAccessToken(
  token: string,
  keys: ReadonlyMap<string, string>,
): Promise<VerifyResult> {
  if (token.length === 0)
    return { ok: false, message: "no access token: send `Authorization: Bearer <JWT>`" };
  if (token.length > MAX_TOKEN_LENGTH) {
    return { ok: false, message: `access token is longer than ${MAX_TOKEN_LENGTH} characters` };
  }
  const issuer = readIssuer(token);
  if (issuer === undefined)
    return { ok: false, message: "access token is not a JWT with an `iss` (API key) claim" };
  const secret = keys.get(issuer);
  if (secret === undefined) {
    return {
      ok: false,
      message: `unknown API key "${issuer.slice(0, 64)}": mint the token with a key this server was started with`,
    };
  }
  let payload: unknown;
  try {
    payload = await new TokenVerifier(issuer, secret).verify(token);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, message: `access token rejected: ${reason} (wrong secret or expired token?)` };
  }
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success) {
    return {
      ok: false,
      message: `access token claims are malformed: ${parsed.error.issues[0]?.message ?? "unknown"}`,
    };
  }
  return { ok: true, claims: parsed.data };
}

function readIssuer(token: string): string | undefined {
  const body = token.split(".")[1];
  if (body === undefined) return undefined;
  try {
    const json: unknown = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    const parsed = unverifiedIssuerSchema.safeParse(json);
    return parsed.success ? parsed.data.iss : undefined;
  } catch {
    return undefined;
  }
}

/** `Authorization: Bearer x` first (rtc-node), then `access_token` query (JS SDK). */
export function bearerToken(authorization: string | undefined, query: URLSearchParams): string {
  if (authorization?.toLowerCase().startsWith("bearer ")) return authorization.slice(7).trim();
  return query.get("access_token") ?? "";
}
