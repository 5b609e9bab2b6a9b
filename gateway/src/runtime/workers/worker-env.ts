/**
 * The Worker's bindings (wrangler.toml) and its `SPAR_*` variables and secrets. Only the entry
 * and the Durable Objects' constructors see this object; they turn it into a WorkerContext.
 */
import type { D1Database, DurableObjectNamespace, R2Bucket } from "@cloudflare/workers-types";
import type { TextRunObject } from "./text-run-object.ts";
import type { VoiceRunObject } from "./voice-run-object.ts";
import type { WebhookObject } from "./webhook-object.ts";

export interface WorkerEnv {
  DB: D1Database;
  TEXT_RUNS: DurableObjectNamespace<TextRunObject>;
  WEBHOOKS: DurableObjectNamespace<WebhookObject>;
  /** One per voice run: it follows the run's live events at its sidecar. */
  VOICE_RUNS: DurableObjectNamespace<VoiceRunObject>;
  /** Recordings of voice runs. */
  RECORDINGS: R2Bucket;
  /**
   * `spar serve --runtime workers` only: the first-start key's prefix and SHA-256. When no
   * workspace exists yet, workspace `default` is created with that key (bootstrap-workspace.ts).
   */
  SPAR_FIRST_KEY_PREFIX?: string;
  SPAR_FIRST_KEY_SHA256?: string;
  [name: `SPAR_${string}`]: string | undefined;
}

/** The `SPAR_*` entries of the env, as `parseGatewayEnv` reads them. */
export function sparVariables(env: WorkerEnv): Record<string, string | undefined> {
  const vars: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith("SPAR_") && typeof value === "string") vars[name] = value;
  }
  return vars;
}
