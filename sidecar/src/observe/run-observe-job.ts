import { join } from "node:path";
import type { VoiceJob, VoiceResult, VoiceRunEventBody } from "@spar/protocol";
import { DEFAULT_CALL_LIMITS } from "../call/call-limits.ts";
import { artifactsOf, voiceResultOf } from "../call/voice-result.ts";
import type { Clock } from "../media/clock.ts";
import {
  createVoiceActivity,
  DEFAULT_VAD_ENGINE,
  type VadEngine,
} from "../media/vad/create-voice-activity.ts";
import { LiveKitObserverRoomConnector } from "./livekit-observer-room.ts";
import { observeSession } from "./observe-session.ts";
import type { ObserverRoomConnector } from "./observer-room.ts";

export interface ObserveJobOptions {
  recordingsDir: string;
  clock: Clock;
  wallNow: () => number;
  vad?: VadEngine;
  connector?: ObserverRoomConnector;
  /** Joining the room (default: the caller's connect limit, 20 s). */
  connectMs?: number;
  /** An agent joining the room (default 30 s, the spec's stage limit). */
  agentJoinMs?: number;
  endpointingMs?: number;
}

export async function runObserveJob(
  job: VoiceJob,
  events: (event: VoiceRunEventBody) => void,
  signal: AbortSignal,
  options: ObserveJobOptions,
): Promise<VoiceResult> {
  const observe = job.observe;
  const connection = job.connection;
  if (observe === undefined || connection.mode !== "manual") {
    const at = new Date(options.wallNow()).toISOString();
    return {
      run_id: job.run_id,
      status: "failed",
      ended_reason: "internal_error",
      error_message: `an observer job needs observe and connection.mode manual (a subscribe-only token), not ${connection.mode}`,
      started_at: at,
      ended_at: at,
      duration_ms: 0,
      transcript: [],
      recording: null,
      metrics: null,
      artifacts: [],
    };
  }
  const engine = options.vad ?? DEFAULT_VAD_ENGINE;
  const call = await observeSession(
    {
      url: connection.livekit_room_url,
      token: connection.access_token,
      humanIdentity: observe.human_identity,
      agentIdentity: observe.agent_identity,
      maxDurationMs: job.max_duration_s * 1000,
      connectMs: options.connectMs ?? DEFAULT_CALL_LIMITS.connectMs,
      agentJoinMs: options.agentJoinMs ?? DEFAULT_CALL_LIMITS.agentJoinMs,
      endpointingMs: options.endpointingMs ?? DEFAULT_CALL_LIMITS.endpointingMs,
      recordingDir: join(options.recordingsDir, job.run_id),
    },
    {
      connector: options.connector ?? new LiveKitObserverRoomConnector(options.clock),
      makeVad: () => createVoiceActivity({ engine }),
      clock: options.clock,
      wallNow: options.wallNow,
      emit: events,
      signal,
    },
  );
  return voiceResultOf(job.run_id, call, await artifactsOf(call.recording));
}
