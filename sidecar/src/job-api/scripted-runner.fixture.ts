/**
 * A hand-written `VoiceCallRunner` for job API tests: each call waits until the test emits
 * events and finishes it, so tests drive a "call" step by step without a LiveKit room.
 */

import type { VoiceJob, VoiceResult, VoiceRunEventBody } from "@spar/protocol";
import type { VoiceCallRunner } from "./voice-call-runner.ts";

export interface ScriptedCall {
  job: VoiceJob;
  emit(event: VoiceRunEventBody): void;
  finish(result: VoiceResult): void;
  fail(error: Error): void;
  signal: AbortSignal;
}

export class ScriptedRunner implements VoiceCallRunner {
  readonly calls: ScriptedCall[] = [];
  #waiters: ((call: ScriptedCall) => void)[] = [];

  run(job: VoiceJob, events: (event: VoiceRunEventBody) => void, signal: AbortSignal): Promise<VoiceResult> {
    return new Promise<VoiceResult>((resolve, reject) => {
      const call: ScriptedCall = { job, emit: events, finish: resolve, fail: reject, signal };
      this.calls.push(call);
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w(call);
    });
  }

  /** The call for `runId`, waiting for the job service to start it if it has not yet. */
  async call(runId: string): Promise<ScriptedCall> {
    for (;;) {
      const found = this.calls.find((c) => c.job.run_id === runId);
      if (found !== undefined) return found;
      await new Promise<ScriptedCall>((resolve) => this.#waiters.push(resolve));
    }
  }
}

export function resultFor(job: VoiceJob, overrides: Partial<VoiceResult> = {}): VoiceResult {
  return {
    run_id: job.run_id,
    status: "completed",
    ended_reason: "agent_ended",
    started_at: "2026-01-01T00:00:00.000Z",
    ended_at: "2026-01-01T00:01:05.000Z",
    duration_ms: 65_000,
    transcript: [
      { role: "user", content: "hi, I'd like to book a table", start_ms: 1_000, end_ms: 2_500 },
      { role: "agent", content: "sure, for how many?", start_ms: 2_620, end_ms: 4_000 },
    ],
    recording: null,
    metrics: null,
    artifacts: [],
    ...overrides,
  };
}
