/**
 * API-key authentication for `/v1/*` and `/api/public/v1/*`: the key comes as `X-API-Key: K` or
 * `Authorization: Bearer K`. Missing, unknown or revoked keys are one answer, 401, so a caller
 * learns nothing about which keys exist.
 */
import { AppError } from "@spar/protocol";
import type { MiddlewareHandler } from "hono";
import { presentedApiKey } from "../security/api-key.ts";
import type { AppEnv } from "./app-env.ts";
import type { ApiKeyAuthenticator } from "./principal.ts";

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
