/**
 * What routes read from a URL: an object id from the path, a list's `limit`/`cursor`, an
 * integer filter. A path id that is not an id is a 404 like any id that does not exist (the
 * spec: an unknown id answers 404); a bad query value is a 400 naming the parameter.
 */
import { AppError } from "@spar/protocol";
import type { Context } from "hono";
import { MAX_PAGE_LIMIT, type PageRequest, parseCursor } from "../db/page.ts";

const POSITIVE_INT = /^[1-9][0-9]{0,15}$/;

function positiveInt(text: string): number | undefined {
  const n = POSITIVE_INT.test(text) ? Number(text) : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The `:id` path parameter as the id of a `what` ("agent"): 404 `agent abc not found` if it is none. */
export function pathId(c: Context, what: string): number {
  const raw = c.req.param("id") ?? "";
  const id = positiveInt(raw);
  if (id === undefined) throw new AppError("not_found", `${what} ${raw} not found`);
  return id;
}

/** An optional positive-integer query parameter (`?agent_id=3`). */
export function queryId(c: Context, name: string): number | undefined {
  const text = c.req.query(name);
  if (text === undefined) return undefined;
  const id = positiveInt(text);
  if (id === undefined) throw new AppError("bad_request", `${name}: must be a positive integer`);
  return id;
}

/** `?name=1,2,3`: 1 to `max` ids, duplicates dropped; anything else is a 400 naming `name`. */
export function idList(raw: string, name: string, max: number): number[] {
  const parts = raw.split(",").map((s) => s.trim());
  const ids = parts.map(positiveInt);
  if (parts.length > max || ids.some((id) => id === undefined)) {
    throw new AppError("bad_request", `${name}: give 1 to ${max} comma-separated integer ids`);
  }
  return [...new Set(ids as number[])];
}

/** `?limit=` (1–100, default 100) and `?cursor=` (from a previous page's `next_cursor`). */
export function pageRequest(c: Context): PageRequest {
  const limitText = c.req.query("limit");
  let limit = MAX_PAGE_LIMIT;
  if (limitText !== undefined) {
    const n = positiveInt(limitText);
    if (n === undefined || n > MAX_PAGE_LIMIT) {
      throw new AppError("bad_request", `limit: must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
    }
    limit = n;
  }
  const cursorText = c.req.query("cursor");
  if (cursorText === undefined || cursorText === "") return { limit };
  const after = parseCursor(cursorText);
  if (after === undefined) {
    throw new AppError(
      "bad_request",
      "cursor: not a cursor this API issued; pass a previous page's next_cursor",
    );
  }
  return { limit, after };
}

/** Times are stored as epoch milliseconds and answered as ISO 8601 UTC. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export function isoTimeOrNull(ms: number | null): string | null {
  return ms === null ? null : isoTime(ms);
}
