/**
 * The sidecar's entry for a `VoiceJob` with `chat: true`: room entry has already resolved the
 * URL and token; this plays the job's caller over `lk.chat` and returns the `VoiceResult` —
 * the transcript (each message an instant: start = end), no recording, no audio metrics.
 */
import type { VoiceJob, VoiceResult, VoiceRunEventBody } from "@spar/protocol";
import { brainFor, decodeCallerConfig } from "../call/caller-config.ts";
import { type Clock, monotonicClock } from "../media/clock.ts";
import { runChatCall } from "./chat-call.ts";
import { voiceTranscriptOfChat } from "./chat-report.ts";
import type { ChatRoomConnector } from "./chat-room.ts";
import { type ChatLimits, DEFAULT_CHAT_LIMITS } from "./chat-types.ts";
import { LiveKitChatRoomConnector } from "./livekit-chat-room.ts";

/** Where the caller joins: what room entry resolved for the job's connection mode. */
export interface ChatRoomAccess {
  url: string;
  token: string;
}

export interface ChatJobOptions {
  connector?: ChatRoomConnector;
  clock?: Clock;
  wallNow?: () => number;
  fetch?: typeof fetch;
  /** Overrides of the stage limits (tests shorten them); the job's own limits win. */
  limits?: Partial<ChatLimits>;
}

export async function runChatJob(
  job: VoiceJob,
  access: ChatRoomAccess,
  events: (event: VoiceRunEventBody) => void,
  signal: AbortSignal,
  options: ChatJobOptions = {},
): Promise<VoiceResult> {
  const wallNow = options.wallNow ?? Date.now;
  const clock = options.clock ?? monotonicClock;
  const startedWall = wallNow();
  const startedMono = clock.now();
  let config: ReturnType<typeof decodeCallerConfig>;
  try {
    config = decodeCallerConfig(job.caller);
  } catch (cause) {
    const endedWall = wallNow();
    return {
      run_id: job.run_id,
      status: "failed",
      ended_reason: "internal_error",
      error_message: (cause instanceof Error ? cause.message : String(cause)).slice(0, 4096),
      started_at: new Date(startedWall).toISOString(),
      ended_at: new Date(endedWall).toISOString(),
      duration_ms: endedWall - startedWall,
      transcript: [],
      recording: null,
      metrics: null,
      artifacts: [],
    };
  }
  const limits: ChatLimits = {
    ...DEFAULT_CHAT_LIMITS,
    ...options.limits,
    maxDurationMs: job.max_duration_s * 1000,
    ...(job.turn_timeout_ms === undefined ? {} : { turnTimeoutMs: job.turn_timeout_ms }),
    ...(config.greeting_wait_ms === undefined ? {} : { greetingWaitMs: config.greeting_wait_ms }),
  };
  const result = await runChatCall(
    {
      url: access.url,
      token: access.token,
      brain: brainFor(
        config,
        { scenarioId: job.scenario.id, agentId: job.agent_id ?? "agent" },
        options.fetch ? { fetch: options.fetch } : {},
      ),
      config: {
        limits,
        ...(config.agent_identity === undefined ? {} : { agentIdentity: config.agent_identity }),
        publishesDataMessage: job.publish_data_message !== undefined,
      },
      ...(job.publish_data_message === undefined ? {} : { dataMessage: job.publish_data_message }),
    },
    { connector: options.connector ?? new LiveKitChatRoomConnector(), clock, emit: events, signal },
  );
  const { end } = result;
  const durationMs = Math.round((result.endedAt - result.startedAt) * 10) / 10;
  // Wall times from the monotonic clock's offsets, so started/ended/duration agree.
  const wallAt = (mono: number) => new Date(startedWall + (mono - startedMono)).toISOString();
  return {
    run_id: job.run_id,
    status: end.status,
    ended_reason: end.reason,
    ...(end.detail === undefined ? {} : { error_message: end.detail.slice(0, 4096) }),
    started_at: wallAt(result.startedAt),
    ended_at: wallAt(result.endedAt),
    duration_ms: durationMs,
    ...(result.roomName ? { room_name: result.roomName } : {}),
    transcript: voiceTranscriptOfChat(result.transcript),
    recording: null,
    metrics: null,
    artifacts: [],
  };
}
