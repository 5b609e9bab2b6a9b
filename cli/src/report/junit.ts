/**
 * The `--junit` file: one `<testcase>` per run (classname = suite, name = `scenario_id#attempt`),
 * so CI systems show each attempt of a repeated scenario on its own line. A run Ctrl-C stopped
 * is `<skipped message="interrupted"/>`, not `<error>`: nothing went wrong with the agent or the
 * test, the person stopped it, and skipped is how JUnit consumers show "no verdict".
 */
import type { RunReport, SuiteReport } from "@spar/protocol";
import { writeFileAtomic } from "./atomic-write.ts";
import { failedOnAssertionsAlone, failureLines, runLabel, transcriptLine } from "./run-text.ts";
import { escapeXmlAttribute as attr, escapeXmlText as text } from "./xml-escape.ts";

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function renderJunit(report: SuiteReport): string {
  const skipped = report.runs.filter((r) => !r.passed && r.status === "interrupted").length;
  const failures = report.runs.filter((r) => !r.passed).length - skipped;
  const counts = `tests="${report.runs.length}" failures="${failures}" errors="0" skipped="${skipped}"`;
  const time = `time="${seconds(report.duration_ms)}"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="spar" ${counts} ${time}>`,
    `  <testsuite name="${attr(report.suite)}" ${counts} ${time} timestamp="${attr(report.started_at)}">`,
    `    <properties><property name="batch_id" value="${attr(report.batch_id)}"/></properties>`,
    ...report.runs.map((run) => testcase(report.suite, run)),
    "  </testsuite>",
    "</testsuites>",
  ];
  return `${lines.join("\n")}\n`;
}

function testcase(suite: string, run: RunReport): string {
  const open = `    <testcase classname="${attr(suite)}" name="${attr(runLabel(run))}" time="${seconds(run.duration_ms)}"`;
  if (run.passed) return `${open}/>`;
  const transcript = run.transcript.map(transcriptLine).join("\n");
  const [message = "run did not pass", ...details] = failureLines(run);
  // A completed run fails on its assertions, or on its script (an expectation, an unplayed step).
  const type =
    run.status === "failed"
      ? run.ended_reason
      : failedOnAssertionsAlone(run)
        ? "assertion_failed"
        : "script_failed";
  const body = [message, ...details].join("\n");
  const outcome =
    run.status === "interrupted"
      ? `      <skipped message="interrupted"/>`
      : `      <failure message="${attr(message)}" type="${attr(type)}">${text(body)}</failure>`;
  return [
    `${open}>`,
    outcome,
    ...(transcript ? [`      <system-out>${text(transcript)}</system-out>`] : []),
    "    </testcase>",
  ].join("\n");
}

export async function writeJunit(path: string, report: SuiteReport): Promise<void> {
  await writeFileAtomic(path, renderJunit(report));
}
