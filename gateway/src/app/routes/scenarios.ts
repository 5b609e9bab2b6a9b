/**
 * `/v1/scenarios`: suite-file scenarios kept in a workspace (docs/api.md § Scenarios). The
 * suite loader's rules run at save, `X-*` metadata included; a PATCH is merged into the stored
 * scenario and the result checked whole.
 */
import { AppError, scenarioCreateSchema, scenarioPatchSchema } from "@spar/protocol";
import type { Hono } from "hono";
import {
  createScenario,
  deleteScenario,
  getScenario,
  listScenarios,
  updateScenario,
} from "../../db/repositories/scenarios.ts";
import type { AppEnv } from "../app-env.ts";
import { requireAgent, savedFailure } from "../catalog/references.ts";
import { scenarioAsCreate, scenarioInput, scenarioView } from "../catalog/scenario-view.ts";
import { readJson } from "../json-body.ts";
import { pageRequest, pathId, queryId } from "../request-params.ts";
import type { GatewayServices } from "../services.ts";
import { validated } from "../validated.ts";

const notFound = (id: number) => new AppError("not_found", `scenario ${id} not found`);

export function scenarioRoutes(v1: Hono<AppEnv>, services: GatewayServices): void {
  const { db } = services;

  v1.post("/scenarios", async (c) => {
    const { workspaceId } = c.get("principal");
    const body = await readJson(c, scenarioCreateSchema);
    await requireAgent(db, workspaceId, body.agent_id);
    const saved = await createScenario(db, workspaceId, scenarioInput(body), services.now());
    if (!saved.ok) throw savedFailure(saved, "scenario", body.key);
    return c.json(scenarioView(saved.row), 201);
  });

  v1.get("/scenarios", async (c) => {
    const filter = { agentId: queryId(c, "agent_id"), tag: c.req.query("tag") || undefined };
    const page = await listScenarios(db, c.get("principal").workspaceId, filter, pageRequest(c));
    return c.json({ data: page.rows.map(scenarioView), next_cursor: page.nextCursor });
  });

  v1.get("/scenarios/:id", async (c) => {
    const id = pathId(c, "scenario");
    const scenario = await getScenario(db, c.get("principal").workspaceId, id);
    if (!scenario) throw notFound(id);
    return c.json(scenarioView(scenario));
  });

  v1.patch("/scenarios/:id", async (c) => {
    const { workspaceId } = c.get("principal");
    const id = pathId(c, "scenario");
    const body = await readJson(c, scenarioPatchSchema);
    const stored = await getScenario(db, workspaceId, id);
    if (!stored) throw notFound(id);
    const merged = scenarioAsCreate(stored);
    for (const [field, value] of Object.entries(body)) {
      if (value === null) delete merged[field];
      else if (value !== undefined) merged[field] = value;
    }
    const next = validated(scenarioCreateSchema, merged);
    if (body.agent_id !== undefined) await requireAgent(db, workspaceId, next.agent_id);
    const saved = await updateScenario(db, workspaceId, id, scenarioInput(next), services.now());
    if (!saved) throw notFound(id);
    if (!saved.ok) throw savedFailure(saved, "scenario", next.key);
    return c.json(scenarioView(saved.row));
  });

  v1.delete("/scenarios/:id", async (c) => {
    const id = pathId(c, "scenario");
    if (!(await deleteScenario(db, c.get("principal").workspaceId, id))) throw notFound(id);
    return c.body(null, 204);
  });
}
