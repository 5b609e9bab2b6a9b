/** How one run reads as text; shared by the table, the progress lines and JUnit so they agree. */
import { type RunReport, redactUrls } from "@spar/protocol";

/** `scenario_id#attempt`, the run's name everywhere a person reads it. */
export function runLabel(run: RunReport): string {
  return `${run.scenario_id}#${run.attempt}`;
}

/** The run's verdict as one word: interrupted runs have none either way. */
export function verdictWord(run: RunReport): "PASS" | "FAIL" | "INTERRUPTED" {
  if (run.passed) return "PASS";
  return run.status === "interrupted" ? "INTERRUPTED" : "FAIL";
}

/**
 * Why a run did not pass: its error first, then each failed assertion. Empty when it passed.
 * URLs lose credentials and query (tokens ride there): these lines are printed and go to CI logs.
 */
export function failureLines(run: RunReport): string[] {
  if (run.passed) return [];
  return rawFailureLines(run).map(redactUrls);
}

function rawFailureLines(run: RunReport): string[] {
  const assertions = run.assertions.filter((a) => !a.passed).map((a) => `✗ ${a.kind}: ${a.detail}`);
  // A run that failed on its assertions alone has them, joined, as its error: list them once.
  const onlyAssertions = failedOnAssertionsAlone(run);
  const error = onlyAssertions
    ? undefined
    : (run.error ?? (assertions.length === 0 ? `${run.status} / ${run.ended_reason}` : undefined));
  return error === undefined ? assertions : [error, ...assertions];
}

/** One transcript entry as a line: function calls show their name with arguments or result. */
export function transcriptLine(entry: RunReport["transcript"][number]): string {
  const at = `[${entry.at_ms} ms]`;
  const data = entry.data;
  if (entry.role === "function_call") {
    return `${at} function_call: ${data?.name ?? "?"}(${JSON.stringify(data?.arguments ?? {})})`;
  }
  if (entry.role === "function_call_result") {
    return `${at} function_call_result: ${data?.name ?? data?.id ?? "?"} → ${JSON.stringify(data?.result ?? null)}`;
  }
  return `${at} ${entry.role}: ${entry.content}`;
}

/**
 * Whether the run's error is nothing but failed assertions (and critical metrics) joined, as the
 * verdict writes it: then those are listed once, each on its own line. Non-critical metrics fail
 * without entering the error, so the error is matched against the failed entries it names.
 */
export function failedOnAssertionsAlone(run: RunReport): boolean {
  const error = run.error;
  if (error === null) return false;
  const named = run.assertions
    .filter((a) => !a.passed)
    .map((a) => `${a.kind}: ${a.detail}`)
    .filter((line) => error.includes(line));
  return named.length > 0 && named.join("; ") === error;
}

/** `812 ms` under a second, `12.3 s` above. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** First line of `text`, cut to `max` characters: for one-line-per-run output. */
export function oneLine(text: string, max = 160): string {
  const first = text.split(/\r?\n/, 1)[0] ?? "";
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

/**
 * Agent text quoted in an error can carry escape sequences; printed raw they would repaint the
 * user's terminal. Control characters (but tab and line breaks) become visible `\uXXXX`.
 */
export function terminalSafe(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`,
  );
}
