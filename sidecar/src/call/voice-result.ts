/** A finished call as the sidecar's job result: the fields in the protocol's names, one artifact per WAV. */
import { stat } from "node:fs/promises";
import type { CallerAudio, VoiceArtifact, VoiceResult } from "@spar/protocol";
import { sha256File } from "../outbox/file-digest.ts";
import type { WrittenRecording } from "../recording/call-recorder.ts";
import type { CallReport } from "./call-session.ts";
import type { PlayoutStats } from "./microphone-playout.ts";

/** What a finished call (the caller's, or an observed session) reports, as the job result needs it. */
export type FinishedCall = Pick<
  CallReport,
  | "end"
  | "startedAtWallMs"
  | "endedAtWallMs"
  | "durationMs"
  | "roomName"
  | "transcript"
  | "recording"
  | "metrics"
> &
  Partial<Pick<CallReport, "playout">>;

/** The microphone's timing as the protocol reports it (ms to 0.1). */
export function callerAudioOf(stats: PlayoutStats): CallerAudio {
  const tenth = (ms: number) => Math.round(ms * 10) / 10;
  return {
    frame_ms: stats.frameMs,
    frames: stats.frames,
    underruns: stats.underruns,
    underrun_ms: tenth(stats.underrunMs),
    max_late_ms: tenth(stats.maxLateMs),
  };
}

export function voiceResultOf(runId: string, report: FinishedCall, artifacts: VoiceArtifact[]): VoiceResult {
  const { end, recording } = report;
  return {
    run_id: runId,
    status: end.status,
    ended_reason: end.reason,
    ...(end.detail === undefined ? {} : { error_message: end.detail.slice(0, 4096) }),
    started_at: new Date(report.startedAtWallMs).toISOString(),
    ended_at: new Date(report.endedAtWallMs).toISOString(),
    duration_ms: report.durationMs,
    ...(report.roomName ? { room_name: report.roomName } : {}),
    transcript: report.transcript,
    recording: recording
      ? {
          sample_rate_hz: recording.sampleRateHz,
          stereo_path: recording.stereoPath,
          participants: recording.participants,
          duration_ms: Math.round(recording.durationMs * 10) / 10,
        }
      : null,
    metrics: report.metrics,
    ...(report.playout ? { caller_audio: callerAudioOf(report.playout) } : {}),
    artifacts,
  };
}

/** One artifact per WAV: the stereo mix and each participant's track, with size and sha256. */
export async function artifactsOf(recording: WrittenRecording | null): Promise<VoiceArtifact[]> {
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
