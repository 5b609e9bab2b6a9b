/**
 * `GET /v1/runs/{id}/events` as Server-Sent Events: the run's stored event log from after
 * `Last-Event-ID`, then new events as they are appended (storage is polled, so it works the
 * same whichever process or Durable Object writes them), until `ended`, which closes the stream.
 */
import { AppError } from "@spar/protocol";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { listRunEvents } from "../../db/repositories/run-events.ts";
import { getRun, type RunRecord } from "../../db/repositories/runs.ts";
import { isFinished, runView } from "../../runs/run-views.ts";
import type { ConnectionLimiter } from "../../security/connection-limiter.ts";
import type { AppEnv } from "../app-env.ts";
import type { GatewayServices } from "../services.ts";

export interface EventStreamOptions {
  /** How often storage is read for new events while nothing arrives. */
  pollMs: number;
  /** A comment line after this long without a write keeps proxies from closing the stream. */
  heartbeatMs: number;
  /**
   * A run stored as ended whose `ended` event has not appeared after this long (its holder died
   * between the two writes) gets one built from the stored run, so no stream waits forever.
   */
  endedGraceMs: number;
  /** Open streams per API key. */
  maxPerKey: number;
}

export const EVENT_STREAM_DEFAULTS: EventStreamOptions = {
  pollMs: 200,
  heartbeatMs: 15_000,
  endedGraceMs: 2_000,
  maxPerKey: 10,
};

const PAGE = 100;

/** `Last-Event-ID`: the seq of the last event the client has; absent is 0 (from the start). */
export function lastEventId(c: Context<AppEnv>): number {
  const raw = c.req.header("Last-Event-ID");
  if (raw === undefined || raw.trim() === "") return 0;
  if (!/^[0-9]{1,15}$/.test(raw.trim())) {
    throw new AppError("bad_request", "Last-Event-ID: must be the integer id of an event of this stream");
  }
  return Number(raw.trim());
}

export function streamRunEvents(
  c: Context<AppEnv>,
  services: GatewayServices,
  run: RunRecord,
  afterSeq: number,
  limiter: ConnectionLimiter,
  options: EventStreamOptions,
): Response {
  const release = limiter.acquire(String(c.get("principal").apiKeyId));
  if (release === undefined) {
    throw new AppError(
      "rate_limited",
      `too many open event streams for this API key (at most ${options.maxPerKey})`,
    );
  }
  const { db } = services;
  return streamSSE(c, async (stream) => {
    try {
      let lastSeq = afterSeq;
      if (lastSeq > 0) {
        // Resuming after the `ended` event itself: the client has everything.
        const [at] = await listRunEvents(db, run.workspaceId, run.id, { afterSeq: lastSeq - 1, limit: 1 });
        if (at?.seq === lastSeq && at.type === "ended") return;
      }
      let quietMs = 0;
      let endedForMs = 0;
      while (!stream.aborted) {
        const events = await listRunEvents(db, run.workspaceId, run.id, { afterSeq: lastSeq, limit: PAGE });
        for (const event of events) {
          await stream.writeSSE({
            id: String(event.seq),
            event: event.type,
            data: JSON.stringify(event.data),
          });
          lastSeq = event.seq;
          if (event.type === "ended") return;
        }
        if (events.length > 0) {
          quietMs = 0;
          endedForMs = 0;
          continue;
        }
        const current = await getRun(db, run.workspaceId, run.id);
        if (current !== undefined && isFinished(current)) {
          if (endedForMs >= options.endedGraceMs) {
            const data = JSON.stringify(runView(current));
            await stream.writeSSE({ id: String(lastSeq + 1), event: "ended", data });
            return;
          }
          endedForMs += options.pollMs;
        }
        await stream.sleep(options.pollMs);
        quietMs += options.pollMs;
        if (quietMs >= options.heartbeatMs) {
          await stream.write(": heartbeat\n\n");
          quietMs = 0;
        }
      }
    } catch (cause) {
      services.log({ level: "error", message: `the event stream of run ${run.id} failed`, cause });
    } finally {
      release();
    }
  });
}
