/**
 * Cekura-compatible routes (spec/gateway-api.md § Voice on the platform). The key may come as
 * `X-CEKURA-API-KEY` on all of them (auth.ts).
 *
 * - `GET /test_framework/v1/runs/bulk/?run_ids=1,2` → the workspace's runs among those ids, in
 *   Cekura's shape (cekura-run-view.ts), in id order. Ids that are unknown or another
 *   workspace's are left out, exactly alike: the answer is the runs the caller may see.
 * - The manual LiveKit run routes (`POST /v1/runs/livekit[-chat]` and Cekura's
 *   `/test_framework/v1/scenarios-external/run_scenarios_livekit[_chat]/`) are registered only
 *   with a `StartManualRuns`: starting runs needs voice dispatch to sidecars, which this area does
 *   not own. Their bodies are parsed here, so a handler only ever sees a valid request.
 */
import { type ManualLivekitRuns, manualLivekitRunsSchema } from "@spar/protocol";
import type { Context, Hono } from "hono";
import { getRunsByIds } from "../../db/repositories/runs.ts";
import type { AppEnv } from "../app-env.ts";
import { cekuraRunView } from "../cekura/cekura-run-view.ts";
import { readJson } from "../json-body.ts";
import type { Principal } from "../principal.ts";
import { idList } from "../request-params.ts";
import type { GatewayServices } from "../services.ts";
import type { RouteArea } from "./index.ts";

const MAX_RUN_IDS = 100;

export function cekuraReadRoutes(testFramework: Hono<AppEnv>, services: GatewayServices): void {
  const bulk = async (c: Context<AppEnv>) => {
    const ids = idList(c.req.query("run_ids") ?? "", "run_ids", MAX_RUN_IDS);
    const runs = await getRunsByIds(services.db, c.get("principal").workspaceId, ids);
    return c.json(runs.map(cekuraRunView));
  };
  testFramework.get("/runs/bulk/", bulk);
  testFramework.get("/runs/bulk", bulk);
}

/** Which kind of manual run a route starts: LiveKit audio, or LiveKit chat (billed as text). */
export type ManualRunKind = "voice" | "chat";

/** 201 body of a manual-run request: the test run holding them and one run id per element, in order. */
export interface StartedManualRuns {
  id: number;
  run_ids: number[];
}

/**
 * The integrator's part: create a test run with one run per element of `request.scenarios` (in
 * order; `agent` or each scenario's own agent; credits fail-closed like any test run) and send each
 * to a sidecar as a `manual` connection. Throws AppError for what the client got wrong.
 */
export type StartManualRuns = (
  services: GatewayServices,
  principal: Principal,
  request: ManualLivekitRuns,
  kind: ManualRunKind,
) => Promise<StartedManualRuns>;

function manualRunHandler(services: GatewayServices, start: StartManualRuns, kind: ManualRunKind) {
  return async (c: Context<AppEnv>) => {
    const request = await readJson(c, manualLivekitRunsSchema);
    return c.json(await start(services, c.get("principal"), request, kind), 201);
  };
}

/** The POST routes, on `/v1` and on `/test_framework/v1`, around the integrator's handler. */
export function manualRunRoutes(start: StartManualRuns): { v1: RouteArea; testFramework: RouteArea } {
  return {
    v1: (v1, services) => {
      for (const slash of ["", "/"]) {
        v1.post(`/runs/livekit${slash}`, manualRunHandler(services, start, "voice"));
        v1.post(`/runs/livekit-chat${slash}`, manualRunHandler(services, start, "chat"));
      }
    },
    testFramework: (testFramework, services) => {
      for (const slash of ["/", ""]) {
        testFramework.post(
          `/scenarios-external/run_scenarios_livekit${slash}`,
          manualRunHandler(services, start, "voice"),
        );
        testFramework.post(
          `/scenarios-external/run_scenarios_livekit_chat${slash}`,
          manualRunHandler(services, start, "chat"),
        );
      }
    },
  };
}
