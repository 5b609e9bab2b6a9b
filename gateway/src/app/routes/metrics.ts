/** `/v1/metrics`: judges and assertions attached to agents (docs/api.md § Metrics). */
import { AppError, metricCreateSchema, metricPatchSchema } from "@spar/protocol";
import type { Hono } from "hono";
import {
  createMetric,
  deleteMetric,
  getMetric,
  listMetrics,
  updateMetric,
} from "../../db/repositories/metrics.ts";
import type { AppEnv } from "../app-env.ts";
import { metricAsCreate, metricInput, metricView } from "../catalog/metric-view.ts";
import { readJson } from "../json-body.ts";
import { pageRequest, pathId } from "../request-params.ts";
import type { GatewayServices } from "../services.ts";
import { validated } from "../validated.ts";

const notFound = (id: number) => new AppError("not_found", `metric ${id} not found`);

export function metricRoutes(v1: Hono<AppEnv>, services: GatewayServices): void {
  const { db } = services;

  v1.post("/metrics", async (c) => {
    const body = await readJson(c, metricCreateSchema);
    const row = await createMetric(db, c.get("principal").workspaceId, metricInput(body), services.now());
    return c.json(metricView(row), 201);
  });

  v1.get("/metrics", async (c) => {
    const page = await listMetrics(db, c.get("principal").workspaceId, pageRequest(c));
    return c.json({ data: page.rows.map(metricView), next_cursor: page.nextCursor });
  });

  v1.get("/metrics/:id", async (c) => {
    const id = pathId(c, "metric");
    const metric = await getMetric(db, c.get("principal").workspaceId, id);
    if (!metric) throw notFound(id);
    return c.json(metricView(metric));
  });

  v1.patch("/metrics/:id", async (c) => {
    const { workspaceId } = c.get("principal");
    const id = pathId(c, "metric");
    const body = await readJson(c, metricPatchSchema);
    const stored = await getMetric(db, workspaceId, id);
    if (!stored) throw notFound(id);
    const merged = metricAsCreate(stored);
    // A new kind drops the old kind's field unless the body gives it (and is then told it does not fit).
    if (body.kind !== undefined && body.kind !== stored.kind) delete merged[stored.kind];
    Object.assign(merged, body);
    const next = validated(metricCreateSchema, merged);
    const row = await updateMetric(db, workspaceId, id, metricInput(next), services.now());
    if (!row) throw notFound(id);
    return c.json(metricView(row));
  });

  v1.delete("/metrics/:id", async (c) => {
    const id = pathId(c, "metric");
    if (!(await deleteMetric(db, c.get("principal").workspaceId, id))) throw notFound(id);
    return c.body(null, 204);
  });
}
