/**
 * The sidecar's job API (DESIGN.md, sidecar box): the gateway submits a voice job over
 * authenticated HTTP, follows its run events as Server-Sent Events, and receives the final
 * result + recordings from the sidecar's durable outbox (at least once, idempotency-keyed).
 */
import { z } from "zod";
import { endedReasonSchema, finalRunStatusSchema } from "./run.ts";
import { VoiceMetricsSchema, VoiceRecordingSchema, VoiceTranscriptEntrySchema } from "./voice-metrics.ts";

/** Largest `POST /v1/jobs` body the sidecar reads. */
export const MAX_VOICE_JOB_BODY_BYTES = 256 * 1024;

const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, "use letters, digits and . _ : - only");
const httpUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .describe("an http(s) URL");
const wsUrl = z
  .url({ protocol: /^(wss?|https?)$/ })
  .max(2048)
  .describe("a LiveKit server URL (ws, wss, http or https)");
const headers = z.record(z.string().max(256), z.string().max(4096));

/** LiveKit project credentials, only for the modes where the platform creates rooms. */
const livekitCredentials = z.object({
  livekit_url: wsUrl,
  api_key: z.string().min(1).max(256),
  /** Secret: never logged, never echoed in events or results. */
  api_secret: z.string().min(1).max(1024),
  /** Forwarded to CreateRoom (the room options a hosted mode may set); already validated upstream. */
  room_options: z.record(z.string(), z.unknown()).optional(),
});

/** How the caller gets into the room (docs/suite-file.md § agent.voice). */
export const voiceConnectionSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("client"), bot_runner_url: httpUrl, headers: headers.optional() }),
  livekitCredentials.extend({ mode: z.literal("rubric_endpoint"), web_call_url: httpUrl }),
  livekitCredentials.extend({
    mode: z.literal("rubric_dispatch"),
    /** Blank = rely on automatic dispatch. */
    agent_name: z.string().max(256),
  }),
  z.object({
    mode: z.literal("token_endpoint"),
    generate_token_endpoint: httpUrl,
    token_request_payload: z.record(z.string(), z.unknown()).optional(),
    generate_token_headers: headers.optional(),
    /** Overridden by `serverUrl`/`server_url` in the token response. */
    livekit_url: wsUrl.optional(),
  }),
  z.object({ mode: z.literal("manual"), livekit_room_url: wsUrl, access_token: z.string().min(1).max(8192) }),
]);
export type VoiceConnection = z.infer<typeof voiceConnectionSchema>;

/** Body of `POST /v1/jobs`. The job id is the run id, so resubmitting a run is idempotent. */
export const voiceJobSchema = z.object({
  run_id: id,
  scenario: z.object({ id: id, name: z.string().max(512) }),
  agent_id: id.optional(),
  connection: voiceConnectionSchema,
  /** Caller brain configuration (script or persona); decoded by the caller package. */
  caller: z.record(z.string(), z.unknown()),
  /** Whole-call limit; the run ends `max_duration` when it is reached. */
  max_duration_s: z.number().int().min(1).max(3600),
  /** Wait for the agent to join the room; the run ends `agent_never_joined` past it (default 30 s). */
  agent_join_timeout_ms: z.number().int().min(1_000).max(600_000).optional(),
  /** Per-turn wait for the agent's first audio; the run ends `agent_timeout` past it. */
  turn_timeout_ms: z.number().int().min(100).max(120_000).optional(),
  /**
   * Chat over LiveKit instead of audio (Cekura's chat mode): the caller writes on the `lk.chat`
   * text-stream topic and reads the agent's replies from `lk.chat`/`lk.transcription`; no audio
   * is published or recorded. A dispatch made by the platform carries `text_mode: true`.
   */
  chat: z.boolean().optional(),
  /** Chat runs: one JSON data message the caller publishes (reliable) right after it joins. */
  publish_data_message: z.record(z.string(), z.unknown()).optional(),
  /**
   * Observe instead of call (a browser session, spec/voice-livekit.md § Session API): the sidecar
   * joins with a subscribe-only token, publishes nothing, records the human (the "caller" side)
   * and the agent, and measures their turns. `caller` is ignored; the call ends when the room
   * closes, when both have left, or at `max_duration_s`.
   */
  observe: z
    .object({
      /** The session's human: the identity its token grants (the user id). */
      human_identity: z.string().min(1).max(256),
      /** The agent's identity when known (a session endpoint's bot); else the first other participant. */
      agent_identity: z.string().min(1).max(256).optional(),
    })
    .optional(),
  /** Where the outbox POSTs the result; the sidecar's configured default when absent. */
  result_url: httpUrl.optional(),
});
export type VoiceJob = z.infer<typeof voiceJobSchema>;

export const VOICE_STAGES = ["room_entry", "connect", "agent_join", "conversation"] as const;
export const voiceStageSchema = z.enum(VOICE_STAGES);
export type VoiceStage = z.infer<typeof voiceStageSchema>;

const ms = z.number().finite().nonnegative();

