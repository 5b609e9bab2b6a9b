/**
 * The gateway's test-run and webhook requests (docs/api-runs.md). `POST /v1/test-runs` refuses
 * unknown fields like every `/v1` body; the vendor path (RubricHQ's CI action) ignores them.
 */
import { z } from "zod";
import { WEBHOOK_EVENT_TYPES } from "./api-webhooks.ts";
import { runReportSchema } from "./run.ts";

const objectId = z.number().int().positive();

/** `web` is voice over LiveKit (the vendor's word); `phone` is refused as not supported yet. */
export const TEST_RUN_CHANNELS = ["text", "voice", "web", "phone"] as const;
export type TestRunChannel = (typeof TEST_RUN_CHANNELS)[number];

const testRunFields = {
  agent_id: objectId,
  scenario_ids: z.array(objectId).max(1000).optional(),
  tags: z.array(z.string().min(1).max(64)).max(64).optional(),
  /** Default: the agent's own channel (text when it has one). */
  channel: z.enum(TEST_RUN_CHANNELS).optional(),
  /** Runs per scenario. */
  frequency: z.number().int().min(1).max(5).default(1),
  /** Percent of runs that must pass, 0–100. */
  success_threshold: z.number().min(0).max(100).default(100),
  name: z.string().max(512).optional(),
  ci_metadata: z.record(z.string(), z.unknown()).optional(),
};

export const testRunCreateSchema = z.strictObject(testRunFields);
/** The vendor path: the same fields, anything else ignored. */
export const vendorTestRunCreateSchema = z.object(testRunFields);
export type TestRunCreate = z.infer<typeof testRunCreateSchema>;

export const webhookCreateSchema = z.strictObject({
  url: z.string().min(1).max(2048),
  events: z
    .array(z.enum(WEBHOOK_EVENT_TYPES))
    .min(1)
    .refine((events) => new Set(events).size === events.length, "lists an event twice"),
});
export type WebhookCreate = z.infer<typeof webhookCreateSchema>;

/** `GET /v1/test-runs/{id}` (and RubricHQ's `GET /api/public/v1/test_runs/{id}`). */
export const testRunViewSchema = z.object({
  test_run_id: z.number().int().positive(),
  name: z.string().nullable(),
  agent_id: z.number().int().positive(),
  channel: z.enum(TEST_RUN_CHANNELS),
  status: z.enum(["running", "done"]),
  verdict: z.enum(["pending", "passed", "failed"]),
  /** Percent of runs that passed, one decimal. */
  pass_rate: z.number().min(0).max(100),
  success_threshold: z.number().min(0).max(100),
  runs: z.object({
    total: z.number().int().nonnegative(),
    completed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    passed: z.number().int().nonnegative(),
  }),
  failed_runs: z.array(
    z.object({
      run_id: z.number().int().positive(),
      scenario_id: z.number().int().positive(),
      scenario_name: z.string().nullable(),
      reason: z.string(),
    }),
  ),
  report_url: z.string(),
  ci_metadata: z.record(z.string(), z.unknown()).nullable(),
  created_at: z.iso.datetime(),
  finished_at: z.iso.datetime().nullable(),
});
export type TestRunView = z.infer<typeof testRunViewSchema>;

/** A voice run's `recording`: where its WAVs are served (`GET /v1/runs/{id}/recording`). */
export const runRecordingViewSchema = z.object({
  /** Null when the call left no stereo mix. */
  stereo_url: z.string().nullable(),
  participants: z.partialRecord(
    z.enum(["caller", "agent"]),
    z.object({ identity: z.string(), url: z.string() }),
  ),
  sample_rate_hz: z.number().int().positive(),
  duration_ms: z.number().nonnegative(),
});
export type RunRecordingView = z.infer<typeof runRecordingViewSchema>;

/** `GET /v1/runs/{id}` of an ended run: the CLI report's run plus the platform's ids and times. */
export const endedRunViewSchema = runReportSchema.extend({
  /** Voice runs that recorded audio. */
  recording: runRecordingViewSchema.optional(),
  id: z.number().int().positive(),
  test_run_id: z.number().int().positive(),
  agent_id: z.number().int().positive(),
  scenario_id: z.number().int().positive(),
  scenario_name: z.string().nullable(),
  created_at: z.iso.datetime(),
  started_at: z.iso.datetime().nullable(),
  ended_at: z.iso.datetime(),
});
