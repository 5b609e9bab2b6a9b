/**
 * The dashboard's client of the gateway API: the API key lives in sessionStorage only (gone when
 * the tab closes), goes out as `X-API-Key`, and every answer is decoded with a schema.
 */
import type { z } from "zod";

const KEY_ITEM = "spar.apiKey";

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_ITEM);
  else sessionStorage.setItem(KEY_ITEM, key);
}

/** An answer that was not a 2xx: the gateway's error envelope, or what the status says. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Called when the key is refused (401), so the app can ask for another. */
let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export function authHeaders(key = storedKey()): Record<string, string> {
  return key === null ? {} : { "X-API-Key": key };
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = "http_error";
  let message = `${res.status} ${res.statusText}`;
  try {
    const body: unknown = await res.json();
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (typeof error?.code === "string") code = error.code;
    if (typeof error?.message === "string") message = error.message;
  } catch {
    // Not the JSON envelope: the status line says it.
  }
  return new ApiError(res.status, code, message);
}

export async function request(
  method: string,
  path: string,
  body?: unknown,
  key = storedKey(),
): Promise<Response> {
  const res = await fetch(path, {
    method,
    headers: { ...authHeaders(key), ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) {
    const error = await errorOf(res);
    if (res.status === 401) onUnauthorized();
    throw error;
  }
  return res;
}

/** A JSON answer decoded by `schema`; a shape the page does not know is an error naming the field. */
export async function getJson<T>(path: string, schema: z.ZodType<T>, key = storedKey()): Promise<T> {
  const res = await request("GET", path, undefined, key);
  return decode(schema, await res.json(), path);
}

export async function sendJson<T>(
  method: string,
  path: string,
  body: unknown,
  schema: z.ZodType<T>,
): Promise<T> {
  const res = await request(method, path, body);
  return decode(schema, await res.json(), path);
}

export function decode<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || "(root)";
  throw new ApiError(0, "unexpected_answer", `${what}: ${field}: ${issue?.message ?? "unexpected shape"}`);
}
