/**
 * Keyset pagination, newest first: a page is the rows with ids below the cursor's. The cursor
 * is opaque to clients (base64url of a versioned id) so its form can change without breaking
 * them; repositories never see a raw string, only a `PageRequest` the edge has parsed.
 */
export const MAX_PAGE_LIMIT = 100;

export interface PageRequest {
  /** 1–100; anything else is clamped into that range. */
  limit: number;
  /** From `parseCursor`; absent for the first page. */
  after?: Cursor | undefined;
}

export interface Cursor {
  readonly beforeId: number;
}

export interface Page<T> {
  rows: T[];
  /** Null on the last page. */
  nextCursor: string | null;
}

const PREFIX = "v1:";

export function encodeCursor(beforeId: number): string {
  return btoa(`${PREFIX}${beforeId}`).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Undefined for anything `encodeCursor` did not produce: the route answers 400 `cursor`. */
export function parseCursor(text: string): Cursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(text)) return undefined;
  let decoded: string;
  try {
    decoded = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return undefined;
  }
  const match = /^v1:([1-9][0-9]{0,15})$/.exec(decoded);
  const id = match?.[1] === undefined ? Number.NaN : Number(match[1]);
  return Number.isSafeInteger(id) ? { beforeId: id } : undefined;
}

export function clampLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.trunc(limit))) : MAX_PAGE_LIMIT;
}

/**
 * Turns `limit + 1` fetched rows (newest first) into a page: the extra row only proves a next
 * page exists, and the cursor points below the last row returned.
 */
export function toPage<T extends { id: number }>(fetched: T[], limit: number): Page<T> {
  if (fetched.length <= limit) return { rows: fetched, nextCursor: null };
  const rows = fetched.slice(0, limit);
  const last = rows[rows.length - 1];
  return { rows, nextCursor: last === undefined ? null : encodeCursor(last.id) };
}
