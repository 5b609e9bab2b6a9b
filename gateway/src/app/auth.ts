/**
 * API-key authentication for `/v1/*` and `/api/public/v1/*`: the key comes as `X-API-Key: K` or
 * `Authorization: Bearer K`. Missing, unknown or revoked keys are one answer, 401, so a caller
 * learns nothing about which keys exist.
 */
import { AppError } from "@spar/protocol";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.ts";
import type { ApiKeyAuthenticator } from "./principal.ts";

/** Longest key we bother hashing: anything longer is not one of ours. */
const MAX_KEY_CHARS = 256;

export function presentedApiKey(headers: Headers): string | undefined {
  const direct = headers.get("x-api-key")?.trim();
  if (direct) return direct.length <= MAX_KEY_CHARS ? direct : undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  const key = match?.[1];
  return key !== undefined && key.length <= MAX_KEY_CHARS ? key : undefined;
}

export function requireApiKey(auth: ApiKeyAuthenticator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = presentedApiKey(c.req.raw.headers);
    const principal = key === undefined ? undefined : await auth.authenticate(key);
    if (!principal) {
      throw new AppError("unauthorized", "a valid API key is required (X-API-Key or Authorization: Bearer)");
    }
    c.set("principal", principal);
    await next();
  };
}
