/** Live progress of a `spar run`: the runner calls these as runs start and finish. */
import type { RunReport } from "@spar/protocol";
import { paint } from "./ansi.ts";
import { failureLines, formatDuration, oneLine, runLabel, terminalSafe } from "./run-text.ts";

export interface ProgressReporter {
  runStarted(runId: string, scenarioId: string, attempt: number): void;
  runFinished(run: RunReport): void;
  /** Every run has finished; leaves the output ready for the summary table. */
  done(): void;
}

/** Where progress is written: a `process.stdout`/`stderr`, or anything with `write` in tests. */
export interface ProgressStream {
  write(chunk: string): unknown;
  /** Terminal width, when the stream is a terminal. */
  columns?: number;
}

/** `PASS pay-bill#1 (203 ms)` or `FAIL pay-bill#2 (1.2 s) agent_timeout: why`: one line per run. */
export function formatRunLine(run: RunReport, color: boolean): string {
  const head = `${run.passed ? paint("green", "PASS", color) : paint("red", "FAIL", color)} ${terminalSafe(runLabel(run))} (${formatDuration(run.duration_ms)})`;
  if (run.passed) return head;
  const why = oneLine(terminalSafe(failureLines(run)[0] ?? ""));
  return run.status === "failed" ? `${head} ${run.ended_reason}: ${why}` : `${head} ${why}`;
}
