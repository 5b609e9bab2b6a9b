import type { VoiceRunEventBody } from "@spar/protocol";
import type { RunTrace, Telemetry } from "./telemetry.ts";

/**
 * Feeds telemetry from a run's event stream, so any `VoiceCallRunner` is traced and measured
 * without calling telemetry itself (an observer, not a pipeline stage). `atMs` is the epoch ms
 * the event was recorded.
 */
export function recordRunEvent(
  telemetry: Telemetry,
  run: RunTrace,
  event: VoiceRunEventBody,
  atMs: number,
): void {
  switch (event.type) {
    case "stage_started":
      run.startStage(event.stage, atMs);
      return;
    case "stage_finished":
      run.endStage(event.stage, event.ok, event.reason, atMs);
      return;
    case "turn": {
      const { turn_index, role, start_ms, end_ms, latency_ms, content } = event;
      run.turn({
        index: turn_index,
        role,
        startMs: start_ms,
        endMs: end_ms,
        text: content,
        ...(latency_ms === undefined ? {} : { latencyMs: latency_ms }),
      });
      if (latency_ms !== undefined) telemetry.recordTurnLatency(latency_ms);
      return;
    }
    case "interruption":
      telemetry.recordInterruption(event.by);
      return;
    case "participant_joined":
    case "job_finished":
      return;
  }
}
