export type { SparDatabase } from "./database.ts";
export * from "./page.ts";
export * from "./repositories/agents.ts";
export * from "./repositories/credits.ts";
export * from "./repositories/livekit-sessions.ts";
export * from "./repositories/metrics.ts";
export * from "./repositories/run-events.ts";
export * from "./repositories/runs.ts";
export * from "./repositories/scenarios.ts";
export * from "./repositories/settings.ts";
export * from "./repositories/test-runs.ts";
export * from "./repositories/webhooks.ts";
export * from "./repositories/workspaces.ts";
export type * from "./schema.ts";
export * as schema from "./schema.ts";
/** The closed vocabularies, as values for the routes' zod enums. */
export {
  DELIVERY_STATUSES,
  METRIC_KINDS,
  METRIC_SCOPES,
  RUN_EVENT_TYPES,
  TEST_RUN_STATUSES,
  TEST_RUN_VERDICTS,
} from "./schema.ts";
export * from "./sealed-fields.ts";
export * from "./sealed-secret.ts";
export * from "./write-result.ts";
