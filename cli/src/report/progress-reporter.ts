/** Live progress of a `spar run`: the runner calls these as runs start and finish. */
import type { RunReport } from "@spar/protocol";
import { paint } from "./ansi.ts";
import { failureLines, formatDuration, oneLine, runLabel, terminalSafe, verdictWord } from "./run-text.ts";

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

const VERDICT_STYLE = { PASS: "green", FAIL: "red", INTERRUPTED: "yellow" } as const;

/**
 * `PASS pay-bill#1 (203 ms)`, `FAIL pay-bill#2 (1.2 s) agent_timeout: why` or
 * `INTERRUPTED pay-bill#3 (0.9 s)`: one line per run.
 */
export function formatRunLine(run: RunReport, color: boolean): string {
  const word = verdictWord(run);
  const head = `${paint(VERDICT_STYLE[word], word, color)} ${terminalSafe(runLabel(run))} (${formatDuration(run.duration_ms)})`;
  if (word !== "FAIL") return head;
  const why = oneLine(terminalSafe(failureLines(run)[0] ?? ""));
  return run.status === "failed" ? `${head} ${run.ended_reason}: ${why}` : `${head} ${why}`;
}
