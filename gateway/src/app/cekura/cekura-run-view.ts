/**
 * A run in Cekura's shape (`GET /test_framework/v1/runs/bulk/`), from the stored row only. The
 * mapping, field by field (docs/api-cekura.md):
 * - `id` ← id; `scenario` ← scenario_id; `scenario_name`; `agent` ← agent_id.
 * - `success` ← passed (null until the run has ended and been evaluated).
 * - `status`: queued → pending; running → running; completed → evaluating until its verdict is
 *   stored, then completed; failed and interrupted → failed (the reason is in `error_message`).
 * - `transcript_object`: user → "Testing Agent" (our simulated caller), agent → "Main Agent",
 *   function_call(_result) → "Function Call (Result)"; `timestamp` = at_ms / 1000 (seconds from
 *   the run's start, as Cekura's transcripts count time).
 * - `voice_recording_url` ← recording.stereo_url (null for text runs and voice runs without one).
 * - `error_message` ← "ended_reason: error" for a run that did not complete, else null.
 */
import type { CekuraRun, TranscriptEntry } from "@spar/protocol";
import type { RunRecord } from "../../db/repositories/runs.ts";
import { failureReason } from "../../runs/run-views.ts";

const ROLE: Record<TranscriptEntry["role"], CekuraRun["transcript_object"][number]["role"]> = {
  user: "Testing Agent",
  agent: "Main Agent",
  function_call: "Function Call",
  function_call_result: "Function Call Result",
};

function statusOf(run: RunRecord): CekuraRun["status"] {
  switch (run.status) {
    case "queued":
      return "pending";
    case "running":
      return "running";
    case "completed":
      return run.passed === null ? "evaluating" : "completed";
    case "failed":
    case "interrupted":
      return "failed";
  }
}

function recordingUrl(run: RunRecord): string | null {
  const url = run.recording?.stereo_url;
  return typeof url === "string" ? url : null;
}

export function cekuraRunView(run: RunRecord): CekuraRun {
  const ended = run.status === "failed" || run.status === "interrupted";
  return {
    id: run.id,
    scenario: run.scenarioId,
    scenario_name: run.scenarioName,
    agent: run.agentId,
    success: run.passed,
    status: statusOf(run),
    transcript_object: run.transcript.map((entry) => ({
      role: ROLE[entry.role],
      content: entry.content,
      timestamp: entry.at_ms / 1000,
    })),
    voice_recording_url: recordingUrl(run),
    error_message: ended ? failureReason(run) : null,
  };
}
