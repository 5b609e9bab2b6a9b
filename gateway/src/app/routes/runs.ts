/** Runs: `GET /v1/runs/{id}`, `GET /v1/runs?ids=…|test_run_id=…`, `GET /v1/runs/{id}/events` (SSE). */
import { AppError } from "@spar/protocol";
import type { Hono } from "hono";
import { getRun, getRunsByIds, listRunsOfTestRun } from "../../db/repositories/runs.ts";
import { getTestRun } from "../../db/repositories/test-runs.ts";
import { runView } from "../../runs/run-views.ts";
import { createConnectionLimiter } from "../../security/connection-limiter.ts";
import type { AppEnv } from "../app-env.ts";
import { idList, pathId } from "../request-params.ts";
import type { GatewayServices } from "../services.ts";
import type { RouteArea } from "./index.ts";
import {
  EVENT_STREAM_DEFAULTS,
  type EventStreamOptions,
  lastEventId,
  streamRunEvents,
} from "./run-events-stream.ts";

const MAX_IDS = 100;

/** The runs area; tests shorten the stream's timings. One connection limiter per app. */
export function createRunRoutes(options: Partial<EventStreamOptions> = {}): RouteArea {
  const stream = { ...EVENT_STREAM_DEFAULTS, ...options };
  return (v1: Hono<AppEnv>, services: GatewayServices) => {
    const limiter = createConnectionLimiter({ maxPerKey: stream.maxPerKey });

    v1.get("/runs", async (c) => {
      const { workspaceId } = c.get("principal");
      const ids = c.req.query("ids");
      const testRunId = c.req.query("test_run_id");
      if ((ids === undefined) === (testRunId === undefined)) {
        throw new AppError("bad_request", "give either ids=1,2,3 or test_run_id=N");
      }
      if (ids !== undefined) {
        const runs = await getRunsByIds(services.db, workspaceId, idList(ids, "ids", MAX_IDS));
        return c.json({ data: runs.map(runView) });
      }
      const [id] = idList(testRunId ?? "", "test_run_id", 1);
      if (id === undefined || (await getTestRun(services.db, workspaceId, id)) === undefined) {
        throw new AppError("not_found", `test_run_id: no test run ${testRunId}`);
      }
      return c.json({ data: (await listRunsOfTestRun(services.db, workspaceId, id)).map(runView) });
    });

    v1.get("/runs/:id", async (c) => {
      const id = pathId(c, "run");
      const run = await getRun(services.db, c.get("principal").workspaceId, id);
      if (run === undefined) throw new AppError("not_found", `run ${id} not found`);
      return c.json(runView(run));
    });

    v1.get("/runs/:id/events", async (c) => {
      const id = pathId(c, "run");
      const run = await getRun(services.db, c.get("principal").workspaceId, id);
      if (run === undefined) throw new AppError("not_found", `run ${id} not found`);
      return streamRunEvents(c, services, run, lastEventId(c), limiter, stream);
    });
  };
}
