/**
 * Outcomes of a create or update that the caller must tell apart without parsing SQLite
 * errors: a `key` already taken in the workspace, or a referenced id that is not in the
 * workspace (answered like an id that never existed: 404).
 */
export type Saved<T> =
  | { ok: true; row: T }
  | { ok: false; conflict: "key" }
  | { ok: false; missing: "agent_id" | "metric_ids" };

/**
 * True when a write failed on a UNIQUE index. Drizzle wraps the driver's error (libSQL, D1
 * and Durable Objects all keep SQLite's own message), so the cause chain is searched.
 */
export function isUniqueViolation(error: unknown): boolean {
  return causeMentions(error, "UNIQUE constraint failed");
}

/** True when a write referenced a row that is gone (e.g. an agent deleted a moment before). */
export function isForeignKeyViolation(error: unknown): boolean {
  return causeMentions(error, "FOREIGN KEY constraint failed");
}

function causeMentions(error: unknown, text: string): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.message.includes(text)) return true;
  }
  return false;
}
