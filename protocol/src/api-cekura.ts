/**
 * Cekura-compatible routes (seeds/cekura-livekit-manual.md; spec/gateway-api.md § Voice on the
 * platform): the manual LiveKit run requests, and the run object of
 * `GET /test_framework/v1/runs/bulk/`. Vendor clients send fields we do not use; they are ignored.
 */
import { z } from "zod";
import { urlProblem } from "./url-check.ts";

const objectId = z.number().int().positive();

/** Most elements (runs) one manual-run request may hold; repeat an element to run it in parallel. */
export const MAX_MANUAL_RUNS_PER_REQUEST = 100;
/** Largest `publish_data_message` accepted, as JSON. */
export const MAX_PUBLISH_DATA_MESSAGE_BYTES = 16 * 1024;

const roomUrlSchema = z
  .string()
  .max(2048)
  .superRefine((value, ctx) => {
    const problem = urlProblem(value, "ws");
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const manualRunElementSchema = z.object({
  /** Scenario id. */
  scenario: objectId,
  /** The LiveKit server URL the caller joins (`wss://…`). */
  livekit_room_url: roomUrlSchema,
  /** A participant JWT for the caller, minted by the user. */
  access_token: z.string().min(1).max(8192),
  /** Chat only: an extra data message published when the caller joins. */
  publish_data_message: z
    .record(z.string(), z.unknown())
    .refine(
      (value) => JSON.stringify(value).length <= MAX_PUBLISH_DATA_MESSAGE_BYTES,
      `must be at most ${MAX_PUBLISH_DATA_MESSAGE_BYTES} bytes as JSON`,
    )
    .optional(),
});
export type ManualRunElement = z.infer<typeof manualRunElementSchema>;

/**
 * `POST /v1/runs/livekit`, `/v1/runs/livekit-chat` and Cekura's
 * `/test_framework/v1/scenarios-external/run_scenarios_livekit[_chat]/`: one run per element.
 */
export const manualLivekitRunsSchema = z.object({
  scenarios: z
    .array(manualRunElementSchema)
    .min(1, "must list at least one {scenario, livekit_room_url, access_token}")
    .max(MAX_MANUAL_RUNS_PER_REQUEST, `at most ${MAX_MANUAL_RUNS_PER_REQUEST} runs per request`),
  /** Agent id; optional when the scenarios have one. */
  agent: objectId.optional(),
});
export type ManualLivekitRuns = z.infer<typeof manualLivekitRunsSchema>;

/** Cekura's run statuses that our runs map to (docs/api-cekura.md § Mapping). */
export const CEKURA_RUN_STATUSES = ["pending", "running", "evaluating", "completed", "failed"] as const;

/** Cekura's speaker names: the simulated caller is the Testing Agent, the agent under test the Main Agent. */
export const CEKURA_ROLES = ["Testing Agent", "Main Agent", "Function Call", "Function Call Result"] as const;

export const cekuraTranscriptEntrySchema = z.object({
  role: z.enum(CEKURA_ROLES),
  content: z.string(),
  /** Seconds since the run started. */
  timestamp: z.number(),
});

/** One element of `GET /test_framework/v1/runs/bulk/?run_ids=…`. */
export const cekuraRunSchema = z.object({
  id: objectId,
  scenario: objectId.nullable(),
  scenario_name: z.string(),
  agent: objectId,
  /** Null until the run has ended and been evaluated. */
  success: z.boolean().nullable(),
  status: z.enum(CEKURA_RUN_STATUSES),
  transcript_object: z.array(cekuraTranscriptEntrySchema),
  voice_recording_url: z.string().nullable(),
  error_message: z.string().nullable(),
});
export type CekuraRun = z.infer<typeof cekuraRunSchema>;
