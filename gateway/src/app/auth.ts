/**
 * API-key authentication for `/v1/*`, `/api/public/v1/*` and the Cekura-compatible routes: the
 * key comes as `X-API-Key: K` or `Authorization: Bearer K`, and on Cekura's routes also as
 * `X-CEKURA-API-KEY: K` (its clients send only that). Missing, unknown or revoked keys are one
 * answer, 401, so a caller learns nothing about which keys exist.
 */
import { AppError } from "@spar/protocol";
import type { MiddlewareHandler } from "hono";
import { presentedApiKey } from "../security/api-key.ts";
import type { AppEnv } from "./app-env.ts";
import type { ApiKeyAuthenticator } from "./principal.ts";

export const CEKURA_KEY_HEADER = "X-CEKURA-API-KEY";

/** `/v1` paths that are Cekura's routes too, so they take its key header (trailing slash or not). */
const CEKURA_V1_PATHS = /^\/v1\/runs\/livekit(?:-chat)?\/?$/;

export function isCekuraV1Path(path: string): boolean {
  return CEKURA_V1_PATHS.test(path);
}

export interface ApiKeyOptions {
  /** Whether this request's path also takes `X-CEKURA-API-KEY`. */
  cekuraKeyOn?: (path: string) => boolean;
}

export function requireApiKey(
  auth: ApiKeyAuthenticator,
  options: ApiKeyOptions = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const cekura = options.cekuraKeyOn?.(c.req.path) ?? false;
    const key = presentedApiKey(c.req.raw.headers, cekura ? { extraHeaders: [CEKURA_KEY_HEADER] } : {});
    const principal = key === undefined ? undefined : await auth.authenticate(key);
    if (!principal) {
      const headers = cekura
        ? `X-API-Key, ${CEKURA_KEY_HEADER} or Authorization: Bearer`
        : "X-API-Key or Authorization: Bearer";
      throw new AppError("unauthorized", `a valid API key is required (${headers})`);
    }
    c.set("principal", principal);
    await next();
  };
}
