/** Runs, transcripts, assertion results and the JSON report (docs/report.md). */
import { z } from "zod";

export const RUN_STATUSES = ["queued", "running", "completed", "failed", "interrupted"] as const;
export const runStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof runStatusSchema>;

/**
 * How a run that has ended stands: `completed` (the conversation ended normally), `failed`
 * (timeouts, lost connections, protocol errors, platform faults) or `interrupted` (the person or
 * process that started it stopped it, e.g. Ctrl-C: no verdict on the agent either way).
 */
export const finalRunStatusSchema = z.enum(["completed", "failed", "interrupted"]);
export type FinalRunStatus = z.infer<typeof finalRunStatusSchema>;

/** Why a run ended (text-protocol.md § Lifecycle; voice-livekit.md § Timeouts and failures). */
export const ENDED_REASONS = [
  "caller_ended",
  "agent_ended",
  "agent_timeout",
  "max_duration",
  "connection_failed",
  "connection_lost",
  "protocol_error",
  "internal_error",
  /** Stopped by whoever started the run (Ctrl-C, shutdown): status `interrupted`. */
  "interrupted",
  // voice-only reasons
  "bot_runner_error",
  "invalid_bot_runner_response",
  "room_create_failed",
  "agent_never_joined",
  "token_missing",
  "credentials_missing",
  "sidecar_lost",
] as const;
export const endedReasonSchema = z.enum(ENDED_REASONS);
export type EndedReason = z.infer<typeof endedReasonSchema>;

export const endedBySchema = z.enum(["caller", "agent", "platform"]);
export type EndedBy = z.infer<typeof endedBySchema>;

export const channelSchema = z.enum(["text", "voice"]);
export type Channel = z.infer<typeof channelSchema>;

export const transcriptEntrySchema = z.object({
  role: z.enum(["user", "agent", "function_call", "function_call_result"]),
  content: z.string(),
  /** Milliseconds since the run started. */
  at_ms: z.number(),
  /** Agent turns: ms from the caller's message being sent to this reply arriving. */
  latency_ms: z.number().optional(),
  data: z
    .object({
      id: z.string().optional(),
      name: z.string().optional(),
      arguments: z.unknown().optional(),
      result: z.unknown().optional(),
    })
    .optional(),
});
export type TranscriptEntry = z.infer<typeof transcriptEntrySchema>;

export const assertionResultSchema = z.object({
  kind: z.string(),
  passed: z.boolean(),
  detail: z.string(),
  /** LLM judge only: the model's reasoning. */
  reasoning: z.string().optional(),
});
export type AssertionResult = z.infer<typeof assertionResultSchema>;

const latencyMs = z.number().finite().nonnegative();
export const latencySummarySchema = z.object({
  average_ms: latencyMs,
  p50_ms: latencyMs,
  p95_ms: latencyMs,
});
export type LatencySummary = z.infer<typeof latencySummarySchema>;

export const textRunMetricsSchema = z.object({
  turns: z.number().int(),
  latency_ms: latencySummarySchema.nullable(),
});
export type TextRunMetrics = z.infer<typeof textRunMetricsSchema>;

export const runReportSchema = z.object({
  run_id: z.string(),
  scenario_id: z.string(),
  attempt: z.number().int().min(1),
  channel: channelSchema,
  status: runStatusSchema,
  ended_reason: endedReasonSchema,
  ended_by: endedBySchema,
  passed: z.boolean(),
  duration_ms: z.number(),
  transcript: z.array(transcriptEntrySchema),
  metadata: z.record(z.string(), z.unknown()),
  assertions: z.array(assertionResultSchema),
  metrics: z.record(z.string(), z.unknown()),
  /** Null when the run passed; else why it did not, for a human. */
  error: z.string().nullable(),
});
export type RunReport = z.infer<typeof runReportSchema>;

export const suiteReportSchema = z.object({
  suite: z.string(),
  batch_id: z.string(),
  started_at: z.string(),
  duration_ms: z.number(),
  summary: z.object({
    total: z.number().int(),
    passed: z.number().int(),
    /** Runs that ended without passing, interrupted ones aside. */
    failed: z.number().int(),
    /** Runs stopped by Ctrl-C or a shutdown (status `interrupted`): no verdict either way. 0 in reports from before it existed. */
    interrupted: z.number().int().default(0),
    /** Percent of all runs that passed, 0–100. */
    pass_rate: z.number(),
  }),
  runs: z.array(runReportSchema),
});
export type SuiteReport = z.infer<typeof suiteReportSchema>;
