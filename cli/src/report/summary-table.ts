/**
 * The end-of-run summary: one row per scenario, totals, then every failed run with why. What a
 * person reads first after `spar run`, so a failure's reason is on screen without opening files.
 */
import type { SuiteReport } from "@spar/protocol";
import { paint, type Style } from "./ansi.ts";
import { failureLines, formatDuration, runLabel, terminalSafe } from "./run-text.ts";
import { rollUpScenarios } from "./scenario-rollup.ts";

const STATUS_STYLE: Record<string, Style> = { PASS: "green", FAIL: "red", INTERRUPTED: "yellow" };

export interface SummaryTableOptions {
  color: boolean;
}

export function renderSummaryTable(report: SuiteReport, { color }: SummaryTableOptions): string {
  const scenarios = rollUpScenarios(report.runs);
  const header = ["SCENARIO", "RUNS", "P50", "STATUS"];
  const rows = scenarios.map((s) => [
    terminalSafe(s.scenarioId),
    `${s.passedRuns}/${s.runs.length}`,
    s.p50LatencyMs === null ? "-" : `${Math.round(s.p50LatencyMs)} ms`,
    s.passed ? "PASS" : s.failed ? "FAIL" : "INTERRUPTED",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  // Pad before painting: escape codes have length but no width.
  const line = (cells: string[], styleCell: (cell: string, i: number) => string) =>
    cells
      .map((c, i) => styleCell(i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0), i))
      .join("  ")
      .trimEnd();

  const out = [line(header, (c) => paint("bold", c, color))];
  for (const row of rows) {
    out.push(line(row, (c, i) => (i === 3 ? paint(STATUS_STYLE[c] ?? "red", c, color) : c)));
  }

  const { total, passed, interrupted, pass_rate } = report.summary;
  const failedScenarios = scenarios.filter((s) => s.failed).length;
  out.push(
    "",
    `${passed}/${total} runs passed (${formatRate(pass_rate)}), ` +
      (interrupted > 0 ? `${paint("yellow", `${interrupted} interrupted`, color)}, ` : "") +
      `${failedScenarios} of ${scenarios.length} scenario${scenarios.length === 1 ? "" : "s"} failed, ` +
      `in ${formatDuration(report.duration_ms)}`,
  );

  const failed = report.runs.filter((r) => !r.passed && r.status !== "interrupted");
  if (failed.length > 0) {
    out.push("", paint("bold", "Failed runs:", color));
    for (const run of failed) {
      out.push(`  ${paint("red", terminalSafe(runLabel(run)), color)}  ${run.status} / ${run.ended_reason}`);
      for (const reason of failureLines(run).map(terminalSafe)) {
        for (const l of reason.split(/\r?\n/)) out.push(`    ${l}`);
      }
    }
  }
  return `${out.join("\n")}\n`;
}

/** `75%`, `66.7%`: whole numbers stay whole. */
function formatRate(percent: number): string {
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)}%`;
}
