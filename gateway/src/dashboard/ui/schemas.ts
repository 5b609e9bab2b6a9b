/**
 * What the pages decode, built from @spar/protocol's schemas. A run is read while it runs too,
 * when its ending fields are still null, so the run object here is the ended one with those
 * fields nullable; a voice run's transcript entries carry start/end times instead of `at_ms`.
 */
import {
  agentViewSchema,
  apiKeySchema,
  assertionResultSchema,
  channelSchema,
  createdApiKeySchema,
  endedBySchema,
  endedReasonSchema,
  type RunRecordingView,
  runRecordingViewSchema,
  runStatusSchema,
  scenarioViewSchema,
  testRunViewSchema,
  transcriptEntrySchema,
  VoiceMetricsSchema,
  VoiceTranscriptEntrySchema,
  WEBHOOK_EVENT_TYPES,
} from "@spar/protocol";
import { z } from "zod";

const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() });

// Voice first: a voice entry may also carry `at_ms`, and the text schema would drop its times.
export const anyTranscriptEntrySchema = z.union([VoiceTranscriptEntrySchema, transcriptEntrySchema]);
export type AnyTranscriptEntry = z.infer<typeof anyTranscriptEntrySchema>;

/** `run.recording` of a voice run (spec/gateway-api.md § Runs), as the gateway answers it. */
export const runRecordingSchema = runRecordingViewSchema;
export type RunRecording = RunRecordingView;

export const runViewSchema = z.object({
  id: z.number().int().positive(),
  test_run_id: z.number().int().positive(),
  agent_id: z.number().int().positive(),
  scenario_id: z.number().int().positive().nullable(),
  scenario_name: z.string().nullable(),
  attempt: z.number().int().min(1),
  channel: channelSchema,
  status: runStatusSchema,
  ended_reason: endedReasonSchema.nullable(),
  ended_by: endedBySchema.nullable(),
  passed: z.boolean().nullable(),
  duration_ms: z.number().nullable(),
  transcript: z.array(anyTranscriptEntrySchema),
  metadata: z.record(z.string(), z.unknown()),
  assertions: z.array(assertionResultSchema),
  metrics: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  recording: runRecordingSchema.optional(),
});
export type RunView = z.infer<typeof runViewSchema>;

export type {
  AgentView,
  ScenarioView,
  TestRunView,
  VoiceMetrics,
  VoiceTranscriptEntry,
} from "@spar/protocol";
export { agentViewSchema, createdApiKeySchema, scenarioViewSchema, testRunViewSchema, VoiceMetricsSchema };

export const runListSchema = z.object({ data: z.array(runViewSchema) });
export const testRunListSchema = listOf(testRunViewSchema);
export const agentListSchema = listOf(agentViewSchema);
export const scenarioListSchema = listOf(scenarioViewSchema);
export const apiKeyListSchema = z.object({ data: z.array(apiKeySchema) });

export const webhookSchema = z.object({
  id: z.number().int().positive(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  created_at: z.string(),
});
export const createdWebhookSchema = webhookSchema.extend({ secret: z.string() });
export const webhookListSchema = listOf(webhookSchema);

export const testRunStartedSchema = z.object({
  test_run_id: z.number().int().positive(),
  report_url: z.string(),
});
export const runStatusEventSchema = z.object({ status: runStatusSchema });
