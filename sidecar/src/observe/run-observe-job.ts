/**
 * The sidecar's entry for a `VoiceJob` with `observe` (a browser session): joins the room with the
 * job's subscribe-only token (connection mode `manual`), observes the session and returns the
 * `VoiceResult` — transcript, stereo + per-party recordings as sha256-checked artifacts, and the
 * turn metrics, each stating how it was measured.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { VoiceArtifact, VoiceJob, VoiceResult, VoiceRunEventBody } from "@spar/protocol";
import { DEFAULT_CALL_LIMITS } from "../call/call-limits.ts";
import type { Clock } from "../media/clock.ts";
import { createVoiceActivity, type VadEngine } from "../media/vad/create-voice-activity.ts";
import { sha256File } from "../outbox/file-digest.ts";
import type { WrittenRecording } from "../recording/call-recorder.ts";
import { LiveKitObserverRoomConnector } from "./livekit-observer-room.ts";
import { type ObservedCall, observeSession } from "./observe-session.ts";
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
  const engine = options.vad ?? "energy";
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
  return resultOf(job.run_id, call, await artifactsOf(call.recording));
}

function resultOf(runId: string, call: ObservedCall, artifacts: VoiceArtifact[]): VoiceResult {
  const { end, recording } = call;
  return {
    run_id: runId,
    status: end.status,
    ended_reason: end.reason,
    ...(end.detail === undefined ? {} : { error_message: end.detail.slice(0, 4096) }),
    started_at: new Date(call.startedAtWallMs).toISOString(),
    ended_at: new Date(call.endedAtWallMs).toISOString(),
    duration_ms: call.durationMs,
    ...(call.roomName ? { room_name: call.roomName } : {}),
    transcript: call.transcript,
    recording: recording
      ? {
          sample_rate_hz: recording.sampleRateHz,
          stereo_path: recording.stereoPath,
          participants: recording.participants,
          duration_ms: Math.round(recording.durationMs * 10) / 10,
        }
      : null,
    metrics: call.metrics,
    artifacts,
  };
}

/** One artifact per WAV (as the caller's runner sends them): the stereo mix and each party's track. */
async function artifactsOf(recording: WrittenRecording | null): Promise<VoiceArtifact[]> {
  if (!recording) return [];
  const files = [
    { part: "recording_stereo", path: recording.stereoPath },
    ...recording.participants.map((p) => ({ part: `recording_${p.role}`, path: p.path })),
  ];
  return Promise.all(
    files.map(async (f) => ({
      part: f.part,
      path: f.path,
      content_type: "audio/wav",
      bytes: (await stat(f.path)).size,
      sha256: await sha256File(f.path),
    })),
  );
}
