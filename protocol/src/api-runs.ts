/**
 * The gateway's test-run and webhook requests (docs/api-runs.md). `POST /v1/test-runs` refuses
 * unknown fields like every `/v1` body; the vendor path (RubricHQ's CI action) ignores them.
 */
import { z } from "zod";
import { WEBHOOK_EVENT_TYPES } from "./api-webhooks.ts";

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
