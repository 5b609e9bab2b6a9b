/**
 * LiveKit participant tokens: HS256 JWTs signed with the project's API secret, `iss` = its API
 * key, `sub` = the identity, `video` = the grants. Signed here with WebCrypto rather than the
 * server SDK's AccessToken so the times come from the injected clock (the SDK reads the wall
 * clock and writes no `iat`) and the code runs unchanged on Node and Workers.
 */
import { bytesToBase64 } from "../security/base64.ts";

/** The video grants a token carries; only what is listed is granted. */
export interface LivekitVideoGrant {
  room: string;
  roomJoin?: boolean;
  canPublish?: boolean;
  canSubscribe?: boolean;
  canPublishData?: boolean;
  /** Not shown to the room's other participants (an observer). */
  hidden?: boolean;
}

export interface LivekitTokenRequest {
  apiKey: string;
  apiSecret: string;
  identity: string;
  /** Display name; absent → none. */
  name?: string;
  grant: LivekitVideoGrant;
  ttlS: number;
  nowMs: number;
}

const encoder = new TextEncoder();

function base64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const jsonPart = (value: unknown) => base64Url(encoder.encode(JSON.stringify(value)));

export async function mintLivekitToken(request: LivekitTokenRequest): Promise<string> {
  const iat = Math.floor(request.nowMs / 1000);
  const claims = {
    iss: request.apiKey,
    sub: request.identity,
    ...(request.name === undefined ? {} : { name: request.name }),
    iat,
    nbf: iat,
    exp: iat + request.ttlS,
    video: request.grant,
  };
  const signingInput = `${jsonPart({ alg: "HS256", typ: "JWT" })}.${jsonPart(claims)}`;
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(request.apiSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", key, encoder.encode(signingInput));
  return `${signingInput}.${base64Url(new Uint8Array(signature))}`;
}
