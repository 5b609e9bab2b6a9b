/** The whole gateway app from its services: createApp + the DB authenticator + every route area. */
import type { Hono } from "hono";
import { dashboardRoutes } from "../dashboard/dashboard-routes.ts";
import { createRateLimiter } from "../security/rate-limiter.ts";
import type { AppEnv } from "./app-env.ts";
import { createApp, DEFAULT_MAX_BODY_BYTES } from "./create-app.ts";
import { dbAuthenticator } from "./db-authenticator.ts";
import { adminRoutes } from "./routes/admin.ts";
import type { StartManualRuns } from "./routes/cekura.ts";
import { registerCekuraRoutes, registerRoutes, registerVendorRoutes } from "./routes/index.ts";
import { startManualLivekitRuns } from "./routes/manual-livekit-runs.ts";
import { voiceResultRoutes } from "./routes/voice-results.ts";
import type { GatewayServices } from "./services.ts";

/** Per API key: 20 requests a second sustained, bursts of 100 (a CI job polling, a dashboard). */
export const DEFAULT_RATE_LIMIT = { ratePerSec: 20, burst: 100 };

export function createGatewayApp(
  services: GatewayServices,
  newRequestId: () => string,
  rateLimit: { ratePerSec: number; burst: number } = DEFAULT_RATE_LIMIT,
  /** The manual LiveKit run routes' handler (tests give their own); voice runs through sidecars otherwise. */
  startManualRuns: StartManualRuns = startManualLivekitRuns,
): Hono<AppEnv> {
  const app = createApp({
    rateLimiter: createRateLimiter({ ...rateLimit, now: services.now }),
    auth: dbAuthenticator(services.db, services.now),
    log: services.log,
    newRequestId,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    routes: (v1) => registerRoutes(v1, services, startManualRuns),
    adminRoutes: (admin) => adminRoutes(admin, services),
    internalRoutes: (internal) => voiceResultRoutes(internal, services),
    vendorRoutes: (publicV1) => registerVendorRoutes(publicV1, services),
    cekuraRoutes: (testFramework) => registerCekuraRoutes(testFramework, services, startManualRuns),
  });
  // The dashboard's pages (no key needed; they call /v1 with the one the person signs in with).
  app.route("/", dashboardRoutes());
  return app;
}
