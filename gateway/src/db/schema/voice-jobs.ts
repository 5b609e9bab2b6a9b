/**
 * The durable queue of voice jobs (spec/gateway-api.md § Voice on the platform): one row per
 * voice run, from creation until a sidecar accepted it. The job itself carries LiveKit tokens
 * and keys, so it is stored sealed, as one JSON plan (job + what settling the run needs).
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { runs } from "./runs.ts";
import { workspaces } from "./tenants.ts";

export const VOICE_JOB_STATES = ["queued", "posted"] as const;
export type VoiceJobState = (typeof VOICE_JOB_STATES)[number];

export const voiceJobs = sqliteTable(
  "voice_jobs",
  {
    runId: integer("run_id")
      .primaryKey()
      .references(() => runs.id, { onDelete: "cascade" }),
    workspaceId: integer("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    /** The sealed `VoiceRunPlan` JSON (voice/voice-run-plan.ts). */
    planCiphertext: text("plan_ciphertext").notNull(),
    planKeyId: text("plan_key_id").notNull(),
    state: text("state", { enum: VOICE_JOB_STATES }).notNull(),
    /** The sidecar that accepted the job; its events are followed there. */
    sidecarUrl: text("sidecar_url"),
    attempts: integer("attempts").notNull(),
    /** A queued job is posted at or after this time; a claim pushes it forward (a lease). */
    nextAttemptAtMs: integer("next_attempt_at_ms").notNull(),
    postedAtMs: integer("posted_at_ms"),
    lastError: text("last_error"),
  },
  (t) => [index("voice_jobs_state_next").on(t.state, t.nextAttemptAtMs)],
);
