/** Every route of the API, by area; each area is one file registering on the `/v1` app. */
import type { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import type { GatewayServices } from "../services.ts";
import { agentRoutes } from "./agents.ts";
import { apiKeyRoutes } from "./api-keys.ts";
import { creditRoutes } from "./credits.ts";
import { metricRoutes } from "./metrics.ts";
import { recordingRoutes } from "./recordings.ts";
import { createRunRoutes } from "./runs.ts";
import { scenarioRoutes } from "./scenarios.ts";
import { settingsRoutes } from "./settings.ts";
import { suiteRoutes } from "./suites.ts";
import { testRunRoutes, vendorTestRunRoutes } from "./test-runs.ts";
import { webhookRoutes } from "./webhooks.ts";

export type RouteArea = (v1: Hono<AppEnv>, services: GatewayServices) => void;

/** The areas, in the order their routes are matched. */
export const ROUTE_AREAS: RouteArea[] = [
  apiKeyRoutes,
  agentRoutes,
  settingsRoutes,
  scenarioRoutes,
  metricRoutes,
  suiteRoutes,
  creditRoutes,
  testRunRoutes,
  recordingRoutes,
  createRunRoutes(),
  webhookRoutes,
];

export function registerRoutes(v1: Hono<AppEnv>, services: GatewayServices): void {
  for (const area of ROUTE_AREAS) area(v1, services);
}

/** `/api/public/v1/*`: RubricHQ's CI action's paths, behind the same API key. */
export const VENDOR_ROUTE_AREAS: RouteArea[] = [vendorTestRunRoutes];

export function registerVendorRoutes(publicV1: Hono<AppEnv>, services: GatewayServices): void {
  for (const area of VENDOR_ROUTE_AREAS) area(publicV1, services);
}