/** What a runner reports while a call is in progress; times are ms since the job started. */
export const voiceRunEventBodySchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("stage_started"), stage: voiceStageSchema }),
  z.object({
    type: z.literal("stage_finished"),
    stage: voiceStageSchema,
    ok: z.boolean(),
    /** Set when `ok` is false: the run's failure reason. */
    reason: endedReasonSchema.optional(),
  }),
  z.object({ type: z.literal("participant_joined"), identity: z.string().max(256) }),
  z.object({
    type: z.literal("turn"),
    /** 1-based, counted over both sides. */
    turn_index: z.number().int().positive(),
    role: z.enum(["user", "agent"]),
    /** Personal data: exported to telemetry only when explicitly allowed. */
    content: z.string().max(100_000),
    start_ms: ms,
    end_ms: ms,
    /** Agent turns: caller end of speech → agent start of speech. */
    latency_ms: ms.optional(),
  }),
  z.object({ type: z.literal("interruption"), by: z.enum(["user", "ai"]), at_ms: ms, duration_ms: ms }),
  z.object({
    type: z.literal("job_finished"),
    status: finalRunStatusSchema,
    ended_reason: endedReasonSchema,
  }),
]);
export type VoiceRunEventBody = z.infer<typeof voiceRunEventBodySchema>;

/** One Server-Sent Event of `GET /v1/jobs/:id/events` (SSE `id:` = `seq`, `event:` = `type`). */
export const voiceRunEventSchema = z.intersection(
  z.object({
    run_id: id,
    /** 1-based, gap-free per job; resume with `Last-Event-ID`. */
    seq: z.number().int().positive(),
    /** Wall-clock time the sidecar recorded the event, ISO 8601. */
    at: z.iso.datetime(),
  }),
  voiceRunEventBodySchema,
);
export type VoiceRunEvent = z.infer<typeof voiceRunEventSchema>;

/** A recording file delivered as a part of the result's multipart body. */
export const voiceArtifactSchema = z.object({
  /** The multipart field name carrying the file bytes, e.g. `recording_stereo`. */
  part: z.string().regex(/^[a-z0-9_]{1,64}$/),
  /** Path on the sidecar, as named in `recording`; lets the receiver match part to role. */
  path: z.string().min(1).max(4096),
  content_type: z.string().max(128),
  bytes: z.number().int().nonnegative(),
  /** Lowercase hex SHA-256 of the bytes; the receiver must verify it. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type VoiceArtifact = z.infer<typeof voiceArtifactSchema>;

/**
 * How the caller's microphone kept time: a frame handed to the track after its slot had passed
 * left a gap in what the agent heard (an underrun: the machine was too busy). The caller's
 * own timestamps stay exact (playout re-anchors), but the agent may have heard a pause mid-line.
 */
export const callerAudioSchema = z.object({
  /** How much audio each microphone frame carries (100 ms on LiveKit rooms). */
  frame_ms: ms,
  /** Frames the caller's microphone sent, from joining the room to hanging up. */
  frames: z.number().int().nonnegative(),
  underruns: z.number().int().nonnegative(),
  /** The gaps' total and the worst one. */
  underrun_ms: ms,
  max_late_ms: ms,
});
export type CallerAudio = z.infer<typeof callerAudioSchema>;

/** What a runner returns when the call is over (successfully or not). */
export const voiceResultSchema = z.object({
  run_id: id,
  /** `interrupted`: the sidecar was shut down during the call. */
  status: finalRunStatusSchema,
  ended_reason: endedReasonSchema,
  /** Human-readable detail for failures (e.g. the bot runner's HTTP status and body start). */
  error_message: z.string().max(4096).optional(),
  started_at: z.iso.datetime(),
  ended_at: z.iso.datetime(),
  duration_ms: ms,
  room_name: z.string().max(256).optional(),
  transcript: z.array(VoiceTranscriptEntrySchema).max(10_000),
  /** Null when the call never got to record audio. */
  recording: VoiceRecordingSchema.nullable(),
  /** Null when the call never got to a conversation. */
  metrics: VoiceMetricsSchema.nullable(),
  /** The caller's microphone timing; absent when the caller never spoke (an observed session, chat). */
  caller_audio: callerAudioSchema.optional(),
  artifacts: z.array(voiceArtifactSchema).max(16),
});
export type VoiceResult = z.infer<typeof voiceResultSchema>;

/**
 * How the outbox delivers a result: `POST result_url`, `Content-Type: multipart/form-data`,
 * header `Idempotency-Key: voice-result:<run_id>`, a `result` part (application/json, a
 * `VoiceResult`) and one file part per artifact. Any 2xx acknowledges it; the receiver must
 * treat a repeated key as the same delivery (it can arrive again after a crash or timeout).
 */
export const VOICE_RESULT_PART = "result";
export function voiceResultIdempotencyKey(runId: string): string {
  return `voice-result:${runId}`;
}

export const VOICE_JOB_STATUSES = ["running", "completed", "failed", "interrupted"] as const;

/** `GET /v1/jobs/:id` and the 201/200 answer of `POST /v1/jobs`. */
export const voiceJobStatusSchema = z.object({
  run_id: id,
  status: z.enum(VOICE_JOB_STATUSES),
  created_at: z.iso.datetime(),
  /** Present once the job finished. */
  result: voiceResultSchema.optional(),
  /** Outbox state of the result delivery, once finished and a `result_url` is known. */
  delivery: z.enum(["pending", "delivered", "dead"]).optional(),
});
export type VoiceJobStatus = z.infer<typeof voiceJobStatusSchema>;
