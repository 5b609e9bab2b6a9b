import type { RunTrace, Telemetry } from "./telemetry.ts";

const NOOP_RUN: RunTrace = {
  startStage() {},
  endStage() {},
  turn() {},
  end() {},
};

/** Telemetry when no OTLP endpoint is configured: costs nothing, sends nothing. */
export const noopTelemetry: Telemetry = {
  startRun: () => NOOP_RUN,
  recordTurnLatency() {},
  recordInterruption() {},
  recordCallDuration() {},
  callStarted() {},
  callEnded() {},
  forceFlush: async () => {},
  shutdown: async () => {},
};
