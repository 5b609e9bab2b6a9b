import { z } from "zod";
import { latencySummarySchema } from "./run.ts";

/**
 * Audio metrics of a voice run (docs/voice-metrics.md).
 * Keys and shapes follow the widely used standard set; every duration is in milliseconds,
 * every `at_second` is seconds since the call started. A metric that could not be measured
 * (no agent speech, no turns) is `null` rather than a made-up zero.
 */

const ms = z.number().finite().nonnegative();

/** One caller turn: caller end of speech → agent start of speech. */
export const TurnLatencySchema = z.object({
  /** 1-based index of the caller turn the agent answered. */
  turn: z.number().int().positive(),
  /** Milliseconds from the caller's last speech sample to the agent's first speech frame. */
  latency_ms: ms,
});
export type TurnLatency = z.infer<typeof TurnLatencySchema>;

/** The text runs' latency summary plus each turn (docs/voice-metrics.md). */
export const LatencyMetricSchema = latencySummarySchema.extend({ turns: z.array(TurnLatencySchema) });
export type LatencyMetric = z.infer<typeof LatencyMetricSchema>;

export const InterruptionSchema = z.object({
  /** Seconds since call start at which the interrupting party started speaking. */
  at_second: z.number().finite().nonnegative(),
  /** How long both parties spoke at once, in milliseconds. */
  duration_ms: ms,
});
export type Interruption = z.infer<typeof InterruptionSchema>;

export const InterruptionsMetricSchema = z.object({
  count: z.number().int().nonnegative(),
  interruptions: z.array(InterruptionSchema),
});
export type InterruptionsMetric = z.infer<typeof InterruptionsMetricSchema>;

export const StopTimeEventSchema = z.object({
  /** Seconds since call start at which the caller barged in. */
  at_second: z.number().finite().nonnegative(),
  /** Milliseconds from the caller's barge-in to the agent's last speech frame. */
  stop_time_ms: ms,
});
export type StopTimeEvent = z.infer<typeof StopTimeEventSchema>;

export const StopTimeMetricSchema = z.object({
  /** Null when no user interruption happened. */
  average_ms: ms.nullable(),
  events: z.array(StopTimeEventSchema),
});
export type StopTimeMetric = z.infer<typeof StopTimeMetricSchema>;

export const ChannelSilenceSchema = z.object({
  /** Silences at least the threshold long. */
  count: z.number().int().nonnegative(),
  total_ms: ms,
});
export type ChannelSilence = z.infer<typeof ChannelSilenceSchema>;

export const SilenceDetectionSchema = z.object({
  ai_channel: ChannelSilenceSchema,
  user_channel: ChannelSilenceSchema,
  /** Shortest gap that counts as a silence (default 3000). */
  threshold_ms: ms,
});
export type SilenceDetection = z.infer<typeof SilenceDetectionSchema>;

/** The metric keys, in report order; `measured_with` has one entry for each. */
export const VOICE_METRIC_KEYS = [
  "latency_ms",
  "user_interruptions",
  "ai_interruptions",
  "stop_time_after_interruption",
  "silence_detection",
  "time_to_first_audio_ms",
  "talk_ratio",
  "words_per_minute",
  "duration_ms",
] as const;
export type VoiceMetricKey = (typeof VOICE_METRIC_KEYS)[number];

/**
 * How one metric was measured, so its error bar is known: which source each side's timing came
 * from (playout timestamps are exact; VAD has a per-engine error), the VAD kind and frame size.
 */
export const MeasuredWithSchema = z.object({
  /** Human-readable one-line description, e.g. "caller: playout timestamps (exact); agent: silero-v5 VAD, 32 ms frames". */
  description: z.string().min(1).max(500),
  caller_source: z.enum(["playout_timestamps", "vad", "none"]),
  agent_source: z.enum(["vad", "transcription", "stt", "none"]),
  /** VAD engine used for the agent track, when any. */
  vad: z
    .object({
      engine: z.string().min(1).max(100),
      frame_ms: ms,
    })
    .nullable(),
  /** Speech-to-text engine words came from, when any (`low_fidelity` for offline engines). */
  stt: z
    .object({
      engine: z.string().min(1).max(100),
      fidelity: z.enum(["exact", "provider", "low_fidelity"]),
    })
    .nullable(),
});
export type MeasuredWith = z.infer<typeof MeasuredWithSchema>;

export const VoiceMetricsSchema = z.object({
  /** Null when no caller turn was answered. */
  latency_ms: LatencyMetricSchema.nullable(),
  user_interruptions: InterruptionsMetricSchema,
  ai_interruptions: InterruptionsMetricSchema,
  stop_time_after_interruption: StopTimeMetricSchema,
  silence_detection: SilenceDetectionSchema,
  /** Call start → the agent's first speech frame; null when the agent never spoke. */
  time_to_first_audio_ms: ms.nullable(),
  /** Agent talk time / (agent + caller talk time), 0..1; null when nobody spoke. */
  talk_ratio: z.number().min(0).max(1).nullable(),
  /** Agent words per minute of agent speech; null without agent words or speech. */
  words_per_minute: z.number().finite().nonnegative().nullable(),
  /** Call start → call end. */
  duration_ms: ms,
  measured_with: z.object({
    latency_ms: MeasuredWithSchema,
    user_interruptions: MeasuredWithSchema,
    ai_interruptions: MeasuredWithSchema,
    stop_time_after_interruption: MeasuredWithSchema,
    silence_detection: MeasuredWithSchema,
    time_to_first_audio_ms: MeasuredWithSchema,
    talk_ratio: MeasuredWithSchema,
    words_per_minute: MeasuredWithSchema,
    duration_ms: MeasuredWithSchema,
  }),
});
export type VoiceMetrics = z.infer<typeof VoiceMetricsSchema>;

/** One transcript entry of a voice run, with both sides' speech times. */
export const VoiceTranscriptEntrySchema = z.object({
  role: z.enum(["user", "agent"]),
  content: z.string().max(100_000),
  start_ms: ms,
  end_ms: ms,
});
export type VoiceTranscriptEntry = z.infer<typeof VoiceTranscriptEntrySchema>;

/** Where a run's recording lives and how to read it (the header states the same rate). */
export const VoiceRecordingSchema = z.object({
  sample_rate_hz: z.number().int().positive(),
  /** Stereo: caller left, agent right. */
  stereo_path: z.string().min(1),
  participants: z.array(
    z.object({ identity: z.string().min(1), role: z.enum(["user", "agent"]), path: z.string().min(1) }),
  ),
  duration_ms: ms,
});
export type VoiceRecording = z.infer<typeof VoiceRecordingSchema>;
