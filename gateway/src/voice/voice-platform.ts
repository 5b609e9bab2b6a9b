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
  /** The bearer token sidecars deliver results with; undefined: the result route answers 404. */
  sidecarToken: string | undefined;
  results: VoiceResultDeps;
  recordings: RecordingStore;
  /** Per-run timing: result received → run settled. */
  onSettled?: (runId: number, ms: number) => void;
}
