/**
 * Test runs: `POST|GET /v1/test-runs`, `GET /v1/test-runs/{id}`, `POST /v1/test-runs/{id}/cancel`,
 * and RubricHQ's CI paths `POST|GET /api/public/v1/test_runs[/{id}]` (same objects; the vendor
 * body ignores fields it does not know).
 */
import { AppError, testRunCreateSchema, vendorTestRunCreateSchema } from "@spar/protocol";
import type { Context, Hono } from "hono";
import { listInFlightRuns } from "../../db/repositories/runs.ts";
import { getTestRun, listTestRuns, type TestRunRecord } from "../../db/repositories/test-runs.ts";
import { endRunForPlatform, storedTestRunView } from "../../runs/run-settlement.ts";
import { stopVoiceRuns } from "../../voice/stop-voice-runs.ts";
import type { AppEnv } from "../app-env.ts";
import { readJson } from "../json-body.ts";
import { pageRequest, pathId } from "../request-params.ts";
import type { GatewayServices } from "../services.ts";
import { startTestRun } from "./test-run-start.ts";

export function testRunRoutes(v1: Hono<AppEnv>, services: GatewayServices): void {
  v1.post("/test-runs", async (c) => {
    const request = await readJson(c, testRunCreateSchema);
    return c.json(await startTestRun(services, c.get("principal").workspaceId, request), 201);
  });

  v1.get("/test-runs", async (c) => {
    const { workspaceId } = c.get("principal");
    const page = await listTestRuns(services.db, workspaceId, pageRequest(c));
    const data = [];
    for (const testRun of page.rows) data.push(await view(services, testRun));
    return c.json({ data, next_cursor: page.nextCursor });
  });

  v1.get("/test-runs/:id", async (c) => c.json(await view(services, await found(c, services))));

  v1.post("/test-runs/:id/cancel", async (c) => {
    const testRun = await found(c, services);
    if (testRun.status === "done") throw new AppError("conflict", `test run ${testRun.id} is already done`);
    await cancelRuns(
      services,
      testRun,
      `the test run was cancelled (POST /v1/test-runs/${testRun.id}/cancel)`,
    );
    const settled = await getTestRun(services.db, testRun.workspaceId, testRun.id);
    return c.json(await view(services, settled ?? testRun));
  });
}

export function vendorTestRunRoutes(publicV1: Hono<AppEnv>, services: GatewayServices): void {
  publicV1.post("/test_runs", async (c) => {
    const request = await readJson(c, vendorTestRunCreateSchema);
    return c.json(await startTestRun(services, c.get("principal").workspaceId, request), 201);
  });
  publicV1.get("/test_runs/:id", async (c) => c.json(await view(services, await found(c, services))));
}

async function found(c: Context<AppEnv>, services: GatewayServices): Promise<TestRunRecord> {
  const id = pathId(c, "test run");
  const testRun = await getTestRun(services.db, c.get("principal").workspaceId, id);
  if (testRun === undefined) throw new AppError("not_found", `test run ${id} not found`);
  return testRun;
}

function view(services: GatewayServices, testRun: TestRunRecord) {
  return storedTestRunView(services.db, testRun, services.publicUrl);
}

/**
 * A voice run's sidecar stops its call, which then ends with its own `interrupted` result
 * (stopVoiceRuns waits for it); the text host ends the runs it holds (their sockets close, each
 * is recorded interrupted); a run in flight that neither ended — its holder died with a previous
 * process, its sidecar did not answer — is ended here.
 */
async function cancelRuns(services: GatewayServices, testRun: TestRunRecord, reason: string): Promise<void> {
  await stopVoiceRuns(
    services.voice,
    services.db,
    await listInFlightRuns(services.db, testRun.workspaceId, testRun.id),
    services.now,
  );
  const inFlight = await listInFlightRuns(services.db, testRun.workspaceId, testRun.id);
  const held = new Set(
    await services.textRuns.cancel(
      inFlight.map((r) => r.id),
      reason,
    ),
  );
  for (const run of inFlight.filter((r) => !held.has(r.id))) {
    // The services are settlement's dependencies as they are (db, clock, report base, webhooks).
    await endRunForPlatform(services, run, {
      status: "interrupted",
      error: reason,
      endedAtMs: services.now(),
    });
  }
}
