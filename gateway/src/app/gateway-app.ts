/** The whole gateway app from its services: createApp + the DB authenticator + every route area. */
import type { Hono } from "hono";
import type { AppEnv } from "./app-env.ts";
import { createApp, DEFAULT_MAX_BODY_BYTES } from "./create-app.ts";
import { dbAuthenticator } from "./db-authenticator.ts";
import { adminRoutes } from "./routes/admin.ts";
import { registerRoutes, registerVendorRoutes } from "./routes/index.ts";
import type { GatewayServices } from "./services.ts";

export function createGatewayApp(services: GatewayServices, newRequestId: () => string): Hono<AppEnv> {
  return createApp({
    auth: dbAuthenticator(services.db, services.now),
    log: services.log,
    newRequestId,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    routes: (v1) => registerRoutes(v1, services),
    adminRoutes: (admin) => adminRoutes(admin, services),
    vendorRoutes: (publicV1) => registerVendorRoutes(publicV1, services),
  });
}
