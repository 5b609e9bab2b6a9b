/**
 * The one error envelope, `{"error": {"code", "message", "request_id"}}`, for every failure the
 * app answers: AppErrors as they are, anything unexpected as `internal` with no internals (its
 * cause goes to the log with the request id, so an operator can find it).
 */
import { AppError, type ErrorCode, httpStatusOf } from "@spar/protocol";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./app-env.ts";

export interface LogEntry {
  level: "info" | "warn" | "error";
  message: string;
  requestId?: string;
  cause?: unknown;
}
export type Log = (entry: LogEntry) => void;

export function errorBody(code: ErrorCode, message: string, requestId: string) {
  return { error: { code, message, request_id: requestId } };
}

export function respondError(
  c: Context<AppEnv>,
  code: ErrorCode,
  message: string,
  headers?: Record<string, string>,
) {
  return c.json(
    errorBody(code, message, c.get("requestId")),
    httpStatusOf(code) as ContentfulStatusCode,
    headers,
  );
}

/** `app.onError`: AppError → its code; anything else → 500 `internal`, logged with its cause. */
export function handleError(log: Log) {
  return (err: Error, c: Context<AppEnv>) => {
    if (err instanceof AppError) {
      // A rate limit says when to come back (the limiter puts the seconds in the cause).
      const retryAfterS = (err.cause as { retryAfterS?: unknown } | undefined)?.retryAfterS;
      const headers =
        err.code === "rate_limited" && typeof retryAfterS === "number"
          ? { "Retry-After": String(retryAfterS) }
          : undefined;
      return respondError(c, err.code, err.message, headers);
    }
    log({ level: "error", message: "unexpected error", requestId: c.get("requestId"), cause: err });
    return respondError(c, "internal", "internal error; quote the request id when reporting it");
  };
}
