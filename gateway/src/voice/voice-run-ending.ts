/**
 * A voice result as the run's stored ending, evaluated as embedded voice runs are
 * (sidecar/src/call/run-voice-scenario.ts): the scenario's assertions, then the agent's metrics
 * (`text_only` ones skipped and reported as skipped; a chat run is evaluated as text), then the
 * verdict. A result that is not `completed`, or a failed assertion or critical metric, never
 * passes.
 */
import { evaluateAssertions, evaluateMetrics, runVerdict } from "@spar/caller";
import type { EndedBy, VoiceResult } from "@spar/protocol";
import type { RunEnding } from "../db/repositories/runs.ts";
import type { JsonObject } from "../db/schema.ts";
import type { VoiceRunPlan } from "./voice-run-plan.ts";
import { transcriptOf } from "./voice-transcript.ts";

export interface VoiceEndingDeps {
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

function endedByOf(result: VoiceResult): EndedBy {
  if (result.ended_reason === "agent_ended") return "agent";
  if (result.ended_reason === "caller_ended") return "caller";
  return "platform";
}

export async function voiceRunEnding(
  plan: VoiceRunPlan,
  result: VoiceResult,
  recording: JsonObject | null,
  endedAtMs: number,
  deps: VoiceEndingDeps = {},
): Promise<RunEnding> {
  const { scenario } = plan;
  const transcript = transcriptOf(result.transcript, result.metrics?.latency_ms?.turns ?? []);
  const endedBy = endedByOf(result);
  const producedMetadata: JsonObject = {
    ...(result.room_name ? { room_name: result.room_name } : {}),
    ...(recording ? { recording } : {}),
    ...(result.caller_audio ? { caller_audio: result.caller_audio } : {}),
  };
  const outcome = {
    status: result.status,
    endedReason: result.ended_reason,
    endedBy,
    transcript,
    // What the call produced, never the scenario's own metadata: `metadata` assertions check the run.
    metadata: producedMetadata,
  };
  const assertionDeps = {
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(plan.llm ? { llm: plan.llm } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
  // An interrupted run gets no verdict, so nothing is evaluated.
  const interrupted = result.status === "interrupted";
  const assertions = interrupted
    ? []
    : await evaluateAssertions(scenario.assertions ?? [], outcome, assertionDeps);
  const channel = plan.job.chat ? "text" : "voice";
  const metrics =
    interrupted || plan.metrics.length === 0
      ? []
      : await evaluateMetrics(plan.metrics, outcome, channel, assertionDeps);
  const problem =
    result.status !== "completed" || result.ended_reason === "caller_ended"
      ? (result.error_message ?? (result.status === "completed" ? null : result.ended_reason))
      : null;
  const verdict = runVerdict({
    status: result.status,
    endedReason: result.ended_reason,
    problem,
    script: scenario.script,
    transcript,
    assertions,
    metrics,
  });
  return {
    status: result.status,
    endedReason: result.ended_reason,
    endedBy,
    // runVerdict already refuses a failed status; this keeps a non-completed run from ever passing.
    passed: verdict.passed && result.status === "completed",
    error:
      verdict.error ?? (result.status === "completed" ? null : (result.error_message ?? result.ended_reason)),
    durationMs: result.duration_ms,
    transcript,
    assertions: [...assertions, ...metrics.map((m) => m.result)],
    metrics: (result.metrics ?? {}) as JsonObject,
    metadata: { ...(scenario.metadata ?? {}), ...producedMetadata },
    recording,
    endedAtMs,
  };
}
