/**
 * The Log port on Workers: one line per entry on the console (wrangler dev prints it; a deployed
 * Worker's lines go to Workers Logs / `wrangler tail`), the cause written out whole.
 */
import type { Log, LogEntry } from "../../app/http-errors.ts";

export function logEntryLine(entry: LogEntry): string {
  const parts = [`spar ${entry.level}`, entry.requestId ?? "-", entry.message];
  const seen = new Set<unknown>();
  let cause: unknown = entry.cause;
  while (cause !== undefined && cause !== null && !seen.has(cause)) {
    seen.add(cause);
    if (cause instanceof Error) {
      parts.push(cause.stack ?? `${cause.name}: ${cause.message}`);
      cause = cause.cause;
    } else {
      parts.push(typeof cause === "object" ? JSON.stringify(cause) : String(cause));
      cause = undefined;
    }
  }
  return parts.join(" | ");
}

export const consoleLog: Log = (entry) => {
  const line = logEntryLine(entry);
  if (entry.level === "error") console.error(line);
  else if (entry.level === "warn") console.warn(line);
  else console.log(line);
};
