import { randomUUID } from "node:crypto";
import {
  AppError,
  type ErrorCode,
  httpStatusOf,
  MAX_VOICE_JOB_BODY_BYTES,
  voiceJobSchema,
} from "@spar/protocol";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { streamSSE } from "hono/streaming";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { bearerTokenMatches } from "./bearer-auth.ts";
import type { JobService } from "./job-service.ts";

export interface JobApiOptions {
  service: JobService;
  /** The shared secret the gateway sends as `Authorization: Bearer <token>`. Never logged. */
  token: string;
  /** Seconds a client is told to wait when the sidecar is full. */
  retryAfterS: number;
  /** SSE comment interval that keeps idle proxies from closing the stream. */
  heartbeatMs: number;
  log: (event: string, fields: Record<string, string | number>) => void;
}

type Env = { Variables: { requestId: string } };

/** The sidecar's HTTP surface: voice jobs in (and cancelled), status and run events out. */
export function createJobApi(o: JobApiOptions): Hono<Env> {
  const app = new Hono<Env>();

  app.use(async (c, next) => {
    const requestId = randomUUID();
    c.set("requestId", requestId);
    c.header("X-Request-Id", requestId);
    await next();
  });

  app.get("/healthz", (c) => c.json({ ok: true, active_jobs: o.service.activeJobs }));

  app.use("/v1/*", async (c, next) => {
    if (!bearerTokenMatches(c.req.header("authorization"), o.token)) {
      c.header("WWW-Authenticate", 'Bearer realm="spar-sidecar"');
      throw new AppError("unauthorized", "missing or wrong bearer token");
    }
    await next();
  });

  app.post(
    "/v1/jobs",
    bodyLimit({
      maxSize: MAX_VOICE_JOB_BODY_BYTES,
      onError: () => {
        throw new AppError(
          "payload_too_large",
          `a job body may be at most ${MAX_VOICE_JOB_BODY_BYTES} bytes`,
        );
      },
    }),
    async (c) => {
      const text = await c.req.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new AppError("bad_request", "the body is not JSON");
      }
      const parsed = voiceJobSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join(".") || "body";
        throw new AppError("bad_request", `${field}: ${issue?.message ?? "invalid"}`);
      }
      const outcome = await o.service.submit(parsed.data);
      if (outcome.kind === "at_capacity") {
        c.header("Retry-After", String(o.retryAfterS));
        throw new AppError("rate_limited", "the sidecar is running as many calls as it may; retry later");
      }
      c.header("Location", `/v1/jobs/${encodeURIComponent(parsed.data.run_id)}`);
      return c.json(outcome.status, outcome.kind === "started" ? 201 : 200);
    },
  );

  app.get("/v1/jobs/:id", async (c) => {
    const status = await o.service.status(c.req.param("id"));
    if (status === undefined) throw new AppError("not_found", "no such job");
    return c.json(status);
  });

  // Cancel: the call stops and ends `interrupted` with what it has; its result still comes
  // back through the outbox. 202 while it stops, 200 once ended (a repeat changes nothing).
  app.delete("/v1/jobs/:id", async (c) => {
    const runId = c.req.param("id");
    const outcome = await o.service.cancel(runId, "cancelled by the gateway");
    if (outcome === undefined) throw new AppError("not_found", "no such job");
    return c.json(outcome.status, outcome.kind === "stopping" ? 202 : 200);
  });

  app.get("/v1/jobs/:id/events", (c) => {
    const record = o.service.job(c.req.param("id"));
    if (record === undefined)
      throw new AppError("not_found", "no such job (or it finished too long ago to replay)");
    const after = Number(c.req.header("last-event-id") ?? "0");
    const afterSeq = Number.isSafeInteger(after) && after > 0 ? after : 0;
    return streamSSE(c, async (stream) => {
      const stop = new AbortController();
      stream.onAbort(() => stop.abort());
      const heartbeat = setInterval(
        () => void stream.write(": keep-alive\n\n").catch(() => {}),
        o.heartbeatMs,
      );
      try {
        for await (const event of record.events(afterSeq, stop.signal)) {
          await stream.writeSSE({ id: String(event.seq), event: event.type, data: JSON.stringify(event) });
        }
      } finally {
        clearInterval(heartbeat);
      }
    });
  });

  app.notFound((c) => renderError(c, new AppError("not_found", "no such route"), o.log));

  app.onError((err, c) => renderError(c, err, o.log));
  return app;
}

function renderError(c: Context<Env>, err: Error, log: JobApiOptions["log"]): Response {
  const requestId = c.get("requestId") ?? "unknown";
  let code: ErrorCode = "internal";
  let message = "internal error";
  if (err instanceof AppError) {
    code = err.code;
    message = err.message;
  } else {
    // Internals stay in the log; the client gets only the request id to quote.
    log("request_failed", { request_id: requestId, error: err.stack ?? err.message });
  }
  const status = httpStatusOf(code) as ContentfulStatusCode;
  return c.json({ error: { code, message, request_id: requestId } }, status);
}
