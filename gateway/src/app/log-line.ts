/**
 * A log entry as one line — level, request id, message, then its cause written out whole
 * (each Error's stack, nested causes, other values as JSON) — for consoles that take lines.
 */
import type { LogEntry } from "./http-errors.ts";

export function logLine(entry: LogEntry): string {
  const parts = [entry.level, entry.requestId ?? "-", entry.message];
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
