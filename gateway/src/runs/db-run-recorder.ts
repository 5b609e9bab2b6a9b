/**
 * The RunRecorder that stores what a text run host reports: `started` → running with its
 * deadline and a `status` event; each transcript entry → a `transcript` event; `finished` →
 * the run's waiting writes flushed, the stored ending, then the `ended` event, webhooks and
 * the test run's settling (run-settlement.ts). The start and the events go through the
 * RunEventBuffer: written together with other runs' within its `flushEveryMs`, not one commit
 * each; the ending is its own write, stored before anything reports the run finished.
 */
import type { RunReport } from "@spar/protocol";
import type { RunEnding } from "../db/repositories/runs.ts";
import type { RunEventBuffer } from "./run-event-buffer.ts";
import { endRun, type SettlementDeps } from "./run-settlement.ts";
import type { RunRecorder, TextRunJob } from "./text-run-host.ts";

/** A run still running this long after its `max_duration_s` is ended by the sweeper. */
export const DEADLINE_GRACE_MS = 30_000;

export class DbRunRecorder implements RunRecorder {
  private readonly events: RunEventBuffer;

  constructor(private readonly deps: SettlementDeps & { events: RunEventBuffer }) {
    this.events = deps.events;
  }

  async started(job: TextRunJob, atMs: number): Promise<void> {
    const maxDurationS = job.suite.agent.text?.max_duration_s ?? 600;
    const run = { workspaceId: job.workspaceId, runId: job.runId };
    this.events.addStart({
      ...run,
      startedAtMs: atMs,
      deadlineAtMs: atMs + maxDurationS * 1000 + DEADLINE_GRACE_MS,
    });
    // Stored only while the run is in flight: one ended meanwhile (cancelled, swept) keeps its end.
    this.events.add({ ...run, type: "status", data: { status: "running" }, nowMs: atMs });
  }

  async transcript(job: TextRunJob, entry: RunReport["transcript"][number]): Promise<void> {
    this.events.add({
      workspaceId: job.workspaceId,
      runId: job.runId,
      type: "transcript",
      data: entry,
      nowMs: this.deps.now(),
    });
  }

  async finished(job: TextRunJob, report: RunReport): Promise<void> {
    // Every event of the run is stored before its ending: nothing may follow `ended`.
    await this.events.flush();
    await endRun(this.deps, job.workspaceId, job.runId, endingOf(report, this.deps.now()));
  }
}

/** A report's fields as stored; a report that claims to be still in flight is a platform fault. */
export function endingOf(report: RunReport, endedAtMs: number): RunEnding {
  const base = {
    transcript: report.transcript,
    assertions: report.assertions,
    metrics: report.metrics,
    metadata: report.metadata,
    durationMs: report.duration_ms,
    endedAtMs,
  };
  if (report.status === "queued" || report.status === "running") {
    return {
      ...base,
      status: "failed",
      endedReason: "internal_error",
      endedBy: "platform",
      passed: false,
      error: `the run host reported the run finished while ${report.status}`,
    };
  }
  return {
    ...base,
    status: report.status,
    endedReason: report.ended_reason,
    endedBy: report.ended_by,
    passed: report.passed,
    error: report.error,
  };
}
