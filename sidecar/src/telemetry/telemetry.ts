import type { EndedReason, FinalRunStatus, VoiceConnection, VoiceStage } from "@spar/protocol";

/**
 * What the sidecar reports about calls. Typed methods instead of raw spans and meters so call
 * code cannot misname an attribute or leak transcript text; `otel-telemetry.ts` is the real
 * implementation, `noop-telemetry.ts` the one used when no OTLP endpoint is configured.
 */
export interface Telemetry {
  startRun(run: RunIdentity): RunTrace;
  recordTurnLatency(latencyMs: number): void;
  recordInterruption(by: "user" | "ai"): void;
  recordCallDuration(durationMs: number, outcome: RunOutcome): void;
  /** Active-calls up/down counter: +1 when a call starts, -1 when it ends. */
  callStarted(): void;
  callEnded(): void;
  /** Exports everything buffered now (tests, and before a planned exit). */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface RunIdentity {
  runId: string;
  scenarioId: string;
  agentId?: string;
  mode: VoiceConnection["mode"];
  /** Epoch ms the run started; turn times are offsets from it. */
  startedAtMs: number;
}

export interface RunOutcome {
  status: FinalRunStatus;
  endedReason: EndedReason;
}

export interface TurnRecord {
  index: number;
  role: "user" | "agent";
  /** Offsets from the run start, in ms. */
  startMs: number;
  endMs: number;
  latencyMs?: number;
  /** Personal data: dropped unless the facade was built to include transcripts. */
  text?: string;
}

export interface RunTrace {
  /** Opens a stage span under the run; a stage already open with that name is ended first. */
  startStage(stage: VoiceStage, atMs?: number): void;
  endStage(stage: VoiceStage, ok: boolean, failureReason?: EndedReason, atMs?: number): void;
  /** A finished turn, as a span under the conversation stage (or the run when none is open). */
  turn(turn: TurnRecord): void;
  /** Ends open stages, then the run span. Further calls are ignored. */
  end(outcome: RunOutcome, atMs?: number): void;
}
