/** Every route of the API, by area; each area is one file registering on the `/v1` app. */
import type { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import type { GatewayServices } from "../services.ts";
import { agentRoutes } from "./agents.ts";
import { apiKeyRoutes } from "./api-keys.ts";
import { cekuraReadRoutes, manualRunRoutes, type StartManualRuns } from "./cekura.ts";
import { creditRoutes } from "./credits.ts";
import { metricRoutes } from "./metrics.ts";
import { recordingRoutes } from "./recordings.ts";
import { createRunRoutes } from "./runs.ts";
import { scenarioRoutes } from "./scenarios.ts";
import { sessionRoutes } from "./sessions.ts";
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
  sessionRoutes,
];

/**
 * `startManualRuns`: the handler of the manual LiveKit run routes (cekura.ts); without it those
 * routes are not registered (404), rather than answering as if runs had started.
 */
export function registerRoutes(
  v1: Hono<AppEnv>,
  services: GatewayServices,
  startManualRuns?: StartManualRuns,
): void {
  for (const area of ROUTE_AREAS) area(v1, services);
  if (startManualRuns) manualRunRoutes(startManualRuns).v1(v1, services);
}

/** `/api/public/v1/*`: RubricHQ's CI action's paths, behind the same API key. */
export const VENDOR_ROUTE_AREAS: RouteArea[] = [vendorTestRunRoutes];

export function registerVendorRoutes(publicV1: Hono<AppEnv>, services: GatewayServices): void {
  for (const area of VENDOR_ROUTE_AREAS) area(publicV1, services);
}

/** `/test_framework/v1/*`: Cekura's paths, behind the API key (also as X-CEKURA-API-KEY). */
export function registerCekuraRoutes(
  testFramework: Hono<AppEnv>,
  services: GatewayServices,
  startManualRuns?: StartManualRuns,
): void {
  cekuraReadRoutes(testFramework, services);
  if (startManualRuns) manualRunRoutes(startManualRuns).testFramework(testFramework, services);
}
