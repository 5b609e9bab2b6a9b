/**
 * What a runtime gives the app for voice: starting runs (into the durable job queue), taking
 * sidecars' results, and reading recordings. Node: an in-process or remote sidecars and files;
 * Workers: remote sidecars only and R2.
 */
import type { RecordingStore } from "./recording-store.ts";
import type { VoiceRunStart, VoiceRunStarted } from "./start-voice-runs.ts";
import type { VoiceResultDeps } from "./voice-result-intake.ts";

export interface VoicePlatform {
  /** Why voice runs cannot start on this deployment (no sidecar configured), or undefined. */
  unavailable: string | undefined;
  /** Whole-call limit of a voice run (`max_duration_s` of its job). */
  maxDurationS: number;
  /** A voice run still unsettled this long past its max duration ends `sidecar_lost` (spec: 30 s). */
  deadlineGraceMs: number;
  start(starts: readonly VoiceRunStart[]): Promise<VoiceRunStarted[]>;
  /**
   * Stops the calls of these runs at their sidecars; answers the runs whose sidecar is ending
   * the call (their `interrupted` results, with what was said and recorded, are on their way).
   */
  cancel(runIds: readonly number[]): Promise<number[]>;
  /** How long a cancel waits for those results before ending the runs itself. */
  cancelWaitMs: number;
  /** The bearer token sidecars deliver results with; undefined: the result route answers 404. */
  sidecarToken: string | undefined;
  results: VoiceResultDeps;
  recordings: RecordingStore;
  /** Per-run timing: result received → run settled. */
  onSettled?: (runId: number, ms: number) => void;
}
