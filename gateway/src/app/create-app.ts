/**
 * The gateway: one Hono app for every runtime. `createApp(deps)` is all of it; a runtime's
 * composition root (Node's `spar serve`, the Workers entry) builds the deps from its adapters.
 * Nothing here touches a runtime API: ports in, Web-standard Request/Response out.
 */
import { AppError } from "@spar/protocol";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { RateLimiter } from "../security/rate-limiter.ts";
import type { AppEnv } from "./app-env.ts";
import { isCekuraV1Path, requireApiKey } from "./auth.ts";
import { handleError, type Log, respondError } from "./http-errors.ts";
import type { ApiKeyAuthenticator } from "./principal.ts";

export interface AppDeps {
  auth: ApiKeyAuthenticator;
  log: Log;
  newRequestId: () => string;
  /** Largest request body accepted (spec: 1 MiB). */
  maxBodyBytes: number;
  /** The API's routes, mounted at `/v1` behind the API key. */
  routes: (v1: Hono<AppEnv>) => void;
  /**
   * Operator routes, mounted at `/v1/admin` ahead of `/v1` and outside its API-key check: they
   * authenticate with their own token.
   */
  adminRoutes?: (admin: Hono<AppEnv>) => void;
  /** Vendor-compatible routes (RubricHQ's `/api/public/v1/test_runs`), behind the API key too. */
  vendorRoutes?: (publicV1: Hono<AppEnv>) => void;
  /**
   * Routes other services call with their own credentials (sidecars' results), mounted at
   * `/internal` ahead of the 1 MiB body limit: each sets its own bound.
   */
  internalRoutes?: (internal: Hono<AppEnv>) => void;
  /**
   * Cekura-compatible routes, mounted at `/test_framework/v1`: the API key may also come as
   * `X-CEKURA-API-KEY` there (and on `/v1/runs/livekit[-chat]`).
   */
  cekuraRoutes?: (testFramework: Hono<AppEnv>) => void;
  /** Per API key, after authentication: over the limit → 429 with Retry-After. */
  rateLimiter?: RateLimiter;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("requestId", deps.newRequestId());
    await next();
    c.header("X-Request-Id", c.get("requestId"));
  });
  if (deps.internalRoutes) {
    const internal = new Hono<AppEnv>();
    deps.internalRoutes(internal);
    app.route("/internal", internal);
  }
  app.use(
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      // The answer comes before the rest of the body is read; without `Connection: close` a
      // client still uploading sees the server drop the socket instead of this 413 (about half
      // the time with undici on Node), and a keep-alive client would reuse a dirty connection.
      onError: (c) =>
        respondError(c as never, "payload_too_large", `the body is over ${deps.maxBodyBytes} bytes`, {
          Connection: "close",
        }),
    }),
  );
  app.onError(handleError(deps.log));
  app.notFound((c) =>
    respondError(c, "not_found", `no route ${c.req.method} ${new URL(c.req.url).pathname}`),
  );
  app.get("/healthz", (c) => c.json({ ok: true }));

  if (deps.adminRoutes) {
    const admin = new Hono<AppEnv>();
    deps.adminRoutes(admin);
    app.route("/v1/admin", admin);
  }
  const limit: MiddlewareHandler<AppEnv> = async (c, next) => {
    const taken = deps.rateLimiter?.take(String(c.get("principal").apiKeyId));
    if (taken && !taken.ok) {
      throw new AppError(
        "rate_limited",
        `too many requests for this API key; retry in ${taken.retryAfterS} s`,
        {
          cause: { retryAfterS: taken.retryAfterS },
        },
      );
    }
    await next();
  };
  const v1 = new Hono<AppEnv>();
  v1.use(requireApiKey(deps.auth, { cekuraKeyOn: isCekuraV1Path }), limit);
  deps.routes(v1);
  app.route("/v1", v1);
  const publicV1 = new Hono<AppEnv>();
  publicV1.use(requireApiKey(deps.auth), limit);
  deps.vendorRoutes?.(publicV1);
  app.route("/api/public/v1", publicV1);
  const testFramework = new Hono<AppEnv>();
  testFramework.use(requireApiKey(deps.auth, { cekuraKeyOn: () => true }), limit);
  deps.cekuraRoutes?.(testFramework);
  app.route("/test_framework/v1", testFramework);
  return app;
}
